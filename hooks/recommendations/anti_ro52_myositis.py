"""Myositis with anti-SSA/Ro52 (52 kD) IgG: treat as standard IIM, do not de-escalate.

The clinical question: treatment of myositis associated with anti-SS-A/Ro52 (52 kD) IgG.
Its answer (high-dose glucocorticoid plus methotrexate) matches BSR 2022: glucocorticoid 0.5-1
mg/kg/day, usually 40-60 mg (1, B, 100%), with a DMARD (1, C, 100%). Its "special considerations"
(SS-A positive myositis is milder and responds to moderate prednisolone) are **not** followed
(docs/evidence.md#anti-ro52): they rest on a single case report of myositis in
primary Sjögren's syndrome, while cohorts link anti-Ro52 in IIM (especially with anti-Jo-1 or
anti-MDA5) to more ILD, rapidly progressive ILD and higher mortality [PMID 35148366; J Rheumatol
2022 doi:10.3899/jrheum.220139; Arthritis Res Ther 2024 doi:10.1186/s13075-024-03382-x].

When: active inflammatory myopathy (not IBM), anti-Ro52 positive, a current systemic glucocorticoid
(on record or draft) and no current steroid-sparing agent: the "moderate glucocorticoid alone"
regimen that the milder-course statement would suggest.
Then: info "standard induction applies; do not de-escalate on anti-Ro52; assess for ILD and for
Sjögren overlap". On order-select/order-sign the card concerns the drafted glucocorticoid.
"""

from __future__ import annotations

from fhir_mappings.concepts import (
    STEROID_SPARING_AGENTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    Antibody,
    Condition,
    Lab,
    Qualitative,
)
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.numbers import num
from hooks.criteria import describe, diagnosis_fact, draft_references, prednisone_equivalent_mg_per_day
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Params, Recommendation


def _dose_facts(facts: ClinicalFacts) -> list[str]:
    """The maintenance dose in prednisone equivalents (none for IV pulses or uninterpretable doses)."""
    mg = prednisone_equivalent_mg_per_day(facts)
    if mg <= 0:
        return []
    if facts.weight_kg is None:
        return [f"Prednisone-equivalent dose: {num(mg)} mg/day (no weight on record)"]
    return [f"Prednisone-equivalent dose: {num(mg)} mg/day = {num(mg / facts.weight_kg.value)} mg/kg/day"]


def _assessments(facts: ClinicalFacts) -> str:
    if facts.has_condition(Condition.INTERSTITIAL_LUNG_DISEASE):
        ild = ("- **ILD is on the problem list:** myositis-associated ILD needs combination therapy from the "
               "outset; follow lung function (FVC, DLCO) and HRCT.\n")
    elif facts.results_of(Lab.LUNG_FUNCTION):
        ild = "- **ILD:** lung function is on record; repeat it and HRCT if respiratory symptoms appear.\n"
    else:
        ild = "- **Assess for ILD:** lung function with FVC and DLCO, and HRCT of the chest.\n"
    if facts.has_condition(Condition.SJOGREN):
        sjogren = ("- **Sjögren's syndrome is on the problem list:** manage the overlap (glandular and "
                   "extraglandular).\n")
    else:
        sjogren = ("- **Assess for Sjögren overlap:** sicca symptoms, anti-Ro60/SSA and anti-La/SSB, Schirmer test, "
                   "salivary assessment.\n")
    return ild + sjogren


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.antibody(Antibody.RO52) is not Qualitative.POSITIVE:
        return None
    glucocorticoids = facts.current(SYSTEMIC_GLUCOCORTICOIDS)
    if not glucocorticoids or facts.current(STEROID_SPARING_AGENTS):
        return None
    positive = next(r for r in facts.results_of(Antibody.RO52) if r.interpretation is Qualitative.POSITIVE)
    facts_used = [diagnosis_fact(facts)]
    facts_used.append(positive.describe())
    facts_used += [describe(m) for m in glucocorticoids]
    facts_used += _dose_facts(facts)
    facts_used.append("No steroid-sparing agent on the current regimen")
    detail = (
        "**Anti-Ro52 (SS-A 52 kD) positive myositis is treated like other inflammatory myopathy.** Standard "
        "induction applies: high-dose glucocorticoid, prednis(ol)one 0.5-1 mg/kg/day (usually 40-60 mg/day; "
        "BSR 2022, 1, B), **plus a steroid-sparing agent** (methotrexate, azathioprine or mycophenolate; BSR 2022, "
        "1, C). Do not lower the glucocorticoid dose or withhold the steroid-sparing agent because of anti-Ro52.\n\n"
        + _assessments(facts)
        + "\n**Why the 'milder course' statement is not followed.** A clinical summary of this question states "
        "that SS-A positive myositis is milder and responds to moderate doses of prednisolone. That statement "
        "rests on a single case report of myositis in primary Sjögren's syndrome; no guideline supports it. "
        "Cohort studies show the opposite for anti-Ro52 in inflammatory myopathy, especially with anti-Jo-1 or "
        "anti-MDA5: more interstitial lung disease, more rapidly progressive ILD and higher mortality. The "
        "primary guideline (BSR 2022) and the cohort evidence therefore take precedence: anti-Ro52 is used only "
        "to prompt ILD assessment, never to de-escalate.\n\n"
        "Basis: BSR 2022 (Oldroyd et al., doi:10.1093/rheumatology/keac115) for induction; PMID 35148366, "
        "J Rheumatol 2022 (doi:10.3899/jrheum.220139) and Arthritis Res Ther 2024 (doi:10.1186/s13075-024-03382-x) "
        "for anti-Ro52 and ILD (secondary sources). docs/evidence.md#anti-ro52."
    )
    return Finding(
        indicator=Indicator.INFO,
        summary="Anti-Ro52 myositis: standard induction applies, do not de-escalate; assess ILD and Sjögren overlap",
        detail=detail,
        facts_used=tuple(facts_used),
        about_drafts=draft_references(glucocorticoids),
    )


RECOMMENDATION = Recommendation(
    id="anti-ro52-myositis",
    title="Anti-Ro52 myositis: standard induction, no de-escalation, ILD and Sjögren assessment",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022); anti-Ro52 cohort "
        "studies (PMID 35148366; J Rheumatol 2022; Arthritis Res Ther 2024)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="Induction with high-dose glucocorticoid (0.5-1 mg/kg/day, usually 40-60 mg) plus a DMARD; "
        "anti-Ro52 in IIM is associated with more ILD, rapidly progressive ILD and higher mortality, so it must "
        "not drive de-escalation.",
        strength="BSR 1, B, 100% (glucocorticoid); 1, C, 100% (DMARD); anti-Ro52 prognosis: cohort evidence (secondary source)",
    ),
    trigger=(
        "Active IIM Condition (not IBM) + positive anti-Ro52 (TRIM21) Observation + current systemic glucocorticoid "
        "(on record or draft) + no current methotrexate, azathioprine, mycophenolate, tacrolimus, ciclosporin, "
        "rituximab, cyclophosphamide or IVIG"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    escalates_immunosuppression=True,
    asserts_absence_of=frozenset({"MedicationRequest"}),
)
