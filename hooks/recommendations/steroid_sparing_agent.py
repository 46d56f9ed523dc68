"""Steroid-sparing agent for glucocorticoid monotherapy (docs/evidence.md#steroid-sparing-agent).

BSR 2022: "DMARDs should be used" alongside glucocorticoids in IIM (1, C, 100%); adult options
methotrexate, azathioprine, tacrolimus, ciclosporin or mycophenolate (2, C, 96%). SHARE 2017
(juvenile DM): induction is high-dose glucocorticoid plus methotrexate (1B, A, 100%).

When: active inflammatory myopathy (not IBM) and a current systemic glucocorticoid, and no
current methotrexate, azathioprine, mycophenolate, tacrolimus, ciclosporin, rituximab,
cyclophosphamide or IVIG; and either glucocorticoid exposure of at least `min_days` days
(cumulative, gaps not counted), or from day 0 when the disease is necrotizing (IMNM, anti-HMGCR or
anti-SRP positive) or there is interstitial lung disease.
Then: warning "add a steroid-sparing agent", critical for necrotizing myopathy beyond
`necrotizing_critical_days` (docs/evidence.md#choices), with one-click draft orders: methotrexate
15 mg once weekly (recommended unless ILD or skin-predominant disease), azathioprine, mycophenolate
mofetil 500 mg twice daily (recommended with ILD or skin-predominant disease). The order-safety
check leaves out methotrexate and mycophenolate in pregnancy, planned pregnancy or breastfeeding
and pre-selects azathioprine instead.
"""

from __future__ import annotations

from fhir_mappings.concepts import (
    NECROTIZING_MYOPATHY_ANTIBODIES,
    STEROID_SPARING_AGENTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    Condition,
    MyositisSubtype,
)
from fhir_mappings.facts import ClinicalFacts
from hooks.actions import new_order, start_azathioprine, start_mycophenolate
from hooks.criteria import describe, diagnosis_fact, glucocorticoid_days, lung_involvement
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Course,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)

METHOTREXATE_TABLET = ("105585", "Methotrexate 2.5 MG Oral Tablet")


def _necrotizing(facts: ClinicalFacts) -> bool:
    return facts.myositis is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING or bool(
        facts.positive_antibodies(NECROTIZING_MYOPATHY_ANTIBODIES)
    )


def _suggestions(facts: ClinicalFacts) -> tuple[Suggestion, ...]:
    """The three first-line agents; pregnancy, kidneys, liver and the rest are the order-safety check's
    (hooks/order_safety), which leaves out methotrexate and mycophenolate in pregnancy and pre-selects
    azathioprine in their place."""
    ild = facts.has_condition(Condition.INTERSTITIAL_LUNG_DISEASE)
    skin = facts.has_condition(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS)
    patient = facts.patient.reference
    methotrexate = new_order(
        patient, METHOTREXATE_TABLET, "Draft order: methotrexate 15 mg orally once weekly", dose_value=15,
        dose_unit="mg", frequency=1, period=1, period_unit="wk",
        text="Methotrexate 15 mg by mouth ONCE WEEKLY (6 x 2.5 mg tablets)",
    )
    azathioprine = start_azathioprine(patient, "Draft order: azathioprine 50 mg orally once daily")
    mycophenolate = start_mycophenolate(patient, "Draft order: mycophenolate mofetil 500 mg orally twice daily")
    return (
        Suggestion(label="Order methotrexate 15 mg once weekly", actions=(methotrexate,),
                   is_recommended=not (ild or skin)),
        Suggestion(label="Order azathioprine 50 mg daily (check TPMT/NUDT15 first)", actions=(azathioprine,)),
        Suggestion(label="Order mycophenolate mofetil 500 mg twice daily", actions=(mycophenolate,),
                   is_recommended=ild or skin),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    glucocorticoids = facts.current(SYSTEMIC_GLUCOCORTICOIDS)
    if not glucocorticoids or facts.current(STEROID_SPARING_AGENTS):
        return None
    days = glucocorticoid_days(facts)
    necrotizing = _necrotizing(facts)
    ild = bool(lung_involvement(facts))
    if days < params["min_days"] and not (necrotizing or ild):
        return None
    indicator = Indicator.WARNING
    if necrotizing and days > params["necrotizing_critical_days"]:
        indicator = Indicator.CRITICAL
    reasons = []
    if necrotizing:
        reasons.append("necrotizing myopathy (IMNM / anti-HMGCR / anti-SRP) needs combination therapy from the outset")
    if ild:
        reasons.append("interstitial lung disease needs combination therapy from the outset")
    facts_used = [diagnosis_fact(facts)]
    facts_used += [describe(m) for m in glucocorticoids]
    facts_used.append(f"Glucocorticoid exposure so far: {days} days; no steroid-sparing agent on the current regimen")
    facts_used += [f"{ab.value} positive" for ab in facts.positive_antibodies(NECROTIZING_MYOPATHY_ANTIBODIES)]
    if ild:
        facts_used.append("Interstitial lung disease on the problem list")
    child = facts.is_child
    detail = (
        "Glucocorticoid monotherapy: add a steroid-sparing agent (DMARD) to control the myositis and reduce "
        "the steroid burden. BSR 2022: DMARDs should be used (grade 1C); adult options are methotrexate, "
        "azathioprine, mycophenolate, tacrolimus or ciclosporin."
        + (" SHARE 2017 (juvenile DM): induction is high-dose glucocorticoid **plus methotrexate** "
           "(15-20 mg/m²/week, maximum 40 mg/week)." if child else "")
        + ("\n\nStart now: " + "; ".join(reasons) + "." if reasons else "")
        + "\n\nChoice of agent: methotrexate is the usual first choice; azathioprine is preferred when pregnancy "
        "is planned or present (methotrexate and mycophenolate are teratogenic); mycophenolate is commonly preferred "
        "with ILD or predominant skin disease. Check TPMT/NUDT15 before azathioprine and baseline blood count, "
        "liver and renal function and hepatitis serology before any of them."
    )
    return Finding(
        indicator=indicator,
        summary="Glucocorticoid monotherapy in myositis: add a steroid-sparing agent",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=() if child else _suggestions(facts),
        about_drafts=tuple(m.reference or m.display for m in glucocorticoids if m.is_draft),
    )


RECOMMENDATION = Recommendation(
    id="steroid-sparing-agent",
    title="Add a steroid-sparing agent to glucocorticoid therapy",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="DMARDs should be used alongside glucocorticoids to control myositis and spare steroids; "
        "adult options methotrexate, azathioprine, tacrolimus, ciclosporin or mycophenolate.",
        strength="BSR 1, C, 100% (use DMARDs); 2, C, 96% (choice); SHARE JDM 1B, A, 100%",
    ),
    trigger=(
        "Active IIM Condition (not IBM) + current systemic glucocorticoid (prednisone, prednisolone, "
        "methylprednisolone, dexamethasone, hydrocortisone) with cumulative exposure >= min_days, or any exposure "
        "with IMNM/anti-HMGCR/anti-SRP positive or ILD; and no current methotrexate, azathioprine, mycophenolate, "
        "tacrolimus, ciclosporin, rituximab, cyclophosphamide or IVIG"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    plan="Glucocorticoid plan",
    evaluate=evaluate,
    parameters={
        "min_days": Parameter(14, "days of glucocorticoid exposure before the card fires", "docs/evidence.md#steroid-sparing-agent"),
        "necrotizing_critical_days": Parameter(
            28, "days of monotherapy in necrotizing myopathy after which the card is critical", "docs/evidence.md#choices"
        ),
    },
    escalates_immunosuppression=True,
    asserts_absence_of=frozenset({"MedicationRequest"}),
    course=Course.AGENTS,
)
