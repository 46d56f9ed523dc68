"""Methotrexate and the liver: liver disease, alcohol use disorder, raised transaminases
(docs/evidence.md#methotrexate-liver).

Methotrexate label (FDA, rheumatoid arthritis/psoriasis): contraindicated in alcoholism, alcoholic
liver disease or other chronic liver disease; hepatotoxicity (fibrosis, cirrhosis) is monitored with
liver enzymes. BSR/BHPR 2017 DMARD monitoring guideline (Ledingham et al.): baseline and regular
ALT and/or AST with albumin; a rise in ALT or AST above a threshold is a reason to withhold until
discussed with the specialist team. EULAR 2009 methotrexate recommendations (Visser et al.): stop
methotrexate when transaminases exceed 3 x the upper limit of normal; the same multiple as the
order-safety check is the default of `transaminase_uln_multiple` (the BSR 2017 absolute threshold was
not verified against its full text here).

In active myositis ALT and AST are largely released from muscle, so a transaminase rise is read with
creatine kinase and gamma-glutamyl transferase (GGT, a liver enzyme not released from muscle): a
raised CK with a normal GGT points to muscle; a raised GGT, or a normal CK, points to the liver.

When: a current methotrexate order on record (any patient on methotrexate: the label applies beyond
myositis; a draft meets the order-safety check's liver dimension in `hooks.order_safety.drafts`:
critical with liver disease, a card with raised transaminases) and
- a liver disease or alcohol use disorder Condition -> warning;
- the latest ALT or AST within `lab_window_days` above `transaminase_uln_multiple` x the upper limit
  (the laboratory's reference range, else `default_transaminase_uln_u_per_l`):
  - GGT in the window above its upper limit, or CK in the window not raised -> warning (likely
    hepatotoxicity: withhold methotrexate and discuss);
  - CK raised and GGT normal -> info (likely muscle origin; follow CK);
  - CK raised and no GGT -> info with a one-click GGT order, to tell muscle from liver;
  - no CK and no GGT -> warning (cannot be told apart: check CK and GGT).
Enzyme results in other units than U/L (or IU/L) are not read (a value in µkat/L is not converted).
"""

from __future__ import annotations

from fhir_mappings.concepts import METHOTREXATE_LIVER_CONDITIONS, Drug, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult
from fhir_mappings.numbers import num
from hooks.criteria import describe, recent_enzyme, upper_limit
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

GGT_LOINC = ("2324-2", "Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma")
STATEMENT = (
    "Methotrexate label: contraindicated in alcoholism, alcoholic liver disease or other chronic liver disease "
    "(rheumatoid arthritis, psoriasis); monitor liver enzymes for hepatotoxicity. BSR/BHPR 2017: monitor ALT "
    "and/or AST and albumin; withhold methotrexate when ALT or AST rises above the guideline threshold and "
    "discuss with the specialist team."
)
MUSCLE_NOTE = (
    "In active myositis ALT and AST are largely released from muscle: read them with CK and GGT (GGT is not "
    "released from muscle) so that disease activity is not mistaken for hepatotoxicity."
)


def _raised_transaminases(facts: ClinicalFacts, params: Params) -> list[LabResult]:
    raised = []
    for lab in (Lab.ALT, Lab.AST):
        result = recent_enzyme(facts, lab, params["lab_window_days"])
        uln = upper_limit(result, params["default_transaminase_uln_u_per_l"]) if result else 0
        if result is not None and result.above(params["transaminase_uln_multiple"] * uln):
            raised.append(result)
    return raised


def _above_limit(result: LabResult | None, default_uln: float) -> bool | None:
    """True/False when there is a result, None when there is none or it is a bound that does not decide."""
    return None if result is None else result.above(upper_limit(result, default_uln))


def _with_limit(result: LabResult, default_uln: float) -> str:
    return f"{result.describe()} (upper limit {num(upper_limit(result, default_uln))})"


def _liver_condition_finding(facts: ClinicalFacts, orders, facts_used: list[str]) -> Finding:
    conditions = facts.conditions_of(*METHOTREXATE_LIVER_CONDITIONS)
    facts_used += [f"{c.concept.value.replace('-', ' ').capitalize()}: {c.display}" for c in conditions]
    return Finding(
        indicator=Indicator.WARNING,
        summary="On methotrexate with liver disease or alcohol use disorder: review the indication",
        detail="Methotrexate is contraindicated in chronic liver disease and alcohol use disorder for "
        "non-neoplastic use. Choose another steroid-sparing agent, or, if methotrexate is continued on specialist "
        "advice, monitor liver enzymes closely and advise no alcohol.\n\nGuideline: " + STATEMENT,
        facts_used=tuple(facts_used),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    # Orders on record: a methotrexate draft meets the same liver check in draft-order-safety, once.
    orders = facts.on_record({Drug.METHOTREXATE})
    if not orders:
        return None
    facts_used = [describe(m) for m in orders]
    if facts.has_condition(*METHOTREXATE_LIVER_CONDITIONS):
        return _liver_condition_finding(facts, orders, facts_used)
    raised = _raised_transaminases(facts, params)
    if not raised:
        return None
    window = params["lab_window_days"]
    ck, ggt = recent_enzyme(facts, Lab.CREATINE_KINASE, window), recent_enzyme(facts, Lab.GGT, window)
    ck_raised = _above_limit(ck, params["default_ck_uln_u_per_l"])
    ggt_raised = _above_limit(ggt, params["default_ggt_uln_u_per_l"])
    transaminase_uln = params["default_transaminase_uln_u_per_l"]
    facts_used += [_with_limit(r, transaminase_uln) for r in raised]
    facts_used += [_with_limit(ck, params["default_ck_uln_u_per_l"])] if ck else ["No CK in the last "
                                                                                    f"{window} days"]
    facts_used += [_with_limit(ggt, params["default_ggt_uln_u_per_l"])] if ggt else ["No GGT in the last "
                                                                                      f"{window} days"]
    common = dict(facts_used=tuple(facts_used))
    multiple = num(params["transaminase_uln_multiple"])
    if ck_raised and not ggt_raised:
        if ggt is None:
            order = lab_order(facts.patient.reference, GGT_LOINC, "Raised ALT/AST with raised CK on methotrexate: "
                              "liver or muscle origin", "Draft order: GGT")
            return Finding(
                indicator=Indicator.INFO,
                summary="ALT/AST raised with raised CK on methotrexate: check GGT to tell liver from muscle",
                detail=f"ALT or AST is above {multiple} x the upper limit while CK is raised. {MUSCLE_NOTE} Check "
                "GGT: if it is raised, treat the rise as possible hepatotoxicity (withhold methotrexate and "
                f"discuss).\n\nGuideline: {STATEMENT}",
                suggestions=(Suggestion("Order GGT", (order,), is_recommended=True),),
                **common,
            )
        return Finding(
            indicator=Indicator.INFO,
            summary="ALT/AST raised with raised CK and normal GGT: likely from muscle, follow CK",
            detail=f"ALT or AST is above {multiple} x the upper limit, CK is raised and GGT is normal: the rise is "
            f"likely from muscle (disease activity) rather than the liver. {MUSCLE_NOTE} Repeat liver enzymes with "
            f"CK; if GGT rises, treat it as hepatotoxicity.\n\nGuideline: {STATEMENT}",
            **common,
        )
    if ck is None and ggt is None:
        advice = "CK and GGT are not on record, so muscle and liver cannot be told apart: check both now."
    else:
        advice = "GGT is raised or CK is not: the rise is likely from the liver."
    return Finding(
        indicator=Indicator.WARNING,
        summary=f"ALT/AST above {multiple} x upper limit on methotrexate: withhold and discuss; check CK and GGT",
        detail=f"{advice} Withhold methotrexate until discussed with the specialist team, repeat liver enzymes and "
        f"review alcohol intake and other hepatotoxic drugs. {MUSCLE_NOTE}\n\nGuideline: {STATEMENT}",
        **common,
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-liver",
    title="Methotrexate and the liver: liver disease, alcohol, transaminases read with CK and GGT",
    citation=Citation(
        label="Methotrexate prescribing information (FDA label); BSR/BHPR guideline for the prescription and "
        "monitoring of non-biologic DMARDs (Ledingham et al., Rheumatology 2017;56:865-868)",
        url="https://doi.org/10.1093/rheumatology/kew479",
        statement=STATEMENT,
        strength="FDA label (contraindication); BSR/BHPR 2017 monitoring recommendation",
    ),
    trigger=(
        "Methotrexate order on record (RxNorm 6851; a draft: draft-order-safety) and: liver disease (K70, K72-K74, K75.4, K75.81, K76.0, "
        "K76.6, SCT 19943007/328383001), hepatitis B or C, or alcohol use disorder (F10.1, F10.2, SCT 7200002) "
        "Condition -> warning; or latest ALT (LOINC 1742-6) or AST (1920-8) within lab_window_days above "
        "transaminase_uln_multiple x the reported upper limit (else default_transaminase_uln_u_per_l), read with "
        "CK (2157-6) and GGT (2324-2): GGT raised or CK not raised -> warning; CK raised, GGT normal or absent "
        "-> info (GGT order offered when absent); neither CK nor GGT -> warning"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "transaminase_uln_multiple": Parameter(
            3.0, "ALT or AST above this multiple of the upper limit of normal prompts review",
            "EULAR 2009 methotrexate recommendations (Visser et al., Ann Rheum Dis 2009;68:1086-1093): stop "
            "methotrexate above 3x ULN (as order-safety transaminase_uln_multiple); BSR/BHPR 2017 withholds above "
            "its own threshold (not verified here): set to local shared-care policy"),
        "default_transaminase_uln_u_per_l": Parameter(
            40.0, "upper limit of ALT/AST (U/L) used when the laboratory sends no upper limit with the result",
            "policy choice: a common adult laboratory upper limit; prefer the laboratory's own range"),
        "default_ck_uln_u_per_l": Parameter(
            200.0, "upper limit of CK (U/L) used when the laboratory sends no upper limit with the result",
            "policy choice: a common adult laboratory upper limit; prefer the laboratory's own range"),
        "default_ggt_uln_u_per_l": Parameter(
            60.0, "upper limit of GGT (U/L) used when the laboratory sends no upper limit with the result",
            "policy choice: a common adult laboratory upper limit; prefer the laboratory's own range"),
        "lab_window_days": Parameter(
            90, "how recent ALT/AST, CK and GGT must be to be read together (days)",
            "policy choice: the BSR/BHPR 2017 maintenance monitoring interval of about 3 months"),
    },
    requires_myositis=False,
    # "No CK / GGT in the last N days": a missing or partial Observation list must not read as absence.
    asserts_absence_of=frozenset({"Observation"}),
)
