"""UCUM-aware unit conversion for the quantities the rules use (mass, body weight, height, time).

Units are matched on the UCUM `code` first and on the human `unit` string second, case-sensitively
for UCUM codes ("mg" is not "Mg") and leniently for the printable forms EHRs send ("MG", "lbs").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir_mappings.read import mapping, number, string

#: Milligrams per unit of mass.
MASS_MG: dict[str, float] = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001, "µg": 0.001, "kg": 1_000_000.0}
#: Kilograms per unit of body weight.
WEIGHT_KG: dict[str, float] = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237, "lbs": 0.45359237}
#: Centimetres per unit of length.
LENGTH_CM: dict[str, float] = {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54, "in": 2.54, "[ft_i]": 30.48}
#: Days per UCUM time unit (mo and a are the UCUM mean month and year).
TIME_DAYS: dict[str, float] = {
    "s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 30.4375, "a": 365.25,
}
#: Units that count dose units of a product (tablet, capsule ...), matched case-insensitively.
COUNT_UNITS = frozenset({
    "{tbl}", "{tablet}", "{tablets}", "tablet", "tablets", "tab", "tabs", "{tab}", "{capsule}", "{capsules}",
    "capsule", "capsules", "cap", "caps", "{cap}", "{pill}", "pill", "pills", "{each}", "each", "ea", "unit dose",
})
VOLUME_ML: dict[str, float] = {"ml": 1.0, "l": 1000.0}

_LENIENT = {"mgs": "mg", "milligram": "mg", "milligrams": "mg", "gram": "g", "grams": "g", "gm": "g",
            "microgram": "mcg", "micrograms": "mcg", "kilogram": "kg", "kilograms": "kg", "kgs": "kg",
            "pound": "lb", "pounds": "lb", "[lb_us]": "lb", "centimeter": "cm", "centimetre": "cm",
            "meter": "m", "metre": "m", "inch": "in", "inches": "in", "[in_us]": "in", "cc": "ml"}


def unit_keys(value: Any) -> list[str]:
    """Candidate unit spellings of a Quantity: its UCUM code, then its printable unit (lower-cased)."""
    quantity = mapping(value)
    keys = []
    for raw in (string(quantity.get("code")), string(quantity.get("unit"))):
        if raw is None:
            continue
        keys.append(raw)
        lowered = raw.lower()
        keys.append(_LENIENT.get(lowered, lowered))
    return keys


def convert(value: Any, table: Mapping[str, float]) -> float | None:
    """The Quantity's value in the table's unit, or None if the value or unit is not understood."""
    quantity = mapping(value)
    amount = number(quantity.get("value"))
    if amount is None:
        return None
    factor = unit_factor(quantity, table)
    return None if factor is None else amount * factor


def unit_factor(value: Any, table: Mapping[str, float]) -> float | None:
    for key in unit_keys(value):
        if key in table:
            return table[key]
    return None


def unit_label(value: Any) -> str:
    """The unit to show a human (printable unit, else code, else empty)."""
    quantity = mapping(value)
    return string(quantity.get("unit")) or string(quantity.get("code")) or ""
