"""Liver: liver disease, alcohol use disorder, raised ALT/AST."""

from fhir_mappings.concepts import Condition, Lab
from hooks.order_safety.decision import Verdict
from tests.factories import condition, facts, result
from tests.order_safety.candidates import (
    AZATHIOPRINE,
    NORMAL_EGFR,
    candidate,
    decision,
    tmp_smx_ds,
    weekly_methotrexate,
)


def patient(*conditions, results=()):
    return facts(conditions=tuple(condition(c) for c in conditions), results=(NORMAL_EGFR, *results))


def test_methotrexate_is_left_out_with_cirrhosis():
    assert decision(patient(Condition.LIVER_DISEASE), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_methotrexate_is_left_out_with_alcohol_use_disorder():
    assert decision(patient(Condition.ALCOHOL_USE_DISORDER), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_methotrexate_with_fatty_liver_disease_alone_asks_for_a_fibrosis_assessment_not_pre_selected():
    found = decision(patient(Condition.FATTY_LIVER_DISEASE), weekly_methotrexate())
    assert found.verdict is Verdict.NOT_RECOMMENDED and not found.contraindicated
    assert "assess liver fibrosis (FIB-4 or elastography)" in found.reason


def test_tmp_smx_is_not_pre_selected_with_liver_disease():
    found = decision(patient(Condition.LIVER_DISEASE), tmp_smx_ds())
    assert found.verdict is Verdict.NOT_RECOMMENDED and not found.missing_data


def test_alt_above_three_times_the_upper_limit_leaves_azathioprine_out():
    alt = result(Lab.ALT, value=150, unit="U/L")
    found = decision(patient(results=(alt,)), candidate(AZATHIOPRINE, 50))
    assert found.verdict is Verdict.LEAVE_OUT and "3x the upper limit" in found.reason


def test_alt_below_three_times_the_upper_limit_is_no_obstacle():
    alt = result(Lab.ALT, value=90, unit="U/L")
    assert decision(patient(results=(alt,)), weekly_methotrexate()).verdict is Verdict.OFFER


def test_an_old_raised_alt_is_not_current():
    alt = result(Lab.ALT, value=300, unit="U/L", days_ago=400)
    assert decision(patient(results=(alt,)), weekly_methotrexate()).verdict is Verdict.OFFER


def test_the_laboratory_reference_range_sets_the_upper_limit():
    alt = result(Lab.ALT, value=90, unit="U/L", reference_high=25)
    assert decision(patient(results=(alt,)), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_methotrexate_is_left_out_with_chronic_hepatitis_b_or_c():
    for hepatitis in (Condition.HEPATITIS_B, Condition.HEPATITIS_C):
        assert decision(patient(hepatitis), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_raised_alt_with_raised_ck_and_no_ggt_is_offered_not_pre_selected_as_likely_muscle():
    results = (result(Lab.ALT, value=150, unit="U/L"), result(Lab.CREATINE_KINASE, value=4850, unit="U/L"))
    found = decision(patient(results=results), weekly_methotrexate())
    assert found.verdict is Verdict.NOT_RECOMMENDED and "likely from muscle" in found.reason


def test_raised_alt_with_raised_ck_and_normal_ggt_is_offered_not_pre_selected():
    results = (result(Lab.ALT, value=150, unit="U/L"), result(Lab.CREATINE_KINASE, value=4850, unit="U/L"),
               result(Lab.GGT, value=30, unit="U/L"))
    assert decision(patient(results=results), candidate(AZATHIOPRINE, 50)).verdict is Verdict.NOT_RECOMMENDED


def test_raised_alt_with_raised_ggt_is_left_out_even_with_raised_ck():
    results = (result(Lab.ALT, value=150, unit="U/L"), result(Lab.CREATINE_KINASE, value=4850, unit="U/L"),
               result(Lab.GGT, value=200, unit="U/L"))
    assert decision(patient(results=results), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_raised_alt_with_raised_ck_and_normal_ggt_does_not_ask_for_ggt_again():
    results = (result(Lab.ALT, value=150, unit="U/L"), result(Lab.CREATINE_KINASE, value=4850, unit="U/L"),
               result(Lab.GGT, value=30, unit="U/L"))
    found = decision(patient(results=results), weekly_methotrexate())
    assert "GGT 30 U/L" in found.reason.replace("ggt", "GGT") and "check GGT" not in found.reason


def test_methotrexate_with_fatty_liver_disease_alone_is_offered_not_pre_selected_pending_fibrosis_assessment():
    found = decision(patient(Condition.FATTY_LIVER_DISEASE), weekly_methotrexate())
    assert found.verdict is Verdict.NOT_RECOMMENDED and "FIB-4" in found.reason
