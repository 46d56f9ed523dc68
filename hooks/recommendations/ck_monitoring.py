"""Disease-activity monitoring: creatine kinase on treatment (docs/evidence.md#ck-monitoring).

Source documents: monitor muscle strength, CK and response to treatment regularly; BSR 2022
emphasises standardised assessment of disease activity (guideline scope). The 90-day interval is expert
opinion (configurable). Aldolase is optional, useful when CK is normal (unverified).

When: active inflammatory myopathy, on treatment (a current systemic glucocorticoid or
steroid-sparing agent), and no creatine kinase result (LOINC 2157-6) dated within `lookback_days`.
Then: info reminder to check CK together with strength/function and disease activity, with a CK
lab-order suggestion. Patient-view only: it is about follow-up, not about an order being written.
"""

from __future__ import annotations

from fhir_mappings.concepts import STEROID_SPARING_AGENTS, SYSTEMIC_GLUCOCORTICOIDS, Lab
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import describe, diagnosis_fact, measured_within
from hooks.lab_orders import lab_order
from hooks.recommendation import (
    PATIENT_VIEW,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)

CK_LOINC = ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma")


def _ck_suggestion(facts: ClinicalFacts) -> Suggestion:
    create = lab_order(facts.patient.reference, CK_LOINC, "Myositis disease-activity monitoring on treatment",
                       "Draft lab order: creatine kinase (LOINC 2157-6)")
    return Suggestion(label="Order creatine kinase", actions=(create,), is_recommended=True)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    treatment = facts.current(SYSTEMIC_GLUCOCORTICOIDS | STEROID_SPARING_AGENTS)
    if not treatment:
        return None
    latest = facts.latest(Lab.CREATINE_KINASE)
    if measured_within(facts, latest, params["lookback_days"]):
        return None
    days = params["lookback_days"]
    facts_used = [diagnosis_fact(facts)]
    facts_used += [describe(m) for m in treatment]
    if latest is None:
        facts_used.append("No creatine kinase result on record")
    elif latest.when is None:
        facts_used.append(f"Only an undated creatine kinase result: {latest.describe()}")
    else:
        facts_used.append(f"Last creatine kinase: {latest.describe()} (more than {days} days ago)")
    detail = (
        f"No creatine kinase (CK) in the last {days} days while on treatment for myositis. Check CK together "
        "with a standardised assessment of muscle strength and function and of disease activity "
        "(e.g. MMT-8, HAQ; the IMACS core set) to judge the response and guide the glucocorticoid taper.\n\n"
        "- CK alone can mislead: treat the patient, not the number (persistent CK with improving strength, or "
        "weakness with a normal CK, e.g. steroid myopathy).\n"
        "- Aldolase can help when CK is normal (not verified as a guideline recommendation).\n\n"
        f"Basis: BSR 2022 (standardised assessment of disease activity); the {days}-day interval is expert "
        "opinion, configurable. docs/evidence.md#ck-monitoring."
    )
    return Finding(
        indicator=Indicator.INFO,
        summary=f"Myositis on treatment: no creatine kinase in the last {days} days",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=(_ck_suggestion(facts),),
    )


RECOMMENDATION = Recommendation(
    id="ck-monitoring",
    title="Monitor creatine kinase and disease activity on treatment",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022;61:1760-1768)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="Monitor disease activity regularly with a standardised assessment of muscle strength and "
        "function and muscle enzymes (CK).",
        strength="BSR scope (secondary source); monitoring interval is expert opinion",
    ),
    trigger=(
        "Active IIM Condition + current systemic glucocorticoid or steroid-sparing agent (methotrexate, "
        "azathioprine, mycophenolate, tacrolimus, ciclosporin, rituximab, cyclophosphamide, IVIG) + no creatine "
        "kinase Observation (LOINC 2157-6) dated within lookback_days (undated results do not count)"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "lookback_days": Parameter(90, "days within which a creatine kinase result is expected", "docs/evidence.md#ck-monitoring "
                                   "(expert opinion)"),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
