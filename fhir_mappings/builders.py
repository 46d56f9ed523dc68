"""FHIR out: the resources that card suggestions create, update or delete.

Every builder returns a plain dict that is a valid R4 resource (the tests validate each with
fhir.resources' R4B models). Suggested orders are drafts: the clinician still signs them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from fhir_mappings.concepts import Drug, Route
from fhir_mappings.products import orderable_product
from fhir_mappings.systems import LOINC, RXNORM, SNOMED, UCUM
from fhir_mappings.valuesets import ingredient_coding

__all__ = [
    "LOINC", "RXNORM", "SNOMED", "UCUM", "ROUTE_CODES", "drug_coding", "medication_request",
    "resource_id", "service_request", "stopped_medication_request", "updated_medication_request",
]

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


def drug_coding(drug: Drug, strength_mg: float | None = None, *,
                dose_form: str = "Oral Tablet") -> tuple[str, str] | None:
    """(RxCUI, display) to order `drug`: the generic product of that strength and form when the
    shipped product table has one, else the verified ingredient code, else None."""
    if strength_mg is not None:
        product = orderable_product(drug, strength_mg, dose_form=dose_form)
        if product is not None:
            return product.rxcui, product.name
    return ingredient_coding(drug)


def updated_medication_request(
    resource: Mapping[str, Any],
    *,
    text: str,
    dose_value: float | None = None,
    dose_unit: str | None = None,
    frequency: int | None = None,
    period: float | None = None,
    period_unit: str | None = None,
    route: Route | None = None,
    product: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of a draft MedicationRequest with a new dose and/or schedule, everything else kept.

    For an `update` action (e.g. a methotrexate draft changed from daily to once weekly): the id,
    medication, subject and the other members of the first dosage instruction are preserved. Later
    dosage instructions go, and a patient instruction is replaced by `text` ("take daily" must not
    survive on a weekly order).

    - New dose (`dose_value` and `dose_unit`, a UCUM code): `doseAndRate` becomes that one dose.
      Without them the dose as sent is kept (same dose, new schedule).
    - New schedule (`frequency` times per `period` `period_unit`): the repeat is replaced, keeping
      only the course bounds (`boundsPeriod`, `boundsDuration` or `boundsRange`); what would
      contradict it goes: the old repeat members, `timing.code`, `timing.event`, as-needed flags and
      `maxDosePerPeriod` (a daily maximum must not cap a weekly dose). A new dose drops
      `maxDosePerAdministration`.
      Without a schedule the timing as sent is kept (same schedule, new dose).
    - New `product` (RxCUI, display): the medication becomes that RxNorm product (a single-strength
      tablet instead of a double-strength one).
    """
    new_dose = _all_or_none(dose_value=dose_value, dose_unit=dose_unit)
    new_schedule = _all_or_none(frequency=frequency, period=period, period_unit=period_unit)
    updated = copy.deepcopy(dict(resource))
    instructions = updated.get("dosageInstruction")
    first = instructions[0] if isinstance(instructions, list) and instructions and isinstance(
        instructions[0], dict) else {}
    dosage = {**first, "text": text}
    if new_schedule:
        timing = first.get("timing") if isinstance(first.get("timing"), dict) else {}
        old_repeat = timing.get("repeat") if isinstance(timing.get("repeat"), dict) else {}
        repeat: dict[str, Any] = {"frequency": frequency, "period": period, "periodUnit": period_unit}
        repeat.update({k: v for k, v in old_repeat.items() if k in _BOUNDS})
        dosage["timing"] = {**{k: v for k, v in timing.items() if k not in ("code", "event")}, "repeat": repeat}
        for contradicting in ("asNeededBoolean", "asNeededCodeableConcept", "maxDosePerPeriod"):
            dosage.pop(contradicting, None)
    if new_dose:
        dosage.pop("maxDosePerAdministration", None)
        dosage["doseAndRate"] = [
            {"doseQuantity": {"value": dose_value, "unit": dose_unit, "system": UCUM, "code": dose_unit}}]
    if "patientInstruction" in dosage:
        dosage["patientInstruction"] = text
    if route is not None:
        dosage["route"] = _route(route)
    if product is not None:
        updated.pop("medicationReference", None)
        updated["medicationCodeableConcept"] = {
            "coding": [{"system": RXNORM, "code": product[0], "display": product[1]}], "text": product[1]}
    updated["dosageInstruction"] = [dosage]
    return updated


_BOUNDS = ("boundsPeriod", "boundsDuration", "boundsRange")


def _all_or_none(**values: Any) -> bool:
    """True when every value is given, False when none is; a partial dose or schedule is an error."""
    given = [name for name, value in values.items() if value is not None]
    if given and len(given) != len(values):
        raise ValueError(f"give all of {', '.join(values)} or none (got {', '.join(given)})")
    return bool(given)


def stopped_medication_request(
    resource: Mapping[str, Any] | None,
    *,
    reference: str | None = None,
    intent: str = "order",
    rxnorm_code: str | None = None,
    display: str = "",
    patient_reference: str | None = None,
) -> dict[str, Any]:
    """A MedicationRequest on record with status `stopped`, for an `update` action that stops it.

    The resource as sent is kept in its entirety (only `status` changes). Without it, one is built
    from what is known of the order: the id from its relative `reference` ("MedicationRequest/123"),
    `intent`, the RxNorm code and display, and the patient.
    """
    if resource:
        stopped = copy.deepcopy(dict(resource))
    else:
        concept: dict[str, Any] = {"text": display}
        if rxnorm_code:
            concept = {"coding": [{"system": RXNORM, "code": rxnorm_code}], **concept}
        stopped = {
            "resourceType": "MedicationRequest",
            "id": (reference or "").rpartition("/")[2],
            "intent": intent,
            "medicationCodeableConcept": concept,
        }
        if patient_reference:
            stopped["subject"] = {"reference": patient_reference}
    stopped["status"] = "stopped"
    return stopped


def resource_id(resource: Mapping[str, Any]) -> str | None:
    """"MedicationRequest/123": the `resourceId` of a `delete` action, None without an id."""
    kind, rid = resource.get("resourceType"), resource.get("id")
    return f"{kind}/{rid}" if isinstance(kind, str) and isinstance(rid, str) and rid else None
