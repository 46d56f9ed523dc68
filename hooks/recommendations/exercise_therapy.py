"""Exercise therapy once inflammation is controlled (docs/evidence.md#exercise-therapy).

BSR 2022 IIM guideline (Oldroyd et al., Rheumatology 2022;61:1760-1768): exercise is safe in myositis and
a supervised, individually tailored exercise programme (physiotherapy) should be part of management,
started or progressed once inflammation is controlled (the exact wording and grade of the BSR statement were
not checked against its full text; an information card is its conservative reading). In inclusion body
myositis exercise is the mainstay of management whatever the CK (Cochrane 2015 IBM review; the
`ibm-immunosuppression` card).

When (patient-view): active IIM, no physiotherapy or exercise programme (Procedure, DiagnosticReport or
ServiceRequest named physiotherapy, physical therapy, exercise programme) in the last `lookback_days`, and
- inclusion body myositis; or
- within `window_days` of the myositis onset (the first years, when treatment brings the inflammation under
  control; later the programme belongs to routine review), on treatment (a systemic glucocorticoid or
  steroid-sparing agent) with the latest CK within
  `ck_window_days` at or below its upper limit (the laboratory's, else `default_ck_uln_u_per_l`), read as
  inflammation controlled
-> info: refer for a supervised exercise programme.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import STEROID_SPARING_AGENTS, SYSTEMIC_GLUCOCORTICOIDS, Investigation, Lab, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import diagnosis_fact, myositis_onset, recent_enzyme, upper_limit
from hooks.recommendation import PATIENT_VIEW, Citation, Finding, Indicator, Parameter, Params, Recommendation

STATEMENT = (
    "BSR 2022: exercise is safe in myositis; offer a supervised, individually tailored exercise programme "
    "(physiotherapy), progressed as inflammation is controlled. Inclusion body myositis: exercise-based care "
    "(no drug slows it, Cochrane 2015)."
)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    since = facts.today - timedelta(days=params["lookback_days"])
    if any(i.when is None or i.when >= since for i in facts.investigations_of(Investigation.EXERCISE_THERAPY)):
        return None
    facts_used = [diagnosis_fact(facts)]
    if facts.myositis is not MyositisSubtype.INCLUSION_BODY_MYOSITIS:
        onset = myositis_onset(facts)
        if onset is None or (facts.today - onset).days > params["window_days"]:
            return None
        if not facts.current(SYSTEMIC_GLUCOCORTICOIDS | STEROID_SPARING_AGENTS):
            return None
        ck = recent_enzyme(facts, Lab.CREATINE_KINASE, params["ck_window_days"])
        if ck is None or ck.value > upper_limit(ck, params["default_ck_uln_u_per_l"]):
            return None
        facts_used.append(f"{ck.describe()}: within the upper limit (inflammation read as controlled)")
    facts_used.append(f"No physiotherapy or exercise programme on record in the last {params['lookback_days']} days")
    return Finding(
        indicator=Indicator.INFO,
        summary="Refer for a supervised exercise programme (physiotherapy)",
        detail="Refer for a **supervised, individually tailored exercise programme** (physiotherapy): it improves "
        "strength and function and is safe. Progress resistance training as the disease stays controlled. If a "
        "programme is under way elsewhere, record it so that it counts.\n\nGuideline: " + STATEMENT,
        facts_used=tuple(facts_used),
    )


RECOMMENDATION = Recommendation(
    id="exercise-therapy",
    title="Exercise therapy (physiotherapy) once inflammation is controlled",
    citation=Citation(
        label="BSR guideline on the management of paediatric, adolescent and adult IIM (Oldroyd et al., "
        "Rheumatology 2022;61:1760-1768), exercise; Rose MR et al., Cochrane Database Syst Rev 2015;(6):CD001555 "
        "(IBM)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement=STATEMENT,
        strength="BSR 2022 (wording and grade not verified here; information card)",
    ),
    trigger=(
        "Active IIM, no Procedure/DiagnosticReport/ServiceRequest named physiotherapy, physical therapy or exercise "
        "programme within lookback_days, and either IBM, or myositis onset within window_days, a current systemic "
        "glucocorticoid or steroid-sparing agent and the latest CK (LOINC 2157-6, U/L) within ck_window_days at or below its upper limit"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "window_days": Parameter(
            730, "days after myositis onset during which the card speaks (not in IBM)",
            "policy: quiet by default; the programme is started as treatment controls the inflammation, later it "
            "belongs to routine review"),
        "lookback_days": Parameter(
            365, "a physiotherapy referral or session this recent counts as a programme under way",
            "policy: a programme is reviewed at least yearly"),
        "ck_window_days": Parameter(
            90, "the CK read as showing controlled inflammation must be this recent",
            "policy, as ck-monitoring's 90-day interval"),
        "default_ck_uln_u_per_l": Parameter(
            200.0, "upper limit of CK (U/L) used when the laboratory sends no upper limit with the result",
            "policy choice: a common adult laboratory upper limit; prefer the laboratory's own range"),
    },
    asserts_absence_of=frozenset({"Procedure", "DiagnosticReport", "ServiceRequest"}),
)
