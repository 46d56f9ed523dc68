"""refractory-disease: CK not falling after >= 12 weeks of glucocorticoid plus a steroid-sparing agent."""

from fhir_mappings.concepts import Drug, Lab, MyositisSubtype
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.refractory_disease import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
PREDNISONE = order(Drug.PREDNISONE, 20, days=120)
BASELINE_CK = result(Lab.CREATINE_KINASE, value=3000, unit="U/L", days_ago=125)


def run(f, params=PARAMS):
    return RECOMMENDATION.evaluate(f, params)


def methotrexate(days):
    return order(Drug.METHOTREXATE, 20, 1 / 7, days=days)


def ck(value, days_ago=5):
    return result(Lab.CREATINE_KINASE, value=value, unit="U/L", days_ago=days_ago)


def patient(latest_ck, *, mtx_days=100, baseline=BASELINE_CK, **kwargs):
    return facts(medications=(PREDNISONE, methotrexate(mtx_days)), results=(baseline, latest_ck), **kwargs)


def test_ck_unchanged_after_12_weeks_of_combination_is_info():
    finding = run(patient(ck(3000)))
    assert finding.indicator is Indicator.INFO
    assert "reassess diagnosis" in finding.summary


def test_ck_rising_above_baseline_fires():
    assert run(patient(ck(4500))) is not None


def test_ck_just_below_baseline_is_silent():
    assert run(patient(ck(2999))) is None


def test_detail_asks_is_this_iim_and_names_escalation_options():
    detail = run(patient(ck(3000))).detail
    assert "Is this IIM?" in detail and "re-biopsy" in detail and "steroid myopathy" in detail
    assert "IVIG" in detail and "rituximab" in detail


def test_facts_show_both_ck_values():
    facts_used = run(patient(ck(3200))).facts_used
    assert any(line.startswith("Pre-treatment creatine kinase: CK 3000 U/L") for line in facts_used)
    assert any(line.startswith("Latest creatine kinase: CK 3200 U/L") for line in facts_used)


def test_exactly_12_weeks_of_combination_fires():
    assert run(patient(ck(3000, days_ago=0), mtx_days=84)) is not None


def test_11_weeks_and_6_days_of_combination_is_silent():
    assert run(patient(ck(3000, days_ago=0), mtx_days=83)) is None


def test_ck_taken_before_the_12_week_point_is_silent():
    assert run(patient(ck(3000, days_ago=20), mtx_days=100)) is None


def test_without_a_pre_treatment_ck_is_silent():
    on_treatment_ck = ck(3000, days_ago=90)
    assert run(patient(ck(3000), baseline=on_treatment_ck)) is None


def test_without_a_steroid_sparing_agent_is_silent():
    assert run(facts(medications=(PREDNISONE,), results=(BASELINE_CK, ck(3000)))) is None


def test_without_a_glucocorticoid_is_silent():
    assert run(facts(medications=(methotrexate(100),), results=(BASELINE_CK, ck(3000)))) is None


def test_ratio_is_configurable():
    assert run(patient(ck(2500)), {**PARAMS, "ck_ratio": 0.8}) is not None


def test_minimum_weeks_are_configurable():
    assert run(patient(ck(3000, days_ago=0), mtx_days=60), {**PARAMS, "min_combination_weeks": 8}) is not None


def test_not_shown_on_order_select():
    f = patient(ck(3000), hook="order-select")
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_inclusion_body_myositis_is_silent_through_the_engine():
    f = patient(ck(3000), myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS)
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_the_highest_pre_treatment_ck_is_the_baseline():
    earlier_peak = result(Lab.CREATINE_KINASE, value=9000, unit="U/L", days_ago=140)
    f = facts(medications=(PREDNISONE, methotrexate(100)), results=(earlier_peak, BASELINE_CK, ck(3500)))
    assert run(f) is None


def test_a_latest_ck_older_than_the_window_is_not_the_current_response():
    old_course = facts(medications=(order(Drug.PREDNISONE, 20, days=700), methotrexate(650)),
                       results=(result(Lab.CREATINE_KINASE, value=3000, unit="U/L", days_ago=705), ck(3000, 300)))
    assert run(old_course) is None
    assert run(old_course, {**PARAMS, "ck_window_days": 400}) is not None
