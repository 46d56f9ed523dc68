"""Inclusion body myositis: no escalation of immunosuppression (docs/evidence.md#subtype-and-scope).

BSR 2022 excludes inclusion body myositis (IBM) from its scope. Cochrane review (Rose et al., Cochrane
Database Syst Rev 2015, CD001555): no immunosuppressive or immunomodulatory treatment (methotrexate,
interferon beta, IVIG, glucocorticoid studies) has been shown to slow or reverse IBM; glucocorticoids lower
CK without improving strength. Management is exercise-based, with swallowing assessment and specialist care.

Two parts:
  - Silencing: every recommendation declared `escalates_immunosuppression=True` (start or escalate
    immunosuppression) is not applied in IBM. The engine does that, once, for the whole registry.
  - This card. When: IBM is the resolved myositis subtype and a draft order of an immunosuppressant
    (methotrexate, azathioprine, mycophenolate, calcineurin inhibitor, cyclophosphamide, rituximab) at any
    dose, or of a systemic glucocorticoid at high dose: prednisone-equivalent >= `high_dose_mg_per_day` or
    >= `high_dose_mg_per_kg_day` (the "high dose" of docs/evidence.md#gc-taper), IV pulses included.
    Then: warning "immunosuppression is not recommended in IBM" (an order being signed is the moment to
    act: the start-of-therapy cards beside it are not support for the drug). A lower glucocorticoid dose
    may be for another condition and stays silent.
"""

from __future__ import annotations

from fhir_mappings.concepts import SECOND_IMMUNOSUPPRESSANTS, SYSTEMIC_GLUCOCORTICOIDS, MyositisSubtype
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
    agents = facts.drafts(SECOND_IMMUNOSUPPRESSANTS)
    if not (high or agents):
        return None
    detail = (
        "**Immunosuppression is not recommended in inclusion body myositis:** no glucocorticoid or "
        "immunosuppressant has been shown to slow or reverse it (Cochrane review 2015); glucocorticoids lower "
        "CK without improving strength. The BSR 2022 IIM guideline excludes IBM from its scope. The infection, "
        "bone and screening cards shown with this order apply only if it is signed; they are not a reason "
        "to start it.\n\n"
        "- Management is exercise-based (physiotherapy), with swallowing assessment and specialist "
        "neuromuscular care.\n"
        "- If another inflammatory myopathy, an overlap or another indication is the reason for this order, "
        "confirm it with a specialist and record it.\n\n"
        "This service does not show its 'start/escalate immunosuppression' cards in IBM."
    )
    facts_used = ("Diagnosis: inclusion body myositis",) + tuple(
        f"{describe(m)} (prednisone-equivalent {num(m.prednisone_equivalent_mg_per_day, 0)} mg/day)" for m in high
    ) + tuple(describe(m) for m in agents)
    return Finding(
        indicator=Indicator.WARNING,
        summary="Inclusion body myositis: immunosuppression is not recommended; exercise-based care",
        detail=detail,
        facts_used=facts_used,
        about_drafts=draft_references(high + agents),
    )


RECOMMENDATION = Recommendation(
    id="ibm-immunosuppression",
    title="Inclusion body myositis: no escalation of immunosuppression",
    citation=Citation(
        label="Rose MR et al., Treatment for inclusion body myositis, Cochrane Database Syst Rev 2015;(6):CD001555; "
        "BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022), scope",
        url="https://doi.org/10.1002/14651858.CD001555.pub5",
        statement="No immunosuppressive or immunomodulatory treatment has been shown to slow or reverse IBM "
        "(Cochrane 2015); IBM is excluded from the BSR 2022 guideline; management is exercise-based.",
        strength="Systematic review (low-quality evidence of no benefit); no graded guideline recommendation",
    ),
    trigger=(
        "Resolved myositis subtype IBM (SNOMED 72315009/1144926009, ICD-10-CM G72.41) and a draft MedicationRequest "
        "of methotrexate, azathioprine, mycophenolate, tacrolimus, ciclosporin, cyclophosphamide or rituximab, or "
        "of a systemic glucocorticoid with prednisone-equivalent >= high_dose_mg_per_day or >= "
        "high_dose_mg_per_kg_day (latest weight, LOINC 29463-7); IV pulses included -> warning"
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
