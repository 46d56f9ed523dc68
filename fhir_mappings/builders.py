"""FHIR out: the resources that card suggestions create, update or delete.

Every builder returns a plain dict that is a valid R4 resource (the tests validate each with
fhir.resources' R4B models). Suggested orders are drafts: the clinician still signs them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fhir_mappings.concepts import Route

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

#: SNOMED CT route codes (Route of administration value set, FHIR R4).
ROUTE_CODES: dict[Route, tuple[str, str]] = {
    Route.ORAL: ("26643006", "Oral route"),
    Route.INTRAVENOUS: ("47625008", "Intravenous route"),
    Route.SUBCUTANEOUS: ("34206005", "Subcutaneous route"),
    Route.INTRAMUSCULAR: ("78421000", "Intramuscular route"),
}


def _new_id() -> str:
    return str(uuid.uuid4())


def medication_request(
    *,
    patient_reference: str | None,
    rxnorm_code: str,
    display: str,
    dose_value: float,
    dose_unit: str,
    frequency: int,
    period: float,
    period_unit: str,
    text: str,
    route: Route = Route.ORAL,
) -> dict[str, Any]:
    """A draft MedicationRequest with RxNorm coding and a structured dosage.

    `dose_unit` is a UCUM code ("mg", "g"); the schedule is `frequency` times per `period`
    `period_unit` (UCUM time unit: h, d, wk, mo).
    """
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": _new_id(),
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": rxnorm_code, "display": display}],
            "text": display,
        },
        "dosageInstruction": [
            {
                "text": text,
                "timing": {"repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}},
                "route": _route(route),
                "doseAndRate": [
                    {"doseQuantity": {"value": dose_value, "unit": dose_unit, "system": UCUM, "code": dose_unit}}
                ],
            }
        ],
    }
    if patient_reference:
        resource["subject"] = {"reference": patient_reference}
    return resource


def _route(route: Route) -> Mapping[str, Any]:
    code, display = ROUTE_CODES.get(route, ("", route.value))
    if not code:
        return {"text": display}
    return {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": display}


def service_request(*, patient_reference: str | None, loinc_code: str, display: str, reason: str) -> dict[str, Any]:
    """A draft laboratory ServiceRequest coded in LOINC."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": _new_id(),
        "status": "draft",
        "intent": "order",
        "category": [
            {"coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]}
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc_code, "display": display}], "text": display},
        "reasonCode": [{"text": reason}],
    }
    if patient_reference:
        resource["subject"] = {"reference": patient_reference}
    return resource
