"""Inclusion body myositis: no escalation of immunosuppression (docs/evidence.md#subtype-and-scope).

BSR 2022 excludes inclusion body myositis (IBM) from its scope (secondary source); BMJ Best Practice: IBM is
generally refractory to immunosuppression, and corticosteroids or immunosuppressants are usually
not recommended (secondary source). Management is exercise-based, with swallowing assessment and specialist care.

Two parts:
  - Silencing: every recommendation declared `escalates_immunosuppression=True` (start or escalate
    immunosuppression) is not applied in IBM. The engine does that, once, for the whole registry.
  - This card. When: IBM is the resolved myositis subtype and a draft systemic glucocorticoid order
    of high dose: prednisone-equivalent >= `high_dose_mg_per_day` or >= `high_dose_mg_per_kg_day`
    (the "high dose" of docs/evidence.md#gc-taper), IV pulses included.
    Then: warning (about the order being placed: act now) "IBM is generally refractory to immunosuppression; exercise-based management".
"""

from __future__ import annotations

from fhir_mappings.concepts import SYSTEMIC_GLUCOCORTICOIDS, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, draft_references
from hooks.recommendation import ORDER_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation


def _high_dose(order: MedicationOrder, facts: ClinicalFacts, params: Params) -> bool:
    mg = order.prednisone_equivalent_mg_per_day
    if mg is None:
        return False
    if mg >= params["high_dose_mg_per_day"]:
        return True
    weight = facts.weight_kg.value if facts.weight_kg is not None else None
    return bool(weight) and mg / weight >= params["high_dose_mg_per_kg_day"]


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.myositis is not MyositisSubtype.INCLUSION_BODY_MYOSITIS:
        return None
    high = tuple(m for m in facts.drafts(SYSTEMIC_GLUCOCORTICOIDS) if _high_dose(m, facts, params))
    if not high:
        return None
    detail = (
        "**Inclusion body myositis is generally refractory to immunosuppression.** High-dose glucocorticoids "
        "and immunosuppressants are usually not recommended (BMJ Best Practice); the BSR 2022 IIM guideline "
        "excludes IBM from its scope.\n\n"
        "- Management is exercise-based (physiotherapy), with swallowing assessment and specialist "
        "neuromuscular care.\n"
        "- If another inflammatory myopathy or an overlap is suspected instead, confirm the diagnosis with a "
        "specialist before treating it as such.\n\n"
        "This service does not show its 'start/escalate immunosuppression' cards in IBM."
    )
    facts_used = ("Diagnosis: inclusion body myositis",) + tuple(
        f"{describe(m)} (prednisone-equivalent {num(m.prednisone_equivalent_mg_per_day)} mg/day)" for m in high
    )
    return Finding(
        indicator=Indicator.WARNING,
        summary="Inclusion body myositis is generally refractory to immunosuppression: exercise-based care",
        detail=detail,
        facts_used=facts_used,
        about_drafts=draft_references(high),
    )


RECOMMENDATION = Recommendation(
    id="ibm-immunosuppression",
    title="Inclusion body myositis: no escalation of immunosuppression",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022), scope; BMJ Best "
        "Practice, inclusion body myositis",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="IBM is excluded from the BSR guideline; IBM is generally refractory to immunosuppression and "
        "corticosteroids or immunosuppressants are usually not recommended; management is exercise-based.",
        strength="Guideline scope and point-of-care summary (secondary source); no graded recommendation",
    ),
    trigger=(
        "Resolved myositis subtype IBM (SNOMED 72315009/1144926009, ICD-10-CM G72.41) and a draft systemic "
        "glucocorticoid MedicationRequest with prednisone-equivalent >= high_dose_mg_per_day or >= "
        "high_dose_mg_per_kg_day (latest weight, LOINC 29463-7); IV pulses included"
    ),
    hooks=ORDER_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    specificity=1,
    evaluate=evaluate,
    parameters={
        "high_dose_mg_per_day": Parameter(
            40, "prednisone-equivalent mg/day that counts as high dose", "docs/evidence.md#gc-taper (high dose >= 40 mg/day)"
        ),
        "high_dose_mg_per_kg_day": Parameter(
            0.75, "prednisone-equivalent mg/kg/day that counts as high dose", "docs/evidence.md#gc-taper (>= 0.75 mg/kg/day)"
        ),
    },
)
