"""Patient -> `PatientInfo`: age at the evaluation time, sex, childbearing-potential heuristic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from fhir_mappings.concepts import Condition
from fhir_mappings.facts import ConditionFact, PatientInfo
from fhir_mappings.read import date_of, string

#: docs/evidence.md#patient-data: female and aged 12-55 (inclusive), without a menopause or hysterectomy code.
CHILDBEARING_AGE_YEARS = (12.0, 55.0)
_DAYS_PER_YEAR = 365.2425


def age_in_years(birth_date: date, on: date) -> float:
    return (on - birth_date).days / _DAYS_PER_YEAR


def map_patient(resource: Mapping[str, Any], reference: str | None, today: date) -> PatientInfo:
    birth = date_of(resource.get("birthDate"))
    age = age_in_years(birth, today) if birth and birth <= today else None
    sex = string(resource.get("gender"))
    return PatientInfo(reference=reference, birth_date=birth, age_years=age, sex=sex)


def childbearing_potential(patient: PatientInfo, conditions: Iterable[ConditionFact]) -> bool:
    low, high = CHILDBEARING_AGE_YEARS
    if patient.sex != "female" or patient.age_years is None or not low <= patient.age_years < high + 1:
        return False
    return not any(c.concept in (Condition.MENOPAUSE, Condition.HYSTERECTOMY) for c in conditions)
