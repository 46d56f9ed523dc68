"""Methotrexate schedule and weekly dose (docs/evidence.md#methotrexate-dose).

FDA methotrexate labels, boxed warning "risk of medication errors": outside oncology
methotrexate is taken once weekly; daily dosing by mistake has caused fatal toxicity.
Adult IIM: "up to 25 mg per week" (PMC11646336 Table 2); RA practice goes to 25-30 mg/week
(secondary source). This service (docs/evidence.md#methotrexate-dose): adults warning above 25, critical above 30 mg/week. Juvenile doses
(15-20 mg/m²/week, 40 mg cap) are checked by `juvenile-dm-dosing`.

When: any current methotrexate order (any patient: this protects everyone).
Then:
- critical when the schedule gives more than one dose per 7 days; with a cancer diagnosis on
  record (possible oncology protocol, but also cancer-associated myositis) a warning to confirm,
  except for low-dose oral methotrexate (at most `low_dose_max_mg` per dose, by mouth or route not
  stated), which stays critical: daily low-dose oral methotrexate is the classic weekly-dose error
  (ISMP Targeted Medication Safety Best Practices: weekly default for oral methotrexate, a daily order
  needs a verified oncology indication);
  a draft order gets a recommended suggestion that changes it to once weekly, same dose;
- adults (not under 18): critical above `adult_critical_mg_per_week`, warning above
  `adult_warning_mg_per_week` (high end of a range dose); capped at warning with a cancer diagnosis.
"""

from __future__ import annotations

from fhir_mappings.concepts import Condition, Drug, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.actions import update_draft
from hooks.criteria import describe, draft_references
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


def _once_weekly(order: MedicationOrder) -> Action | None:
    """Update of the draft to once weekly: same dose per administration, same course bounds; other
    schedule elements (count, time of day, timing code) and a contradicting patient instruction go."""
    dosages = order.resource.get("dosageInstruction") or []
    if len(dosages) != 1 or order.dose is None:
        return None
    return update_draft(
        order, f"Draft order: {order.display} once weekly, same dose",
        text=f"{num(order.dose.mg_per_administration_high)} mg ONCE WEEKLY, on the same day each week",
        frequency=1, period=1, period_unit="wk",
    )


def _schedule_suggestions(orders: tuple[MedicationOrder, ...]) -> tuple[Suggestion, ...]:
    suggestions = []
    for order in orders:
        action = _once_weekly(order) if order.is_draft and order.resource else None
        if action is not None:
            suggestions.append(
                Suggestion(
                    label="Change the methotrexate draft to ONCE WEEKLY",
                    actions=(action,),
                    is_recommended=not suggestions,
                )
            )
    return tuple(suggestions)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = tuple(m for m in facts.current({Drug.METHOTREXATE}) if m.dose is not None and not m.is_as_needed)
    if not orders:
        return None
    cancer = facts.has_condition(Condition.CANCER)
    too_often = tuple(m for m in orders if m.dose.more_often_than_weekly)
    low_dose_oral = tuple(
        m for m in too_often
        if m.route in (Route.ORAL, None) and m.dose.mg_per_administration_high <= params["low_dose_max_mg"]
    )
    weekly = max(m.dose.mg_per_week_high for m in orders)
    adult_rules = not facts.is_child

    problems: list[str] = []
    indicator: Indicator | None = None
    summary = ""
    if too_often:
        indicator = Indicator.WARNING if cancer and not low_dose_oral else Indicator.CRITICAL
        summary = "Methotrexate ordered more often than once weekly: confirm or change to ONCE WEEKLY"
        problems.append(
            "Schedule gives more than one dose per week. Outside oncology methotrexate is given **once weekly**; "
            "daily dosing by mistake has caused fatal toxicity (FDA boxed warning, risk of medication errors)."
            + (" A cancer diagnosis is on record, but **daily low-dose oral methotrexate** is the typical weekly-dose "
               "error: verify the oncology indication before signing." if cancer and low_dose_oral else
               " A cancer diagnosis is on record: if this is an intended oncology protocol, disregard." if cancer else "")
        )
    if adult_rules and weekly > params["adult_critical_mg_per_week"]:
        indicator = indicator or (Indicator.WARNING if cancer else Indicator.CRITICAL)
        summary = summary or f"Methotrexate {num(weekly)} mg/week exceeds {num(params['adult_critical_mg_per_week'])} mg/week"
    elif adult_rules and weekly > params["adult_warning_mg_per_week"]:
        indicator = indicator or Indicator.WARNING
        summary = summary or f"Methotrexate {num(weekly)} mg/week is above the usual maximum of {num(params['adult_warning_mg_per_week'])} mg/week"
    if indicator is None:
        return None
    if adult_rules and weekly > params["adult_warning_mg_per_week"]:
        problems.append(
            f"Weekly dose {num(weekly)} mg is above the usual adult maximum: up to 25 mg/week in IIM (review table), "
            f"25-30 mg/week in RA practice. This service warns above {num(params['adult_warning_mg_per_week'])} and is "
            f"critical above {num(params['adult_critical_mg_per_week'])} mg/week."
        )
    facts_used = [describe(m) for m in orders]
    facts_used.append(f"Highest weekly dose: {num(weekly)} mg/week")
    if cancer:
        facts_used += [f"Diagnosis: {c.display}" for c in facts.conditions_of(Condition.CANCER)]
    return Finding(
        indicator=indicator,
        summary=summary,
        detail="\n\n".join(problems),
        facts_used=tuple(facts_used),
        suggestions=_schedule_suggestions(too_often),
        about_drafts=draft_references(orders),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-dose",
    title="Methotrexate: once-weekly schedule and weekly dose",
    citation=Citation(
        label="FDA methotrexate labeling, boxed warning (risk of medication errors); IIM treatment review "
        "(PMC11646336, Table 2)",
        url="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC11646336/",
        statement="Non-oncology methotrexate is dosed once weekly; mistaken daily use has caused fatal toxicity. "
        "Adult IIM dose up to 25 mg per week.",
        strength="FDA boxed warning; IIM review table; 30 mg/week critical limit is the service's policy (docs/evidence.md#methotrexate-dose)",
    ),
    trigger=(
        "Any current methotrexate (RxNorm 6851) order. Critical: more than one administration per 7 days "
        "(timing.repeat), warning instead with a cancer Condition unless each dose is <= low_dose_max_mg by mouth "
        "(or route not stated). Adults (not < 18 y): weekly dose > "
        "adult_critical_mg_per_week critical, > adult_warning_mg_per_week warning"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "adult_warning_mg_per_week": Parameter(25, "adult weekly dose above which the card warns", "PMC11646336 Table 2; docs/evidence.md#choices"),
        "adult_critical_mg_per_week": Parameter(30, "adult weekly dose above which the card is critical", "docs/evidence.md#methotrexate-dose"),
        "low_dose_max_mg": Parameter(
            25, "oral methotrexate dose (mg per administration) up to which a more-than-weekly schedule stays "
            "critical despite a cancer diagnosis", "ISMP Targeted Medication Safety Best Practices for Hospitals "
            "(oral methotrexate weekly default); docs/evidence.md#methotrexate-dose",
        ),
    },
    requires_myositis=False,
)
