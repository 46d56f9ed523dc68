"""Tiny builders of FHIR R4 resources (plain dicts) for tests.

Each builder returns the smallest realistic resource; keyword arguments add or override fields,
and `None` leaves an element out, so a test can describe the trap it exercises in one line:
`medication_request(rxnorm="8640", dose=2, unit="{tbl}", text="predniSONE 20 MG Oral Tablet")`.
"""

from __future__ import annotations

import itertools
from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _drop_none(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if v is not None}


def coding(code: str, system: str, display: str | None = None) -> dict[str, Any]:
    return _drop_none({"system": system, "code": code, "display": display})


def concept(code: str | None = None, system: str | None = None, display: str | None = None,
            text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding (when `code` is given) and/or text."""
    result: dict[str, Any] = {}
    if code is not None:
        result["coding"] = [coding(code, system or SNOMED, display)]
    if text is not None:
        result["text"] = text
    return result


def quantity(value: float, unit: str, code: str | None = None) -> dict[str, Any]:
    """A UCUM Quantity; `code` defaults to `unit`."""
    return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}


def patient(birth_date: str | None = "1970-05-01", gender: str | None = "female", *, id: str = "example",
            **extra: Any) -> dict[str, Any]:
    return _drop_none({"resourceType": "Patient", "id": id, "gender": gender, "birthDate": birth_date, **extra})


def condition(code: str, system: str = SNOMED, display: str | None = None, *,
              clinical_status: str | None = "active", verification_status: str | None = "confirmed",
              onset: str | None = None, id: str | None = None, **extra: Any) -> dict[str, Any]:
    """A Condition; `clinical_status=None` / `verification_status=None` leave the element out."""
    return _drop_none({
        "resourceType": "Condition",
        "id": id or _id("condition"),
        "clinicalStatus": concept(clinical_status, CONDITION_CLINICAL) if clinical_status else None,
        "verificationStatus": concept(verification_status, CONDITION_VERIFICATION) if verification_status else None,
        "code": concept(code, system, display),
        "subject": {"reference": "Patient/example"},
        "onsetDateTime": onset,
        **extra,
    })


def dosage(dose: float | None = None, unit: str | None = "mg", *, frequency: int | None = 1,
           period: float | None = 1, period_unit: str | None = "d", timing_code: str | None = None,
           dose_range: tuple[float, float] | None = None, route: str | None = None,
           as_needed: bool | None = None, text: str | None = None, **repeat_extra: Any) -> dict[str, Any]:
    """One Dosage. `route` is a SNOMED code ("26643006" oral); `repeat_extra` adds timing.repeat members."""
    repeat = _drop_none({"frequency": frequency, "period": period, "periodUnit": period_unit, **repeat_extra})
    timing = _drop_none({
        "repeat": repeat or None,
        "code": concept(timing_code, "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation")
        if timing_code else None,
    })
    dose_and_rate: dict[str, Any] = {}
    if dose_range is not None:
        dose_and_rate["doseRange"] = {"low": quantity(dose_range[0], unit or ""),
                                      "high": quantity(dose_range[1], unit or "")}
    elif dose is not None:
        dose_and_rate["doseQuantity"] = quantity(dose, unit) if unit else {"value": dose}
    return _drop_none({
        "text": text,
        "timing": timing or None,
        "asNeededBoolean": as_needed,
        "route": concept(route, SNOMED) if route else None,
        "doseAndRate": [dose_and_rate] if dose_and_rate else None,
    })


def medication_request(rxnorm: str | None = None, text: str | None = None, dose: float | None = None,
                       unit: str | None = "mg", *, frequency: int | None = 1, period: float | None = 1,
                       period_unit: str | None = "d", status: str | None = "active", intent: str | None = "order",
                       authored_on: str | None = "2026-10-01", route: str | None = None,
                       display: str | None = None, id: str | None = None,
                       dosage_instruction: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """A MedicationRequest coded by RxNorm (`rxnorm`) and/or named by `text`.

    The dosage comes from `dose`/`unit`/`frequency`/`period`/`period_unit`, or is given whole
    with `dosage_instruction` (use `dosage(...)`).
    """
    medication = concept(rxnorm, RXNORM, display, text) if (rxnorm or text) else None
    if dosage_instruction is None and dose is not None:
        dosage_instruction = [dosage(dose, unit, frequency=frequency, period=period, period_unit=period_unit,
                                     route=route)]
    return _drop_none({
        "resourceType": "MedicationRequest",
        "id": id or _id("medrx"),
        "status": status,
        "intent": intent,
        "medicationCodeableConcept": medication,
        "subject": {"reference": "Patient/example"},
        "authoredOn": authored_on,
        "dosageInstruction": dosage_instruction,
        **extra,
    })


def medication(rxnorm: str | None = None, text: str | None = None, *, id: str = "med",
               display: str | None = None, **extra: Any) -> dict[str, Any]:
    """A Medication resource (to be contained or referenced by a MedicationRequest)."""
    return _drop_none({"resourceType": "Medication", "id": id,
                       "code": concept(rxnorm, RXNORM, display, text), **extra})


def observation(loinc: str | None, value: float | None = None, unit: str | None = None, *,
                date: str | None = "2026-11-10", interpretation: str | None = None,
                value_concept: tuple[str, str] | None = None, value_string: str | None = None,
                reference_range: tuple[float | None, float | None] | None = None, text: str | None = None,
                status: str = "final", system: str = LOINC, display: str | None = None,
                id: str | None = None, **extra: Any) -> dict[str, Any]:
    """An Observation. `value_concept` is (code, system); `interpretation` a v3 code (POS, NEG, H...)."""
    code = concept(loinc, system, display, text) if loinc else concept(text=text)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": id or _id("obs"),
        "status": status,
        "code": code,
        "subject": {"reference": "Patient/example"},
        "effectiveDateTime": date,
    }
    if value is not None:
        resource["valueQuantity"] = quantity(value, unit) if unit else {"value": value}
    if value_concept is not None:
        resource["valueCodeableConcept"] = concept(value_concept[0], value_concept[1])
    if value_string is not None:
        resource["valueString"] = value_string
    if interpretation is not None:
        resource["interpretation"] = [concept(interpretation, INTERPRETATION)]
    if reference_range is not None:
        low, high = reference_range
        resource["referenceRange"] = [_drop_none({
            "low": quantity(low, unit or "") if low is not None else None,
            "high": quantity(high, unit or "") if high is not None else None,
        })]
    return _drop_none({**resource, **extra})


def allergy(code: str | None = None, system: str = SNOMED, text: str | None = None, *,
            clinical_status: str | None = "active", verification_status: str | None = "confirmed",
            id: str | None = None, **extra: Any) -> dict[str, Any]:
    clinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
    verification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
    return _drop_none({
        "resourceType": "AllergyIntolerance",
        "id": id or _id("allergy"),
        "clinicalStatus": concept(clinical_status, clinical) if clinical_status else None,
        "verificationStatus": concept(verification_status, verification) if verification_status else None,
        "code": concept(code, system, None, text),
        "patient": {"reference": "Patient/example"},
        **extra,
    })


def immunization(cvx: str, date: str | None = "2026-10-01", *, status: str = "completed",
                 display: str | None = None, id: str | None = None, **extra: Any) -> dict[str, Any]:
    return _drop_none({
        "resourceType": "Immunization",
        "id": id or _id("immunization"),
        "status": status,
        "vaccineCode": concept(cvx, CVX, display),
        "patient": {"reference": "Patient/example"},
        "occurrenceDateTime": date,
        **extra,
    })


def bundle(*resources: dict[str, Any], type: str | None = "searchset") -> dict[str, Any]:
    """A Bundle of the resources (`type=None` leaves `type` out, as some EHRs do in draftOrders)."""
    return _drop_none({
        "resourceType": "Bundle",
        "type": type,
        "entry": [{"resource": r} for r in resources],
    })


def draft_orders(*resources: dict[str, Any]) -> dict[str, Any]:
    """A `context.draftOrders` Bundle; every order is set to status `draft`."""
    return bundle(*({**r, "status": "draft"} for r in resources), type="collection")
