"""Pneumocystis jirovecii pneumonia (PJP) prophylaxis on high-dose glucocorticoid (docs/evidence.md#pjp).

US practice (e.g. the University of Utah Epic BPA): prophylaxis when prednisone-equivalent
>= 20 mg/day is taken or planned for >= 4 weeks, especially with a second immunosuppressant.
EULAR 2022 (Fragoulis et al.): prophylaxis "seems beneficial" for > 15-30 mg/day prednisolone for
> 2-4 weeks. Evidence is observational: warning, never critical, for the indication.

When: active IIM and no current TMP-SMX, atovaquone, dapsone or pentamidine, and either
(a) prednisone-equivalent >= `min_mg_per_day` for >= `min_days`, actual or planned (an open-ended
order counts as planned), or (b) the cautious default of docs/evidence.md#choices: >= `combination_mg_per_day`
with a second immunosuppressant and a glucocorticoid pulse or lymphopenia.
Then: warning "consider PJP prophylaxis" with draft orders: TMP-SMX (recommended), atovaquone 1500 mg
daily, dapsone 100 mg daily only with a normal G6PD result. A sulfonamide allergy, renal function or an
allergy list not obtained is the order-safety check's to judge (it removes or un-selects TMP-SMX and says why).
Also: dapsone current or ordered without a normal G6PD result (or with a deficient one) -> critical
(docs/evidence.md#pjp: "G6PD result required ... Critical if missing or deficient").
The EULAR alternative is a settings change (e.g. `min_mg_per_day = 15`, `min_days = 14`).
"""

from __future__ import annotations

from fhir_mappings.concepts import (
    PJP_PROPHYLAXIS,
    SECOND_IMMUNOSUPPRESSANTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    Drug,
    Lab,
    Qualitative,
    Route,
)
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from fhir_mappings.numbers import num
from hooks.actions import delete_draft, new_order, start_atovaquone
from hooks.criteria import (
    PER_NANOLITRE_UNITS,
    days_ago,
    days_at_or_above,
    describe,
    draft_references,
    maintenance_glucocorticoids,
    prednisone_equivalent_mg_per_day,
    recent_value,
    sustained_glucocorticoid,
)
from hooks.lab_orders import lab_order
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)

TMP_SMX_DS_TABLET = ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet")
DAPSONE_TABLET = ("197557", "Dapsone 100 MG Oral Tablet")
#: Ingredient RxCUI (docs/evidence.md#codes): the 750 mg/5 mL suspension is not in the product list.
#: G6PD enzymatic activity in red cells (docs/evidence.md#codes).
G6PD_LOINC = ("2357-2", "Glucose-6-Phosphate dehydrogenase [Enzymatic activity/volume] in Red Blood Cells")

STATEMENT = (
    "PJP prophylaxis for prednisone-equivalent >= 20 mg/day for >= 4 weeks (actual or planned), especially "
    "with a second immunosuppressant (US practice); EULAR 2022: prophylaxis seems beneficial above "
    "15-30 mg/day prednisolone for more than 2-4 weeks. First line TMP-SMX; alternatives atovaquone "
    "1500 mg daily, dapsone 100 mg daily (G6PD result required), aerosolised pentamidine 300 mg monthly."
)


def _g6pd(facts: ClinicalFacts) -> LabResult | None:
    return facts.latest(Lab.G6PD)


def _g6pd_deficient(result: LabResult | None) -> bool:
    """Deficient: interpretation positive (abnormal) or a result text saying deficient/low."""
    if result is None:
        return False
    text = (result.text or "").lower()
    return result.interpretation is Qualitative.POSITIVE or "deficien" in text or "low" in text


def _g6pd_normal(result: LabResult | None) -> bool:
    """Normal: interpretation negative (not deficient) or a result text saying normal. A bare number is
    not read as normal: reference ranges differ by method."""
    if result is None or _g6pd_deficient(result):
        return False
    return result.interpretation is Qualitative.NEGATIVE or "normal" in (result.text or "").lower()


def _lymphocytes_low(facts: ClinicalFacts, threshold: float, window_days: int) -> LabResult | None:
    """A current lymphocyte count below `threshold`: a count older than `window_days` is history, not lymphopenia."""
    result = recent_value(facts, Lab.LYMPHOCYTES, window_days)
    if result is None or (result.unit or "").lower() not in PER_NANOLITRE_UNITS:
        return None
    return result if result.below(threshold) else None


def _recent_pulses(facts: ClinicalFacts, lookback_days: int) -> tuple[MedicationOrder, ...]:
    since = days_ago(facts, lookback_days)
    return tuple(
        m
        for m in facts.medications
        if m.drug in SYSTEMIC_GLUCOCORTICOIDS
        and m.route is Route.INTRAVENOUS
        and (m.is_draft or (m.start is not None and m.start >= since))
    )


def _create(label: str, create: Action, recommended: bool) -> Suggestion:
    return Suggestion(label=label, actions=(create,), is_recommended=recommended)


def _g6pd_order(patient: str | None) -> Action:
    return lab_order(patient, G6PD_LOINC, "G6PD status before dapsone (PJP prophylaxis)", "Draft order: G6PD activity")


def _dapsone_finding(facts: ClinicalFacts, dapsone: tuple[MedicationOrder, ...]) -> Finding:
    g6pd = _g6pd(facts)
    deficient = _g6pd_deficient(g6pd)
    patient = facts.patient.reference
    drafts = tuple(m for m in dapsone if m.is_draft and m.reference)
    replace_actions = tuple(delete_draft(m) for m in drafts) + (
        start_atovaquone(patient),
    )
    suggestions = [
        Suggestion("Replace dapsone with atovaquone 1500 mg daily", replace_actions, is_recommended=deficient)
    ]
    if not deficient:
        suggestions.insert(0, _create("Order G6PD activity", _g6pd_order(patient), True))
    summary = "Dapsone with G6PD deficiency: risk of haemolysis" if deficient else (
        "Dapsone without a normal G6PD result on record: check G6PD first"
    )
    detail = (
        "Dapsone can cause severe haemolysis in G6PD deficiency: **a normal G6PD result is required before "
        "dapsone** (PJP prophylaxis regimens, PMC10938896 Table 2). "
        + ("The G6PD result on record is abnormal: use another agent (atovaquone, or TMP-SMX if no sulfonamide "
           "allergy)." if deficient else
           "No G6PD result interpretable as normal is on record: obtain one before the first dose, or use "
           "another agent.")
    )
    facts_used = tuple(describe(m) for m in dapsone) + (
        (g6pd.describe(),) if g6pd is not None else ("No G6PD result on record",)
    )
    return Finding(
        indicator=Indicator.CRITICAL,
        summary=summary,
        detail=detail,
        facts_used=facts_used,
        suggestions=tuple(suggestions),
        about_drafts=draft_references(dapsone),
    )


def _indication(facts: ClinicalFacts, params: Params) -> list[str] | None:
    """The reasons prophylaxis is indicated (facts for the card), or None."""
    dose = prednisone_equivalent_mg_per_day(facts)
    sustained = sustained_glucocorticoid(facts, params["min_mg_per_day"], params["min_days"])
    second = facts.current(SECOND_IMMUNOSUPPRESSANTS)
    pulses = _recent_pulses(facts, params["pulse_lookback_days"])
    lymphopenia = _lymphocytes_low(facts, params["lymphocytes_below"], params["lymphocyte_window_days"])
    combination = dose >= params["combination_mg_per_day"] and bool(second) and bool(pulses or lymphopenia)
    if not (sustained or combination):
        return None
    reasons = [describe(m) for m in maintenance_glucocorticoids(facts)]
    reasons.append(
        f"Prednisone-equivalent {num(dose)} mg/day; {days_at_or_above(facts, params['min_mg_per_day'])} days so far at "
        f">= {num(params['min_mg_per_day'])} mg/day" + ("; current order open-ended or planned beyond "
                                                    f"{params['min_days']} days" if sustained else "")
    )
    reasons += [f"Second immunosuppressant: {describe(m)}" for m in second]
    reasons += [f"Glucocorticoid pulse: {describe(m)}" for m in pulses]
    if lymphopenia is not None:
        reasons.append(f"Lymphopenia: {lymphopenia.describe()}")
    return reasons


def _regimen_suggestions(facts: ClinicalFacts) -> tuple[Suggestion, ...]:
    """TMP-SMX first, atovaquone, dapsone with a normal G6PD; the order-safety check takes TMP-SMX away
    (sulfonamide allergy, renal function) and says why, pre-selecting the next option."""
    patient = facts.patient.reference
    create = new_order(
        patient, TMP_SMX_DS_TABLET, "Draft order: sulfamethoxazole/trimethoprim 800/160 mg orally once daily",
        dose_value=1, dose_unit="{tbl}", frequency=1, period=1, period_unit="d",
        text="Sulfamethoxazole 800 mg / trimethoprim 160 mg (DS): 1 tablet by mouth once daily",
    )
    suggestions = [_create("Order TMP-SMX DS 1 tablet daily", create, True),
                   _create("Order atovaquone 1500 mg daily", start_atovaquone(patient), False)]
    if _g6pd_normal(_g6pd(facts)):
        create = new_order(
            patient, DAPSONE_TABLET, "Draft order: dapsone 100 mg orally once daily", dose_value=100, dose_unit="mg",
            frequency=1, period=1, period_unit="d", text="Dapsone 100 mg by mouth once daily",
        )
        suggestions.append(_create("Order dapsone 100 mg daily (G6PD normal)", create, False))
    return tuple(suggestions)


def _regimen_notes(facts: ClinicalFacts) -> str:
    notes = []
    if facts.current({Drug.METHOTREXATE}):
        notes.append("Methotrexate is current: TMP-SMX adds an antifolate effect (marrow toxicity); prophylactic "
                     "doses are commonly used with it, monitor the blood count, or use atovaquone.")
    notes.append("With TMP-SMX check potassium and creatinine (ACE inhibitor, ARB, spironolactone).")
    if not _g6pd_normal(_g6pd(facts)):
        notes.append("Dapsone is offered only once a normal G6PD result is on record.")
    notes.append("Stop when prednisone-equivalent falls below about 15-20 mg/day and no other strong "
                 "immunosuppressant is given (expert opinion).")
    return " ".join(notes)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    dapsone = facts.current({Drug.DAPSONE})
    if dapsone and not _g6pd_normal(_g6pd(facts)):
        return _dapsone_finding(facts, dapsone)
    if facts.current(PJP_PROPHYLAXIS):
        return None
    reasons = _indication(facts, params)
    if reasons is None:
        return None
    detail = (
        "Consider Pneumocystis prophylaxis: high-dose glucocorticoid (taken or planned for weeks)"
        + (", with a second immunosuppressant," if facts.current(SECOND_IMMUNOSUPPRESSANTS) else "")
        + " and none on the current regimen "
        f"(policy: prednisone-equivalent >= {num(params['min_mg_per_day'])} mg/day for >= {params['min_days']} days, "
        f"or >= {num(params['combination_mg_per_day'])} mg/day with a second immunosuppressant and a pulse or "
        "lymphopenia).\n\n"
        "The evidence is observational (EULAR: 'seems beneficial').\n\n"
        + _regimen_notes(facts)
    )
    triggering = maintenance_glucocorticoids(facts) + facts.current(SECOND_IMMUNOSUPPRESSANTS)
    return Finding(
        indicator=Indicator.WARNING,
        summary="High-dose glucocorticoid without Pneumocystis (PJP) prophylaxis",
        detail=detail,
        facts_used=tuple(reasons),
        suggestions=_regimen_suggestions(facts),
        about_drafts=draft_references(triggering + _recent_pulses(facts, params["pulse_lookback_days"])),
    )


RECOMMENDATION = Recommendation(
    id="pjp-prophylaxis",
    title="Pneumocystis prophylaxis on high-dose glucocorticoid",
    citation=Citation(
        label="EULAR 2022 recommendations on screening and prophylaxis of infections in AIIRD (Fragoulis et al., "
        "Ann Rheum Dis 2023); US practice (University of Utah PJP BPA); regimens PMC10938896 Table 2",
        url="https://doi.org/10.1136/ard-2022-223335",
        statement=STATEMENT,
        strength="Observational evidence; EULAR 'seems beneficial' (level of evidence not restated here); warning only",
    ),
    trigger=(
        "Active IIM; no current TMP-SMX, atovaquone, dapsone or pentamidine; and prednisone-equivalent "
        ">= min_mg_per_day (20) for >= min_days (28), actual or planned (open-ended order = planned), or "
        ">= combination_mg_per_day (15) with a current methotrexate, azathioprine, mycophenolate, tacrolimus, "
        "ciclosporin, rituximab or cyclophosphamide and an IV glucocorticoid pulse within pulse_lookback_days or "
        "lymphocytes < lymphocytes_below x10^9/L within lymphocyte_window_days. Critical: dapsone current or ordered and no G6PD result read as "
        "normal (interpretation negative or result text 'normal'; G6PD LOINC 2357-2/32546-4/2356-4)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    snoozable=False,
    evaluate=evaluate,
    parameters={
        "min_mg_per_day": Parameter(
            20, "prednisone-equivalent mg/day that needs prophylaxis when sustained (EULAR alternative: 15-30)",
            "docs/evidence.md#pjp (US practice; EULAR 2022 >15-30 mg)"),
        "min_days": Parameter(
            28, "days at that dose, actual or planned (EULAR alternative: 14-28)",
            "docs/evidence.md#pjp (EULAR 2022 >2-4 weeks)"),
        "combination_mg_per_day": Parameter(
            15, "lower dose that needs prophylaxis with a second immunosuppressant plus a pulse or lymphopenia",
            "docs/evidence.md#choices (Arthritis Res Ther 2019, doi:10.1186/s13075-019-1996-6)"),
        "lymphocytes_below": Parameter(
            1.0, "lymphocyte count (10^9/L) below which lymphopenia is a risk flag", "docs/evidence.md#pjp"),
        "lymphocyte_window_days": Parameter(
            90, "a lymphocyte count older than this is not current", "policy: docs/evidence.md#result-windows"),
        "pulse_lookback_days": Parameter(
            90, "days back in which an IV glucocorticoid pulse counts as a risk flag",
            "policy: the pulse is a risk flag without a published window (docs/evidence.md#pjp)"),
    },
    asserts_absence_of=frozenset({"MedicationRequest", "Observation"}),
)
