"""Assess for interstitial lung disease in antibody-defined high-risk myositis (docs/evidence.md#ild-assessment).

Anti-synthetase (anti-Jo-1, PL-7, PL-12, EJ, OJ) and anti-MDA5 antibodies mark a high risk of
interstitial lung disease (ILD), anti-MDA5 of rapidly progressive ILD; anti-Ro52 in IIM, especially
with anti-Jo-1 or anti-MDA5, is associated with more ILD, rapidly progressive ILD and higher mortality
[PMID 35148366; J Rheumatol 2022 doi:10.3899/jrheum.220139; Arthritis Res Ther 2024
doi:10.1186/s13075-024-03382-x]. No graded guideline statement was retrieved (BSR 2022 covers ILD
screening; exact wording not retrievable, docs/evidence.md#refractory-disease).

Monitoring of myositis-ILD: the 2023 ACR/CHEST screening and monitoring guideline (Johnson et al.,
Arthritis Rheumatol 2024;76:1201-1213) suggests lung function tests (spirometry, lung volumes, DLCO)
every 3-6 months in the first year for IIM-ILD, then less frequently once stable (conditional).

When: active inflammatory myopathy, and
- an ILD Condition (or myositis "with respiratory involvement", M33.x1, read as possible ILD:
  `criteria.lung_involvement`), and no lung function test (Observation, or a Procedure, DiagnosticReport or
  ServiceRequest done or ordered) within `first_year_interval_days` when the ILD was diagnosed within
  the last year, else within `stable_interval_days` (also when its date is not recorded) -> info
  "lung function due";
- no such Condition, an anti-synthetase, anti-MDA5 or anti-Ro52 antibody positive (or an
  antisynthetase-syndrome diagnosis), and no lung function test on record -> info "assess for ILD:
  lung function with FVC and DLCO, HRCT".
Anti-MDA5 without combination therapy is left to the anti-mda5-rp-ild card (both cases), which asks
for the same lung assessment more urgently.
Patient-view only.
"""

from __future__ import annotations

from fhir_mappings.concepts import ANTISYNTHETASE_ANTIBODIES, Antibody, MyositisSubtype, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import latest_lung_function_test, lung_involvement, on_ild_combination_therapy
from hooks.recommendation import PATIENT_VIEW, Citation, Course, Finding, Indicator, Parameter, Params, Recommendation

ILD_RISK_ANTIBODIES = (*sorted(ANTISYNTHETASE_ANTIBODIES), Antibody.MDA5, Antibody.RO52)


def _risk_markers(facts: ClinicalFacts) -> list[str]:
    markers = [
        next(r for r in facts.results_of(antibody) if r.interpretation is Qualitative.POSITIVE).describe()
        for antibody in facts.positive_antibodies(ILD_RISK_ANTIBODIES)
    ]
    if facts.myositis is MyositisSubtype.ANTISYNTHETASE:
        markers.insert(0, "Diagnosis: antisynthetase syndrome")
    return markers


def _monitoring(facts: ClinicalFacts, params: Params) -> Finding | None:
    """IIM-ILD on record: lung function every 3-6 months in the first year, then less often once stable."""
    ild = lung_involvement(facts)
    onsets = [c.onset for c in ild if c.onset]
    diagnosed = min(onsets) if onsets else None
    first_year = diagnosed is not None and (facts.today - diagnosed).days <= 365
    interval = params["first_year_interval_days" if first_year else "stable_interval_days"]
    latest = latest_lung_function_test(facts)
    if latest is not None and latest[0] is not None and (facts.today - latest[0]).days <= interval:
        return None
    facts_used = [f"Interstitial lung disease or respiratory involvement: {c.display}" for c in ild]
    facts_used.append(f"ILD diagnosed {diagnosed.isoformat()}" if diagnosed else
                      "ILD diagnosis date not recorded: the interval after the first year applies")
    facts_used.append(f"Last lung function test: {latest[1]}" if latest else "No lung function test on record")
    phase = "in the first year after diagnosis" if first_year else "once stable, after the first year"
    return Finding(
        indicator=Indicator.INFO,
        summary="Myositis-ILD: lung function (spirometry, lung volumes, DLCO) is due",
        detail=(
            f"No lung function test in the last {interval} days ({phase}). ACR/CHEST 2023 suggests lung function "
            "tests every 3-6 months in the first year of IIM-ILD, then less frequently once stable, with HRCT when "
            "clinically indicated and ambulatory desaturation testing every 3-12 months (conditional "
            "recommendations). Record the result, or a test done elsewhere, so that it counts."
        ),
        facts_used=tuple(facts_used),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.antibody(Antibody.MDA5) is Qualitative.POSITIVE and not on_ild_combination_therapy(facts):
        return None  # anti-mda5-rp-ild asks for the lung assessment, urgently
    if lung_involvement(facts):
        return _monitoring(facts, params)
    markers = _risk_markers(facts)
    if not markers or latest_lung_function_test(facts) is not None:
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
        + "If HRCT or lung-function tests were done elsewhere, record the result or an ILD diagnosis so that it "
        "counts.\n\n"
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
        label="Anti-Ro52 and ILD in IIM: PMID 35148366; J Rheumatol 2022; Arthritis Res Ther 2024; 2023 ACR/CHEST "
        "guideline for screening and monitoring of ILD in SARDs (Johnson et al., Arthritis Rheumatol "
        "2024;76:1201-1213, doi:10.1002/art.42860)",
        url="https://pubmed.ncbi.nlm.nih.gov/35148366/",
        statement="Anti-synthetase, anti-MDA5 and anti-Ro52 antibodies in IIM are associated with interstitial "
        "lung disease, rapidly progressive ILD and higher mortality; assess with lung function (FVC, DLCO) and HRCT. "
        "ACR/CHEST 2023: for IIM-ILD, lung function tests every 3-6 months in the first year, then less frequently "
        "once stable.",
        strength="Cohort evidence (secondary source) for the antibodies, no guideline grade retrieved; ACR/CHEST "
        "2023 monitoring: conditional recommendation",
    ),
    trigger=(
        "Active IIM Condition + positive anti-Jo-1/PL-7/PL-12/EJ/OJ, anti-MDA5 or anti-Ro52 Observation (or an "
        "antisynthetase-syndrome Condition, SCT 445187004/838366009/1144974009) + no interstitial lung disease "
        "Condition (J84.x, SCT 233703007) or myositis with respiratory involvement (M33.x1) + no lung-function Observation or test (Procedure, DiagnosticReport, "
        "ServiceRequest) on record; or an ILD (or M33.x1) Condition and no lung-function test within first_year_interval_days "
        "(ILD onset within a year) or stable_interval_days (later, or onset not recorded)"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "first_year_interval_days": Parameter(
            183, "lung function is due when the last test is older than this, in the first year of IIM-ILD (days)",
            "ACR/CHEST 2023: every 3-6 months in the first year (the upper end, 6 months)"),
        "stable_interval_days": Parameter(
            365, "lung function is due when the last test is older than this, after the first year (days)",
            "policy choice: ACR/CHEST 2023 says 'less frequently once stable' without a figure"),
    },
    # Both cards rest on a missing lung function test (results, procedures, reports, orders); the risk card
    # also on a missing ILD diagnosis.
    asserts_absence_of=frozenset({"Condition", "Observation", "Procedure", "DiagnosticReport", "ServiceRequest"}),
    course=Course.LUNG,
)
