"""Kidney function: eGFR thresholds of methotrexate, TMP-SMX, bisphosphonates and mycophenolate."""

from fhir_mappings.concepts import Lab
from hooks.order_safety.decision import Verdict
from tests.factories import facts, result
from tests.order_safety.candidates import (
    ALENDRONATE,
    EGFR_UNIT,
    FOLIC_ACID,
    MYCOPHENOLATE,
    candidate,
    decision,
    tmp_smx_ds,
    weekly_methotrexate,
)


def egfr(value: float, days_ago: int = 5):
    return facts(results=(result(Lab.EGFR, value=value, unit=EGFR_UNIT, days_ago=days_ago),))


def test_methotrexate_is_left_out_below_egfr_30():
    found = decision(egfr(25), weekly_methotrexate())
    assert found.verdict is Verdict.LEAVE_OUT and "eGFR 25" in found.reason


def test_methotrexate_is_halved_between_egfr_30_and_60():
    found = decision(egfr(40), weekly_methotrexate(15))
    assert found.verdict is Verdict.ADJUST
    assert found.adjustment.dose_value == 7.5


def test_methotrexate_is_offered_as_is_with_normal_renal_function():
    assert decision(egfr(75), weekly_methotrexate()).verdict is Verdict.OFFER


def test_without_a_recent_egfr_methotrexate_is_not_pre_selected_and_says_so():
    found = decision(egfr(90, days_ago=200), weekly_methotrexate())
    assert found.verdict is Verdict.NOT_RECOMMENDED and found.missing_data
    assert "no eGFR in the last 90 days" in found.reason


def test_tmp_smx_ds_daily_becomes_single_strength_between_egfr_15_and_30():
    found = decision(egfr(22), tmp_smx_ds())
    assert found.verdict is Verdict.ADJUST and found.adjustment.product[0] == "198334"


def test_tmp_smx_is_left_out_below_egfr_15():
    assert decision(egfr(12), tmp_smx_ds()).verdict is Verdict.LEAVE_OUT


def test_alendronate_is_left_out_below_egfr_35_and_offered_above():
    weekly = dict(period_unit="wk")
    assert decision(egfr(30), candidate(ALENDRONATE, 70, **weekly)).verdict is Verdict.LEAVE_OUT
    assert decision(egfr(50), candidate(ALENDRONATE, 70, **weekly)).verdict is Verdict.OFFER


def test_mycophenolate_above_2_g_a_day_is_capped_below_egfr_25():
    found = decision(egfr(20), candidate(MYCOPHENOLATE, 1500, frequency=2))
    assert found.verdict is Verdict.ADJUST and found.adjustment.dose_value == 1000


def test_mycophenolate_starting_dose_needs_no_egfr():
    assert decision(facts(), candidate(MYCOPHENOLATE, 500, frequency=2)).verdict is Verdict.OFFER


def test_a_drug_without_renal_rules_is_offered_without_an_egfr():
    assert decision(facts(), candidate(FOLIC_ACID, 1)).verdict is Verdict.OFFER


def test_the_thresholds_are_settings():
    assert decision(egfr(40), weekly_methotrexate(), methotrexate_avoid_below_egfr=45).verdict is Verdict.LEAVE_OUT


def child_with_creatinine(creatinine_mg_dl: float, *, height_days_ago: int = 5, age: float = 8):
    from dataclasses import replace
    from datetime import timedelta

    from fhir_mappings.facts import Measurement
    from tests.factories import NOW
    base = facts(age=age, weight_kg=20, results=(result(Lab.CREATININE, value=creatinine_mg_dl, unit="mg/dL"),))
    return replace(base, height_cm=Measurement(125, NOW - timedelta(days=height_days_ago)))


def test_a_child_with_a_creatinine_and_a_recent_height_gets_a_bedside_schwartz_egfr():
    from hooks.criteria import latest_egfr
    reading = latest_egfr(child_with_creatinine(0.5))  # 0.413 x 125 / 0.5 = 103
    assert round(reading.value) == 103 and "bedside Schwartz" in reading.text


def test_tmp_smx_for_a_child_with_normal_schwartz_egfr_is_offered_by_bsa_and_pre_selectable():
    found = decision(child_with_creatinine(0.5), tmp_smx_ds())
    assert found.verdict is Verdict.ADJUST and not found.missing_data


def test_a_child_without_a_recent_height_gets_no_computed_egfr():
    from hooks.criteria import latest_egfr
    assert latest_egfr(child_with_creatinine(0.5, height_days_ago=400)) is None


def test_a_low_schwartz_egfr_halves_tmp_smx_or_leaves_it_out():
    # 0.413 x 125 / 2.5 = 21: half the usual regimen; a suspension cannot be halved by the renal check
    assert decision(child_with_creatinine(2.5), tmp_smx_ds()).verdict is Verdict.LEAVE_OUT
