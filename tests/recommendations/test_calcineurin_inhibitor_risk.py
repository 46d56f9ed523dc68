"""calcineurin-inhibitor-risk (docs/evidence.md#calcineurin-inhibitors): tacrolimus/ciclosporin with hypertension or eGFR < 60."""

from fhir_mappings.concepts import Condition, Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.calcineurin_inhibitor_risk import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
HYPERTENSION = (condition(Condition.HYPERTENSION),)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def egfr(value, days_ago=5):
    return result(Lab.EGFR, value=value, unit="mL/min/{1.73_m2}", days_ago=days_ago)


def tacrolimus_draft():
    return order(Drug.TACROLIMUS, 2, 2, draft=True, ref="MedicationRequest/tac")


def test_draft_tacrolimus_with_hypertension_warns():
    finding = run(facts(hook="order-select", medications=(tacrolimus_draft(),), conditions=HYPERTENSION))
    assert finding.indicator is Indicator.WARNING
    assert "hypertension" in finding.summary


def test_draft_ciclosporin_with_egfr_59_warns():
    draft = order(Drug.CICLOSPORIN, 150, 2, draft=True)
    assert run(facts(hook="order-sign", medications=(draft,), results=(egfr(59),))).indicator is Indicator.WARNING


def test_draft_with_egfr_60_and_no_hypertension_is_silent():
    assert run(facts(hook="order-select", medications=(tacrolimus_draft(),), results=(egfr(60),))) is None


def test_draft_without_egfr_or_hypertension_is_silent():
    assert run(facts(hook="order-select", medications=(tacrolimus_draft(),))) is None


def test_only_the_latest_egfr_counts():
    results = (egfr(45, days_ago=200), egfr(75, days_ago=3))
    assert run(facts(hook="order-select", medications=(tacrolimus_draft(),), results=results)) is None


def test_patient_view_warns_when_egfr_fell_below_60_on_treatment():
    meds = (order(Drug.TACROLIMUS, 2, 2, days=120),)
    assert run(facts(medications=meds, results=(egfr(52, days_ago=10),))).indicator is Indicator.WARNING


def test_patient_view_warns_on_an_egfr_computed_from_a_newer_creatinine_on_treatment():
    meds = (order(Drug.TACROLIMUS, 2, 2, days=120),)
    results = (egfr(80, days_ago=150), result(Lab.CREATININE, value=2.0, unit="mg/dL", days_ago=7))
    finding = run(facts(medications=meds, results=results))
    assert finding.indicator is Indicator.WARNING
    assert any("CKD-EPI 2021" in fact for fact in finding.facts_used)


def test_patient_view_is_silent_when_low_egfr_predates_the_prescription():
    meds = (order(Drug.TACROLIMUS, 2, 2, days=30),)
    assert run(facts(medications=meds, results=(egfr(52, days_ago=60),))) is None


def test_patient_view_does_not_repeat_known_hypertension():
    meds = (order(Drug.TACROLIMUS, 2, 2, days=120),)
    assert run(facts(medications=meds, conditions=HYPERTENSION)) is None


def test_silent_without_a_calcineurin_inhibitor():
    assert run(facts(hook="order-select", medications=(order(Drug.AZATHIOPRINE, 100, draft=True),),
                     conditions=HYPERTENSION)) is None


def test_order_select_of_another_drug_is_silent_through_the_engine():
    meds = (order(Drug.TACROLIMUS, 2, 2), order(Drug.PREDNISONE, 10, draft=True))
    f = facts(hook="order-select", medications=meds, conditions=HYPERTENSION)
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_without_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, hook="order-select", medications=(tacrolimus_draft(),), conditions=HYPERTENSION)
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_configured_egfr_threshold_is_used():
    params = {**PARAMS, "egfr_threshold": 45}
    f = facts(hook="order-select", medications=(tacrolimus_draft(),), results=(egfr(50),))
    assert RECOMMENDATION.evaluate(f, params) is None
