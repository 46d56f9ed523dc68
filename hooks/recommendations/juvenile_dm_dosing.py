"""Juvenile dermatomyositis: glucocorticoid and methotrexate doses (docs/evidence.md#juvenile-dm).

BSR 2022 (paediatric): oral prednisolone 1-2 mg/kg/day (1, B, 100%; secondary source). The 60 mg/day maximum
comes from the secondary sources only and was not found in SHARE or BSR text (unverified): the card says so.
SHARE 2017 (Bellutti Enders et al., Ann Rheum Dis 2017;76:329, Table 3): "MTX 15-20 mg/m²/week
(max absolute dose 40 mg/week) preferably SC" (4, D, 100%).

When: juvenile myositis (JDM coded, or inflammatory myopathy under 18) with a current oral
prednis(ol)one or methotrexate order.
Then, one card:
- warning: prednisone equivalent above `gc_max_mg_per_kg` x weight or above `gc_max_mg_per_day`;
  methotrexate above `mtx_max_mg_per_m2` x BSA (Mosteller) or above `mtx_cap_mg_per_week`;
- info, on a draft order only: methotrexate below `mtx_min_mg_per_m2` x BSA, or the weight/height
  needed for mg/kg or BSA missing.
A too-high draft gets a suggestion to change its dose to the top of the range (prednisone rounded
down to 5 mg, methotrexate to 2.5 mg).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.concepts import ORAL_PREDNISONE_LIKE, Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder, mosteller_bsa_m2
from fhir_mappings.numbers import num, years
from hooks.actions import one_mg_dose, update_draft
from hooks.criteria import (
    describe,
    diagnosis_fact,
    dose_in_steps,
    dosing_weight_kg,
    draft_references,
    is_juvenile_myositis,
    oral_prednisone_orders,
    planned_prednisone_equivalent_mg_per_day,
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


@dataclass(frozen=True)
class _Issue:
    indicator: Indicator
    text: str
    #: The orders the issue is about (their drafts go to `about_drafts`).
    orders: tuple[MedicationOrder, ...]
    draft: MedicationOrder | None = None
    #: Dose per administration (mg) a suggestion would set on the draft.
    fix_mg: float | None = None


def _glucocorticoid_issues(facts: ClinicalFacts, params: Params, weight: float | None) -> list[_Issue]:
    orders = oral_prednisone_orders(facts)
    if not orders:
        return []
    mg = planned_prednisone_equivalent_mg_per_day(facts)
    drafts = [m for m in orders if m.is_draft]
    draft = drafts[0] if len(drafts) == 1 and drafts[0].dose and drafts[0].dose.administrations_per_day == 1 else None
    issues: list[_Issue] = []
    if weight is not None:
        fix_mg = dose_in_steps(params["gc_max_mg_per_kg"] * weight, 5, at_least_mg=params["gc_min_mg_per_kg"] * weight,
                               at_most_mg=params["gc_max_mg_per_day"])
        if mg / weight > params["gc_max_mg_per_kg"]:
            issues.append(_Issue(Indicator.WARNING, f"prednisone equivalent {num(mg / weight)} mg/kg/day is above "
                                 f"{num(params['gc_max_mg_per_kg'])} mg/kg/day", orders, draft, fix_mg))
    else:
        fix_mg = None
        if drafts:
            issues.append(_Issue(Indicator.INFO, "no recent weight: the mg/kg dose was not checked", orders))
    if mg > params["gc_max_mg_per_day"]:
        issues.append(_Issue(Indicator.WARNING, f"{num(mg)} mg/day is above {num(params['gc_max_mg_per_day'])} mg/day "
                             "(maximum from the secondary sources, not found in SHARE/BSR text)", orders, draft, fix_mg))
    return issues


def _methotrexate_issues(facts: ClinicalFacts, params: Params, weight: float | None) -> list[_Issue]:
    issues: list[_Issue] = []
    height = facts.height_cm.value if facts.height_cm else None
    bsa = mosteller_bsa_m2(height, weight) if height and weight else None
    cap = params["mtx_cap_mg_per_week"]
    for order in facts.current({Drug.METHOTREXATE}):
        if order.dose is None:
            continue
        weekly_high, weekly_low = order.dose.mg_per_week_high, order.dose.mg_per_week_low
        once_weekly = abs(order.dose.administrations_per_day * 7 - 1) < 1e-3
        draft = order if order.is_draft and once_weekly else None
        fix_mg = None
        if bsa is not None:
            fix_mg = dose_in_steps(min(params["mtx_max_mg_per_m2"] * bsa, cap), 2.5,
                                   at_least_mg=params["mtx_min_mg_per_m2"] * bsa)
        about = (order,)
        if weekly_high > cap:
            issues.append(_Issue(Indicator.WARNING, f"methotrexate {num(weekly_high)} mg/week is above the absolute "
                                 f"maximum of {num(cap)} mg/week", about, draft, fix_mg))
        elif bsa is not None and weekly_high > params["mtx_max_mg_per_m2"] * bsa:
            issues.append(_Issue(Indicator.WARNING, f"methotrexate {num(weekly_high / bsa, 1)} mg/m²/week is above "
                                 f"{num(params['mtx_max_mg_per_m2'])} mg/m²/week (BSA {num(bsa)} m²)", about, draft, fix_mg))
        elif bsa is not None and order.is_draft and weekly_low < params["mtx_min_mg_per_m2"] * bsa:
            issues.append(_Issue(Indicator.INFO, f"methotrexate {num(weekly_low / bsa, 1)} mg/m²/week is below "
                                 f"{num(params['mtx_min_mg_per_m2'])} mg/m²/week (BSA {num(bsa)} m²)", about))
        elif bsa is None and order.is_draft:
            issues.append(_Issue(Indicator.INFO, "recent weight and height needed for the BSA dose", about))
    return issues


def _suggestions(issues: list[_Issue]) -> tuple[Suggestion, ...]:
    fixes: dict[str, tuple[MedicationOrder, float]] = {}
    for issue in issues:
        if issue.draft is not None and issue.fix_mg is not None and issue.draft.resource:
            fixes.setdefault(issue.draft.reference or issue.draft.display, (issue.draft, issue.fix_mg))
    suggestions = []
    for draft, mg in fixes.values():
        administrations = draft.dose.administrations_per_day if draft.dose else 1
        per_administration = mg if draft.drug is Drug.METHOTREXATE else mg / administrations
        if not one_mg_dose(draft.resource):
            continue
        unit = "mg once weekly" if draft.drug is Drug.METHOTREXATE else "mg/day"
        action = update_draft(
            draft, f"Draft order: {draft.display} {num(mg)} {unit}", dose_value=per_administration, dose_unit="mg",
            text=f"{num(per_administration)} mg (dose changed by decision support; schedule unchanged)",
        )
        suggestions.append(Suggestion(label=f"Change {draft.display} to {num(mg)} {unit}", actions=(action,)))
    if len(suggestions) == 1:
        suggestions[0] = Suggestion(suggestions[0].label, suggestions[0].actions, is_recommended=True)
    return tuple(suggestions)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if not is_juvenile_myositis(facts):
        return None
    weight = dosing_weight_kg(facts, params["weight_lookback_days"])
    issues = _glucocorticoid_issues(facts, params, weight) + _methotrexate_issues(facts, params, weight)
    if not issues:
        return None
    warning = any(i.indicator is Indicator.WARNING for i in issues)
    if warning:
        issues = [i for i in issues if i.indicator is Indicator.WARNING]
    concerned = tuple(m for m in facts.current(ORAL_PREDNISONE_LIKE | {Drug.METHOTREXATE}))
    facts_used = [diagnosis_fact(facts, "Juvenile inflammatory myopathy")]
    facts_used.append(f"Age: {years(facts.patient.age_years)} years" if facts.patient.age_years is not None else "Age unknown")
    facts_used += [describe(m) for m in concerned]
    facts_used.append(weight_fact(facts, weight) if weight else "No weight in the lookback window")
    if facts.height_cm:
        when = f" on {facts.height_cm.when.date().isoformat()}" if facts.height_cm.when else ""
        facts_used.append(f"Height: {num(facts.height_cm.value)} cm{when}")
    detail = "\n\n".join(
        [
            "Check: " + "; ".join(i.text for i in issues) + ".",
            "BSR 2022 (paediatric, grade 1, B, 100%): oral prednisolone **1-2 mg/kg/day**. The 60 mg/day maximum "
            "is from the secondary sources; it was not found in SHARE or BSR text (unverified).",
            "SHARE 2017 (4, D, 100%): methotrexate **15-20 mg/m²/week, maximum 40 mg/week**, preferably "
            "subcutaneous, once weekly. BSA by Mosteller from the latest weight and height.",
        ]
    )
    return Finding(
        indicator=Indicator.WARNING if warning else Indicator.INFO,
        summary=("Juvenile dermatomyositis: dose above the recommended range" if warning
                 else "Juvenile dermatomyositis: check the dose against the recommended range"),
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=_suggestions(issues),
        about_drafts=tuple(dict.fromkeys(draft_references(tuple(m for i in issues for m in i.orders)))),
    )


RECOMMENDATION = Recommendation(
    id="juvenile-dm-dosing",
    title="Juvenile dermatomyositis: prednisolone 1-2 mg/kg/day, methotrexate 15-20 mg/m²/week",
    citation=Citation(
        label="SHARE recommendations for juvenile dermatomyositis (Bellutti Enders et al., Ann Rheum Dis 2017); "
        "BSR IIM guideline 2022 (paediatric)",
        url="https://doi.org/10.1136/annrheumdis-2016-209247",
        statement="MTX 15-20 mg/m²/week (max absolute dose 40 mg/week) preferably SC; oral prednisolone 1-2 mg/kg/day. "
        "A 60 mg/day prednisolone maximum appears only in the secondary sources.",
        strength="SHARE 4, D, 100%; BSR 1, B, 100% (secondary source); 60 mg cap (unverified)",
    ),
    trigger=(
        "JDM Condition (ICD-10-CM M33.0x, SCT 1212005) or IIM under 18; current oral prednisone/prednisolone: "
        "warning > gc_max_mg_per_kg x weight (LOINC 29463-7 within weight_lookback_days) or > gc_max_mg_per_day; "
        "current methotrexate: warning > mtx_max_mg_per_m2 x BSA (Mosteller, LOINC 29463-7 + 8302-2) or > "
        "mtx_cap_mg_per_week; info on a draft < mtx_min_mg_per_m2 x BSA or when weight/height are missing"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "gc_min_mg_per_kg": Parameter(1.0, "lower end of the JDM prednisolone range (mg/kg/day)", "BSR 2022 (docs/evidence.md#juvenile-dm)"),
        "gc_max_mg_per_kg": Parameter(2.0, "upper end of the JDM prednisolone range (mg/kg/day)", "BSR 2022 (docs/evidence.md#juvenile-dm)"),
        "gc_max_mg_per_day": Parameter(60, "JDM prednisolone maximum (mg/day)", "common practice, not in SHARE or BSR (docs/evidence.md#juvenile-dm)"),
        "mtx_min_mg_per_m2": Parameter(15, "lower end of the JDM methotrexate range (mg/m²/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "mtx_max_mg_per_m2": Parameter(20, "upper end of the JDM methotrexate range (mg/m²/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "mtx_cap_mg_per_week": Parameter(40, "absolute JDM methotrexate maximum (mg/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "weight_lookback_days": Parameter(30, "maximum age of the weight used for mg/kg and BSA", "docs/evidence.md#patient-data (children)"),
    },
)
