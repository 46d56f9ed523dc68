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
- info, on a draft order only: methotrexate below `mtx_min_mg_per_m2` x BSA.
A draft above the range, or one whose weight or height is missing, is the order-safety check's
(`hooks.order_safety.drafts`, the same BSR/SHARE figures in `[order-safety]`): one card, with the dose
changed to the top of the range as its fix; this rule says nothing about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.concepts import ORAL_PREDNISONE_LIKE, Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder, mosteller_bsa_m2
from fhir_mappings.numbers import num, years
from hooks.criteria import (
    describe,
    diagnosis_fact,
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
)


@dataclass(frozen=True)
class _Issue:
    indicator: Indicator
    text: str
    #: The orders the issue is about (their drafts go to `about_drafts`).
    orders: tuple[MedicationOrder, ...]


def _glucocorticoid_issues(facts: ClinicalFacts, params: Params, weight: float | None) -> list[_Issue]:
    orders = oral_prednisone_orders(facts)
    if not orders or any(m.is_draft for m in orders):
        return []  # a draft: the order-safety check's (its weight-based dose, or that the weight is missing)
    mg = planned_prednisone_equivalent_mg_per_day(facts)
    issues: list[_Issue] = []
    if weight is not None and mg / weight > params["gc_max_mg_per_kg"]:
        issues.append(_Issue(Indicator.WARNING, f"prednisone equivalent {num(mg / weight)} mg/kg/day is above "
                             f"{num(params['gc_max_mg_per_kg'])} mg/kg/day", orders))
    if mg > params["gc_max_mg_per_day"]:
        issues.append(_Issue(Indicator.WARNING, f"{num(mg)} mg/day is above {num(params['gc_max_mg_per_day'])} mg/day "
                             "(maximum from the secondary sources, not found in SHARE/BSR text)", orders))
    return issues


def _methotrexate_issues(facts: ClinicalFacts, params: Params, weight: float | None) -> list[_Issue]:
    """Orders on record above the range; a draft below it. A draft above the range, or without the weight
    and height its dose needs, is the order-safety check's (the same SHARE figures in `[order-safety]`)."""
    issues: list[_Issue] = []
    height = facts.height_cm.value if facts.height_cm else None
    bsa = mosteller_bsa_m2(height, weight) if height and weight else None
    cap = params["mtx_cap_mg_per_week"]
    for order in facts.current({Drug.METHOTREXATE}):
        if order.dose is None:
            continue
        weekly_high, weekly_low = order.dose.mg_per_week_high, order.dose.mg_per_week_low
        about = (order,)
        if order.is_draft:
            if bsa is not None and weekly_low < params["mtx_min_mg_per_m2"] * bsa:
                issues.append(_Issue(Indicator.INFO, f"methotrexate {num(weekly_low / bsa, 1)} mg/m²/week is below "
                                     f"{num(params['mtx_min_mg_per_m2'])} mg/m²/week (BSA {num(bsa)} m²)", about))
        elif weekly_high > cap:
            issues.append(_Issue(Indicator.WARNING, f"methotrexate {num(weekly_high)} mg/week is above the absolute "
                                 f"maximum of {num(cap)} mg/week", about))
        elif bsa is not None and weekly_high > params["mtx_max_mg_per_m2"] * bsa:
            issues.append(_Issue(Indicator.WARNING, f"methotrexate {num(weekly_high / bsa, 1)} mg/m²/week is above "
                                 f"{num(params['mtx_max_mg_per_m2'])} mg/m²/week (BSA {num(bsa)} m²)", about))
    return issues


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
        "mtx_cap_mg_per_week (orders on record; a draft: draft-order-safety); info on a draft < mtx_min_mg_per_m2 x BSA"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "gc_max_mg_per_kg": Parameter(2.0, "upper end of the JDM prednisolone range (mg/kg/day)", "BSR 2022 (docs/evidence.md#juvenile-dm)"),
        "gc_max_mg_per_day": Parameter(60, "JDM prednisolone maximum (mg/day)", "common practice, not in SHARE or BSR (docs/evidence.md#juvenile-dm)"),
        "mtx_min_mg_per_m2": Parameter(15, "lower end of the JDM methotrexate range (mg/m²/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "mtx_max_mg_per_m2": Parameter(20, "upper end of the JDM methotrexate range (mg/m²/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "mtx_cap_mg_per_week": Parameter(40, "absolute JDM methotrexate maximum (mg/week)", "SHARE 2017 (docs/evidence.md#juvenile-dm)"),
        "weight_lookback_days": Parameter(30, "maximum age of the weight used for mg/kg and BSA", "docs/evidence.md#patient-data (children)"),
    },
)
