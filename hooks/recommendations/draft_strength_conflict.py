"""An ordered product whose code and name state different strengths (issue 11).

A draft MedicationRequest coded with an RxNorm product (SCD/SBD) whose strength differs from the
strength in the order's own display or text (code of prednisone 5 mg tablet, text "20 MG") cannot
be dosed: which of the two the prescriber meant is unknown, so no dose check can run and none is
guessed. The mapping leaves the dose unread (`MedicationOrder.strength_conflict`); this card says so.

When: order-select/order-sign, a selected draft order of a guideline drug with a strength conflict.
Applies to every patient (a medication-safety check, not myositis-specific).
Then: warning to correct the product or the text before signing.
"""

from __future__ import annotations

from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import draft_references
from hooks.recommendation import ORDER_HOOKS, Citation, Finding, Indicator, Params, Recommendation


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    conflicting = tuple(m for m in facts.drafts() if m.is_selected and m.strength_conflict)
    if not conflicting:
        return None
    names = ", ".join(dict.fromkeys(m.drug.value for m in conflicting))
    return Finding(
        indicator=Indicator.WARNING,
        summary=f"Check the {names} order: product code and text state different strengths",
        detail=(
            "The ordered product's RxNorm code and the order's own name state different strengths, so it is "
            "not clear what will be dispensed. Correct the product or the text before signing. No dose "
            "check was made on this order."
        ),
        facts_used=tuple(f"{m.display}: {m.strength_conflict}" for m in conflicting),
        about_drafts=draft_references(conflicting),
    )


RECOMMENDATION = Recommendation(
    id="draft-strength-conflict",
    title="Ordered product code and text disagree on the strength",
    citation=Citation(
        label="ISMP Guidelines for Safe Electronic Communication of Medication Information (2019)",
        url="https://www.ismp.org/resources/guidelines-safe-electronic-communication-medication-information",
        statement="Medication information communicated electronically must identify the product unambiguously, "
        "with drug name, strength and dose form consistent throughout the order.",
        strength="Safe-practice guideline",
    ),
    trigger=(
        "Selected draft MedicationRequest of a guideline drug coded with an RxNorm product (SCD/SBD) whose strength "
        "differs from the strength in the order's display or text (e.g. RxNorm 312617 prednisone 5 MG tablet, "
        "text \"20 MG\")"
    ),
    hooks=ORDER_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    requires_myositis=False,
)
