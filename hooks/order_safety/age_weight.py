"""Age and weight: under 18 only doses within a weight- or BSA-based rule and its cap, never an
adult fixed dose; without a recent weight (30 days for children) no one-click order. A drug without
a paediatric dose rule here is not offered to a child. Adults: drugs dosed by weight (IVIG,
cyclophosphamide) need a recent weight (90 days).

TMP-SMX for a child (Pneumocystis prophylaxis, NIH/CDC/IDSA paediatric OI guideline and the Bactrim
label: trimethoprim 150 mg/m²/day, at most 320 mg) is dosed by body surface area, the unit both sources
state, and rounded to the nearest practical dose: a whole number of single-strength (80 mg) tablets
when one lies within `child_dose_rounding_tolerance` of the BSA dose and the child is old enough for
tablets, else the 8 mg/mL suspension in 0.5 mL steps. An order within the tolerance is offered as is
(a double-strength tablet 0.6% over 150 mg/m² is the right dose, not an adult one)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.numbers import num
from hooks.criteria import dose_in_steps, dosing_bsa_m2, recent_weight_kg
from hooks.order_safety.decision import Adjustment, Candidate, Decision, adjust, leave_out, not_recommended
from hooks.recommendation import Params

WEIGHT_DOSED_IN_ADULTS = frozenset({Drug.IVIG, Drug.CYCLOPHOSPHAMIDE})
TMP_SMX_SS_TABLET = ("198334", "Sulfamethoxazole 400 MG / Trimethoprim 80 MG Oral Tablet")
TMP_SMX_DS_TABLET = ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet")
TMP_SMX_SUSPENSION = ("313134", "sulfamethoxazole 40 MG/ML / trimethoprim 8 MG/ML Oral Suspension")
TRIMETHOPRIM_MG_PER_TABLET = 80.0
TRIMETHOPRIM_MG_PER_ML = 8.0
SUSPENSION_STEP_ML = 0.5


@dataclass(frozen=True)
class PaediatricRule:
    """At most `max_param` mg per kg (or m²) per day (or week), and never above `cap_param` mg."""

    max_param: str
    cap_param: str
    per_m2: bool = False
    weekly: bool = False
    #: The adjusted dose goes down in these steps (tablet or syringe size); None: never adjusted.
    step_mg: float | None = None
    #: An adjusted dose below this fraction of the maximum is not offered (below the dose range).
    min_fraction: float = 0.5


_PREDNISONE = PaediatricRule("child_prednisone_max_mg_per_kg", "child_prednisone_max_mg_per_day", step_mg=5)
RULES: dict[Drug, PaediatricRule] = {
    Drug.PREDNISONE: _PREDNISONE,
    Drug.PREDNISOLONE: _PREDNISONE,
    Drug.METHOTREXATE: PaediatricRule("child_methotrexate_max_mg_per_m2", "child_methotrexate_max_mg_per_week",
                                      per_m2=True, weekly=True, step_mg=2.5, min_fraction=0.75),
    Drug.ATOVAQUONE: PaediatricRule("child_atovaquone_mg_per_kg", "child_atovaquone_max_mg_per_day", step_mg=75,
                                    min_fraction=0.9),
    Drug.DAPSONE: PaediatricRule("child_dapsone_mg_per_kg", "child_dapsone_max_mg_per_day"),
}


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    age = facts.patient.age_years
    if age is None:
        return not_recommended("age not recorded: check the dose suits this patient", missing_data=True)
    if age >= 18:
        if candidate.drug in WEIGHT_DOSED_IN_ADULTS and recent_weight_kg(facts) is None:
            return leave_out("no weight in the last 90 days: the dose is by weight", missing_data=True)
        return None
    if candidate.drug is Drug.FOLIC_ACID:
        return _folic_acid(candidate, params)
    if candidate.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return _tmp_smx(facts, candidate, age, params)
    rule = RULES.get(candidate.drug)
    if rule is None:
        return leave_out("under 18 and no weight-based dose rule for it here: prescribe by weight")
    weight = recent_weight_kg(facts)
    size = dosing_bsa_m2(facts) if rule.per_m2 else weight
    if weight is None or size is None:
        needed = "weight in the last 30 days and a height" if rule.per_m2 else "weight in the last 30 days"
        return leave_out(f"under 18 and no {needed}: no weight-based dose", missing_data=True)
    return _within_rule(candidate, rule, size, age, params)


def _per_kg(rule: PaediatricRule, age: float, params: Params) -> float:
    if rule.max_param == "child_atovaquone_mg_per_kg" and 4 / 12 <= age < 2:
        return params["child_atovaquone_infant_mg_per_kg"]
    return params[rule.max_param]


def _within_rule(candidate: Candidate, rule: PaediatricRule, size: float, age: float, params: Params) -> Decision | None:
    order = candidate.order
    per_size, cap = _per_kg(rule, age, params), params[rule.cap_param]
    allowed = min(per_size * size, cap)
    unit = "m²" if rule.per_m2 else "kg"
    period = "week" if rule.weekly else "day"
    basis = f"{num(per_size)} mg/{unit}/{period} for {num(size)} {unit}, at most {num(cap)} mg: {num(allowed, 1)} mg/{period}"
    daily = order.dose.mg_per_day_high if order.dose is not None else None
    if daily is None:
        return leave_out(f"under 18 and the dose cannot be read: {basis}")
    given = daily * 7 if rule.weekly else daily
    if given <= allowed + 1e-9:
        return None
    dose = order.dose
    if rule.step_mg is None or dose is None or candidate.suggested.units_per_day is not None:
        return leave_out(f"adult dose for a child: {basis} ({order.drug.value} by weight)")
    per_period = dose.administrations_per_day * (7 if rule.weekly else 1)
    mg = dose_in_steps(allowed / per_period, rule.step_mg, at_least_mg=rule.min_fraction * allowed / per_period)
    if mg is None:
        return leave_out(f"adult dose for a child: {basis}")
    schedule = "once weekly" if rule.weekly else ("daily" if per_period == 1 else f"{num(per_period)} times a day")
    name = order.drug.value.replace("-", " ")
    return adjust(f"under 18: {basis}", Adjustment(
        f"{name} {num(mg)} mg {schedule}", f"{name.capitalize()} {num(mg)} mg {schedule} (weight-based dose)",
        dose_value=mg, dose_unit="mg"))


def _tmp_smx(facts: ClinicalFacts, candidate: Candidate, age: float, params: Params) -> Decision | None:
    """TMP-SMX once daily at trimethoprim `child_trimethoprim_mg_per_m2` (capped), rounded to a practical dose."""
    bsa = dosing_bsa_m2(facts)
    if bsa is None:
        return leave_out("under 18 and no weight in the last 30 days and a height: no BSA-based TMP-SMX dose")
    per_m2, cap = params["child_trimethoprim_mg_per_m2"], params["child_trimethoprim_max_mg_per_day"]
    target = min(per_m2 * bsa, cap)
    highest = min(target * (1 + params["child_dose_rounding_tolerance"]), cap)
    basis = (f"trimethoprim {num(per_m2)} mg/m²/day for {num(bsa)} m², at most {num(cap)} mg: {num(target, 0)} "
             "mg/day")
    daily = candidate.suggested.ingredient_mg_per_day("trimethoprim")
    if daily is None:
        return leave_out(f"under 18 and the dose cannot be read: {basis}")
    if daily <= highest + 1e-9:
        return None
    return adjust(f"under 18: {basis}", _practical_tmp_smx(target, highest, age, params))


def _practical_tmp_smx(target: float, highest: float, age: float, params: Params) -> Adjustment:
    """Whole single-strength tablets when a count lies within the tolerance of `target` (and the child takes
    tablets), else the suspension in 0.5 mL steps, never above `highest`."""
    lowest = target * (1 - params["child_dose_rounding_tolerance"])
    counts = sorted({math.floor(target / TRIMETHOPRIM_MG_PER_TABLET), math.ceil(target / TRIMETHOPRIM_MG_PER_TABLET)},
                    key=lambda k: abs(k * TRIMETHOPRIM_MG_PER_TABLET - target))
    fitting = [k for k in counts if k >= 1 and lowest - 1e-9 <= k * TRIMETHOPRIM_MG_PER_TABLET <= highest + 1e-9]
    if age >= params["child_tablet_min_age_years"] and fitting:
        tablets = fitting[0]
        mg = tablets * TRIMETHOPRIM_MG_PER_TABLET
        if tablets % 2 == 0:
            count, product, strength = tablets // 2, TMP_SMX_DS_TABLET, "double-strength (800/160 mg)"
        else:
            count, product, strength = tablets, TMP_SMX_SS_TABLET, "single-strength (400/80 mg)"
        plural = "s" if count > 1 else ""
        return Adjustment(
            f"TMP-SMX {strength} {count} tablet{plural} daily (trimethoprim {num(mg)} mg)",
            f"Sulfamethoxazole/trimethoprim {strength}: {count} tablet{plural} by mouth once daily (trimethoprim "
            f"{num(mg)} mg, dose by body surface area)", dose_value=count, dose_unit="{tbl}", product=product)
    ml = SUSPENSION_STEP_ML * round(target / TRIMETHOPRIM_MG_PER_ML / SUSPENSION_STEP_ML)
    if ml * TRIMETHOPRIM_MG_PER_ML > highest + 1e-9:
        ml -= SUSPENSION_STEP_ML
    mg = ml * TRIMETHOPRIM_MG_PER_ML
    return Adjustment(
        f"TMP-SMX suspension {num(ml)} mL daily (trimethoprim {num(mg)} mg)",
        f"Sulfamethoxazole 200 mg / trimethoprim 40 mg per 5 mL suspension: {num(ml)} mL by mouth once daily "
        f"(trimethoprim {num(mg)} mg, dose by body surface area)", dose_value=ml, dose_unit="mL",
        product=TMP_SMX_SUSPENSION)


def _folic_acid(candidate: Candidate, params: Params) -> Decision | None:
    dose = candidate.order.dose
    cap = params["child_folic_acid_max_mg_per_day"]
    if dose is None or dose.mg_per_day_high > cap + 1e-9:
        return leave_out(f"under 18: folic acid at most {cap:g} mg/day")
    return None
