"""methotrexate-liver (methotrexate label; BSR/BHPR 2017): liver disease or alcohol use disorder, and
transaminases above a multiple of the upper limit read with CK and GGT."""

from fhir_mappings.concepts import Condition, Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_liver import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
MTX = order(Drug.METHOTREXATE, 15, 1 / 7)
MTX_DRAFT = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def alt(value, high=40, days_ago=5):
    return result(Lab.ALT, value=value, unit="U/L", days_ago=days_ago, reference_high=high)


def ck(value, high=200):
    return result(Lab.CREATINE_KINASE, value=value, unit="U/L", reference_high=high)


def ggt(value, high=60):
    return result(Lab.GGT, value=value, unit="U/L", reference_high=high)


def test_draft_methotrexate_with_liver_disease_is_left_to_the_draft_order_safety_check():
    assert run(facts(medications=(MTX_DRAFT,), conditions=(condition(Condition.LIVER_DISEASE),))) is None
    assert run(facts(medications=(MTX_DRAFT,), conditions=(condition(Condition.HEPATITIS_C),))) is None


def test_draft_methotrexate_with_raised_transaminases_is_left_to_the_draft_order_safety_check():
    assert run(facts(medications=(MTX_DRAFT,), results=(alt(150), ck(150), ggt(180)))) is None


def test_methotrexate_on_record_with_alcohol_use_disorder_is_a_warning():
    finding = run(facts(medications=(MTX,), conditions=(condition(Condition.ALCOHOL_USE_DISORDER),)))
    assert finding.indicator is Indicator.WARNING
    assert "Alcohol use disorder: alcohol-use-disorder" in finding.facts_used


def test_raised_alt_with_raised_ggt_is_a_warning():
    finding = run(facts(medications=(MTX,), results=(alt(150), ck(150), ggt(180))))
    assert finding.indicator is Indicator.WARNING
    assert "withhold" in finding.summary


def test_raised_alt_with_normal_ck_is_a_warning():
    assert run(facts(medications=(MTX,), results=(alt(150), ck(120)))).indicator is Indicator.WARNING


def test_raised_alt_without_ck_or_ggt_asks_for_both():
    finding = run(facts(medications=(MTX,), results=(alt(150),)))
    assert finding.indicator is Indicator.WARNING
    assert "No CK in the last 90 days" in finding.facts_used and "check them" in finding.detail
    assert finding.summary.endswith("check CK and GGT")


def test_raised_alt_with_raised_ck_and_normal_ggt_is_info_muscle_origin():
    finding = run(facts(medications=(MTX,), results=(alt(150), ck(3000), ggt(30))))
    assert finding.indicator is Indicator.INFO
    assert "muscle" in finding.summary


def test_raised_alt_with_raised_ck_and_no_ggt_offers_a_ggt_order():
    finding = run(facts(medications=(MTX,), results=(alt(150), ck(3000))))
    assert finding.indicator is Indicator.INFO
    [action] = finding.suggestions[0].actions
    assert action.resource["code"]["coding"][0]["code"] == "2324-2"


def test_alt_below_twice_the_upper_limit_is_silent():
    assert run(facts(medications=(MTX,), results=(alt(70),))) is None


def test_alt_above_100_u_per_l_below_three_times_the_limit_says_withhold():
    # ALT 110 U/L with an upper limit of 46: 2.4 x ULN, but above BSR 2017's 100 U/L
    finding = run(facts(medications=(MTX,), results=(alt(110, high=46), ck(120), ggt(80))))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary == "ALT 110 U/L on methotrexate: withhold and discuss"


def test_alt_between_two_and_three_times_the_limit_says_reduce_the_dose():
    finding = run(facts(medications=(MTX,), results=(alt(92), ck(120), ggt(80))))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary == "ALT 92 U/L on methotrexate: reduce the dose"
    assert "ALT 92 U/L on 2026-11-15 (2.3 x the upper limit 40)" in finding.facts_used


def test_alt_between_two_and_three_times_the_limit_with_raised_ck_and_normal_ggt_reads_as_muscle():
    finding = run(facts(medications=(MTX,), results=(alt(90), ck(3000), ggt(30))))
    assert finding.indicator is Indicator.INFO and "likely from muscle" in finding.summary


def test_a_normal_ggt_on_record_is_not_asked_for_again():
    finding = run(facts(medications=(MTX,), results=(alt(150), ggt(30))))
    assert "GGT" not in finding.summary and "check it" in finding.detail
    assert finding.summary.endswith("check CK")


def test_the_100_u_per_l_withhold_level_is_a_setting():
    params = {**PARAMS, "withhold_above_u_per_l": 150.0}
    finding = RECOMMENDATION.evaluate(facts(medications=(MTX,), results=(alt(110, high=46), ck(120), ggt(80))), params)
    assert finding.summary.endswith("reduce the dose")


def test_methotrexate_on_record_with_fatty_liver_disease_and_normal_enzymes_is_silent():
    assert run(facts(medications=(MTX,), conditions=(condition(Condition.FATTY_LIVER_DISEASE),))) is None


def test_the_laboratory_upper_limit_is_used_when_reported():
    assert run(facts(medications=(MTX,), results=(alt(110, high=30),))).indicator is Indicator.WARNING


def test_default_upper_limit_applies_without_a_reference_range():
    raised = result(Lab.ALT, value=130, unit="U/L")
    assert run(facts(medications=(MTX,), results=(raised,))).indicator is Indicator.WARNING


def test_enzymes_in_other_units_are_not_read():
    assert run(facts(medications=(MTX,), results=(result(Lab.ALT, value=150, unit="ukat/L"),))) is None


def test_old_raised_alt_is_silent():
    assert run(facts(medications=(MTX,), results=(alt(150, days_ago=200),))) is None


def test_no_methotrexate_is_silent():
    assert run(facts(results=(alt(300),), conditions=(condition(Condition.LIVER_DISEASE),))) is None


def test_applies_without_a_myositis_diagnosis():
    f = facts(myositis=None, medications=(MTX,), conditions=(condition(Condition.LIVER_DISEASE),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True)


def test_threshold_is_configurable():
    params = {**PARAMS, "transaminase_uln_multiple": 4.0, "withhold_above_u_per_l": 200.0}
    finding = RECOMMENDATION.evaluate(facts(medications=(MTX,), results=(alt(150), ck(120), ggt(80))), params)
    assert finding.summary.endswith("reduce the dose")
