"""Initial oral glucocorticoid dose in adult myositis (docs/evidence.md#gc-initial-dose).

BSR 2022: adult IIM induction with high-dose oral prednisolone 0.5-1 mg/kg/day, "usually 40-60 mg
daily" (1, B, 100%). The secondary sources' 60-80 mg and eTG's 1 mg/kg up to 75 mg are not followed
(docs/evidence.md#choices: target band 0.5-1 mg/kg, warn > 1 mg/kg or > 80 mg, critical > 100 mg).
"Use the lower end (about 0.5 mg/kg) with diabetes, osteoporosis or glaucoma" is common practice
only; no BSR text supports it, so the card labels it expert opinion.

When: active inflammatory myopathy, patient 18 or older and not juvenile dermatomyositis, with a
current oral systemic glucocorticoid order (prednisone, prednisolone tablets or liquid,
methylprednisolone, dexamethasone, hydrocortisone: `oral_glucocorticoid_orders`); the daily dose is the
prednisone equivalent of all maintenance glucocorticoids (equivalence table in `fhir_mappings.concepts`), a draft replacing the orders on record of the same drug (high end of a
range for the upper limits, low end for the lower).
Then:
- critical above `critical_mg_per_day` (probable entry error), at any time and also in IBM, unless every
  order is bounded to at most `short_course_max_days` (an oral pulse such as dexamethasone 40 mg for
  4 days): then a warning to confirm the pulse;
- warning above `target_high_mg_per_kg` or `warning_mg_per_day`, on a draft order or during the
  initial phase (glucocorticoid exposure shorter than `initial_phase_days`);
- info, in the initial phase only: below `target_low_mg_per_kg`; above `comorbidity_mg_per_kg`
  with diabetes, osteoporosis or glaucoma (expert opinion); no recent weight ("weight needed").
A draft prednisone/prednisolone order that is too high gets a suggestion to change it to 1 mg/kg
rounded down to 5 mg, at most `suggested_max_mg_per_day` (BSR "usually 40-60 mg"); a draft of another
glucocorticoid gets no dose suggestion (its tablet steps differ): the card states the prednisone
equivalent instead.
Later in the course, taper questions belong to `gc-taper`.
"""

from __future__ import annotations

from fhir_mappings.concepts import ORAL_PREDNISONE_LIKE, Condition, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.actions import one_mg_dose, update_draft
from hooks.criteria import (
    describe,
    dose_in_steps,
    dosing_weight_kg,
    draft_references,
    glucocorticoid_days,
    is_juvenile_myositis,
    oral_glucocorticoid_orders,
    planned_prednisone_equivalent_mg_per_day,
    remaining_course_days,
    weight_fact,
)
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)

COMORBIDITIES = (Condition.DIABETES, Condition.OSTEOPOROSIS, Condition.GLAUCOMA)
BSR_STATEMENT = (
    "BSR 2022 (grade 1, B, 100%): start high-dose oral prednisolone **0.5-1 mg/kg/day, usually 40-60 mg daily**, "
    "at induction of adult IIM."
)


def _suggested_mg(weight: float | None, params: Params) -> int | None:
    """1 mg/kg rounded down to 5 mg, capped; None when that would fall outside 0.5-1 mg/kg."""
    if weight is None:
        return None
    mg = dose_in_steps(weight * params["target_high_mg_per_kg"], 5, at_least_mg=weight * params["target_low_mg_per_kg"],
                       at_most_mg=params["suggested_max_mg_per_day"])
    return int(mg) if mg is not None else None


def _dose_suggestions(drafts: tuple[MedicationOrder, ...], mg: int | None) -> tuple[Suggestion, ...]:
    if mg is None or len(drafts) != 1 or not drafts[0].resource or not one_mg_dose(drafts[0].resource):
        return ()
    if drafts[0].drug not in ORAL_PREDNISONE_LIKE:
        return ()
    action = update_draft(
        drafts[0], f"Draft order: {drafts[0].display} {mg} mg once daily", text=f"{mg} mg by mouth once daily",
        dose_value=mg, dose_unit="mg", frequency=1, period=1, period_unit="d",
    )
    return (Suggestion(label=f"Change the draft to {mg} mg once daily", actions=(action,), is_recommended=True),)


def _short_course(orders: tuple[MedicationOrder, ...], facts: ClinicalFacts, max_days: int) -> bool:
    """Every order is bounded to at most `max_days` more days: an oral pulse (e.g. dexamethasone 40 mg for
    4 days), not a daily maintenance dose typed wrongly."""
    remaining = [remaining_course_days(m, facts.today) for m in orders]
    return all(days is not None and days <= max_days for days in remaining)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = oral_glucocorticoid_orders(facts)
    if not orders or is_juvenile_myositis(facts) or not facts.is_adult:
        return None
    high = planned_prednisone_equivalent_mg_per_day(facts)
    low = planned_prednisone_equivalent_mg_per_day(facts, low_end=True)
    if high <= 0:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    days = glucocorticoid_days(facts)
    initial = days < params["initial_phase_days"]
    weight = dosing_weight_kg(facts, params["weight_lookback_days"])
    ibm = facts.myositis is MyositisSubtype.INCLUSION_BODY_MYOSITIS
    comorbid = facts.conditions_of(*COMORBIDITIES)

    facts_used = [describe(m) for m in orders]
    facts_used.append(f"Prednisone-equivalent dose: {num(high)} mg/day" + (f" ({num(low)} at the low end)" if low != high else ""))
    facts_used.append(f"{weight_fact(facts, weight)} ({num(high / weight)} mg/kg/day)" if weight else "No weight recorded in the lookback window")
    facts_used.append(f"Glucocorticoid exposure so far: {days} days")
    facts_used += [f"Comorbidity: {c.display}" for c in comorbid]

    problems: list[str] = []
    indicator: Indicator | None = None
    summary = action = ""
    short_course = _short_course(orders, facts, params["short_course_max_days"])
    if high > params["critical_mg_per_day"] and not short_course:
        indicator = Indicator.CRITICAL
        summary = f"Prednisone-equivalent {num(high)} mg/day exceeds {num(params['critical_mg_per_day'])} mg/day: probable entry error"
        action = "Check the dose for an entry error and correct it before signing."
    elif high > params["critical_mg_per_day"]:
        indicator = Indicator.WARNING
        summary = f"Oral glucocorticoid course of {num(high)} mg/day prednisone-equivalent: confirm it is an intended pulse"
        action = "Confirm this short course is an intended pulse; otherwise correct the dose."
    elif ibm or not (drafts or initial):
        return None
    elif high > params["warning_mg_per_day"] or (weight and high / weight > params["target_high_mg_per_kg"]):
        indicator = Indicator.WARNING
        summary = (f"Prednisone-equivalent {num(high)} mg/day is above BSR 0.5-1 mg/kg/day (service limit "
                   f"{num(params['warning_mg_per_day'])} mg/day)")
        action = (f"Lower the dose to 0.5-1 mg/kg/day (at most {num(params['warning_mg_per_day'])} mg/day), unless a "
                  "higher dose is intended.")
    elif not initial:
        return None
    elif weight is None:
        indicator = Indicator.INFO
        summary = "Record a weight to check the initial glucocorticoid dose (0.5-1 mg/kg/day)"
        action = "Record a body weight, then check the dose against 0.5-1 mg/kg/day."
    elif low / weight < params["target_low_mg_per_kg"]:
        indicator = Indicator.INFO
        summary = f"Initial glucocorticoid dose {num(low / weight)} mg/kg/day is below BSR 0.5-1 mg/kg/day"
        action = "Consider raising the initial dose to 0.5-1 mg/kg/day."
    elif comorbid and high / weight > params["comorbidity_mg_per_kg"]:
        indicator = Indicator.INFO
        summary = "Diabetes, osteoporosis or glaucoma: consider the lower end of the glucocorticoid dose range"
        action = f"Consider the lower end of the dose range (about {num(params['target_low_mg_per_kg'])} mg/kg/day)."
    if indicator is None:
        return None

    if weight is None and indicator is not Indicator.INFO:
        problems.append("No recent weight: the mg/kg dose could not be checked.")
    if comorbid and weight and high / weight > params["comorbidity_mg_per_kg"]:
        problems.append(
            f"With {', '.join(c.display for c in comorbid)}, consider the lower end (about "
            f"{num(params['target_low_mg_per_kg'])} mg/kg/day). *Expert opinion from the secondary sources; "
            "no BSR text supporting it was found.*"
        )
    pulse = short_course and high > params["critical_mg_per_day"]
    suggested = _suggested_mg(weight, params) if indicator is not Indicator.INFO and not pulse else None
    if suggested:
        problems.append(
            f"Suggested: {suggested} mg once daily ({num(params['target_high_mg_per_kg'])} mg/kg rounded down to 5 mg, "
            f"at most {num(params['suggested_max_mg_per_day'])} mg)."
        )
    policy = (
        f"This service follows BSR where sources disagree: it warns above {num(params['target_high_mg_per_kg'])} mg/kg/day "
        f"or {num(params['warning_mg_per_day'])} mg/day and treats more than {num(params['critical_mg_per_day'])} mg/day as a "
        "probable entry error. Alternatives: the secondary sources' 60-80 mg daily and eTG's 1 mg/kg up to 75 mg."
    )
    detail = "\n\n".join([action, *problems, BSR_STATEMENT, policy])
    return Finding(
        indicator=indicator,
        summary=summary,
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=_dose_suggestions(drafts, suggested),
        about_drafts=draft_references(drafts),
    )


RECOMMENDATION = Recommendation(
    id="gc-initial-dose",
    title="Initial oral glucocorticoid dose in adult myositis (0.5-1 mg/kg/day)",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="High-dose oral glucocorticoid at induction: prednisolone 0.5-1 mg/kg/day, usually 40-60 mg daily. "
        "Lower end with diabetes, osteoporosis or glaucoma: expert opinion (secondary sources), not BSR.",
        strength="BSR 1, B, 100% (secondary source); comorbidity note: expert opinion (unverified)",
    ),
    trigger=(
        "Active IIM Condition, age >= 18, not juvenile DM; current oral systemic glucocorticoid order (prednisone "
        "8640, prednisolone 8638 by mouth or route not stated; methylprednisolone 6902, dexamethasone 3264, "
        "hydrocortisone 5492 by mouth). Prednisone-equivalent mg/day of maintenance glucocorticoids vs weight (LOINC 29463-7 within "
        "weight_lookback_days): critical > critical_mg_per_day (warning when every order is bounded to <= "
        "short_course_max_days); on a draft or with exposure < initial_phase_days "
        "(not IBM): warning > target_high_mg_per_kg or > warning_mg_per_day; info (initial phase) < "
        "target_low_mg_per_kg, > comorbidity_mg_per_kg with diabetes/osteoporosis/glaucoma, or no weight"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "target_low_mg_per_kg": Parameter(0.5, "lower end of the initial dose band (mg/kg/day)", "BSR 2022 (docs/evidence.md#gc-initial-dose)"),
        "target_high_mg_per_kg": Parameter(1.0, "upper end of the initial dose band (mg/kg/day)", "BSR 2022 (docs/evidence.md#gc-initial-dose)"),
        "warning_mg_per_day": Parameter(80, "daily dose above which the card warns", "docs/evidence.md#gc-initial-dose"),
        "critical_mg_per_day": Parameter(100, "daily dose above which the card is critical (entry error)", "docs/evidence.md#gc-initial-dose"),
        "comorbidity_mg_per_kg": Parameter(
            0.75, "with diabetes/osteoporosis/glaucoma, mg/kg/day above which the lower end is suggested",
            "docs/evidence.md#gc-initial-dose (secondary sources, expert opinion)",
        ),
        "initial_phase_days": Parameter(
            28, "glucocorticoid exposure (days) during which the dose counts as the initial dose",
            "policy: docs/evidence.md#gc-taper (taper considered from 4 weeks)",
        ),
        "short_course_max_days": Parameter(
            5, "an oral course bounded to at most this many days above critical_mg_per_day is a pulse: warning, "
            "not an entry error", "IV/oral pulses last 1-5 days (docs/evidence.md#gc-initial-dose)",
        ),
        "weight_lookback_days": Parameter(90, "maximum age of the weight used for mg/kg (adults)", "docs/evidence.md#patient-data"),
        "suggested_max_mg_per_day": Parameter(
            60, "cap of the dose suggested for a draft order", "BSR 2022 'usually 40-60 mg daily' (docs/evidence.md#gc-initial-dose)"
        ),
    },
)
