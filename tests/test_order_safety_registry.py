"""Registry-wide: no recommendation offers a one-click medication order that is unsafe for a risk patient.

Every recommendation of the registry runs (through the engine, as in production) on every base
patient of tests/risk_patients.py and every fixture request, each combined with every risk
(eGFR 20, eGFR 40, cirrhosis, pregnancy, breastfeeding, childbearing potential, a 20 kg child, no
weight, dysphagia, sulfonamide allergy, methotrexate allergy, allopurinol). The oracle below states each dimension in
its own terms (drug, daily amount, patient), independently of hooks/order_safety: an offered order
must not break it, and a pre-selected one must not be held back by it. A new recommendation that
offers orders is covered as soon as one base patient or fixture makes it fire.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from fhir_mappings.concepts import TERATOGENS, Drug
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.suggested_orders import is_medication_order, read_suggested_order
from hooks import engine
from hooks import settings as rule_settings
from hooks.recommendation import Suggestion
from hooks.registry import all_recommendations
from tests.factories import TODAY, UNFOLDED
from tests.risk_patients import BASE_PATIENTS, RISKS, fixture_patients

PATIENTS = {**BASE_PATIENTS, **fixture_patients()}
SETTINGS = rule_settings.resolve(all_recommendations(), UNFOLDED)
BISPHOSPHONATES = {Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.ZOLEDRONIC_ACID}
#: Mosteller BSA of the 20 kg, 125 cm child.
CHILD_BSA = (20 * 125 / 3600) ** 0.5


@dataclass(frozen=True)
class Offered:
    """One ingredient of an offered order: drug, mg per day (per week for weekly drugs), trimethoprim mg/day."""

    drug: Drug
    mg_per_day: float | None
    mg_per_week: float | None
    trimethoprim_mg_per_day: float | None
    label: str
    recommended: bool


def offered(suggestions: tuple[Suggestion, ...]) -> Iterator[Offered]:
    for suggestion in suggestions:
        for action in suggestion.actions:
            if action.type not in ("create", "update") or not is_medication_order(action.resource):
                continue
            read = read_suggested_order(action.resource, TODAY)
            for order in read.orders:
                dose = order.dose
                yield Offered(order.drug, dose.mg_per_day_high if dose else None,
                              dose.mg_per_week_high if dose else None, read.ingredient_mg_per_day("trimethoprim"),
                              suggestion.label, suggestion.is_recommended)


def violation(risk: str, o: Offered) -> str | None:
    """Why offering `o` to this risk patient is unsafe, or None."""
    if risk == "egfr-20":
        if o.drug in {Drug.METHOTREXATE, *BISPHOSPHONATES}:
            return "contraindicated at eGFR 20"
        if o.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM and (o.trimethoprim_mg_per_day or 999) > 80:
            return "TMP-SMX above half dose at eGFR 20"
        if o.drug is Drug.MYCOPHENOLATE_MOFETIL and (o.mg_per_day or 999) > 2000:
            return "mycophenolate above 1 g twice daily at eGFR < 25"
    if risk == "egfr-40" and o.drug is Drug.METHOTREXATE and (o.mg_per_week or 999) > 12.5:
        return "full methotrexate dose at eGFR 40"
    if risk == "cirrhosis" and o.drug is Drug.METHOTREXATE:
        return "methotrexate with liver disease"
    if risk in ("pregnant", "breastfeeding") and o.drug in {*TERATOGENS, *BISPHOSPHONATES, Drug.DENOSUMAB}:
        return f"teratogen or bisphosphonate, {risk}"
    if risk == "childbearing-potential" and o.drug in TERATOGENS and "contraception" not in o.label:
        return "teratogen without the contraception note"
    if risk == "child-20-kg":
        return _child_violation(o)
    if risk == "child-without-weight" and o.drug is not Drug.FOLIC_ACID:
        return "a weight-based order for a child without a recent weight"
    if risk == "adult-without-weight" and o.drug in {Drug.IVIG, Drug.CYCLOPHOSPHAMIDE}:
        return "weight-based dose without a recent weight"
    if risk == "dysphagia" and o.drug in {Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE}:
        return "oral bisphosphonate with dysphagia"
    if risk == "sulfonamide-allergy" and o.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return "TMP-SMX with a sulfonamide allergy"
    if risk == "methotrexate-allergy" and o.drug is Drug.METHOTREXATE:
        return "methotrexate with a methotrexate allergy"
    if risk == "on-allopurinol" and o.drug in {Drug.AZATHIOPRINE, Drug.MERCAPTOPURINE}:
        return "thiopurine with allopurinol"
    return None


def _child_violation(o: Offered) -> str | None:
    limits = {  # the most a 20 kg, 125 cm child may get, per day (methotrexate: per week)
        Drug.PREDNISONE: 40, Drug.PREDNISOLONE: 40, Drug.ATOVAQUONE: 30 * 20, Drug.DAPSONE: 2 * 20,
        Drug.FOLIC_ACID: 1,
    }
    if o.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return None if (o.trimethoprim_mg_per_day or 999) <= 150 * CHILD_BSA else "adult TMP-SMX dose for a child"
    if o.drug is Drug.METHOTREXATE:
        return None if (o.mg_per_week or 999) <= 20 * CHILD_BSA else "methotrexate above 20 mg/m²/week"
    if o.drug not in limits:
        return "a drug without a paediatric dose rule offered to a child"
    return None if (o.mg_per_day or 999) <= limits[o.drug] + 1e-9 else f"above the weight-based dose of {o.drug}"


def cards(f: ClinicalFacts):
    return engine.evaluate(all_recommendations(), f, SETTINGS, strict=True)


@pytest.mark.parametrize("risk", sorted(RISKS))
@pytest.mark.parametrize("patient", sorted(PATIENTS))
def test_no_offered_order_violates_a_safety_dimension(patient, risk):
    f = RISKS[risk](PATIENTS[patient]())
    problems = [
        f"{result.recommendation.id}: {o.label!r}: {why}"
        for result in cards(f)
        for o in offered(result.finding.suggestions)
        if (why := violation(risk, o))
    ]
    assert not problems


@pytest.mark.parametrize("risk", sorted(RISKS))
@pytest.mark.parametrize("patient", sorted(PATIENTS))
def test_at_most_one_option_per_card_is_pre_selected(patient, risk):
    f = RISKS[risk](PATIENTS[patient]())
    for result in cards(f):
        assert sum(s.is_recommended for s in result.finding.suggestions) <= 1, result.recommendation.id


def _offers_orders(recommendation) -> bool:
    """Whether the recommendation's module builds MedicationRequests (create or update)."""
    source = inspect.getsource(inspect.getmodule(recommendation.evaluate))
    return any(f"{builder}(" in source for builder in ("new_order", "start_azathioprine", "start_mycophenolate",
                                                       "update_draft", "medication_request"))


def test_every_order_offering_recommendation_fires_with_an_order_on_some_base_patient():
    """So that the risk tests above cover it: a new one needs a base patient (or fixture) that makes it fire."""
    fired = {
        result.recommendation.id
        for make in PATIENTS.values()
        for result in cards(make())
        if any(True for _ in offered(result.finding.suggestions))
    }
    offering = {r.id for r in all_recommendations() if _offers_orders(r)}
    assert offering, "no recommendation builds orders: the detection above is broken"
    assert offering <= fired, f"no base patient makes these offer an order: {sorted(offering - fired)}"


def test_the_risk_patients_do_take_unsafe_options_away():
    """The oracle is not vacuous: without the engine's check the same cards offer violating orders."""
    unscreened = []
    for patient in ("dm-on-prednisone-alone", "dm-with-osteoporosis-on-prednisone"):
        f = RISKS["egfr-20"](PATIENTS[patient]())
        for recommendation in all_recommendations():
            if not engine.applicable(recommendation, f):
                continue
            finding = recommendation.evaluate(f, SETTINGS[recommendation.id])
            if finding is not None:
                unscreened += [o for o in offered(finding.suggestions) if violation("egfr-20", o)]
    assert {o.drug for o in unscreened} >= {Drug.METHOTREXATE, Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM}
