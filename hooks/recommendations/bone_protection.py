"""Bone protection on long-term glucocorticoid (docs/evidence.md#bone-protection; ACR 2022 GIOP guideline).

ACR 2022 (Humphrey et al.): for adults starting glucocorticoid >= 2.5 mg/day for > 3 months, optimise
calcium and vitamin D intake and lifestyle, and assess fracture risk as soon as possible (clinical risk
factors, BMD with vertebral fracture assessment, GC-adjusted FRAX if >= 40), BMD within 6 months of
starting and every 1-2 years while glucocorticoid continues (strong). Adults at moderate, high or very
high fracture risk should receive osteoporosis therapy (strong); oral bisphosphonates are strongly
recommended over no treatment.

When: adult with active IIM (myositis induction counts as planned long-term therapy) or otherwise
prednisone-equivalent >= `min_mg_per_day` for > `min_days` actual or planned.
Then:
- very high / high risk (prior fragility fracture, T-score <= -2.5, GC >= 30 mg/day for > 30 days
  (>= 30 mg/day under 40), cumulative >= 5 g in a year) or osteoporosis, and no osteoporosis therapy
  -> info "start osteoporosis therapy" (a gap closed within weeks: docs/cards.md), oral alendronate suggested
  (the order-safety check removes it, and says why, below its eGFR limit, with dysphagia, in pregnancy or
  breastfeeding);
- otherwise no calcium/vitamin D supplement or no T-score within `bmd_interval_days` -> info.
FRAX-based categories cannot be computed from the data this service receives.
"""

from __future__ import annotations

from fhir_mappings.concepts import OSTEOPOROSIS_THERAPY, Condition, Drug, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult
from fhir_mappings.numbers import num
from hooks.actions import new_order
from hooks.criteria import (
    cumulative_prednisone_equivalent_mg,
    days_ago,
    days_at_or_above,
    describe,
    draft_references,
    maintenance_glucocorticoids,
    prednisone_equivalent_mg_per_day,
    sustained_glucocorticoid,
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

CALCIUM_VITAMIN_D_TABLET = ("845523", "Calcium Carbonate 1250 MG / Cholecalciferol 400 UNT Oral Tablet")
ALENDRONATE_TABLET = ("904431", "Alendronic acid 70 MG Oral Tablet")

STATEMENT = (
    "ACR 2022 GIOP: adults on glucocorticoid >= 2.5 mg/day for > 3 months: optimise calcium and vitamin D "
    "intake and lifestyle; fracture-risk assessment as soon as possible (BMD with vertebral fracture assessment, "
    "FRAX adjusted for glucocorticoid if >= 40), BMD within 6 months, then every 1-2 years (strong). "
    "Moderate, high or very high risk: osteoporosis therapy (strong); oral bisphosphonate strongly "
    "recommended over no treatment."
)


def _latest_t_score(facts: ClinicalFacts) -> LabResult | None:
    return next((r for r in facts.results_of(Lab.T_SCORE) if r.value is not None), None)


def _high_risk_reasons(facts: ClinicalFacts, params: Params) -> list[str]:
    """ACR 2022 very-high/high risk criteria that the data can show (no FRAX)."""
    reasons = [f"Osteoporosis on the problem list: {c.display}" for c in facts.conditions_of(Condition.OSTEOPOROSIS)]
    reasons += [f"Prior fragility fracture: {c.display}" for c in facts.conditions_of(Condition.FRAGILITY_FRACTURE)]
    t_score = _latest_t_score(facts)
    if t_score is not None and t_score.value <= params["high_risk_t_score"]:
        level = "very high" if t_score.value <= params["very_high_risk_t_score"] else "high"
        reasons.append(f"{t_score.describe()} ({level} risk)")
    high_dose = params["very_high_risk_mg_per_day"]
    age = facts.patient.age_years or 0
    if age >= 40 and sustained_glucocorticoid(facts, high_dose, params["very_high_risk_days"] + 1):
        reasons.append(
            f"Prednisone-equivalent >= {num(high_dose)} mg/day for > {params['very_high_risk_days']} days, actual or "
            f"planned ({days_at_or_above(facts, high_dose)} days so far): very high risk"
        )
    elif age < 40 and prednisone_equivalent_mg_per_day(facts) >= high_dose:
        reasons.append(f"Prednisone-equivalent >= {num(high_dose)} mg/day under age 40: very high risk")
    cumulative_g = cumulative_prednisone_equivalent_mg(facts, 365) / 1000
    if cumulative_g >= params["very_high_risk_cumulative_g"]:
        reasons.append(f"Cumulative prednisone-equivalent {num(cumulative_g, 1)} g in the last year: very high risk")
    return reasons


def _calcium_vitamin_d(patient: str | None, recommended: bool) -> Suggestion:
    create = new_order(
        patient, CALCIUM_VITAMIN_D_TABLET, "Draft order: calcium carbonate/cholecalciferol 1 tablet twice daily",
        dose_value=1, dose_unit="{tbl}", frequency=2, period=1, period_unit="d",
        text="Calcium carbonate 1250 mg (500 mg calcium) / cholecalciferol 400 units: 1 tablet twice daily with "
        "food; adjust to dietary calcium intake",
    )
    return Suggestion("Order calcium + vitamin D", (create,), is_recommended=recommended)


def _alendronate(patient: str | None) -> Suggestion:
    create = new_order(
        patient, ALENDRONATE_TABLET, "Draft order: alendronic acid 70 mg orally once weekly", dose_value=70,
        dose_unit="mg", frequency=1, period=1, period_unit="wk",
        text="Alendronic acid 70 mg by mouth ONCE WEEKLY, fasting, with a full glass of water, upright for 30 minutes",
    )
    return Suggestion("Order alendronate 70 mg once weekly", (create,), is_recommended=True)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if not facts.is_adult:
        return None
    dose = prednisone_equivalent_mg_per_day(facts)
    if dose < params["min_mg_per_day"]:
        return None
    long_term = facts.has_active_myositis or sustained_glucocorticoid(
        facts, params["min_mg_per_day"], params["min_days"] + 1
    )
    if not long_term:
        return None
    glucocorticoids = maintenance_glucocorticoids(facts)
    supplemented = bool(facts.current({Drug.CALCIUM, Drug.VITAMIN_D}))
    t_score = _latest_t_score(facts)
    recent_bmd = t_score is not None and t_score.when is not None and t_score.when.date() >= days_ago(
        facts, params["bmd_interval_days"]
    )
    high_risk = _high_risk_reasons(facts, params)
    needs_therapy = bool(high_risk) and not facts.current(OSTEOPOROSIS_THERAPY)
    if not needs_therapy and supplemented and recent_bmd:
        return None
    facts_used = [describe(m) for m in glucocorticoids]
    facts_used.append(f"Prednisone-equivalent {num(dose)} mg/day, long-term (myositis treatment or > "
                      f"{params['min_days']} days actual or planned)")
    facts_used += high_risk
    if not supplemented:
        facts_used.append("No calcium or vitamin D supplement on the current regimen")
    if not recent_bmd:
        facts_used.append("No bone density (T-score) result in the last "
                          f"{params['bmd_interval_days']} days visible to this service")
    patient = facts.patient.reference
    assessment = (
        "Fracture-risk assessment: clinical risk factors, BMD with vertebral fracture assessment (or spine X-ray), "
        "GC-adjusted FRAX if aged 40 or over; BMD within 6 months of starting, then every 1-2 years. "
        "DXA reports may not reach this service: verify before ordering."
    )
    if needs_therapy:
        # Renal function, swallowing, pregnancy and allergies are the order-safety check's to judge: it
        # takes alendronate away where it is unsafe, says why and pre-selects calcium and vitamin D instead.
        suggestions = [_alendronate(patient)] + ([] if supplemented else [_calcium_vitamin_d(patient, recommended=False)])
        detail = (
            "High or very high fracture risk on glucocorticoid and no osteoporosis therapy: start osteoporosis "
            "therapy (ACR 2022, strong); agent by shared decision, oral bisphosphonate unless contraindicated; anabolic "
            "agents are conditionally recommended as initial therapy at high and very high risk (specialist "
            "decision)."
            + ("" if supplemented else " Add calcium and vitamin D (adequate, age-appropriate intake).")
            + f"\n\nGuideline: {STATEMENT}"
        )
        return Finding(
            indicator=Indicator.INFO,
            summary="Glucocorticoid at high fracture risk without osteoporosis therapy",
            detail=detail,
            facts_used=tuple(facts_used),
            suggestions=tuple(suggestions),
            about_drafts=draft_references(glucocorticoids),
        )
    detail = (
        "Long-term glucocorticoid: protect bone. "
        + ("Optimise calcium and vitamin D (ACR 2022: adequate, age-appropriate intake; the 1000-1200 mg calcium "
           "and 600-800 IU vitamin D figures are from ACR 2017), weight-bearing exercise, no smoking, limited "
           "alcohol. " if not supplemented else "")
        + assessment
        + f"\n\nGuideline: {STATEMENT}"
    )
    return Finding(
        indicator=Indicator.INFO,
        summary="Long-term glucocorticoid: calcium/vitamin D and fracture-risk assessment (BMD)",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=() if supplemented else (_calcium_vitamin_d(patient, recommended=True),),
        about_drafts=draft_references(glucocorticoids),
    )


RECOMMENDATION = Recommendation(
    id="bone-protection",
    title="Bone protection on long-term glucocorticoid",
    citation=Citation(
        label="2022 ACR guideline for the prevention and treatment of glucocorticoid-induced osteoporosis "
        "(Humphrey et al., Arthritis Rheumatol 2023;75:2088-2102)",
        url="https://doi.org/10.1002/art.42646",
        statement=STATEMENT,
        strength="Strong (initial assessment; treatment at moderate/high/very high risk); secondary reproduction of the guideline table",
    ),
    trigger=(
        "Adult (>= 18) with current prednisone-equivalent >= min_mg_per_day (2.5) that is long-term: active IIM "
        "(induction counts as planned) or > min_days (90) actual or planned. Start therapy: Condition osteoporosis "
        "(M81.x/M80.x, SCT 64859006) or fragility fracture, T-score <= -2.5, >= 30 mg/day for > 30 days (age >= 40) "
        "or >= 30 mg/day (age < 40), or cumulative >= 5 g in 365 days, and no current bisphosphonate, denosumab or "
        "teriparatide. Else: no current calcium or vitamin D, or no T-score within bmd_interval_days"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "min_mg_per_day": Parameter(2.5, "prednisone-equivalent mg/day that starts bone protection",
                                    "docs/evidence.md#bone-protection (ACR 2022)"),
        "min_days": Parameter(90, "duration (days, actual or planned) beyond which glucocorticoid is long-term "
                              "outside myositis induction", "docs/evidence.md#bone-protection (ACR 2022: > 3 months)"),
        "very_high_risk_mg_per_day": Parameter(30, "prednisone-equivalent mg/day that is very high risk",
                                               "docs/evidence.md#bone-protection (ACR 2022)"),
        "very_high_risk_days": Parameter(30, "days above which that dose is very high risk (age >= 40)",
                                         "docs/evidence.md#bone-protection (ACR 2022)"),
        "very_high_risk_cumulative_g": Parameter(5.0, "cumulative prednisone-equivalent grams in a year that is "
                                                 "very high risk", "docs/evidence.md#bone-protection (ACR 2022)"),
        "high_risk_t_score": Parameter(-2.5, "T-score at or below which risk is high", "docs/evidence.md#bone-protection (ACR 2022)"),
        "very_high_risk_t_score": Parameter(-3.5, "T-score at or below which risk is very high",
                                            "docs/evidence.md#bone-protection (ACR 2022)"),
        "bmd_interval_days": Parameter(730, "a T-score older than this is due again (every 1-2 years)",
                                       "docs/evidence.md#bone-protection (ACR 2022: every 1-2 years)"),
    },
    asserts_absence_of=frozenset({"MedicationRequest", "Observation"}),
)
