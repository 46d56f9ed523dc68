"""ibm-immunosuppression (docs/evidence.md#subtype-and-scope): no escalation cards in IBM; a warning when an
immunosuppressant or high-dose GC is ordered."""

import pytest

from fhir_mappings.concepts import Drug, MyositisSubtype, Route
from hooks.engine import applicable, evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.ibm_immunosuppression import RECOMMENDATION
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import UNFOLDED, facts, order

PARAMS = RECOMMENDATION.defaults()
IBM = MyositisSubtype.INCLUSION_BODY_MYOSITIS


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def prednisone_draft(mg):
    return order(Drug.PREDNISONE, mg, draft=True, ref="MedicationRequest/pred")


def test_high_dose_prednisone_ordered_in_ibm_gets_a_warning():
    finding = run(facts(hook="order-select", myositis=IBM, medications=(prednisone_draft(40),)))
    assert finding.indicator is Indicator.WARNING
    assert "immunosuppression is not recommended" in finding.summary


@pytest.mark.parametrize("drug", [Drug.METHOTREXATE, Drug.AZATHIOPRINE, Drug.MYCOPHENOLATE_MOFETIL, Drug.RITUXIMAB])
def test_an_immunosuppressant_ordered_in_ibm_gets_a_warning_at_any_dose(drug):
    draft = order(drug, 7.5, draft=True, ref="MedicationRequest/agent")
    finding = run(facts(hook="order-sign", myositis=IBM, medications=(draft,)))
    assert finding.indicator is Indicator.WARNING
    assert finding.about_drafts == ("MedicationRequest/agent",)


def test_an_immunosuppressant_on_record_without_a_draft_is_silent():
    assert run(facts(hook="order-select", myositis=IBM, medications=(order(Drug.METHOTREXATE, 15, 1 / 7),))) is None


def test_prednisone_below_high_dose_is_silent():
    # 35 mg at 70 kg = 0.5 mg/kg/day: below both 40 mg/day and 0.75 mg/kg/day
    assert run(facts(hook="order-select", myositis=IBM, medications=(prednisone_draft(35),))) is None


def test_high_dose_by_weight_counts():
    # 40 kg: 30 mg = 0.75 mg/kg/day
    assert run(facts(hook="order-select", myositis=IBM, weight_kg=40, medications=(prednisone_draft(30),))) is not None


def test_iv_methylprednisolone_pulse_counts_as_high_dose():
    pulse = order(Drug.METHYLPREDNISOLONE, 500, draft=True, route=Route.INTRAVENOUS)
    assert run(facts(hook="order-sign", myositis=IBM, medications=(pulse,))) is not None


def test_high_dose_prednisone_on_record_without_a_draft_is_silent():
    assert run(facts(hook="order-select", myositis=IBM, medications=(order(Drug.PREDNISONE, 60),))) is None


def test_dermatomyositis_is_silent():
    assert run(facts(hook="order-select", medications=(prednisone_draft(60),))) is None


def test_card_is_about_the_glucocorticoid_draft_through_the_engine():
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-select", myositis=IBM, medications=(prednisone_draft(60),)),
                       {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/pred",)


def test_not_shown_on_patient_view():
    f = facts(myositis=IBM, medications=(order(Drug.PREDNISONE, 60),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


ESCALATING = [r for r in all_recommendations() if r.escalates_immunosuppression]


def test_the_registry_declares_escalating_recommendations():
    assert ESCALATING


@pytest.mark.parametrize("recommendation", ESCALATING, ids=lambda r: r.id)
@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
def test_no_escalating_recommendation_applies_in_ibm(recommendation, hook):
    assert not applicable(recommendation, facts(hook=hook, myositis=IBM))


def test_ibm_on_glucocorticoid_monotherapy_gets_no_escalation_card_from_the_whole_registry():
    registry = all_recommendations()
    meds = (order(Drug.PREDNISONE, 60, days=60), prednisone_draft(60))
    results = evaluate(registry, facts(hook="order-select", myositis=IBM, medications=meds),
                       resolve(registry, UNFOLDED), strict=True)
    assert not [r for r in results if r.recommendation.escalates_immunosuppression]
    assert "ibm-immunosuppression" in [r.recommendation.id for r in results]


def test_the_same_patient_with_dermatomyositis_does_get_an_escalation_card():
    registry = all_recommendations()
    meds = (order(Drug.PREDNISONE, 60, days=60), prednisone_draft(60))
    results = evaluate(registry, facts(hook="order-select", medications=meds), resolve(registry, {}), strict=True)
    assert [p for r in results for p in r.findings() if p.recommendation.escalates_immunosuppression]
