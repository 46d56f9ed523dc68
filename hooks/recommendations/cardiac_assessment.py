"""Cardiac involvement: ECG and troponin I at diagnosis, cardiac imaging when abnormal
(docs/evidence.md#cardiac-assessment).

BSR 2022 IIM guideline (Oldroyd et al., Rheumatology 2022;61:1760-1768): assess for cardiac involvement
(ECG and cardiac troponin I) at diagnosis and when cardiac symptoms appear, with echocardiography (or
cardiac MRI) when they are abnormal; cardiac troponin T and CK-MB rise with skeletal-muscle disease and do
not tell the heart from the muscles, troponin I does. (The exact wording and grade of the BSR statement
were not checked against its full text: the service reads it at its conservative minimum, an information
card at diagnosis and a warning only for a raised troponin I without cardiac imaging.)

When: active IIM other than inclusion body myositis (outside BSR 2022) whose onset (the earliest myositis
Condition onset, else its recorded date) lies within `diagnosis_window_days`, and
- the latest troponin I since `lookback_days` before onset is raised (the laboratory's flag or range) and no
  echocardiogram or cardiac MRI (Procedure, DiagnosticReport or ServiceRequest) since -> warning;
- no ECG or no troponin I since `lookback_days` before onset (done or ordered) -> info, with a troponin I
  order (LOINC 10839-9); an ECG has no verified order code and is named, not offered.
Cardiac symptoms are not coded in a form the service reads: the card says to repeat both with symptoms.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import Investigation, Lab, MyositisSubtype, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import diagnosis_fact, myositis_onset
from hooks.lab_orders import LOINC, NAMES, lab_order
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

#: Where an ECG or a cardiac imaging test may be on record.
INVESTIGATION_RECORDS = frozenset({"Procedure", "DiagnosticReport", "ServiceRequest"})
STATEMENT = (
    "BSR 2022: assess cardiac involvement with an ECG and cardiac troponin I at diagnosis and with cardiac "
    "symptoms; echocardiography (or cardiac MRI) when they are abnormal. Troponin T and CK-MB are released from "
    "regenerating skeletal muscle in myositis; troponin I is cardiac-specific."
)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.myositis is MyositisSubtype.INCLUSION_BODY_MYOSITIS:
        return None
    onset = myositis_onset(facts)
    if onset is None or (facts.today - onset).days > params["diagnosis_window_days"]:
        return None
    since = onset - timedelta(days=params["lookback_days"])
    ecgs = [i for i in facts.investigations_of(Investigation.ECG) if i.when is not None and i.when >= since]
    troponins = [r for r in facts.results_of(Lab.TROPONIN_I) if r.when is not None and r.when.date() >= since]
    imaging = [i for i in facts.investigations_of(Investigation.CARDIAC_IMAGING)
               if i.when is not None and i.when >= since]
    facts_used = [diagnosis_fact(facts), f"Myositis onset (or first record): {onset.isoformat()}"]
    raised = troponins[0] if troponins and troponins[0].interpretation is Qualitative.POSITIVE else None
    if raised is not None:
        if imaging:
            return None
        return Finding(
            indicator=Indicator.WARNING,
            summary="Raised troponin I in myositis: echocardiography and cardiology review (myocarditis?)",
            detail="**Troponin I is raised**: cardiac involvement (myocarditis) is likely, since troponin I does not "
            "come from skeletal muscle. Arrange an echocardiogram (cardiac MRI where available), an ECG, and a "
            f"cardiology review.\n\nGuideline: {STATEMENT}",
            facts_used=tuple(facts_used + [raised.describe(), "No echocardiogram or cardiac MRI on record since"]),
            rests_on_absence_of=INVESTIGATION_RECORDS,
        )
    missing = ([] if ecgs else ["ECG"]) + ([] if troponins else ["troponin I"])
    if not missing:
        return None
    facts_used += [f"No {name} since {since.isoformat()}" for name in missing]
    suggestions: tuple[Suggestion, ...] = ()
    if not troponins:
        order = lab_order(facts.patient.reference, LOINC[Lab.TROPONIN_I], "Cardiac involvement screening in myositis",
                          f"Draft order: {NAMES[Lab.TROPONIN_I]}")
        suggestions = (Suggestion("Order troponin I", (order,), is_recommended=True),)
    return Finding(
        indicator=Indicator.INFO,
        summary="New myositis: screen for cardiac involvement (" + " and ".join(missing) + ")",
        detail="Screen for cardiac involvement at diagnosis: **" + " and ".join(missing) + "** "
        "(troponin I, not troponin T or CK-MB, which rise with skeletal-muscle disease). Repeat both if cardiac "
        "symptoms appear; arrange an echocardiogram if either is abnormal."
        + (" Order the ECG from the local catalogue (not offered as a one-click order)." if "ECG" in missing else "")
        + f"\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
        suggestions=suggestions,
    )


RECOMMENDATION = Recommendation(
    id="cardiac-assessment",
    title="Cardiac involvement: ECG and troponin I at diagnosis, imaging when abnormal",
    citation=Citation(
        label="BSR guideline on the management of paediatric, adolescent and adult IIM (Oldroyd et al., "
        "Rheumatology 2022;61:1760-1768), assessment of cardiac involvement",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement=STATEMENT,
        strength="BSR 2022 (wording and grade not verified here; read at its conservative minimum)",
    ),
    trigger=(
        "Active IIM other than IBM with myositis Condition onset (else recorded date) within diagnosis_window_days, "
        "and: latest troponin I (LOINC 10839-9/89579-7, or named) since lookback_days before onset flagged or "
        "ranged high and no echocardiogram/cardiac MRI since -> warning; else no ECG (Procedure, DiagnosticReport "
        "or ServiceRequest named ECG/EKG/electrocardiogram) or no troponin I since then -> info with a troponin I "
        "order"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "diagnosis_window_days": Parameter(
            180, "days after myositis onset during which the at-diagnosis cardiac screen is asked for",
            "policy: BSR 2022 asks for it at diagnosis; six months allows for referral delays"),
        "lookback_days": Parameter(
            90, "an ECG or troponin I this many days before onset counts as the diagnostic screen",
            "policy: tests done during the diagnostic work-up before the diagnosis was coded"),
    },
    asserts_absence_of=frozenset({"Observation"}) | INVESTIGATION_RECORDS,
)
