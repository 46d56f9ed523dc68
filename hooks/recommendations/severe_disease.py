"""Severe myositis (dysphagia; respiratory involvement of unstated kind) without IV methylprednisolone or IVIG.

docs/evidence.md#iv-methylprednisolone (severity indications for IV methylprednisolone pulses) and #severe-disease (dysphagia).
Adults: IV methylprednisolone pulses 0.5-1 g/day for 3 days (eTG; PMC11646336 Table 2);
children: 30 mg/kg/day, maximum 1 g (BSR 2022 paediatric, 1, B, 100%) (secondary source). IVIG 2 g/kg per
course over 2-5 days, indications dysphagia and refractory severe disease (PMC11646336). BSR
2022: all IIM patients should be screened for swallowing difficulties (secondary source); with dysphagia, speech
and language therapy assessment (common practice).

When: active inflammatory myopathy (not IBM) with a dysphagia or respiratory-involvement Condition,
and no IV methylprednisolone or IVIG order that is current, or on record since the onset of that
manifestation (at any time when the onset is not recorded).
Then:
- dysphagia: warning "consider IV methylprednisolone pulses; IVIG for dysphagia; swallowing assessment";
- "with respiratory involvement" (ICD-10-CM M33.x1) without dysphagia and without a separate ILD code:
  information card asking which it is. The code covers interstitial lung disease, respiratory-muscle
  weakness and aspiration; only the last two are the severe muscle disease that calls for rescue
  therapy, ILD has its own treatment. With ILD coded the respiratory involvement is read as the ILD.
On order-select/order-sign the card concerns drafted myositis treatment (glucocorticoid or
steroid-sparing agent) that is not itself a pulse or IVIG. No suggestion: no IV product codes are
verified (the shipped RxNorm list holds oral products only).
"""

from __future__ import annotations

from datetime import date

from fhir_mappings.concepts import STEROID_SPARING_AGENTS, SYSTEMIC_GLUCOCORTICOIDS, Condition, Drug, Route
from fhir_mappings.facts import ClinicalFacts, ConditionFact, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, diagnosis_fact, draft_references, recent_weight_kg
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Params, Recommendation

SEVERE_MANIFESTATIONS = (Condition.DYSPHAGIA, Condition.RESPIRATORY_INVOLVEMENT)
#: Orders that were never given do not count as treatment.
NOT_GIVEN = frozenset({"cancelled", "entered-in-error"})


def _is_rescue_treatment(order: MedicationOrder) -> bool:
    """IV methylprednisolone pulse or IVIG."""
    if order.drug is Drug.IVIG:
        return True
    return order.drug is Drug.METHYLPREDNISOLONE and order.route is Route.INTRAVENOUS


def _onset(manifestations: tuple[ConditionFact, ...]) -> date | None:
    """Earliest recorded onset; None when any manifestation has no onset (then any past order counts)."""
    onsets = [c.onset for c in manifestations]
    if any(o is None for o in onsets):
        return None
    return min(o for o in onsets if o is not None)


def _treated(facts: ClinicalFacts, since: date | None) -> bool:
    if any(_is_rescue_treatment(m) for m in facts.current()):
        return True
    for order in facts.history((Drug.METHYLPREDNISOLONE, Drug.IVIG)):
        if not _is_rescue_treatment(order) or order.status in NOT_GIVEN:
            continue
        if since is None or order.start is None or order.start >= since:
            return True
    return False


def _pulse_dose(facts: ClinicalFacts) -> str:
    if facts.is_child:
        weight = recent_weight_kg(facts)
        if weight is None:
            return "30 mg/kg/day (maximum 1 g) for 3 days (a recent weight is needed to compute the dose)"
        return f"30 mg/kg/day (maximum 1 g) for 3 days = {num(min(30 * weight, 1000))} mg/day at {num(weight)} kg"
    return "0.5-1 g/day for 3 days"


def _ivig_dose(facts: ClinicalFacts) -> str:
    weight = recent_weight_kg(facts)
    if weight is None:
        return "2 g/kg per course over 2-5 days (a recent weight is needed to compute the dose)"
    return f"2 g/kg per course over 2-5 days = {num(2 * weight)} g at {num(weight)} kg"


RESPIRATORY_QUESTION = (
    "Myositis **with respiratory involvement** is coded (ICD-10-CM M33.x1), which covers interstitial lung disease, "
    "respiratory-muscle weakness and aspiration. Which is it? Record it with a specific code:\n\n"
    "- **Interstitial lung disease**: lung function with FVC and DLCO, HRCT; ILD-directed immunosuppression.\n"
    "- **Respiratory-muscle weakness or aspiration**: severe myositis; vital capacity and blood gases, a low "
    "threshold for high-dependency care, and rescue treatment (IV methylprednisolone pulses, IVIG)."
)


def _respiratory_question(facts: ClinicalFacts, manifestations: tuple[ConditionFact, ...]) -> Finding:
    return Finding(
        indicator=Indicator.INFO,
        summary="Myositis with respiratory involvement coded: ILD, respiratory-muscle weakness or aspiration?",
        detail=RESPIRATORY_QUESTION + "\n\nBasis: ICD-10-CM M33.x1 'with respiratory involvement'; BSR 2022 "
        "(severe disease, ILD); IIM treatment review 2024, Table 2.",
        facts_used=(diagnosis_fact(facts), *(f"{c.display} ({c.code})" for c in manifestations),
                    "No interstitial lung disease coded separately"),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    manifestations = facts.conditions_of(*SEVERE_MANIFESTATIONS)
    if not manifestations:
        return None
    if _treated(facts, _onset(manifestations)):
        return None
    dysphagia = facts.has_condition(Condition.DYSPHAGIA)
    ild = facts.has_condition(Condition.INTERSTITIAL_LUNG_DISEASE)  # then M33.x1 is read as the ILD
    respiratory = facts.has_condition(Condition.RESPIRATORY_INVOLVEMENT) and not ild
    if not dysphagia:
        return _respiratory_question(facts, manifestations) if respiratory else None
    treatment = facts.current(SYSTEMIC_GLUCOCORTICOIDS | STEROID_SPARING_AGENTS)
    facts_used = [diagnosis_fact(facts)]
    facts_used += [
        f"{c.display} ({c.code})" + (f", onset {c.onset.isoformat()}" if c.onset else "") for c in manifestations
    ]
    facts_used += [describe(m) for m in treatment]
    facts_used.append("No IV methylprednisolone or IVIG order since the onset of this manifestation")
    lines = [
        "Severe myositis: "
        + " and ".join(
            name for name, present in (("dysphagia", dysphagia), ("respiratory involvement", respiratory)) if present
        )
        + " coded, and no IV methylprednisolone pulse or IVIG on record. Consider rescue treatment:",
        "",
        f"- **IV methylprednisolone pulses**: {_pulse_dose(facts)}, then high-dose oral glucocorticoid.",
        f"- **IVIG**: {_ivig_dose(facts)}; an option particularly for dysphagia and refractory severe disease "
        "(check renal function and thrombosis risk).",
    ]
    if dysphagia:
        lines.append(
            "- **Swallowing assessment** by speech and language therapy (aspiration risk, diet texture, nutrition); "
            "oral tablets may not be swallowed safely."
        )
    if respiratory:
        lines.append(
            "- **Respiratory involvement** (M33.x1: ILD, respiratory-muscle weakness or aspiration, not stated "
            "which): vital capacity and blood gases when weak, a low threshold for high-dependency care; assess for "
            "ILD (lung function with DLCO, HRCT); record which it is."
        )
    lines += [
        "",
        "If a pulse or IVIG has already been given, dismiss this card: completed orders and "
        "MedicationAdministrations may not reach this service, which reads current MedicationRequests.",
        "",
        "Basis: IV methylprednisolone 0.5-1 g/day x 3 days (eTG; 2024 IIM review table, PMC11646336); children "
        "30 mg/kg/day, maximum 1 g (BSR 2022, 1, B); IVIG 2 g/kg for dysphagia and refractory severe disease "
        "(PMC11646336); BSR 2022: screen all IIM patients for swallowing difficulties.",
    ]
    return Finding(
        indicator=Indicator.WARNING,
        summary="Severe myositis (dysphagia/respiratory) without IV methylprednisolone or IVIG: "
        "consider rescue therapy",
        detail="\n".join(lines),
        facts_used=tuple(facts_used),
        about_drafts=draft_references(treatment),
    )


RECOMMENDATION = Recommendation(
    id="severe-disease",
    title="Severe myositis: IV methylprednisolone pulses, IVIG and swallowing assessment",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022); IIM treatment review "
        "2024 (PMC11646336, Table 2)",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336/",
        statement="Severe disease (dysphagia, respiratory involvement): IV methylprednisolone 0.5-1 g/day for 3 days "
        "(children 30 mg/kg/day, maximum 1 g); IVIG 2 g/kg per course for dysphagia and refractory severe disease; "
        "screen all patients for swallowing difficulties.",
        strength="BSR paediatric pulses 1, B, 100% (secondary source); adult pulse and IVIG doses from review table; "
        "swallowing screening BSR (secondary source)",
    ),
    trigger=(
        "Active IIM Condition (not IBM) + dysphagia Condition (R13.1x, SCT 40739000/71457002): warning; or "
        "respiratory involvement Condition (M33.x1) without dysphagia and without an ILD Condition: info asking "
        "which; either with no methylprednisolone MedicationRequest with route intravenous and no "
        "immune globulin MedicationRequest that is current or on record since the manifestation's onset (any time "
        "if no onset)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    escalates_immunosuppression=True,
    asserts_absence_of=frozenset({"MedicationRequest"}),
)
