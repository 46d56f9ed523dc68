"""Assess for interstitial lung disease in antibody-defined high-risk myositis (docs/evidence.md#ild-assessment).

Anti-synthetase (anti-Jo-1, PL-7, PL-12, EJ, OJ) and anti-MDA5 antibodies mark a high risk of
interstitial lung disease (ILD), anti-MDA5 of rapidly progressive ILD; anti-Ro52 in IIM, especially
with anti-Jo-1 or anti-MDA5, is associated with more ILD, rapidly progressive ILD and higher mortality
[PMID 35148366; J Rheumatol 2022 doi:10.3899/jrheum.220139; Arthritis Res Ther 2024
doi:10.1186/s13075-024-03382-x]. No graded guideline statement was retrieved (BSR 2022 covers ILD
screening; exact wording not retrievable, docs/evidence.md#refractory-disease).

When: active inflammatory myopathy, and an anti-synthetase, anti-MDA5 or anti-Ro52 antibody
positive (or an antisynthetase-syndrome diagnosis), and no ILD Condition and no lung-function
result on record.
Then: info "assess for ILD: lung function with FVC and DLCO, HRCT". HRCT and lung-function
reports usually arrive as DiagnosticReport/Procedure, which this service does not receive, so the
card asks to record them when done elsewhere. Patient-view only.
"""

from __future__ import annotations

from fhir_mappings.concepts import ANTISYNTHETASE_ANTIBODIES, Antibody, Lab, MyositisSubtype, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import lung_involvement
from hooks.recommendation import PATIENT_VIEW, Citation, Finding, Indicator, Params, Recommendation

ILD_RISK_ANTIBODIES = (*sorted(ANTISYNTHETASE_ANTIBODIES), Antibody.MDA5, Antibody.RO52)


def _risk_markers(facts: ClinicalFacts) -> list[str]:
    markers = [
        next(r for r in facts.results_of(antibody) if r.interpretation is Qualitative.POSITIVE).describe()
        for antibody in facts.positive_antibodies(ILD_RISK_ANTIBODIES)
    ]
    if facts.myositis is MyositisSubtype.ANTISYNTHETASE:
        markers.insert(0, "Diagnosis: antisynthetase syndrome")
    return markers


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    markers = _risk_markers(facts)
    if not markers:
        return None
    if lung_involvement(facts) or facts.results_of(Lab.LUNG_FUNCTION):
        return None
    mda5 = facts.antibody(Antibody.MDA5) is Qualitative.POSITIVE
    ro52 = facts.antibody(Antibody.RO52) is Qualitative.POSITIVE
    detail = (
        "This antibody profile or diagnosis carries a high risk of interstitial lung disease (ILD), and no ILD "
        "diagnosis or lung-function result is on record. Assess for ILD:\n\n"
        "- **Lung function tests** including FVC and DLCO (gas transfer);\n"
        "- **High-resolution CT** of the chest;\n"
        "- ask about cough and exertional breathlessness; oxygen saturation at rest and on exertion.\n\n"
        + ("**Anti-MDA5 positive:** risk of rapidly progressive ILD; assess promptly.\n\n" if mda5 else "")
        + ("**Anti-Ro52 is not a marker of milder disease:** in IIM (especially with anti-Jo-1 or anti-MDA5) it is "
           "associated with more ILD, rapidly progressive ILD and higher mortality.\n\n" if ro52 else "")
        + "If HRCT or lung-function tests were done elsewhere, record the result or an ILD diagnosis: this "
        "service cannot see imaging or lung-function reports (DiagnosticReport/Procedure).\n\n"
        "Basis: cohort evidence (secondary sources), no graded guideline statement retrieved. docs/evidence.md#ild-assessment."
    )
    facts_used = markers + ["No interstitial lung disease Condition and no lung-function result on record"]
    return Finding(
        indicator=Indicator.INFO,
        summary="High ILD risk without an ILD assessment: lung function (FVC, DLCO) and HRCT",
        detail=detail,
        facts_used=tuple(facts_used),
    )


RECOMMENDATION = Recommendation(
    id="ild-assessment",
    title="Assess for interstitial lung disease with ILD-associated antibodies",
    citation=Citation(
        label="Anti-Ro52 and ILD in IIM: PMID 35148366; J Rheumatol 2022; Arthritis Res Ther 2024",
        url="https://pubmed.ncbi.nlm.nih.gov/35148366/",
        statement="Anti-synthetase, anti-MDA5 and anti-Ro52 antibodies in IIM are associated with interstitial "
        "lung disease, rapidly progressive ILD and higher mortality; assess with lung function (FVC, DLCO) and HRCT.",
        strength="Cohort evidence (secondary source); no guideline grade retrieved (expert opinion)",
    ),
    trigger=(
        "Active IIM Condition + positive anti-Jo-1/PL-7/PL-12/EJ/OJ, anti-MDA5 or anti-Ro52 Observation (or an "
        "antisynthetase-syndrome Condition, SCT 445187004/838366009/1144974009) + no interstitial lung disease "
        "Condition (J84.x, SCT 233703007) + no lung-function Observation on record"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    asserts_absence_of=frozenset({"Condition", "Observation"}),
)
