"""Age and weight: under 18 only doses within a weight- or BSA-based rule and its cap, never an
adult fixed dose; without a recent weight (30 days for children) no one-click order. A drug without
a paediatric dose rule here is not offered to a child. Adults: drugs dosed by weight (IVIG,
cyclophosphamide) need a recent weight (90 days)."""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import dose_in_steps, dosing_bsa_m2, recent_weight_kg
from hooks.order_safety.decision import Adjustment, Candidate, Decision, adjust, leave_out, not_recommended
from hooks.recommendation import Params

WEIGHT_DOSED_IN_ADULTS = frozenset({Drug.IVIG, Drug.CYCLOPHOSPHAMIDE})


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
    #: For a combination product, the component whose dose the rule is about.
    ingredient: str | None = None


_PREDNISONE = PaediatricRule("child_prednisone_max_mg_per_kg", "child_prednisone_max_mg_per_day", step_mg=5)
RULES: dict[Drug, PaediatricRule] = {
    Drug.PREDNISONE: _PREDNISONE,
    Drug.PREDNISOLONE: _PREDNISONE,
    Drug.METHOTREXATE: PaediatricRule("child_methotrexate_max_mg_per_m2", "child_methotrexate_max_mg_per_week",
                                      per_m2=True, weekly=True, step_mg=2.5, min_fraction=0.75),
    Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM: PaediatricRule("child_trimethoprim_mg_per_m2",
                                                       "child_trimethoprim_max_mg_per_day", per_m2=True,
                                                       ingredient="trimethoprim"),
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
    basis = (f"{per_size:g} mg/{unit}/{period} for {size:.2f} {unit}, at most {cap:g} mg: {allowed:g} mg/{period}"
             if rule.per_m2 else f"{per_size:g} mg/kg/{period} for {size:g} kg, at most {cap:g} mg: "
             f"{allowed:g} mg/{period}")
    if rule.ingredient is not None:
        daily = candidate.suggested.ingredient_mg_per_day(rule.ingredient)
    else:
        daily = order.dose.mg_per_day_high if order.dose is not None else None
    if daily is None:
        return leave_out(f"under 18 and the dose cannot be read: {basis}")
    given = daily * 7 if rule.weekly else daily
    if given <= allowed + 1e-9:
        return None
    dose = order.dose
    if rule.step_mg is None or dose is None or candidate.suggested.units_per_day is not None:
        return leave_out(f"adult dose for a child: {basis} ({rule.ingredient or order.drug.value} by weight)")
    per_period = dose.administrations_per_day * (7 if rule.weekly else 1)
    mg = dose_in_steps(allowed / per_period, rule.step_mg, at_least_mg=rule.min_fraction * allowed / per_period)
    if mg is None:
        return leave_out(f"adult dose for a child: {basis}")
    schedule = "once weekly" if rule.weekly else ("daily" if per_period == 1 else f"{per_period:g} times a day")
    name = order.drug.value.replace("-", " ")
    return adjust(f"under 18: {basis}", Adjustment(
        f"{name} {mg:g} mg {schedule}", f"{name.capitalize()} {mg:g} mg {schedule} (weight-based dose)",
        dose_value=mg, dose_unit="mg"))


def _folic_acid(candidate: Candidate, params: Params) -> Decision | None:
    dose = candidate.order.dose
    cap = params["child_folic_acid_max_mg_per_day"]
    if dose is None or dose.mg_per_day_high > cap + 1e-9:
        return leave_out(f"under 18: folic acid at most {cap:g} mg/day")
    return None
