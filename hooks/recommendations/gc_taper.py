"""Prolonged high-dose glucocorticoid without a taper (docs/evidence.md#gc-taper).

BSR 2022 suggests tapering according to clinical response, usually about 6 weeks after initiation
(grade not restated here). The secondary sources say 2-4 weeks; docs/evidence.md#choices
settles on info at 4 weeks and warning beyond 6 weeks. The summaries' "60 -> 40 -> 30 -> 25 -> 20 mg
every 2 weeks, then 2.5 mg decrements" is shown as an example schedule only (unverified), never as a rule.

When: active inflammatory myopathy and a current prednisone-equivalent dose (maintenance
glucocorticoids, IV pulses excluded) of at least `high_dose_mg_per_day` or `high_dose_mg_per_kg`
times a recent weight, held without any dose reduction for more than `info_days` days (the run of
days back from today on which the recorded daily dose was high and never higher than on the next
day). On order-select/order-sign the draft glucocorticoid must keep the dose high (a draft that
lowers the dose is the taper, so it is silent).
Then: info beyond `info_days`, warning beyond `warning_days`.
"""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.concepts import PREDNISONE_EQUIVALENCE, SYSTEMIC_GLUCOCORTICOIDS, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import (
    describe,
    dosing_weight_kg,
    draft_references,
    maintenance_glucocorticoids,
    planned_prednisone_equivalent_mg_per_day,
    prednisone_equivalent_mg_per_day,
    weight_fact,
)
from hooks.recommendation import ALL_HOOKS, Citation, Course, Finding, Indicator, Parameter, Params, Recommendation

#: How far back the run of unreduced high-dose days is followed.
LOOKBACK_DAYS = 366

EXAMPLE_SCHEDULE = (
    "*Example schedule only (secondary sources, not BSR; not a rule):* 60 -> 40 -> 30 -> 25 -> 20 mg, one step "
    "every 2 weeks, then 2.5 mg decrements every 2 weeks. eTG alternative: 1 mg/kg (maximum 75 mg) for 6 weeks, "
    "then 5 mg decrements every 2 weeks to 25 mg."
)


def _recorded_orders(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    """Maintenance glucocorticoid orders on record with a start date and a dose, current or past."""
    return tuple(
        m for m in facts.history(SYSTEMIC_GLUCOCORTICOIDS)
        if m.start is not None and m.dose is not None and not m.is_as_needed
        and m.route is not Route.INTRAVENOUS and m.status not in {"entered-in-error", "cancelled"}
    )


def _dose_on(orders: tuple[MedicationOrder, ...], day: date) -> float:
    """Prednisone-equivalent mg/day recorded for `day` (orders ended without an end date are not counted)."""
    total = 0.0
    for m in orders:
        running = (day < m.end) if m.end is not None else m.is_current
        if m.start <= day and running:
            total += m.dose.mg_per_day_high * PREDNISONE_EQUIVALENCE[m.drug]
    return total


def unreduced_high_dose_days(facts: ClinicalFacts, threshold_mg: float) -> int:
    """Days up to today on which the dose was >= threshold with no reduction since (0 if not high today)."""
    orders = _recorded_orders(facts)
    later = _dose_on(orders, facts.today)
    if later < threshold_mg:
        return 0
    days = 0
    for back in range(1, LOOKBACK_DAYS + 1):
        dose = _dose_on(orders, facts.today - timedelta(days=back))
        if dose < threshold_mg or dose > later:
            break
        days, later = back, dose
    return days


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    weight = dosing_weight_kg(facts, params["weight_lookback_days"])
    threshold = params["high_dose_mg_per_day"]
    if weight is not None:
        threshold = min(threshold, params["high_dose_mg_per_kg"] * weight)
    drafts = tuple(m for m in maintenance_glucocorticoids(facts) if m.is_draft)
    if drafts:
        planned = planned_prednisone_equivalent_mg_per_day(facts)
        if planned < threshold or planned < prednisone_equivalent_mg_per_day(facts, include_drafts=False):
            return None
    days = unreduced_high_dose_days(facts, threshold)
    if days <= params["info_days"]:
        return None
    indicator = Indicator.WARNING if days > params["warning_days"] else Indicator.INFO
    weeks = days // 7
    facts_used = [describe(m) for m in maintenance_glucocorticoids(facts)]
    # A weight-based threshold is stated per kg (">= 0.75 mg/kg/day"), not as a computed "18.75 mg/day".
    level = (f"{num(params['high_dose_mg_per_kg'])} mg/kg/day" if threshold < params["high_dose_mg_per_day"]
             else f"{num(threshold)} mg/day")
    facts_used.append(
        f"Prednisone-equivalent >= {level} for {days} days ({weeks} weeks) with no dose reduction recorded"
    )
    facts_used.append(weight_fact(facts, weight) if weight is not None else "No recent weight: mg/day threshold only")
    detail = "\n\n".join(
        [
            "Taper the glucocorticoid according to clinical response: BSR 2022 suggests starting the taper "
            "**usually about 6 weeks** after starting treatment (grade not retrieved). The secondary sources taper after 2-4 weeks; this service informs "
            f"beyond {params['info_days']} days and warns beyond {params['warning_days']} days of an unreduced high "
            f"dose (>= {num(params['high_dose_mg_per_day'])} mg/day or >= {num(params['high_dose_mg_per_kg'])} mg/kg/day).",
            "If the disease is not responding, reassess (diagnosis, steroid-sparing agent, IVIG) rather than "
            "continuing high-dose glucocorticoid.",
            EXAMPLE_SCHEDULE,
        ]
    )
    return Finding(
        indicator=indicator,
        summary=f"High-dose glucocorticoid for {weeks} weeks without a taper: consider tapering",
        detail=detail,
        facts_used=tuple(facts_used),
        about_drafts=draft_references(drafts),
    )


RECOMMENDATION = Recommendation(
    id="gc-taper",
    title="Taper high-dose glucocorticoid after about 6 weeks",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="Taper glucocorticoids according to clinical response, usually about 6 weeks after initiation. "
        "Example taper schedules from the secondary sources are shown as examples only.",
        strength="BSR, grade not retrieved (secondary source); example schedule (unverified)",
    ),
    trigger=(
        "Active IIM Condition; prednisone-equivalent of maintenance glucocorticoids (prednisone, prednisolone, "
        "methylprednisolone, dexamethasone, hydrocortisone; IV and as-needed excluded) >= high_dose_mg_per_day or "
        ">= high_dose_mg_per_kg x weight (LOINC 29463-7 within weight_lookback_days), unreduced for > info_days "
        "(info) or > warning_days (warning); on order hooks a glucocorticoid draft that keeps the dose high"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    plan="Glucocorticoid plan",
    evaluate=evaluate,
    parameters={
        "high_dose_mg_per_day": Parameter(40, "prednisone-equivalent mg/day that counts as high dose", "docs/evidence.md#gc-taper"),
        "high_dose_mg_per_kg": Parameter(0.75, "mg/kg/day that counts as high dose", "docs/evidence.md#gc-taper"),
        "info_days": Parameter(28, "unreduced high-dose days after which an info card appears", "docs/evidence.md#gc-taper; secondary sources 2-4 weeks"),
        "warning_days": Parameter(42, "unreduced high-dose days after which the card warns", "BSR 2022 (~6 weeks), docs/evidence.md#gc-taper"),
        "weight_lookback_days": Parameter(90, "maximum age of the weight used for mg/kg", "docs/evidence.md#patient-data"),
    },
    course=Course.GLUCOCORTICOID,
)
