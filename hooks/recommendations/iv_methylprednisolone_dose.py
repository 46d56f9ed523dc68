"""IV methylprednisolone pulse dose and indication (docs/evidence.md#iv-methylprednisolone).

Adults: usual pulse 0.5-1 g/day for 3 days (eTG (secondary source); PMC11646336 Table 2); protocols
allow 250-1000 mg for 1-5 days. Children (BSR 2022 paediatric, 1, B, 100% (secondary source)): IV
methylprednisolone 30 mg/kg/day, maximum 1 g. Pulses are for severe disease: dysphagia, ILD or
respiratory-muscle involvement (secondary sources; docs/evidence.md#severe-disease).

When: active inflammatory myopathy and a current intravenous methylprednisolone order.
Then:
- warning: adult dose above `max_mg_per_day` or a course longer than `adult_max_days` (from the
  order's bounds or count); any age: a daily order with no count, no course length and no end date
  (`is_open_ended_daily_course`: read as written it never stops, while pulses are 1-5 days); child (under 18) above `child_max_mg_per_kg` x weight or above
  `max_mg_per_day`;
- info: a child with no recent weight (the mg/kg dose cannot be checked);
- info: no dysphagia, ILD or respiratory involvement coded ("document the severity indication").
One card; the indication note is added to a dose warning.
"""

from __future__ import annotations

import math

from fhir_mappings.concepts import Condition, Drug, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, dosing_weight_kg, draft_references, is_open_ended_daily_course, weight_fact
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

SEVERITY_CONDITIONS = (
    Condition.DYSPHAGIA,
    Condition.INTERSTITIAL_LUNG_DISEASE,
    Condition.RESPIRATORY_INVOLVEMENT,
)


def course_days(order: MedicationOrder) -> float | None:
    """Planned length of the course in days, from its bounds or its number of administrations."""
    dose = order.dose
    if dose is None:
        return None
    if dose.course_days is not None:
        return dose.course_days
    if dose.administration_count is not None and dose.administrations_per_day > 0:
        return math.ceil(dose.administration_count / dose.administrations_per_day)
    return None


def _dose_problems(facts: ClinicalFacts, order: MedicationOrder, params: Params) -> list[str]:
    problems: list[str] = []
    if order.dose is None:
        return problems
    mg = order.dose.mg_per_day_high
    if mg > params["max_mg_per_day"]:
        problems.append(f"{num(mg)} mg/day is above the maximum pulse of {num(params['max_mg_per_day'])} mg/day")
    if facts.is_child:
        weight = dosing_weight_kg(facts, params["child_weight_lookback_days"])
        if weight is not None and mg / weight > params["child_max_mg_per_kg"]:
            problems.append(
                f"{num(mg / weight, 1)} mg/kg/day is above the paediatric {num(params['child_max_mg_per_kg'])} mg/kg/day"
            )
    else:
        days = course_days(order)
        if days is not None and days > params["adult_max_days"]:
            problems.append(f"a {num(days)}-day course is longer than {params['adult_max_days']} consecutive days")
    return problems


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    pulses = tuple(m for m in facts.current({Drug.METHYLPREDNISOLONE}) if m.route is Route.INTRAVENOUS)
    if not pulses:
        return None
    problems = [p for m in pulses for p in _dose_problems(facts, m, params)]
    open_ended = tuple(m for m in pulses if is_open_ended_daily_course(m))
    indication = facts.conditions_of(*SEVERITY_CONDITIONS)
    child_without_weight = facts.is_child and dosing_weight_kg(facts, params["child_weight_lookback_days"]) is None
    if problems:
        indicator, summary = Indicator.WARNING, "IV methylprednisolone pulse above the usual maximum: check the dose"
    elif open_ended:
        indicator, summary = Indicator.WARNING, "IV methylprednisolone ordered daily with no end: pulses are 1-5 days"
    elif child_without_weight:
        indicator, summary = Indicator.INFO, "Record a weight to check the IV methylprednisolone dose (max 30 mg/kg/day)"
    elif not indication:
        indicator, summary = Indicator.INFO, "IV methylprednisolone pulse: document the severity indication"
    else:
        return None

    facts_used = [describe(m) for m in pulses]
    facts_used += [f"Course: {num(course_days(m))} days" for m in pulses if course_days(m) is not None]
    if facts.is_child:
        weight = dosing_weight_kg(facts, params["child_weight_lookback_days"])
        facts_used.append(f"Child; {weight_fact(facts, weight)}" if weight else "Child, no weight in the last 30 days")
    facts_used += [f"Indication coded: {c.display}" for c in indication] or [
        "No dysphagia, interstitial lung disease or respiratory involvement coded"
    ]
    sections = []
    if problems:
        sections.append("Dose check: " + "; ".join(problems) + ".")
    if open_ended:
        sections.append("The order repeats daily with **no number of doses, course length or end date**, so read "
                        "as written it never stops: state the number of doses (usually 3, at most 5).")
        facts_used.append("No number of doses, course length or end date")
    sections.append(
        "Usual adult pulse: methylprednisolone 0.5-1 g/day IV for 3 days (at most 1 g/day, at most 5 consecutive "
        "days). Children (BSR 2022, grade 1, B, 100%): 30 mg/kg/day, maximum 1 g/day."
    )
    if not indication:
        sections.append(
            "Pulses are used for severe disease (dysphagia, interstitial lung disease, respiratory-muscle "
            "involvement, severe weakness). None of these is coded: document the indication."
        )
    return Finding(
        indicator=indicator,
        summary=summary,
        detail="\n\n".join(sections),
        facts_used=tuple(facts_used),
        about_drafts=draft_references(pulses),
    )


RECOMMENDATION = Recommendation(
    id="iv-methylprednisolone-dose",
    title="IV methylprednisolone pulse: dose, course length and indication",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022); IIM treatment review "
        "(PMC11646336, Table 2)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="Adults: IV methylprednisolone 0.5-1 g/day for 3 days for severe disease. Children: 30 mg/kg/day, "
        "maximum 1 g.",
        strength="BSR paediatric 1, B, 100% (secondary source); adult regimen from the review table and eTG",
    ),
    trigger=(
        "Active IIM Condition + current methylprednisolone (RxNorm 6902) order with IV route. Warning: daily with "
        "no timing count, bounds or end date; > max_mg_per_day, adult course (timing bounds or count) > adult_max_days, child (< 18 y) > "
        "child_max_mg_per_kg x weight (LOINC 29463-7 within child_weight_lookback_days). Info: child without weight; "
        "no dysphagia (R13.1x / SCT 40739000), ILD or respiratory involvement (M33.x1) coded"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "max_mg_per_day": Parameter(1000, "maximum pulse dose (mg/day), adults and children", "docs/evidence.md#iv-methylprednisolone"),
        "adult_max_days": Parameter(5, "maximum consecutive pulse days (adults)", "docs/evidence.md#iv-methylprednisolone (secondary sources 1-5 days)"),
        "child_max_mg_per_kg": Parameter(30, "maximum paediatric pulse (mg/kg/day)", "BSR 2022 paediatric (docs/evidence.md#iv-methylprednisolone)"),
        "child_weight_lookback_days": Parameter(30, "maximum age of a child's weight", "docs/evidence.md#patient-data"),
    },
)
