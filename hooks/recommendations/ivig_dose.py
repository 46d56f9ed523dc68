"""Intravenous immunoglobulin: dose per course, course length and thrombosis/renal precautions.

IIM treatment review 2024 (Table 2): IVIG "2 g per kg every 4-6 weeks" for dysphagia and refractory
severe disease, harms thrombosis and renal toxicity; a course is given over 2-5 days. The boxed warning
of the immune globulin intravenous labels (FDA class labelling 2013): thrombosis may occur; risk factors
include advanced age, prolonged immobilisation, hypercoagulable conditions, a history of venous or
arterial thrombosis, oestrogen use, indwelling vascular catheters, hyperviscosity and cardiovascular
risk factors; renal dysfunction and acute renal failure occur in predisposed patients (pre-existing
renal insufficiency, diabetes, age over 65, volume depletion, sepsis, paraproteinaemia, nephrotoxic
drugs). For patients at risk: the minimum dose and infusion rate practicable, adequate hydration,
monitoring, and blood viscosity in those at risk of hyperviscosity. Evidence: docs/evidence.md#ivig.

When: active inflammatory myopathy and a current IVIG order (on record or draft), and
  - the course total (dose x number of administrations, or daily dose x course length) exceeds
    `max_g_per_kg_course` (2 g/kg plus 10% for vial rounding), or a single day's dose exceeds it when
    the course length is not stated                                          -> warning
  - a daily order with no number of administrations, no course length and no end date
    (`is_open_ended_daily_course`): a course is 2-5 days                     -> warning
  - a draft order and no recent body weight, so g/kg cannot be checked      -> info "weight needed"
  - a draft order in a patient with a thrombosis or renal risk factor of the boxed warning: prior
    venous thromboembolism, thrombophilia, oestrogen therapy, immobility, hyperviscosity (coded
    Conditions, current oestrogen order), age over `caution_age`, diabetes, eGFR below
    `caution_egfr` within `egfr_window_days`                                 -> info: precautions
Then: one card, the dose or course problem first; the precautions are added to its detail.
"""


from __future__ import annotations

from fhir_mappings.concepts import Condition, Drug
from fhir_mappings.facts import ClinicalFacts, Dose, MedicationOrder
from fhir_mappings.numbers import num, years
from hooks.criteria import (
    describe,
    draft_references,
    is_open_ended_daily_course,
    latest_egfr,
    recent_weight_kg,
    weight_fact,
)
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

SOURCE = (
    "Sources: IVIG 2 g/kg per course over 2-5 days, every 4-6 weeks (IIM treatment review 2024, Table 2); "
    "immune globulin intravenous labels, boxed warning: thrombosis, renal dysfunction and acute renal failure."
)
#: Thrombosis risk factors of the boxed warning that a coded diagnosis shows.
THROMBOSIS_CONDITIONS = (
    Condition.VENOUS_THROMBOEMBOLISM,
    Condition.THROMBOPHILIA,
    Condition.IMMOBILITY,
    Condition.HYPERVISCOSITY,
)
#: Renal risk factors of the boxed warning that a coded diagnosis shows.
RENAL_CONDITIONS = (Condition.DIABETES, Condition.CHRONIC_KIDNEY_DISEASE)
PRECAUTIONS = (
    "**Thrombosis and renal risk** (IVIG boxed warning): give the minimum dose and infusion rate practicable, "
    "ensure adequate hydration before the infusion, spread the course over more days, use a sucrose-free "
    "product, watch for signs of thrombosis, check creatinine after the course, and assess blood viscosity "
    "when hyperviscosity is possible."
)


def _course_mg(dose: Dose) -> float | None:
    """Total of one course, when the order bounds it (number of administrations or course length)."""
    if dose.administration_count:
        return dose.mg_per_administration_high * dose.administration_count
    if dose.course_days:
        return dose.mg_per_day_high * dose.course_days
    return None


def _excess(order: MedicationOrder, weight_kg: float, limit: float) -> str | None:
    """Why the order exceeds `limit` g/kg per course, or None."""
    if order.dose is None:
        return None
    course = _course_mg(order.dose)
    if course is not None:
        g_per_kg = course / 1000 / weight_kg
        return f"{order.display}: {num(g_per_kg)} g/kg per course" if g_per_kg > limit else None
    per_day = order.dose.mg_per_day_high / 1000 / weight_kg
    return f"{order.display}: {num(per_day)} g/kg in a single day" if per_day > limit else None


def risk_factors(facts: ClinicalFacts, params: Params) -> list[str]:
    """The boxed warning's thrombosis and renal risk factors this patient has, as fact lines."""
    found = [f"{c.display} ({c.code})" for c in facts.conditions_of(*THROMBOSIS_CONDITIONS, *RENAL_CONDITIONS)]
    found += [f"Oestrogen therapy: {describe(m)}" for m in facts.current((Drug.OESTROGEN,))]
    age = facts.patient.age_years
    if age is not None and age > params["caution_age"]:
        found.append(f"Age {years(age)} years")
    egfr = latest_egfr(facts, params["egfr_window_days"])
    if egfr is not None and egfr.below(params["caution_egfr"]):
        found.append(egfr.text)
    return found


def _finding(indicator: Indicator, summary: str, problem: str, orders: tuple[MedicationOrder, ...],
             facts_used: list[str], risks: list[str]) -> Finding:
    detail = problem + (f"\n\n{PRECAUTIONS}" if risks else "") + "\n\n" + SOURCE
    return Finding(
        indicator=indicator,
        summary=summary,
        detail=detail,
        facts_used=tuple(describe(m) for m in orders) + tuple(facts_used) + tuple(risks),
        about_drafts=draft_references(orders),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current((Drug.IVIG,))
    if not orders:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    risks = risk_factors(facts, params)
    weight = recent_weight_kg(facts)
    limit = params["max_g_per_kg_course"]
    excesses = {m: why for m in orders if weight is not None and (why := _excess(m, weight, limit)) is not None}
    if excesses:
        return _finding(
            Indicator.WARNING, f"IVIG above {num(limit)} g/kg per course: usual course is 2 g/kg",
            "Reduce the course to **2 g/kg** (e.g. 1 g/kg/day on 2 days, or divided over 2-5 days), repeated "
            f"every 4-6 weeks.\n\nIVIG dose above {num(limit)} g/kg per course: " + "; ".join(excesses.values()) + ".",
            tuple(excesses), [weight_fact(facts, weight)], risks,
        )
    open_ended = tuple(m for m in orders if is_open_ended_daily_course(m))
    if open_ended:
        return _finding(
            Indicator.WARNING, "IVIG ordered daily with no end: a course is 2-5 days, add a count or end date",
            "State the number of doses (timing count) or the course length: a course is **2 g/kg divided over "
            "2-5 days**, repeated every 4-6 weeks.\n\nThis IVIG order repeats daily with no number of doses, "
            "course length or end date, so read as written it never stops.",
            open_ended, ["No number of doses, course length or end date"], risks,
        )
    if not drafts:
        return None
    if weight is None:
        return _finding(
            Indicator.INFO, "IVIG ordered without a body weight: dose per kg cannot be checked",
            "Record a body weight so that the g/kg dose can be checked.\n\nIVIG is dosed by weight (usual course "
            "2 g/kg over 2-5 days). No recent body weight is on record, so the g/kg dose of this order was not "
            "checked.",
            drafts, ["No recent body weight on record"], risks,
        )
    if risks:
        return _finding(Indicator.INFO, "IVIG: thrombosis and renal-toxicity precautions for this patient",
                        "Take the boxed warning's precautions: this patient has risk factors it names.", drafts, [],
                        risks)
    return None


RECOMMENDATION = Recommendation(
    id="ivig-dose",
    title="IVIG: 2 g/kg per course over 2-5 days, weight, and thrombosis/renal precautions",
    citation=Citation(
        label="Immune globulin intravenous (human) labels, boxed warning (thrombosis; renal dysfunction and acute "
        "renal failure); treatment of idiopathic inflammatory myopathies, 2024 review, Table 2",
        url="https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=immune+globulin+intravenous",
        statement="IVIG 2 g per kg every 4-6 weeks (dysphagia, refractory severe disease). Thrombosis may occur; "
        "risk factors include advanced age, prolonged immobilisation, hypercoagulable conditions, history of "
        "venous or arterial thrombosis, oestrogens, indwelling catheters, hyperviscosity; renal dysfunction in "
        "predisposed patients. For patients at risk: minimum dose and infusion rate practicable, hydration.",
        strength="FDA boxed warning (class labelling 2013); review table; age and eGFR cut-offs are the "
        "service's policy (docs/evidence.md#ivig)",
    ),
    trigger=(
        "Active IIM Condition and current immune globulin IV order (no verified RxNorm code: local product list). "
        "Warning: course total (dose x timing.repeat.count, or daily dose x boundsDuration) / weight (LOINC "
        "29463-7 within 90 days, 30 for children) > max_g_per_kg_course, or single-day dose > "
        "max_g_per_kg_course when unbounded; daily order with no count, no bounds and no end date. Info on a "
        "draft: no weight; thrombosis/renal risk factor (VTE I26/I82/Z86.71, thrombophilia D68.5/D68.6, "
        "immobility Z74.0, hyperviscosity R70.1/D89.1/C88.0/C90.0/D47.2/D45, diabetes, CKD, current oestrogen, "
        "age > caution_age, eGFR < caution_egfr within egfr_window_days)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "max_g_per_kg_course": Parameter(
            2.2, "IVIG g/kg per course above which the card warns (2 g/kg + 10% for vial rounding)",
            "IIM treatment review 2024, Table 2 (2 g/kg per course); docs/evidence.md#ivig",
        ),
        "caution_egfr": Parameter(
            60, "eGFR (mL/min/1.73 m²) below which renal precautions are shown",
            "IVIG boxed warning (pre-existing renal insufficiency); KDIGO CKD stage 3 cut-off; docs/evidence.md#ivig",
        ),
        "caution_age": Parameter(
            65, "age (years) above which thrombosis/renal precautions are shown",
            "IVIG boxed warning (renal risk: age greater than 65)",
        ),
        "egfr_window_days": Parameter(
            90, "an eGFR (or creatinine) older than this is not current", "policy: docs/evidence.md#result-windows",
        ),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
