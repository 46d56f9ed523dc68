"""Age and weight: weight- or BSA-based doses with caps under 18, never an adult fixed dose."""

from hooks.order_safety.decision import Verdict
from tests.factories import facts
from tests.order_safety.candidates import (
    ATOVAQUONE,
    AZATHIOPRINE,
    FOLIC_ACID,
    NORMAL_EGFR,
    PARAMS,
    PREDNISONE,
    candidate,
    decision,
    tmp_smx_ds,
    weekly_methotrexate,
)


def child(weight=20.0, height=125.0, age=8):
    return facts(age=age, weight_kg=weight, height_cm=height, results=(NORMAL_EGFR,))


def test_tmp_smx_ds_for_a_20_kg_child_becomes_the_bsa_dose_as_suspension():
    # 125 cm, 20 kg: 0.83 m² x 150 mg/m² = 125 mg; 1 or 2 SS tablets (80/160 mg) are not within 10%
    found = decision(child(), tmp_smx_ds())
    assert found.verdict is Verdict.ADJUST and "150 mg/m²/day" in found.reason
    change = found.adjustment
    assert (change.product[0], change.dose_value, change.dose_unit) == ("313134", 15.5, "mL")
    assert "124 mg" in change.summary


def test_tmp_smx_ds_within_the_rounding_tolerance_of_the_bsa_dose_is_offered_as_is():
    # 150 cm, 27 kg: 1.06 m² -> 159 mg; the 160 mg DS tablet is 0.6% over
    assert decision(child(weight=27, height=150, age=11), tmp_smx_ds()).verdict is Verdict.OFFER


def test_a_child_old_enough_for_tablets_gets_whole_single_strength_tablets_when_they_fit():
    # 99 cm, 11 kg: 0.55 m² -> 82.5 mg; one SS tablet (80 mg) is within 10%
    found = decision(child(weight=11, height=99, age=7), tmp_smx_ds())
    assert (found.adjustment.product[0], found.adjustment.dose_value, found.adjustment.dose_unit) == ("198334", 1, "{tbl}")


def test_a_young_child_gets_the_suspension_even_when_a_tablet_would_fit():
    found = decision(child(weight=11, height=99, age=4), tmp_smx_ds())
    assert (found.adjustment.product[0], found.adjustment.dose_value) == ("313134", 10.5)


def test_the_adjusted_tmp_smx_dose_passes_the_check_again():
    from hooks.order_safety.screen import _screen_action  # the engine re-checks the changed order
    from hooks.recommendation import Action
    from tests.order_safety.candidates import TMP_SMX_DS, resource
    found, action = _screen_action(Action("create", "x", resource(TMP_SMX_DS, 1, "{tbl}")), child(), PARAMS, frozenset())
    assert found.verdict is Verdict.ADJUST
    assert action.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 15.5


def test_tmp_smx_for_a_child_without_a_height_is_left_out():
    assert decision(child(height=None), tmp_smx_ds()).verdict is Verdict.LEAVE_OUT


def test_the_tmp_smx_rounding_tolerance_is_a_setting():
    found = decision(child(weight=27, height=150, age=11), tmp_smx_ds(), child_dose_rounding_tolerance=0)
    assert found.verdict is Verdict.ADJUST


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

