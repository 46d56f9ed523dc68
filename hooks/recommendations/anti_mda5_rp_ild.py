"""Anti-MDA5 positive myositis: risk of rapidly progressive ILD (ACR/CHEST 2023; docs/evidence.md#anti-mda5-rp-ild).

Anti-MDA5 dermatomyositis carries the highest risk of rapidly progressive interstitial lung disease
(RP-ILD) of the myositis antibodies. ACR/CHEST 2023 treatment guideline (Johnson et al.): for
SARD-ILD, mycophenolate, azathioprine, rituximab and cyclophosphamide are first-line options
(conditional) and methotrexate is conditionally recommended against as an ILD treatment; for
rapidly progressive ILD in IIM, IV pulse glucocorticoids plus two further agents (rituximab,
calcineurin inhibitor, IVIG, cyclophosphamide, mycophenolate) as combination therapy (conditional).
ACR/CHEST 2023 screening guideline: people with IIM are at increased risk of ILD; screen with lung
function tests (spirometry, lung volumes, DLCO) and HRCT.

When: active IIM, an anti-MDA5 Observation positive, and not on combination therapy. With ILD that is
two ILD-directed agents (mycophenolate, azathioprine, tacrolimus, ciclosporin, cyclophosphamide,
rituximab, IVIG) besides the glucocorticoid, as ACR/CHEST 2023 asks for anti-MDA5 ILD; without ILD, a
systemic glucocorticoid with one such agent, or two agents. Methotrexate does not count, it is not an
ILD treatment in this guideline:
- with an ILD Condition (or myositis "with respiratory involvement", M33.x1, read as possible ILD:
  `criteria.lung_involvement`) and no ILD-directed agent (a glucocorticoid alone or nothing) -> critical
  (early combination therapy, urgent lung assessment);
- with an ILD Condition and one ILD-directed agent (with or without a glucocorticoid) -> warning
  (combination therapy);
- without an ILD Condition and no lung function test within `lung_assessment_window_days` ->
  warning (urgent lung assessment: lung function and HRCT now). The ild-assessment card leaves
  this case to this one, so the assessment is asked for once.
Combination therapy on record is silent.
"""

from __future__ import annotations

from fhir_mappings.concepts import SYSTEMIC_GLUCOCORTICOIDS, Antibody, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import (
    ILD_DIRECTED_AGENTS,
    describe,
    diagnosis_fact,
    draft_references,
    latest_lung_function_test,
    lung_involvement,
    on_ild_combination_therapy,
)
from hooks.recommendation import ALL_HOOKS, Citation, Course, Finding, Indicator, Parameter, Params, Recommendation

STATEMENT = (
    "ACR/CHEST 2023: for SARD-ILD, mycophenolate, azathioprine, rituximab and cyclophosphamide are first-line "
    "options and methotrexate is not recommended as ILD treatment; for rapidly progressive ILD in IIM, IV pulse "
    "glucocorticoids plus two further agents (rituximab, calcineurin inhibitor, IVIG, cyclophosphamide, "
    "mycophenolate). People with IIM at risk of ILD are screened with lung function tests and HRCT."
)
COMBINATION = (
    "Start combination therapy early: IV pulse glucocorticoid plus two of rituximab, a calcineurin inhibitor "
    "(tacrolimus or ciclosporin), IVIG, cyclophosphamide or mycophenolate, with the lung team."
)
ASSESSMENT = (
    "Urgent lung assessment: lung function with FVC and DLCO, HRCT of the chest, oxygen saturation at rest and on "
    "exertion; review again within weeks, as ILD in anti-MDA5 disease can progress over days."
)


def _recent_lung_function(facts: ClinicalFacts, window_days: int) -> bool:
    latest = latest_lung_function_test(facts)
    return latest is not None and latest[0] is not None and (facts.today - latest[0]).days <= window_days


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.antibody(Antibody.MDA5) is not Qualitative.POSITIVE:
        return None
    ild = lung_involvement(facts)
    agents = {m.drug for m in facts.current(ILD_DIRECTED_AGENTS)}
    # With ILD, combination means two ILD-directed agents besides the glucocorticoid (ACR/CHEST 2023: pulse
    # glucocorticoid plus two or more agents in anti-MDA5 ILD); without ILD, any combination will do.
    if (ild and len(agents) >= 2) or (not ild and on_ild_combination_therapy(facts)):
        return None
    if not ild and _recent_lung_function(facts, params["lung_assessment_window_days"]):
        return None
    positive = next(r for r in facts.results_of(Antibody.MDA5) if r.interpretation is Qualitative.POSITIVE)
    regimen = facts.current(SYSTEMIC_GLUCOCORTICOIDS | ILD_DIRECTED_AGENTS)
    facts_used = [diagnosis_fact(facts), positive.describe()]
    facts_used += [f"Interstitial lung disease or respiratory involvement: {c.display}" for c in ild]
    facts_used += [describe(m) for m in regimen] or ["No glucocorticoid or immunosuppressant on the current regimen"]
    if not facts.current(ILD_DIRECTED_AGENTS):
        facts_used.append("No mycophenolate, azathioprine, calcineurin inhibitor, cyclophosphamide, rituximab or IVIG")
    common = dict(facts_used=tuple(facts_used), about_drafts=draft_references(regimen))
    if ild:
        # ILD is on record, so only the regimen's (MedicationRequest) completeness matters.
        common["rests_on_absence_of"] = frozenset({"MedicationRequest"})
    if ild and not facts.current(ILD_DIRECTED_AGENTS):
        return Finding(
            indicator=Indicator.CRITICAL,
            summary="Anti-MDA5 with ILD on glucocorticoid alone or nothing: start combination therapy now",
            detail=f"{COMBINATION}\n\n{ASSESSMENT}\n\nAnti-MDA5 marks a high risk of rapidly progressive ILD, which "
            f"is often fatal without early combination therapy.\n\nGuideline: {STATEMENT}",
            **common,
        )
    if ild:
        return Finding(
            indicator=Indicator.WARNING,
            summary="Anti-MDA5 with ILD on a single agent: consider early combination therapy",
            detail=f"{COMBINATION}\n\n{ASSESSMENT}\n\nGuideline: {STATEMENT}",
            **common,
        )
    return Finding(
        indicator=Indicator.WARNING,
        summary="Anti-MDA5 positive: urgent lung assessment (FVC, DLCO, HRCT); risk of rapidly progressive ILD",
        detail=f"{ASSESSMENT}\n\nIf ILD is found: {COMBINATION[0].lower()}{COMBINATION[1:]}\n\n"
        f"Anti-MDA5 marks a high risk of rapidly progressive ILD, also with little or no muscle disease.\n\n"
        f"Guideline: {STATEMENT}",
        **common,
    )


RECOMMENDATION = Recommendation(
    id="anti-mda5-rp-ild",
    title="Anti-MDA5: risk of rapidly progressive ILD, early combination therapy",
    citation=Citation(
        label="2023 ACR/CHEST guideline for the treatment of ILD in systemic autoimmune rheumatic diseases "
        "(Johnson et al., Arthritis Rheumatol 2024;76:1182-1200) and for screening and monitoring "
        "(Arthritis Rheumatol 2024;76:1201-1213)",
        url="https://doi.org/10.1002/acr.25348",
        statement=STATEMENT,
        strength="Conditional recommendations, low to very low certainty evidence",
    ),
    trigger=(
        "Active IIM Condition + positive anti-MDA5 Observation + no current mycophenolate, azathioprine, "
        "tacrolimus, ciclosporin, cyclophosphamide, rituximab or IVIG order (glucocorticoid alone or nothing): "
        "critical with an interstitial lung disease Condition (J84.x, SCT 233703007) or myositis with respiratory "
        "involvement (M33.x1, read as possible ILD); warning with ILD on one of "
        "those agents (with or without a glucocorticoid), or without ILD and no lung-function test within "
        "lung_assessment_window_days. Silent "
        "with ILD on two of those agents; without ILD on combination therapy (systemic glucocorticoid + one of "
        "those agents, or two of them)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "lung_assessment_window_days": Parameter(
            90, "without ILD on record, a lung function test this recent (days) counts as the urgent assessment",
            "policy choice: ACR/CHEST 2023 screens people at risk with lung function and HRCT without an interval "
            "for anti-MDA5"),
    },
    escalates_immunosuppression=True,
    # No ILD-directed agent (MedicationRequest); no ILD (Condition); no recent lung function test.
    asserts_absence_of=frozenset(
        {"MedicationRequest", "Condition", "Observation", "Procedure", "DiagnosticReport", "ServiceRequest"}),
    course=Course.LUNG,
)
