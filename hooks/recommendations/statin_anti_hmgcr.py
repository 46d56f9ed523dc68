"""Statin with anti-HMGCR antibodies or immune-mediated necrotizing myopathy (docs/evidence.md#statin-anti-hmgcr).

IMNM review (PMC6019613) and the statin-associated anti-HMGCR cohort (Arthritis Res Ther 2020,
doi:10.1186/s13075-019-2093-6): statin exposure is the recognised trigger of anti-HMGCR myopathy;
management is statin withdrawal plus immunotherapy (secondary source). "Avoid re-challenge" is not verified (unverified)
and is labelled expert opinion on the card.

When: a current statin (atorvastatin, simvastatin, rosuvastatin, pravastatin, lovastatin,
fluvastatin, pitavastatin; on record or draft) and an anti-HMGCR positive result or an IMNM
diagnosis. Not limited to an active myositis diagnosis: a positive anti-HMGCR antibody in a statin
user is reason enough.
Then: warning "stop the statin; non-statin lipid therapy if needed", with one suggestion that stops
it: an update of each statin on record to status `stopped`, a delete of each draft statin order.
"""

from __future__ import annotations

from fhir_mappings.concepts import STATINS, Antibody, MyositisSubtype, Qualitative
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from hooks.actions import delete_draft, stop_order
from hooks.criteria import describe, draft_references
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Params,
    Recommendation,
    Suggestion,
)


def _action(order: MedicationOrder, patient_reference: str | None) -> Action | None:
    if not order.reference:
        return None
    return delete_draft(order) if order.is_draft else stop_order(order, patient_reference)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    statins = facts.current(STATINS)
    if not statins:  # first: without a statin the antibody results need not be read (mapped)
        return None
    anti_hmgcr = facts.antibody(Antibody.HMGCR) is Qualitative.POSITIVE
    imnm = facts.myositis is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING or facts.has_condition(
        MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING
    )
    if not (anti_hmgcr or imnm):
        return None
    facts_used = [describe(m) for m in statins]
    if anti_hmgcr:
        positive = [r for r in facts.results_of(Antibody.HMGCR) if r.interpretation is Qualitative.POSITIVE]
        facts_used += [r.describe() for r in positive]
    if imnm:
        facts_used.append("Diagnosis: immune-mediated necrotizing myopathy")
    actions = tuple(a for m in statins if (a := _action(m, facts.patient.reference)) is not None)
    suggestions = (Suggestion("Stop the statin", actions, is_recommended=True),) if actions else ()
    detail = (
        "Statins are the recognised trigger of **anti-HMGCR immune-mediated necrotizing myopathy**. Management is "
        "**statin withdrawal plus immunotherapy**; the myopathy does not settle on immunotherapy while the statin "
        "continues.\n\n"
        "- Stop the statin; use non-statin lipid-lowering therapy (e.g. ezetimibe, PCSK9 inhibitor) if needed.\n"
        "- Avoid statin re-challenge (expert opinion, not verified in a guideline).\n"
        "- Record a statin intolerance/allergy entry so it is not restarted elsewhere.\n\n"
        "Basis: IMNM review (PMC6019613); statin-associated anti-HMGCR cohort (Arthritis Res Ther 2020)."
    )
    return Finding(
        indicator=Indicator.WARNING,
        summary="Statin with anti-HMGCR/necrotizing myopathy: stop the statin",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=suggestions,
        about_drafts=draft_references(statins),
    )


RECOMMENDATION = Recommendation(
    id="statin-anti-hmgcr",
    title="Stop statins in anti-HMGCR or immune-mediated necrotizing myopathy",
    citation=Citation(
        label="Immune-mediated necrotizing myopathy review (PMC6019613); statin-associated anti-HMGCR "
        "myopathy cohort (Arthritis Res Ther 2020)",
        url="https://doi.org/10.1186/s13075-019-2093-6",
        statement="Anti-HMGCR myopathy is triggered by statins; treatment is statin withdrawal plus "
        "immunotherapy. Avoiding re-challenge is expert opinion.",
        strength="Observational evidence and expert review (secondary source); 'avoid re-challenge' unverified (unverified)",
    ),
    trigger=(
        "Current statin MedicationRequest (RxNorm atorvastatin 83367, simvastatin 36567, rosuvastatin 301542, "
        "pravastatin 42463, lovastatin, fluvastatin, pitavastatin; on record or draft) and anti-HMGCR positive "
        "Observation or IMNM Condition (SNOMED 715863001)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    requires_myositis=False,
)
