"""Calcineurin inhibitors with hypertension or reduced renal function (docs/evidence.md#calcineurin-inhibitors).

2024 IIM review treatment table (PMC11646336 Table 2): ciclosporin up to 5 mg/kg/day,
tacrolimus 0.06 mg/kg/day; both cause hypertension and renal insufficiency (common practice:
"reserved for severe, refractory disease due to serious adverse effects including hypertension and
renal insufficiency").

When: active inflammatory myopathy and tacrolimus or ciclosporin current, and
  - on order-select/order-sign (a draft tacrolimus/ciclosporin order): a hypertension Condition, or
    latest eGFR < `egfr_threshold`;
  - on patient-view (regimen on record): latest eGFR < `egfr_threshold` measured after the
    calcineurin inhibitor was started (renal function falling on treatment). Hypertension known
    before a long-standing prescription is not repeated on every chart opening.
Then: warning "monitor blood pressure, creatinine/eGFR and trough levels; weigh an alternative".
"""

from __future__ import annotations

from fhir_mappings.concepts import Condition, Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import EgfrReading, describe, draft_references, latest_egfr
from hooks.recommendation import (
    ALL_HOOKS,
    PATIENT_VIEW,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
)

CALCINEURIN_INHIBITORS = (Drug.TACROLIMUS, Drug.CICLOSPORIN)


def _low_egfr(facts: ClinicalFacts, threshold: float, window_days: int) -> EgfrReading | None:
    latest = latest_egfr(facts, window_days)
    if latest is None or not latest.below(threshold):
        return None
    return latest


def _measured_on_treatment(reading: EgfrReading, orders: tuple[MedicationOrder, ...]) -> bool:
    return reading.when is not None and any(m.start is not None and reading.when.date() >= m.start for m in orders)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current(CALCINEURIN_INHIBITORS)
    if not orders:
        return None
    egfr = _low_egfr(facts, params["egfr_threshold"], params["egfr_window_days"])
    hypertension = facts.conditions_of(Condition.HYPERTENSION)
    if facts.hook == PATIENT_VIEW:
        hypertension = ()
        if egfr is not None and not _measured_on_treatment(egfr, orders):
            egfr = None
    if egfr is None and not hypertension:
        return None
    risks = (["hypertension"] if hypertension else []) + ([f"eGFR {num(egfr.value, 0)}"] if egfr is not None else [])
    detail = (
        f"Calcineurin inhibitor with **{' and '.join(risks)}**. Tacrolimus and ciclosporin cause dose-related "
        "nephrotoxicity and hypertension.\n\n"
        "- Monitor blood pressure, creatinine/eGFR and trough levels closely; treat hypertension.\n"
        "- Weigh an alternative steroid-sparing agent (e.g. mycophenolate) if renal function is impaired or "
        "falling.\n"
        "- Usual myositis doses: ciclosporin up to 5 mg/kg/day; tacrolimus 0.06 mg/kg/day (by trough level).\n\n"
        "Source: 2024 IIM review treatment table (PMC11646336); docs/evidence.md#calcineurin-inhibitors."
    )
    facts_used = [describe(m) for m in orders] + [f"Diagnosis: {c.display}" for c in hypertension]
    if egfr is not None:
        facts_used.append(egfr.text)
    return Finding(
        indicator=Indicator.WARNING,
        summary=f"Calcineurin inhibitor with {' and '.join(risks)}: monitor BP, renal function, trough levels",
        detail=detail,
        facts_used=tuple(facts_used),
        about_drafts=draft_references(orders),
    )


RECOMMENDATION = Recommendation(
    id="calcineurin-inhibitor-risk",
    title="Calcineurin inhibitors: hypertension and renal function",
    citation=Citation(
        label="Treatment of idiopathic inflammatory myopathies: 2024 review, Table 2 (PMC11646336)",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336/",
        statement="Ciclosporin (up to 5 mg/kg/day) and tacrolimus (0.06 mg/kg/day) cause hypertension and renal "
        "insufficiency; monitor blood pressure, creatinine and trough levels.",
        strength="IIM treatment review 2024 table; no guideline grade",
    ),
    trigger=(
        "Active IIM Condition and current tacrolimus (RxNorm 42316) or ciclosporin (RxNorm 3008); order hooks: "
        "draft order with a hypertension Condition or latest eGFR (LOINC 98979-8/62238-1/33914-3) < "
        "egfr_threshold; patient-view: latest eGFR < egfr_threshold dated on or after the order's start"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "egfr_window_days": Parameter(90, "an eGFR (or creatinine) older than this is not current",
                                      "policy: docs/evidence.md#result-windows"),
        "egfr_threshold": Parameter(
            60, "eGFR (mL/min/1.73 m²) below which renal function counts as reduced", "docs/evidence.md#calcineurin-inhibitors"
        ),
    },
)
