"""Methotrexate ordered with interstitial lung disease or an ILD-associated antibody (docs/evidence.md#methotrexate-ild).

IIM review (PMC11646336, Table 2): methotrexate "use with caution in interstitial lung
disease"; mycophenolate and tacrolimus are listed for ILD. Azathioprine or mycophenolate are
commonly preferred when ILD is present.

When: active inflammatory myopathy, a methotrexate draft order (order-select/order-sign), and an ILD
Condition, the antisynthetase subtype, or a positive anti-synthetase (Jo-1, PL-7, PL-12, EJ, OJ) or
anti-MDA5 result.
Then: info "use with caution; azathioprine or mycophenolate commonly preferred", with suggestions
that replace the methotrexate draft by mycophenolate mofetil 500 mg twice daily or azathioprine
50 mg daily (the order-safety check leaves mycophenolate out in pregnancy). None is marked
recommended: the choice stays with the clinician.
"""

from __future__ import annotations

from fhir_mappings.concepts import ANTISYNTHETASE_ANTIBODIES, Antibody, Drug, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from hooks.actions import (
    AZATHIOPRINE_START_TEXT,
    MYCOPHENOLATE_START_TEXT,
    delete_draft,
    start_azathioprine,
    start_mycophenolate,
)
from hooks.criteria import describe, draft_references, lung_involvement
from hooks.recommendation import (
    ORDER_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Params,
    Recommendation,
    Suggestion,
)

ILD_ANTIBODIES = ANTISYNTHETASE_ANTIBODIES | {Antibody.MDA5}


def _reasons(facts: ClinicalFacts) -> list[str]:
    reasons = [f"Interstitial lung disease or respiratory involvement: {c.display}" for c in lung_involvement(facts)]
    if facts.myositis is MyositisSubtype.ANTISYNTHETASE:
        reasons.append("Antisynthetase syndrome")
    reasons += [f"{antibody.value} positive" for antibody in facts.positive_antibodies(sorted(ILD_ANTIBODIES))]
    return reasons


def _replacement(draft: MedicationOrder, label: str, create: Action) -> Suggestion:
    actions = [create]
    if draft.reference:
        actions.insert(0, delete_draft(draft))
    return Suggestion(label=label, actions=tuple(actions))


def _suggestions(facts: ClinicalFacts, drafts: tuple[MedicationOrder, ...]) -> tuple[Suggestion, ...]:
    if len(drafts) != 1:
        return ()
    patient = facts.patient.reference
    mycophenolate = start_mycophenolate(patient, f"Draft order: {MYCOPHENOLATE_START_TEXT}")
    azathioprine = start_azathioprine(patient, f"Draft order: {AZATHIOPRINE_START_TEXT}")
    return (
        _replacement(drafts[0], "Replace with mycophenolate mofetil 500 mg twice daily", mycophenolate),
        _replacement(drafts[0], "Replace with azathioprine 50 mg daily (check TPMT/NUDT15 first)", azathioprine),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    drafts = facts.drafts({Drug.METHOTREXATE})
    reasons = _reasons(facts)
    if not drafts or not reasons:
        return None
    return Finding(
        indicator=Indicator.INFO,
        summary="Methotrexate with ILD or an ILD-associated antibody: use with caution",
        detail=(
            "Methotrexate should be used with caution in interstitial lung disease (IIM review, PMC11646336 "
            "Table 2). With ILD or an anti-synthetase / anti-MDA5 antibody, **azathioprine or mycophenolate** are "
            "commonly preferred; tacrolimus is another ILD option. If methotrexate is chosen, document baseline lung "
            "function and monitor for pneumonitis."
        ),
        facts_used=tuple([describe(m) for m in drafts] + reasons),
        suggestions=_suggestions(facts, drafts),
        about_drafts=draft_references(drafts),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-ild",
    title="Methotrexate in myositis with interstitial lung disease",
    citation=Citation(
        label="IIM treatment review (PMC11646336, Table 2)",
        url="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC11646336/",
        statement="Methotrexate: use with caution in interstitial lung disease; mycophenolate and tacrolimus are "
        "listed for ILD.",
        strength="Review table; not a graded guideline recommendation",
    ),
    trigger=(
        "Active IIM Condition; methotrexate (RxNorm 6851) draft order; and ILD Condition (J84.x, SCT 233703007), "
        "antisynthetase syndrome, or positive anti-Jo-1/PL-7/PL-12/EJ/OJ or anti-MDA5"
    ),
    hooks=ORDER_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
)
