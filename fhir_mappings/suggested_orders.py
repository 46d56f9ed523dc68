"""Suggested MedicationRequests read back as typed orders.

Every one-click order a card offers is read here the same way an order on record is read
(`map_medication_request`), so that the order-safety check in `hooks` sees a `MedicationOrder`
(drug, route, dose in mg) whatever recommendation built the resource, and never the JSON.
A combination product (sulfamethoxazole/trimethoprim) has no single mg dose: its components'
daily amounts are given from the product table and the number of tablets per day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

import orjson

from fhir_mappings.dosage import DoseContext, read_dose
from fhir_mappings.facts import MedicationOrder
from fhir_mappings.medications import map_medication_request
from fhir_mappings.products import Product, product
from fhir_mappings.read import as_list, mapping, string
from fhir_mappings.units import COUNT_UNITS, VOLUME_ML, unit_keys

#: Statuses of a MedicationRequest that orders nothing (an `update` that stops an order).
NOT_AN_ORDER = frozenset({"stopped", "cancelled", "completed", "entered-in-error"})


@dataclass(frozen=True)
class SuggestedOrder:
    """A suggested MedicationRequest: one order per guideline ingredient (calcium + vitamin D gives two)."""

    orders: tuple[MedicationOrder, ...]
    #: Tablets (capsules ...) per day when the dose is given in such units, or mL per day of a liquid
    #: product dosed in mL, else None.
    units_per_day: float | None = None
    #: mg per unit (tablet, or mL of a liquid) of each product component, by lower-case ingredient name
    #: ("trimethoprim": 160).
    component_mg: Mapping[str, float] = field(default_factory=dict)

    def ingredient_mg_per_day(self, ingredient: str) -> float | None:
        """Daily mg of one component of the product (e.g. trimethoprim of a TMP-SMX tablet), or None."""
        strength = self.component_mg.get(ingredient.lower())
        if strength is None or self.units_per_day is None:
            return None
        return strength * self.units_per_day


def is_medication_order(resource: Mapping[str, Any] | None) -> bool:
    """True for a MedicationRequest that orders something (not one that stops or cancels an order)."""
    return bool(resource) and resource.get("resourceType") == "MedicationRequest" and (
        string(resource.get("status")) not in NOT_AN_ORDER)


#: The members of a MedicationRequest that say what is ordered, and which order it renews (the id and subject
#: do not).
_ORDERED = ("status", "intent", "medicationCodeableConcept", "medicationReference", "dosageInstruction",
            "priorPrescription")


def read_suggested_order(resource: Mapping[str, Any], today: date) -> SuggestedOrder:
    """The orders of a suggested MedicationRequest; no orders when its drug is not recognised.

    Cards offer the same few orders again and again with fresh ids, so the reading is cached by what
    is ordered; the orders then get this resource's id and content.
    """
    try:
        key = orjson.dumps({k: resource.get(k) for k in _ORDERED}, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        key = None
    read = _read(key, today) if key is not None else _read_uncached(resource, today)
    reference = f"MedicationRequest/{resource['id']}" if isinstance(resource.get("id"), str) else None
    return replace(read, orders=tuple(replace(o, reference=reference, resource=resource) for o in read.orders))


@lru_cache(maxsize=1024)
def _read(key: bytes, today: date) -> SuggestedOrder:
    return _read_uncached(orjson.loads(key), today)


def _read_uncached(resource: Mapping[str, Any], today: date) -> SuggestedOrder:
    outcome = map_medication_request(resource, medications={}, today=today, weight_kg=None, bsa_m2=None,
                                     is_draft=True, selections=None)
    found = product(outcome.orders[0].rxnorm) if outcome.orders and outcome.orders[0].rxnorm else None
    liquid = found is not None and all(component.per_ml for _, component in found.components)
    return SuggestedOrder(outcome.orders, _units_per_day(resource, liquid), _component_mg(found))


def _units_per_day(resource: Mapping[str, Any], liquid: bool) -> float | None:
    """Tablets (capsules) per day, or for a liquid product mL per day; None for doses in other units."""
    dosages = as_list(resource.get("dosageInstruction"))
    quantities = [mapping(mapping(item).get("doseQuantity")) for d in dosages
                  for item in as_list(mapping(d).get("doseAndRate"))]
    units = VOLUME_ML if liquid else COUNT_UNITS
    if not quantities or not all(any(k.lower() in units for k in unit_keys(q)) for q in quantities):
        return None
    context = DoseContext(mg_per_ml=1.0) if liquid else DoseContext(mg_per_unit=1.0)
    dose, _ = read_dose(dosages, context)
    return dose.mg_per_day_high if dose is not None else None


def _component_mg(found: Product | None) -> Mapping[str, float]:
    if found is None:
        return {}
    return {component.ingredient.lower(): component.mg for _, component in found.components
            if component.mg is not None}
