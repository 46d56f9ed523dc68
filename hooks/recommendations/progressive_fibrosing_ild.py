"""Progressive pulmonary fibrosis on immunosuppression: FVC decline -> ILD specialist review and an
antifibrotic considered (docs/evidence.md#progressive-fibrosing-ild).

ATS/ERS/JRS/ALAT 2022 IPF/PPF guideline (Raghu et al., Am J Respir Crit Care Med 2022;205:e18-e47),
progressive pulmonary fibrosis: in ILD other than IPF, at least two of worsening symptoms, physiological
progression (an absolute fall in FVC of 5% predicted or more within a year, or in DLCO of 10% predicted or
more) and radiological progression within a year; nintedanib is conditionally recommended for PPF.
ACR/CHEST 2023 SARD-ILD treatment guideline (Johnson et al.): ILD progression despite first-line treatment
calls for a change of treatment (second-line immunosuppression) and nintedanib is among the conditional
options. The FVC fall is the one criterion the service can read; symptoms and imaging are for the
clinician, and the card says so.

When: active IIM with ILD or respiratory involvement coded, on immunosuppression (a systemic glucocorticoid
or a steroid-sparing agent), no current nintedanib or pirfenidone, and the latest FVC in % predicted
(LOINC 19872-1/19871-3/19873-9, within `recent_days`) is at least `fvc_decline_percent_predicted` points below
the highest FVC % predicted of the year before it (results at least `min_interval_days` earlier):
a fall of `fvc_decline_warning_percent` points or more -> warning, else -> info.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import ANTIFIBROTICS, STEROID_SPARING_AGENTS, SYSTEMIC_GLUCOCORTICOIDS, Analyte, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult
from fhir_mappings.numbers import num
from hooks.criteria import describe, diagnosis_fact, lung_involvement, measured_within
from hooks.recommendation import PATIENT_VIEW, Citation, Finding, Indicator, Parameter, Params, Recommendation

STATEMENT = (
    "ATS/ERS/JRS/ALAT 2022: progressive pulmonary fibrosis is at least two of worsening symptoms, an absolute "
    "FVC decline of 5% predicted or more (or DLCO 10% predicted or more) within a year, and radiological "
    "progression; nintedanib is conditionally recommended for it. ACR/CHEST 2023: ILD progression despite "
    "first-line treatment calls for a change of treatment, nintedanib among the options."
)


def _fvc_percent(facts: ClinicalFacts) -> list[LabResult]:
    return [r for r in facts.results_of(Lab.LUNG_FUNCTION)
            if r.analyte is Analyte.FVC_PERCENT_PREDICTED and r.value is not None and r.when is not None
            and (r.unit or "%") == "%"]


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    lungs = lung_involvement(facts)
    treatment = facts.current(SYSTEMIC_GLUCOCORTICOIDS | STEROID_SPARING_AGENTS)
    if not lungs or not treatment or facts.current(ANTIFIBROTICS):
        return None
    results = _fvc_percent(facts)
    if not results or not measured_within(facts, results[0], params["recent_days"]):
        return None
    latest = results[0]
    earlier = [r for r in results[1:] if latest.when - timedelta(days=365) <= r.when
               <= latest.when - timedelta(days=params["min_interval_days"])]
    best = max(earlier, key=lambda r: r.value, default=None)
    if best is None or best.value - latest.value < params["fvc_decline_percent_predicted"]:
        return None
    fall = best.value - latest.value
    warning = fall >= params["fvc_decline_warning_percent"]
    facts_used = (diagnosis_fact(facts), *(f"Lung involvement: {c.display}" for c in lungs),
                  *(describe(m) for m in treatment), f"FVC: {best.describe()} -> {latest.describe()} "
                  f"(fall of {num(fall, 1)} points of predicted)", "No nintedanib or pirfenidone on the current regimen")
    return Finding(
        indicator=Indicator.WARNING if warning else Indicator.INFO,
        summary=f"FVC fell {num(fall, 0)}% predicted within a year on treatment: ILD review, consider an antifibrotic",
        detail=f"**The FVC has fallen by {num(fall, 1)} points of predicted within a year** despite immunosuppression: "
        "physiological progression of the ILD. Review symptoms and the latest HRCT (two of symptoms, lung function "
        "and imaging define progressive pulmonary fibrosis); discuss at an ILD multidisciplinary meeting: "
        "escalate immunosuppression and consider **nintedanib**. Check that the fall is not from respiratory-muscle "
        "weakness (myositis activity) or poor effort.\n\nGuideline: " + STATEMENT,
        facts_used=facts_used,
    )


RECOMMENDATION = Recommendation(
    id="progressive-fibrosing-ild",
    title="Progressive fibrosing ILD on treatment: ILD review and an antifibrotic considered",
    citation=Citation(
        label="ATS/ERS/JRS/ALAT clinical practice guideline on IPF and progressive pulmonary fibrosis (Raghu et al., "
        "Am J Respir Crit Care Med 2022;205:e18-e47), PPF definition and nintedanib; ACR/CHEST 2023 SARD-ILD "
        "treatment guideline (Johnson et al., Arthritis Rheumatol 2024;76:1182-1200), progression",
        url="https://doi.org/10.1164/rccm.202202-0399ST",
        statement=STATEMENT,
        strength="ATS/ERS/JRS/ALAT 2022: nintedanib for PPF, conditional recommendation (low-quality evidence); "
        "ACR/CHEST 2023: conditional recommendations",
    ),
    trigger=(
        "Active IIM + ILD (J84.x etc.) or respiratory involvement (M33.x1) Condition + a current systemic "
        "glucocorticoid or steroid-sparing agent + no current nintedanib/pirfenidone + latest FVC % predicted (LOINC "
        "19872-1/19871-3/19873-9) within recent_days at least fvc_decline_percent_predicted points below the highest "
        "of the year before it (results >= min_interval_days earlier); >= fvc_decline_warning_percent -> warning, "
        "else info"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "fvc_decline_percent_predicted": Parameter(
            5.0, "absolute FVC fall (points of % predicted) within a year that counts as physiological progression",
            "ATS/ERS/JRS/ALAT 2022 PPF definition: absolute decline in FVC >= 5% predicted within 1 year"),
        "fvc_decline_warning_percent": Parameter(
            10.0, "absolute FVC fall (points of % predicted) from which the card is a warning",
            "policy: a 10% FVC fall is the long-established marker of ILD progression and mortality"),
        "min_interval_days": Parameter(
            28, "an earlier FVC must be at least this many days older than the latest to be compared",
            "policy: repeat tests within weeks reflect measurement variation rather than progression"),
        "recent_days": Parameter(
            180, "the latest FVC must be this recent for the card to speak",
            "policy: lung function in myositis-ILD is repeated every 3-6 months (ACR/CHEST 2023 screening guideline)"),
    },
    asserts_absence_of=frozenset({"MedicationRequest"}),  # "no nintedanib or pirfenidone"
)
