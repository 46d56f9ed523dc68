"""Small builders of ClinicalFacts for recommendation unit tests, with a fixed 'today'.

Tests describe a patient in a line or two: `facts(myositis=DM, medications=(prednisone(60, days=30),))`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from fhir_mappings.concepts import Antibody, Condition, Drug, Lab, MyositisSubtype, Qualitative, Route
from fhir_mappings.facts import (
    ClinicalFacts,
    ConditionFact,
    Dose,
    LabResult,
    Measurement,
    MedicationOrder,
    PatientInfo,
)
from fhir_mappings.numbers import num

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

#: Rule-settings overrides under which no card is merged or folded (today's behaviour before the care plan): tests of
#: one recommendation look for its own card; merging is specified in tests/test_consolidate.py and
#: tests/test_care_plan.py, which run with the defaults.
UNFOLDED = {"card-budget": {"patient-view": 1000, "order-select": 1000, "order-sign": 1000, "care_plan": False,
                            "treatment_plans": False}}
UNFOLDED_TOML = "[card-budget]\n" + "".join(f'"{name}" = {str(v).lower()}\n' for name, v in UNFOLDED["card-budget"].items())
TODAY = NOW.date()
DM = MyositisSubtype.DERMATOMYOSITIS


def days_before(days: int) -> date:
    return TODAY - timedelta(days=days)


def dose(mg: float, per_day: float = 1.0, *, high: float | None = None, **extra: Any) -> Dose:
    """mg per administration and administrations per day (1/7 for once weekly)."""
    text = f"{num(mg)} mg x {num(per_day)}/day" if mg is not None else "dose not stated"
    return Dose(mg, high if high is not None else mg, per_day, text, **extra)


def order(
    drug: Drug,
    mg: float | None = None,
    per_day: float = 1.0,
    *,
    days: int | None = 30,
    draft: bool = False,
    route: Route | None = Route.ORAL,
    status: str = "active",
    ref: str | None = None,
    **extra: Any,
) -> MedicationOrder:
    """A current order started `days` ago (a draft when `draft`); `dose=` replaces the plain dose."""
    extra.setdefault("dose", dose(mg, per_day) if mg is not None else None)
    return MedicationOrder(
        drug=drug,
        display=drug.value,
        status="draft" if draft else status,
        intent="order",
        reference=ref or (f"MedicationRequest/draft-{drug.value}" if draft else f"MedicationRequest/{drug.value}"),
        route=route,
        start=None if draft or days is None else days_before(days),
        is_draft=draft,
        is_selected=draft,
        **extra,
    )


def condition(concept: Condition | MyositisSubtype, code: str = "test") -> ConditionFact:
    return ConditionFact(concept=concept, code=code, system="http://snomed.info/sct", display=concept.value)


def result(concept: Lab | Antibody, *, value: float | None = None, unit: str | None = None,
           interpretation: Qualitative = Qualitative.UNKNOWN, days_ago: int = 5, **extra: Any) -> LabResult:
    return LabResult(concept=concept, when=NOW - timedelta(days=days_ago), value=value, unit=unit,
                     interpretation=interpretation, **extra)


def facts(
    *,
    hook: str = "patient-view",
    myositis: MyositisSubtype | None = DM,
    conditions: tuple[ConditionFact, ...] = (),
    medications: tuple[MedicationOrder, ...] = (),
    results: tuple[LabResult, ...] = (),
    age: float | None = 50,
    sex: str = "male",
    weight_kg: float | None = 70,
    height_cm: float | None = 175,
    childbearing_potential: bool = False,
    **extra: Any,
) -> ClinicalFacts:
    all_conditions = conditions + ((condition(myositis),) if myositis else ())
    return ClinicalFacts(
        now=NOW,
        hook=hook,
        patient=PatientInfo(reference="Patient/example", age_years=age, sex=sex,
                            childbearing_potential=childbearing_potential),
        myositis=myositis,
        conditions=all_conditions,
        medications=medications,
        results=results,
        weight_kg=Measurement(weight_kg, NOW - timedelta(days=10)) if weight_kg is not None else None,
        height_cm=Measurement(height_cm, NOW - timedelta(days=10)) if height_cm is not None else None,
        **extra,
    )
