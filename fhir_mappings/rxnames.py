"""Parse RxNorm-style product names: "predniSONE 20 MG Oral Tablet" -> prednisone, 20 mg per tablet.

RxNorm's normalized names read `ingredient strength UNIT [/ ingredient strength UNIT ...] dose form
[brand]`. EHR free text often follows the same pattern in lower case ("prednisone 20 mg tablet"),
so the parser is case-insensitive and tolerant of a missing space before the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_UNITS = r"MG/ML|MCG/ML|MG/ACTUAT|MCG/ACTUAT|UNT/ML|MG|MCG|G|UNT|MEQ|ML|%"
_COMPONENT = re.compile(
    rf"^(?P<ingredient>.*?)\s*(?<![\w.])(?P<strength>\d+(?:\.\d+)?)\s*(?P<unit>{_UNITS})(?![A-Za-z])\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
#: A strength per volume written after the mass ("15 mg/5 mL", "15 MG in 5 mL", "200 MG / 40 MG per 5 ML").
_PER_VOLUME = re.compile(r"^(?:/|in\b|per\b)\s*(?P<volume>\d+(?:\.\d+)?)?\s*ML\b\s*(?P<rest>.*)$", re.IGNORECASE)
#: Two strengths of a two-ingredient name written together ("sulfamethoxazole-trimethoprim 800-160 mg").
_PAIR = re.compile(
    r"^(?P<first>[A-Za-z][\w ]*?)\s*[-/]\s*(?P<second>[A-Za-z][\w ]*?)\s+(?P<a>\d+(?:\.\d+)?)\s*[-/]\s*"
    r"(?P<b>\d+(?:\.\d+)?)\s*(?P<unit>MG|MCG|G)(?![A-Za-z])\s*(?P<rest>.*)$", re.IGNORECASE)
_BRAND = re.compile(r"\s*\[(?P<brand>[^\]]+)\]\s*$")
_DURATION = re.compile(r"^\s*\d+\s*HR\s+", re.IGNORECASE)

#: Milligrams per unit of an RxNorm strength unit (per dose unit, or per mL for the /ML units).
_MG = {"MG": 1.0, "G": 1000.0, "MCG": 0.001, "MG/ML": 1.0, "MCG/ML": 0.001, "G/ML": 1000.0}


@dataclass(frozen=True)
class Component:
    ingredient: str
    strength: float
    unit: str

    @property
    def mg(self) -> float | None:
        """Milligrams per dose unit (tablet, capsule) or per mL for a liquid, None for other units."""
        factor = _MG.get(self.unit.upper())
        return None if factor is None else self.strength * factor

    @property
    def per_ml(self) -> bool:
        return self.unit.upper().endswith("/ML")


@dataclass(frozen=True)
class ProductName:
    components: tuple[Component, ...]
    dose_form: str | None
    brand: str | None


@lru_cache(maxsize=4096)
def parse_product_name(name: str) -> ProductName | None:
    """The components, dose form and brand of an RxNorm-style name, or None if it has no strength."""
    brand_match = _BRAND.search(name)
    brand = brand_match.group("brand").strip() if brand_match else None
    body = _DURATION.sub("", name[: brand_match.start()] if brand_match else name).strip()
    pair = _PAIR.match(body)
    if pair is not None:
        unit = pair.group("unit").upper()
        components = [Component(pair.group("first").strip(), float(pair.group("a")), unit),
                      Component(pair.group("second").strip(), float(pair.group("b")), unit)]
        return _per_volume(components, pair.group("rest").strip(), brand)
    components = []
    rest = ""
    for part in body.split(" / "):
        match = _COMPONENT.match(part.strip())
        if match is None:
            return None
        ingredient = match.group("ingredient").strip(" ,")
        if not ingredient:
            return None
        components.append(Component(ingredient, float(match.group("strength")), match.group("unit").upper()))
        rest = match.group("rest").strip()
    return _per_volume(components, rest, brand) if components else None


def _per_volume(components: list[Component], rest: str, brand: str | None) -> ProductName:
    """Strengths per mL when the name states a volume after them ("15 mg/5 mL" = 3 mg/mL)."""
    match = _PER_VOLUME.match(rest)
    if match is None or any(c.unit not in _MG or c.per_ml for c in components):
        return ProductName(tuple(components), rest or None, brand)
    volume = float(match.group("volume") or 1)
    if volume <= 0:
        return ProductName(tuple(components), rest or None, brand)
    per_ml = tuple(Component(c.ingredient, c.strength / volume, f"{c.unit}/ML") for c in components)
    return ProductName(per_ml, match.group("rest").strip() or None, brand)
