"""Age and weight: weight- or BSA-based doses with caps under 18, never an adult fixed dose."""

from hooks.order_safety.decision import Verdict
from tests.factories import facts
from tests.order_safety.candidates import (
    ATOVAQUONE,
    AZATHIOPRINE,
    FOLIC_ACID,
    NORMAL_EGFR,
    PREDNISONE,
    candidate,
    decision,
    tmp_smx_ds,
    weekly_methotrexate,
)


def child(weight=20.0, height=125.0, age=8):
    return facts(age=age, weight_kg=weight, height_cm=height, results=(NORMAL_EGFR,))


def test_adult_tmp_smx_ds_is_left_out_for_a_20_kg_child_with_the_weight_based_dose():
    found = decision(child(), tmp_smx_ds())
    assert found.verdict is Verdict.LEAVE_OUT and "150 mg/m²/day" in found.reason


def test_adult_atovaquone_becomes_30_mg_per_kg_for_a_child():
    found = decision(child(), candidate(ATOVAQUONE, 1500))
    assert found.verdict is Verdict.ADJUST and found.adjustment.dose_value == 600


def test_atovaquone_is_45_mg_per_kg_from_4_to_24_months():
    found = decision(child(weight=10, height=75, age=1), candidate(ATOVAQUONE, 1500))
    assert found.adjustment.dose_value == 450


def test_a_weight_based_dose_within_the_rule_is_offered():
    assert decision(child(), candidate(PREDNISONE, 40)).verdict is Verdict.OFFER


def test_methotrexate_above_20_mg_per_m2_is_reduced_to_the_bsa_dose():
    found = decision(child(), weekly_methotrexate(25))
    assert found.verdict is Verdict.ADJUST and found.adjustment.dose_value == 15


def test_no_recent_weight_no_order_for_a_child():
    assert decision(child(weight=None), candidate(ATOVAQUONE, 1500)).verdict is Verdict.LEAVE_OUT


def test_a_drug_without_a_paediatric_rule_is_not_offered_to_a_child():
    assert decision(child(), candidate(AZATHIOPRINE, 50)).verdict is Verdict.LEAVE_OUT


def test_folic_acid_1_mg_is_offered_to_a_child():
    assert decision(child(), candidate(FOLIC_ACID, 1)).verdict is Verdict.OFFER


def test_adults_get_fixed_doses_without_weight_rules():
    assert decision(facts(weight_kg=None), candidate(ATOVAQUONE, 1500)).verdict is Verdict.OFFER


def test_unknown_age_is_not_pre_selected():
    found = decision(facts(age=None), candidate(ATOVAQUONE, 1500))
    assert found.verdict is Verdict.NOT_RECOMMENDED and found.missing_data


def test_the_paediatric_maximum_is_a_setting():
    found = decision(child(), candidate(ATOVAQUONE, 1500), child_atovaquone_mg_per_kg=20)
    assert found.adjustment.dose_value == 375

