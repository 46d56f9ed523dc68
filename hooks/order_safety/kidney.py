"""Kidney function: the latest eGFR (reported, or computed from a newer creatinine) within
`result_max_days`. A drug that needs one and has none is not pre-selected, and the label says why."""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import Drug, Route
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import EgfrReading, dose_in_steps, latest_egfr
from hooks.order_safety.decision import (
    Adjustment,
    Candidate,
    Decision,
    adjust,
    leave_out,
    not_recommended,
)
from hooks.recommendation import Params

TMP_SMX_DS = "198335"
TMP_SMX_SS = ("198334", "Sulfamethoxazole 400 MG / Trimethoprim 80 MG Oral Tablet")
ORAL_BISPHOSPHONATE_LIMITS = {
    Drug.ALENDRONATE: "alendronate_avoid_below_egfr",
    Drug.RISEDRONATE: "risedronate_ibandronate_avoid_below_egfr",
    Drug.IBANDRONATE: "risedronate_ibandronate_avoid_below_egfr",
    Drug.ZOLEDRONIC_ACID: "zoledronic_acid_avoid_below_egfr",
}
#: Drugs offered only with a current eGFR.
NEEDS_EGFR = frozenset({Drug.METHOTREXATE, Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, *ORAL_BISPHOSPHONATE_LIMITS})


def recent_egfr(facts: ClinicalFacts, params: Params) -> EgfrReading | None:
    """The latest eGFR if measured within `result_max_days`; an undated one is not current."""
    reading = latest_egfr(facts)
    if reading is None or reading.when is None:
        return None
    if facts.now - reading.when > timedelta(days=params["result_max_days"]):
        return None
    return reading


def _cut_offs(drug: Drug, params: Params) -> tuple[float, ...]:
    """The eGFR cut-offs this drug's decision compares the patient's eGFR with."""
    if drug is Drug.METHOTREXATE:
        return params["methotrexate_avoid_below_egfr"], params["methotrexate_reduce_below_egfr"]
    if drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return params["tmp_smx_avoid_below_egfr"], params["tmp_smx_half_dose_below_egfr"]
    if drug in ORAL_BISPHOSPHONATE_LIMITS:
        return (params[ORAL_BISPHOSPHONATE_LIMITS[drug]],)
    return (params["mycophenolate_renal_limit_egfr"],)


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    drug = candidate.drug
    mycophenolate_high = drug is Drug.MYCOPHENOLATE_MOFETIL and candidate.order.dose is not None and (
        candidate.order.dose.mg_per_day_high > params["mycophenolate_renal_max_mg_per_day"])
    if drug not in NEEDS_EGFR and not mycophenolate_high:
        return None
    egfr = recent_egfr(facts, params)
    if egfr is None:
        return not_recommended(f"no eGFR in the last {params['result_max_days']} days; check renal function first",
                               missing_data=True)
    shown = f"eGFR {egfr.comparator or ''}{egfr.value:.0f} on {egfr.when.date().isoformat()}"
    undecided = [limit for limit in _cut_offs(drug, params) if egfr.below(limit) is None]
    if undecided:  # a reported bound (">30") that does not say which side of a cut-off the eGFR is on
        return not_recommended(f"{shown} cannot be compared with the cut-off of {max(undecided):g}; check renal "
                               "function first", missing_data=True)
    if drug is Drug.METHOTREXATE:
        return _methotrexate(candidate, egfr, shown, params)
    if drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return _tmp_smx(candidate, egfr, shown, params)
    if drug in ORAL_BISPHOSPHONATE_LIMITS:
        limit = params[ORAL_BISPHOSPHONATE_LIMITS[drug]]
        if egfr.below(limit):
            return leave_out(f"{shown} is below {limit:g} (label); consider denosumab with specialist advice",
                             contraindicated=drug is Drug.ZOLEDRONIC_ACID)
        return None
    if egfr.below(params["mycophenolate_renal_limit_egfr"]):
        cap = params["mycophenolate_renal_max_mg_per_day"]
        return adjust(f"{shown}: at most {cap / 1000:g} g/day (label)", Adjustment(
            f"mycophenolate mofetil {cap / 2:g} mg twice daily", f"Mycophenolate mofetil {cap / 2:g} mg by mouth twice "
            "daily (renal maximum)", dose_value=cap / 2, dose_unit="mg", frequency=2, period=1, period_unit="d"))
    return None


def _methotrexate(candidate: Candidate, egfr: EgfrReading, shown: str, params: Params) -> Decision | None:
    if egfr.below(params["methotrexate_avoid_below_egfr"]):
        return leave_out(f"{shown} is below {params['methotrexate_avoid_below_egfr']:g}: avoid methotrexate",
                         contraindicated=True)
    if not egfr.below(params["methotrexate_reduce_below_egfr"]):
        return None
    dose = candidate.order.dose
    if dose is None or abs(dose.administrations_per_day * 7 - 1) > 1e-3:
        return leave_out(f"{shown}: a reduced once-weekly dose is needed and this order's dose cannot be reduced")
    ceiling = params["methotrexate_reduced_max_mg_per_week"]
    if dose.mg_per_administration_high <= ceiling:
        return None  # already a reduced dose
    mg = dose_in_steps(min(dose.mg_per_administration_high * params["methotrexate_reduced_dose_fraction"], ceiling),
                       2.5, at_least_mg=2.5)
    if mg is None:
        return leave_out(f"{shown}: reduced dose below one tablet")
    route = "by mouth" if candidate.order.route in (Route.ORAL, None) else "subcutaneously"
    return adjust(f"{shown}: reduced dose (local policy)", Adjustment(
        f"methotrexate {mg:g} mg once weekly", f"Methotrexate {mg:g} mg {route} ONCE WEEKLY (reduced for renal "
        "function)", dose_value=mg, dose_unit="mg"))


def _tmp_smx(candidate: Candidate, egfr: EgfrReading, shown: str, params: Params) -> Decision | None:
    if egfr.below(params["tmp_smx_avoid_below_egfr"]):
        return leave_out(f"{shown} is below {params['tmp_smx_avoid_below_egfr']:g}: TMP-SMX not recommended (label)")
    if not egfr.below(params["tmp_smx_half_dose_below_egfr"]):
        return None
    trimethoprim = candidate.suggested.ingredient_mg_per_day("trimethoprim")
    if trimethoprim is not None and trimethoprim <= params["trimethoprim_prophylaxis_max_mg_per_day"] / 2:
        return None  # already half the prophylactic regimen
    units = candidate.suggested.units_per_day
    if candidate.order.rxnorm == TMP_SMX_DS and units is not None and abs(units - 1) < 1e-6:
        return adjust(f"{shown}: half the usual regimen (label)", Adjustment(
            "TMP-SMX single strength 1 tablet daily", "Sulfamethoxazole 400 mg / trimethoprim 80 mg (SS): 1 tablet by "
            "mouth once daily (half dose for renal function)", product=TMP_SMX_SS))
    return leave_out(f"{shown}: half the usual regimen is needed (label) and this order cannot be halved")
