"""Folic acid with methotrexate (docs/evidence.md#methotrexate-folate).

Low-dose methotrexate is given with folate supplementation to reduce toxicity. Conventions
differ: folic acid 1 mg daily (US, secondary sources) or 5 mg once weekly, not on the methotrexate
day (UK). Both are accepted; only the absence of any folate is flagged (docs/evidence.md#choices).

When: a current methotrexate order and no current folic acid or leucovorin (folinic acid) order.
Patients with a cancer diagnosis and no inflammatory myopathy are left to their oncology protocol
(leucovorin rescue is protocol-specific). Applies to any other patient on methotrexate.
Then: warning "add folic acid", with draft orders: folic acid 1 mg daily (recommended) or 5 mg once
weekly.
"""

from __future__ import annotations

from fhir_mappings.concepts import FOLATES, Condition, Drug
from fhir_mappings.facts import ClinicalFacts
from hooks.actions import new_order
from hooks.criteria import describe, draft_references, is_start
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Finding,
    Indicator,
    Params,
    Recommendation,
    StartCheck,
    Suggestion,
)

FOLIC_ACID_1_MG = ("310410", "Folic Acid 1 MG Oral Tablet")
FOLIC_ACID_5_MG = ("199318", "Folic Acid 5 MG Oral Tablet")


def _suggestions(facts: ClinicalFacts) -> tuple[Suggestion, ...]:
    patient = facts.patient.reference
    daily = new_order(
        patient, FOLIC_ACID_1_MG, "Draft order: folic acid 1 mg orally once daily", dose_value=1, dose_unit="mg",
        frequency=1, period=1, period_unit="d", text="Folic acid 1 mg by mouth once daily",
    )
    weekly = new_order(
        patient, FOLIC_ACID_5_MG, "Draft order: folic acid 5 mg orally once weekly", dose_value=5, dose_unit="mg",
        frequency=1, period=1, period_unit="wk",
        text="Folic acid 5 mg by mouth once weekly, NOT on the methotrexate day",
    )
    return (
        Suggestion(label="Order folic acid 1 mg daily", actions=(daily,), is_recommended=True),
        Suggestion(label="Order folic acid 5 mg once weekly (not on the methotrexate day)", actions=(weekly,)),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    methotrexate = facts.current({Drug.METHOTREXATE})
    if not methotrexate or facts.current(FOLATES):
        return None
    if facts.has_condition(Condition.CANCER) and not facts.has_active_myositis:
        return None
    facts_used = [describe(m) for m in methotrexate]
    facts_used.append("No current folic acid or folinic acid (leucovorin) order")
    return Finding(
        indicator=Indicator.WARNING,
        summary="Methotrexate without folic acid: add folate supplementation",
        detail=(
            "Add folic acid: give folate with low-dose methotrexate to reduce its toxicity (mouth ulcers, nausea, liver enzyme "
            "rises, cytopenias). Either convention is acceptable: **folic acid 1 mg daily** or **folic acid 5 mg "
            "once weekly, not on the methotrexate day**. (Practice convention; no graded guideline statement was "
            "retrieved.)"
        ),
        facts_used=tuple(facts_used),
        suggestions=_suggestions(facts),
        about_drafts=draft_references(methotrexate),
        start_check=(StartCheck("methotrexate", "add folic acid")
                     if any(m.is_draft and is_start(facts, m, 0) for m in methotrexate) else None),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-folate",
    title="Folic acid with methotrexate",
    citation=Citation(
        label="Folic acid with low-dose methotrexate: BSR/BHPR 2017 DMARD guideline (Ledingham et al., Rheumatology "
        "2017;56:865); IIM treatment review 2024, Table 2 (PMC11646336)",
        url="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC11646336/",
        statement="Methotrexate is co-prescribed with folic acid: 1 mg daily or 5 mg once weekly (not on the "
        "methotrexate day); both conventions are acceptable.",
        strength="Practice convention; no graded guideline statement retrieved (link: IIM review methotrexate regimen)",
    ),
    trigger=(
        "Current methotrexate (RxNorm 6851) order and no current folic acid (4511) or leucovorin (6313) order; "
        "any patient except a cancer Condition without inflammatory myopathy"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    requires_myositis=False,
    asserts_absence_of=frozenset({"MedicationRequest"}),
)
