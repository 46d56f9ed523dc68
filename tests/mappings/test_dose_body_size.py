"""Which orders need the patient's weight and height: only a dose per kg or per m2 reads them, so a record whose
orders have none leaves its weights and heights unmapped (issue 27). Checked on every MedicationRequest of the
fixtures and the Synthea corpus: an order not found to need them maps the same with and without them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fhir_mappings.dosage import needs_body_size
from fhir_mappings.medications import map_medication_request
from tests.factories import NOW
from tests.fhir_builders import dosage, quantity
from tests.synthea import records, resources

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("resourceType") == "MedicationRequest":
            yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _orders() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(FIXTURES.rglob("*.json")):
        try:
            found.extend(_walk(json.loads(path.read_text(encoding="utf-8"))))
        except ValueError:
            continue  # fixtures of malformed JSON
    for record in records(NOW):
        found.extend(r for r in resources(record) if r["resourceType"] == "MedicationRequest")
    return found


ORDERS = _orders()


def _mapped(order: dict[str, Any], weight_kg: float | None, bsa_m2: float | None) -> Any:
    return map_medication_request(order, medications={}, today=date(2026, 11, 20), weight_kg=weight_kg,
                                  bsa_m2=bsa_m2, is_draft=False, selections=None)


def test_an_order_not_found_to_need_the_body_size_maps_the_same_without_it():
    compared = [order for order in ORDERS if not needs_body_size(order.get("dosageInstruction"))]

    assert len(compared) > 500
    assert [o for o in compared if _mapped(o, 70.0, 1.8) != _mapped(o, None, None)] == []


def test_the_fixtures_have_orders_that_need_the_body_size_and_read_differently_without_it():
    needing = [order for order in ORDERS if needs_body_size(order.get("dosageInstruction"))]

    assert needing
    assert any(_mapped(o, 70.0, 1.8) != _mapped(o, None, None) for o in needing)


@pytest.mark.parametrize("unit", ["mg/kg", "g/kg", "mcg/kg", "mg/m2", "mg/[m2]", "MG/KG", "mg / kg", "mg/m²"])
def test_a_dose_per_kg_or_per_m2_needs_the_body_size(unit):
    assert needs_body_size([dosage(1, unit)])


def test_a_dose_range_with_a_bound_per_kg_needs_the_body_size():
    instruction = {"doseAndRate": [{"doseRange": {"low": quantity(1, "mg"), "high": quantity(2, "mg/kg")}}]}

    assert needs_body_size([instruction])


def test_any_instruction_of_a_sequential_dosage_counts():
    assert needs_body_size([dosage(20, "mg"), {**dosage(1, "mg/kg"), "sequence": 2}])


@pytest.mark.parametrize("dosages", [[dosage(20, "mg")], [dosage(2, "tablet")], [dosage(5, "mL")], [], None,
                                     "not a list", [{"doseAndRate": "not a list"}], [{"doseAndRate": [{"doseRange": 3}]}]])
def test_other_doses_and_unreadable_content_need_no_body_size(dosages):
    assert not needs_body_size(dosages)
