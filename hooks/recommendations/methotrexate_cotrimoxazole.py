"""Methotrexate with trimethoprim-sulfamethoxazole (REFERENCE.md R11).

Renal drug handbook: the antifolate effect of methotrexate is increased with co-trimoxazole and
trimethoprim (marrow toxicity) [V2]; older methotrexate label interaction text [U, not
retrieved]. Low-dose prophylactic TMP-SMX is commonly given alongside low-dose weekly methotrexate
(e.g. as PJP prophylaxis during myositis induction), so this is a monitoring prompt, never a block.

When: methotrexate and trimethoprim-sulfamethoxazole both on the current regimen (on record or
draft), in any patient (a drug-safety check, not myositis-specific).
Then: warning "monitor the blood count"; atovaquone is named as the PJP-prophylaxis alternative
when the combination is not wanted. On order-select/order-sign the card concerns the drafted
methotrexate or TMP-SMX order. No suggestion: the action is closer monitoring, and no blood-count
LOINC code is verified in REFERENCE.md 4.3.
"""

from __future__ import annotations

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import describe, draft_references
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Params, Recommendation


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    methotrexate = facts.current((Drug.METHOTREXATE,))
    cotrimoxazole = facts.current((Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM,))
    if not methotrexate or not cotrimoxazole:
        return None
    orders = methotrexate + cotrimoxazole
    detail = (
        "Methotrexate and trimethoprim-sulfamethoxazole (co-trimoxazole) are both antifolates: together they "
        "increase the risk of bone-marrow suppression (pancytopenia, megaloblastic anaemia).\n\n"
        "- **This is not a contraindication.** Low-dose prophylactic TMP-SMX (e.g. for Pneumocystis prophylaxis "
        "during high-dose glucocorticoid induction) is commonly given with low-dose weekly methotrexate.\n"
        "- **Monitor the full blood count** more closely while both are given, keep folic acid "
        "supplementation, and review renal function (both are renally cleared).\n"
        "- If the combination is not wanted, **atovaquone 1500 mg daily** is an alternative for PJP "
        "prophylaxis.\n\n"
        "Basis: renal drug handbook, antifolate effect increased with co-trimoxazole and trimethoprim "
        "(secondary source); methotrexate label interaction text not verified. REFERENCE.md R11."
    )
    return Finding(
        indicator=Indicator.WARNING,
        summary="Methotrexate with co-trimoxazole: additive antifolate effect, monitor blood count",
        detail=detail,
        facts_used=tuple(describe(m) for m in orders),
        about_drafts=draft_references(orders),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-cotrimoxazole",
    title="Methotrexate with trimethoprim-sulfamethoxazole: monitor the blood count",
    citation=Citation(
        label="Renal drug handbook interaction entry (secondary source); methotrexate label drug interactions",
        url="https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=methotrexate",
        statement="The antifolate effect of methotrexate is increased with co-trimoxazole and trimethoprim "
        "(risk of marrow toxicity); prophylactic-dose TMP-SMX is commonly co-prescribed, so monitor rather "
        "than avoid.",
        strength="Drug-interaction reference [V2]; label text not verified [U]; no guideline grade",
    ),
    trigger=(
        "Current methotrexate MedicationRequest (RxNorm ingredient 6851, on record or draft) and current "
        "sulfamethoxazole-trimethoprim MedicationRequest (RxNorm 10831, on record or draft); any patient"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    requires_myositis=False,
)
