"""bone-protection (docs/evidence.md#bone-protection): ACR 2022 glucocorticoid-induced osteoporosis."""

from fhir_mappings.concepts import Condition, Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.bone_protection import RECOMMENDATION
from tests.factories import condition, days_before, facts, order, result

PARAMS = RECOMMENDATION.defaults()

SUPPLEMENTS = (order(Drug.CALCIUM, 500, 2), order(Drug.VITAMIN_D, 0.02))
RECENT_NORMAL_DXA = result(Lab.T_SCORE, value=-1.0, days_ago=100)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def labels(finding):
    return [s.label for s in finding.suggestions]


def recommended(finding):
    return [s.label for s in finding.suggestions if s.is_recommended]


def test_low_dose_in_myositis_without_supplements_is_info():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 5, days=10),), results=(RECENT_NORMAL_DXA,)))
    assert finding.indicator is Indicator.INFO
    assert recommended(finding) == ["Order calcium + vitamin D"]


def test_dose_just_below_2_5_mg_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 2.4, days=200),))) is None


def test_exactly_2_5_mg_fires():
    assert run(facts(medications=(order(Drug.PREDNISONE, 2.5, days=200),))).indicator is Indicator.INFO


def test_supplemented_with_recent_bone_density_is_silent():
    f = facts(medications=(order(Drug.PREDNISONE, 10, days=200),) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f) is None


def test_bone_density_older_than_two_years_is_due_again():
    old_dxa = result(Lab.T_SCORE, value=-1.0, days_ago=731)
    f = facts(medications=(order(Drug.PREDNISONE, 10, days=200),) + SUPPLEMENTS, results=(old_dxa,))
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert finding.suggestions == ()


def test_children_are_out_of_scope():
    assert run(facts(age=12, medications=(order(Drug.PREDNISONE, 30, days=100),))) is None


def test_high_dose_open_ended_at_age_40_or_over_is_very_high_risk_information():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 60, days=5),) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,)))
    assert finding.indicator is Indicator.INFO
    assert recommended(finding) == ["Order alendronate 70 mg once weekly"]


def test_29_mg_is_not_the_very_high_risk_dose():
    f = facts(medications=(order(Drug.PREDNISONE, 29, days=100),) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f) is None


def test_30_mg_bounded_to_30_days_is_not_very_high_risk():
    pred = order(Drug.PREDNISONE, 30, days=10, end=days_before(10 - 30))
    f = facts(medications=(pred,) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f) is None


def test_30_mg_bounded_to_31_days_is_very_high_risk():
    pred = order(Drug.PREDNISONE, 30, days=10, end=days_before(10 - 31))
    f = facts(medications=(pred,) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f).indicator is Indicator.INFO


def test_30_mg_under_age_40_is_very_high_risk_from_day_zero():
    pred = order(Drug.PREDNISONE, 30, days=1, end=days_before(-5))
    f = facts(age=30, medications=(pred,) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f).indicator is Indicator.INFO


def test_cumulative_5_g_in_a_year_is_very_high_risk():
    past = order(Drug.PREDNISONE, 25, days=280, status="completed", end=days_before(100))  # 4.5 g + 0.5 g current
    f = facts(medications=(past, order(Drug.PREDNISONE, 5, days=100)) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f).indicator is Indicator.INFO


def test_cumulative_just_under_5_g_is_not_very_high_risk():
    past = order(Drug.PREDNISONE, 25, days=279, status="completed", end=days_before(100))  # 4.475 g + 0.5 g current
    f = facts(medications=(past, order(Drug.PREDNISONE, 5, days=100)) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,))
    assert run(f) is None


def test_t_score_minus_2_5_needs_therapy():
    f = facts(medications=(order(Drug.PREDNISONE, 5, days=200),) + SUPPLEMENTS,
              results=(result(Lab.T_SCORE, value=-2.5, days_ago=30),))
    assert run(f).indicator is Indicator.INFO


def test_t_score_minus_2_4_does_not_need_therapy():
    f = facts(medications=(order(Drug.PREDNISONE, 5, days=200),) + SUPPLEMENTS,
              results=(result(Lab.T_SCORE, value=-2.4, days_ago=30),))
    assert run(f) is None


def test_prior_fragility_fracture_needs_therapy():
    f = facts(medications=(order(Drug.PREDNISONE, 5, days=200),) + SUPPLEMENTS, results=(RECENT_NORMAL_DXA,),
              conditions=(condition(Condition.FRAGILITY_FRACTURE),))
    assert run(f).indicator is Indicator.INFO


def test_osteoporosis_on_bisphosphonate_is_silent():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=50), order(Drug.ALENDRONATE, 70, 1 / 7)) + SUPPLEMENTS,
              results=(RECENT_NORMAL_DXA,), conditions=(condition(Condition.OSTEOPOROSIS),))
    assert run(f) is None


def screened(f):
    """The finding as shown: through the engine, so the order-safety check has screened its orders."""
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    return result_.finding


def test_low_egfr_leaves_the_oral_bisphosphonate_to_the_safety_check_which_withholds_it_once():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=50),), conditions=(condition(Condition.OSTEOPOROSIS),),
              results=(result(Lab.EGFR, value=34, unit="mL/min/{1.73_m2}"), RECENT_NORMAL_DXA))
    finding = screened(f)
    assert finding.indicator is Indicator.INFO
    assert "Order alendronate 70 mg once weekly" not in labels(finding)
    assert [s.label for s in finding.suggestions if s.is_recommended] == ["Order calcium + vitamin D"]
    assert finding.detail.count("eGFR 34") == 1 and "is below 35 (label)" in finding.detail


def test_egfr_35_allows_the_oral_bisphosphonate():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=50),), conditions=(condition(Condition.OSTEOPOROSIS),),
              results=(result(Lab.EGFR, value=35, unit="mL/min/{1.73_m2}"), RECENT_NORMAL_DXA))
    assert "Order alendronate 70 mg once weekly" in labels(screened(f))


def test_bisphosphonate_suggestion_is_once_weekly_70_mg():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 60, days=40),), results=(RECENT_NORMAL_DXA,)))
    [alendronate] = [s for s in finding.suggestions if s.is_recommended]
    dosage = alendronate.actions[0].resource["dosageInstruction"][0]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 70


def test_no_myositis_short_course_is_silent_through_the_engine():
    f = facts(myositis=None, medications=(order(Drug.PREDNISONE, 10, days=5, end=days_before(-10)),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_order_select_of_a_glucocorticoid_draft_fires_about_it():
    draft = order(Drug.PREDNISONE, 60, draft=True, ref="MedicationRequest/new-pred")
    [result_] = evaluate((RECOMMENDATION,), facts(hook="order-select", medications=(draft,)), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/new-pred",)
