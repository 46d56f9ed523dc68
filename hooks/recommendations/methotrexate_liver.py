"""Methotrexate and the liver: liver disease, alcohol use disorder, raised transaminases
(docs/evidence.md#methotrexate-liver).

Methotrexate label (FDA, rheumatoid arthritis/psoriasis): contraindicated in alcoholism, alcoholic
liver disease or other chronic liver disease; hepatotoxicity (fibrosis, cirrhosis) is monitored with
liver enzymes. BSR/BHPR 2017 DMARD monitoring guideline (Ledingham et al.): baseline and regular
ALT and/or AST with albumin; ALT or AST above 100 U/L: withhold until discussed with the specialist
team. EULAR 2009 methotrexate recommendations (Visser et al., recommendation 5): stop methotrexate on a
confirmed rise above 3 x the upper limit of normal (ULN), restart at a lower dose after normalisation;
adjust the dose when ALT/AST stay raised up to 3 x ULN. Both apply: above 3 x ULN or 100 U/L the card
says withhold; above `dose_reduction_uln_multiple` (2 x ULN, the lower bound the service chose for a
single reading) it says reduce the dose. Fatty liver disease alone is a risk factor, not a
contraindication: a methotrexate draft meets the order-safety check's liver dimension, which offers it
without pre-selecting it and asks to assess fibrosis (FIB-4, elastography) first (BAD 2016; the wording
of BSR's later csDMARD update could not be checked here, so it is a warning, not a critical "do not start").

In active myositis ALT and AST are largely released from muscle, so a transaminase rise is read with
creatine kinase and gamma-glutamyl transferase (GGT, a liver enzyme not released from muscle): a
raised CK with a normal GGT points to muscle; a raised GGT, or a normal CK, points to the liver.

When: a current methotrexate order on record (any patient on methotrexate: the label applies beyond
myositis; a draft meets the order-safety check's liver dimension in `hooks.order_safety.drafts`:
critical with liver disease, a card with raised transaminases) and
- a liver disease or alcohol use disorder Condition -> warning;
- the latest ALT or AST within `lab_window_days` above `transaminase_uln_multiple` x the upper limit
  (the laboratory's reference range, else `default_transaminase_uln_u_per_l`) or above
  `withhold_above_u_per_l` (withhold), else above `dose_reduction_uln_multiple` x (reduce the dose):
  - GGT in the window above its upper limit, or CK in the window not raised -> warning (likely
    hepatotoxicity: withhold and discuss, or reduce the dose);
  - CK raised and GGT normal -> info (likely muscle origin; follow CK);
  - CK raised and no GGT -> info with a one-click GGT order, to tell muscle from liver;
  - CK or GGT not measured -> warning naming only the missing test(s).
Enzyme results in other units than U/L (or IU/L) are not read (a value in µkat/L is not converted).
"""

from __future__ import annotations

from typing import NamedTuple

from fhir_mappings.concepts import METHOTREXATE_LIVER_CONDITIONS, Condition, Drug, Lab
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
    "(rheumatoid arthritis, psoriasis); monitor liver enzymes for hepatotoxicity. BSR/BHPR 2017: ALT and/or AST "
    "above 100 U/L, withhold until discussed with the specialist team. EULAR 2009 (recommendation 5): stop "
    "methotrexate on a confirmed rise above 3 x ULN (restart at a lower dose after normalisation); adjust the "
    "dose when ALT/AST stay raised up to 3 x ULN."
)
MUSCLE_NOTE = (
    "In active myositis ALT and AST are largely released from muscle: read them with CK and GGT (GGT is not "
    "released from muscle) so that disease activity is not mistaken for hepatotoxicity."
)


class _Tier(NamedTuple):
    """How far ALT/AST is raised: `withhold` (above 3 x ULN or 100 U/L) or a dose reduction (2-3 x ULN)."""

    withhold: bool
    results: tuple[LabResult, ...]


def _transaminase_tier(facts: ClinicalFacts, params: Params) -> _Tier | None:
    found: list[tuple[LabResult, float]] = []
    for lab in (Lab.ALT, Lab.AST):
        result = recent_enzyme(facts, lab, params["lab_window_days"])
        if result is not None:
            found.append((result, upper_limit(result, params["default_transaminase_uln_u_per_l"])))
    # `above` keeps a reported bound (">300"): a bound that does not decide a limit does not count as above it.
    withhold = tuple(r for r, uln in found if r.above(params["transaminase_uln_multiple"] * uln)
                     or r.above(params["withhold_above_u_per_l"]))
    if withhold:
        return _Tier(True, withhold)
    reduce = tuple(r for r, uln in found if r.above(params["dose_reduction_uln_multiple"] * uln))
    return _Tier(False, reduce) if reduce else None


def _above_limit(result: LabResult | None, default_uln: float) -> bool | None:
    """True/False when there is a result, None when there is none or it is a bound that does not decide."""
    return None if result is None else result.above(upper_limit(result, default_uln))


def _with_limit(result: LabResult, default_uln: float, *, multiple: bool = False) -> str:
    uln = upper_limit(result, default_uln)
    if multiple:
        return f"{result.describe()} ({num(result.value / uln, 1)} x the upper limit {num(uln)})"
    return f"{result.describe()} (upper limit {num(uln)})"


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
    tier = _transaminase_tier(facts, params)
    if tier is None:
        return None
    window = params["lab_window_days"]
    ck, ggt = recent_enzyme(facts, Lab.CREATINE_KINASE, window), recent_enzyme(facts, Lab.GGT, window)
    ck_raised = _above_limit(ck, params["default_ck_uln_u_per_l"])
    ggt_raised = _above_limit(ggt, params["default_ggt_uln_u_per_l"])
    facts_used += [_with_limit(r, params["default_transaminase_uln_u_per_l"], multiple=True) for r in tier.results]
    facts_used += [_with_limit(ck, params["default_ck_uln_u_per_l"])] if ck else [f"No CK in the last {window} days"]
    facts_used += [_with_limit(ggt, params["default_ggt_uln_u_per_l"])] if ggt else [
        f"No GGT in the last {window} days"]
    facts_used += [f"Fatty liver disease: {c.display}" for c in facts.conditions_of(Condition.FATTY_LIVER_DISEASE)]
    common = dict(facts_used=tuple(facts_used))
    shown = ", ".join(f"{r.concept.value.upper()} {num(r.value, 0)} U/L" for r in tier.results)
    if tier.withhold:
        level = (f"above {num(params['transaminase_uln_multiple'])} x the upper limit or "
                 f"{num(params['withhold_above_u_per_l'])} U/L")
        action = ("Withhold methotrexate until discussed with the specialist team (restart at a lower dose once "
                  "the enzymes are normal)")
    else:
        level = f"above {num(params['dose_reduction_uln_multiple'])} x the upper limit"
        action = "Reduce the methotrexate dose and repeat liver enzymes; withhold if the rise persists above 3 x"
    if ck_raised and not ggt_raised:
        if ggt is None:
            order = lab_order(facts.patient.reference, GGT_LOINC, "Raised ALT/AST with raised CK on methotrexate: "
                              "liver or muscle origin", "Draft order: GGT")
            return Finding(
                indicator=Indicator.INFO,
                summary=f"{shown} with raised CK on methotrexate: check GGT to tell liver from muscle",
                detail=f"ALT or AST is {level} while CK is raised. {MUSCLE_NOTE} Check GGT: if it is raised, treat "
                f"the rise as possible hepatotoxicity ({action.lower()}).\n\nGuideline: {STATEMENT}",
                suggestions=(Suggestion("Order GGT", (order,), is_recommended=True),),
                **common,
            )
        return Finding(
            indicator=Indicator.INFO,
            summary=f"{shown} with raised CK and normal GGT on methotrexate: likely from muscle, follow CK",
            detail=f"ALT or AST is {level}, CK is raised and GGT is normal: the rise is likely from muscle (disease "
            f"activity) rather than the liver. {MUSCLE_NOTE} Repeat liver enzymes with CK; if GGT rises, treat it "
            f"as hepatotoxicity.\n\nGuideline: {STATEMENT}",
            **common,
        )
    missing = [name for name, result in (("CK", ck), ("GGT", ggt)) if result is None]
    if missing:
        reading = (f"{' and '.join(missing)} not measured in the last {window} days: check "
                   f"{'them' if len(missing) > 1 else 'it'} to tell liver from muscle.")
    else:
        reading = "GGT is raised or CK is not: the rise is likely from the liver."
    verb = "withhold and discuss" if tier.withhold else "reduce the dose"
    return Finding(
        indicator=Indicator.WARNING,
        summary=f"{shown} on methotrexate: {verb}" + (f"; check {' and '.join(missing)}" if missing else ""),
        detail=f"ALT or AST is {level}. {reading} {action}; review alcohol intake and other hepatotoxic drugs. "
        f"{MUSCLE_NOTE}\n\nGuideline: {STATEMENT}",
        **common,
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-liver",
    title="Methotrexate and the liver: liver disease, alcohol, transaminases read with CK and GGT",
    citation=Citation(
        label="Methotrexate prescribing information (FDA label); BSR/BHPR guideline for the prescription and "
        "monitoring of non-biologic DMARDs (Ledingham et al., Rheumatology 2017;56:865-868); EULAR 2009 "
        "methotrexate recommendations (Visser et al.), recommendation 5",
        url="https://doi.org/10.1093/rheumatology/kew479",
        statement=STATEMENT,
        strength="FDA label (contraindication); BSR/BHPR 2017 monitoring recommendation; EULAR 2009 "
        "recommendation 5 (level 2b, grade C)",
    ),
    trigger=(
        "Methotrexate order on record (RxNorm 6851; a draft: draft-order-safety) and: liver disease (K70, K72-K74, "
        "K75.4, K76.6, SCT 19943007/328383001), hepatitis B or C, or alcohol use disorder (F10.1, F10.2, SCT "
        "7200002) Condition -> warning; or latest ALT (LOINC 1742-6) or AST (1920-8) within lab_window_days above "
        "transaminase_uln_multiple x the reported upper limit (else default_transaminase_uln_u_per_l) or above "
        "withhold_above_u_per_l (withhold), else above dose_reduction_uln_multiple x (reduce the dose), read with "
        "CK (2157-6) and GGT (2324-2): GGT raised or CK not raised -> warning; CK raised, GGT normal or absent "
        "-> info (GGT order offered when absent); CK or GGT missing -> warning"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "transaminase_uln_multiple": Parameter(
            3.0, "ALT or AST above this multiple of the upper limit of normal: withhold methotrexate and discuss",
            "EULAR 2009 methotrexate recommendations (Visser et al., Ann Rheum Dis 2009;68:1086-1093), "
            "recommendation 5: stop methotrexate above 3x ULN (as order-safety transaminase_uln_multiple)"),
        "withhold_above_u_per_l": Parameter(
            100.0, "ALT or AST above this many U/L: withhold methotrexate and discuss, whatever the upper limit",
            "BSR/BHPR 2017 DMARD guideline (Ledingham et al.), actions on abnormal results: ALT and/or AST >100 U/L, "
            "withhold until discussed with the specialist team"),
        "dose_reduction_uln_multiple": Parameter(
            2.0, "ALT or AST above this multiple (up to the withhold level): reduce the methotrexate dose",
            "EULAR 2009 recommendation 5: adjust the dose when ALT/AST stay raised up to 3x ULN; the 2x lower bound "
            "for a single reading is the service's choice"),
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
