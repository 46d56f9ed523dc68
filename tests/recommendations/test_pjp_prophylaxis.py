"""pjp-prophylaxis (docs/evidence.md#pjp): high-dose glucocorticoid without Pneumocystis prophylaxis."""

from dataclasses import replace
from datetime import timedelta

from fhir_mappings.concepts import Allergy, Drug, Lab, MyositisSubtype, Qualitative, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.pjp_prophylaxis import RECOMMENDATION
from tests.factories import days_before, dose, facts, order, result

PARAMS = RECOMMENDATION.defaults()


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def bounded(drug, mg, *, days, course_days):
    """An order on record started `days` ago that stops after `course_days`."""
    return order(drug, mg, days=days, end=days_before(days) + timedelta(days=course_days))


def draft_course(drug, mg, course_days):
    return replace(order(drug, mg, draft=True), dose=dose(mg, course_days=course_days))


def labels(finding):
    return [s.label for s in finding.suggestions]


def recommended(finding):
    return [s.label for s in finding.suggestions if s.is_recommended]


PRED_20_OPEN = order(Drug.PREDNISONE, 20, days=3)


def test_open_ended_prednisone_20_mg_warns():
    finding = run(facts(medications=(PRED_20_OPEN,)))
    assert finding.indicator is Indicator.WARNING
    assert "PJP" in finding.summary


def test_prednisone_just_below_20_mg_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 19.5, days=60),))) is None


def test_methylprednisolone_16_mg_counts_as_20_mg_prednisone_equivalent():
    assert run(facts(medications=(order(Drug.METHYLPREDNISOLONE, 16, days=3),))).indicator is Indicator.WARNING


def test_bounded_course_shorter_than_four_weeks_is_silent():
    assert run(facts(medications=(bounded(Drug.PREDNISONE, 40, days=5, course_days=27),))) is None


def test_bounded_course_of_exactly_four_weeks_warns():
    assert run(facts(medications=(bounded(Drug.PREDNISONE, 40, days=5, course_days=28),))).indicator is Indicator.WARNING


def test_draft_with_a_14_day_course_is_silent():
    assert run(facts(hook="order-select", medications=(draft_course(Drug.PREDNISONE, 60, 14),))) is None


def test_open_ended_draft_is_planned_and_fires_about_that_draft():
    draft = order(Drug.PREDNISONE, 60, draft=True, ref="MedicationRequest/new-pred")
    [result_] = evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=(draft,)), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/new-pred",)


def test_eular_alternative_threshold_is_a_setting():
    meds = (order(Drug.PREDNISONE, 15, days=20),)
    assert run(facts(medications=meds)) is None
    assert run(facts(medications=meds), min_mg_per_day=15, min_days=14).indicator is Indicator.WARNING


def test_15_mg_with_second_agent_and_lymphopenia_warns():
    f = facts(medications=(order(Drug.PREDNISONE, 15), order(Drug.METHOTREXATE, 15, 1 / 7)),
              results=(result(Lab.LYMPHOCYTES, value=0.8, unit="10*9/L"),))
    assert run(f).indicator is Indicator.WARNING


def test_15_mg_with_second_agent_and_normal_lymphocytes_is_silent():
    f = facts(medications=(order(Drug.PREDNISONE, 15), order(Drug.METHOTREXATE, 15, 1 / 7)),
              results=(result(Lab.LYMPHOCYTES, value=1.0, unit="10*9/L"),))
    assert run(f) is None


def test_lymphocyte_count_in_an_unknown_unit_is_not_read_as_lymphopenia():
    f = facts(medications=(order(Drug.PREDNISONE, 15), order(Drug.METHOTREXATE, 15, 1 / 7)),
              results=(result(Lab.LYMPHOCYTES, value=0.8, unit="%"),))
    assert run(f) is None


def test_15_mg_with_second_agent_and_recent_pulse_warns():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, days=20, route=Route.INTRAVENOUS, end=days_before(17))
    f = facts(medications=(order(Drug.PREDNISONE, 15), order(Drug.AZATHIOPRINE, 100), pulse))
    assert run(f).indicator is Indicator.WARNING


def test_15_mg_with_pulse_but_no_second_agent_is_silent():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, days=20, route=Route.INTRAVENOUS, end=days_before(17))
    assert run(facts(medications=(order(Drug.PREDNISONE, 15), pulse))) is None


def test_silent_with_prophylaxis_on_record():
    for drug in (Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, Drug.ATOVAQUONE, Drug.PENTAMIDINE):
        assert run(facts(medications=(PRED_20_OPEN, order(drug, 100)))) is None


def test_silent_when_prophylaxis_is_being_ordered():
    meds = (PRED_20_OPEN, order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, 960, draft=True))
    assert run(facts(hook="order-select", medications=meds)) is None


def test_tmp_smx_is_recommended_without_sulfonamide_allergy():
    finding = run(facts(medications=(PRED_20_OPEN,)))
    assert recommended(finding) == ["Order TMP-SMX DS 1 tablet daily"]
    coding = finding.suggestions[0].actions[0].resource["medicationCodeableConcept"]["coding"][0]
    assert coding["code"] == "198335"


def screened(f):
    """The finding as shown: through the engine, so the order-safety check has screened its orders."""
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    return result_.finding


def test_sulfonamide_allergy_leaves_tmp_smx_to_the_safety_check_which_recommends_atovaquone():
    finding = screened(facts(medications=(PRED_20_OPEN,), allergies=frozenset({Allergy.SULFONAMIDE})))
    assert "Order TMP-SMX DS 1 tablet daily" not in labels(finding)
    assert recommended(finding) == ["Order atovaquone 1500 mg daily"]
    assert "sulfonamide allergy on record" in finding.detail
    assert finding.detail.count("ulfonamide allergy") == 1  # said once, by the safety check


def test_missing_allergy_data_un_selects_tmp_smx_and_says_why():
    finding = screened(facts(medications=(PRED_20_OPEN,), data_gaps=("AllergyIntolerance",)))
    [tmp_smx] = [s for s in finding.suggestions if "TMP-SMX" in s.label]
    assert not tmp_smx.is_recommended and "check for a sulfonamide allergy" in tmp_smx.label


def test_dapsone_is_offered_only_with_a_normal_g6pd_result():
    without = run(facts(medications=(PRED_20_OPEN,)))
    normal = run(facts(medications=(PRED_20_OPEN,),
                       results=(result(Lab.G6PD, interpretation=Qualitative.NEGATIVE),)))
    assert not any("dapsone" in label for label in labels(without))
    assert "Order dapsone 100 mg daily (G6PD normal)" in labels(normal)


def test_dapsone_ordered_without_g6pd_is_critical_and_suggests_the_test():
    draft = order(Drug.DAPSONE, 100, draft=True, ref="MedicationRequest/dap")
    finding = run(facts(hook="order-select", medications=(PRED_20_OPEN, draft)))
    assert finding.indicator is Indicator.CRITICAL
    assert finding.about_drafts == ("MedicationRequest/dap",)
    assert recommended(finding) == ["Order G6PD activity"]


def test_dapsone_with_g6pd_deficiency_is_critical_and_recommends_replacing_the_draft():
    draft = order(Drug.DAPSONE, 100, draft=True, ref="MedicationRequest/dap")
    f = facts(hook="order-select", medications=(draft,),
              results=(result(Lab.G6PD, interpretation=Qualitative.POSITIVE),))
    finding = run(f)
    assert finding.indicator is Indicator.CRITICAL
    [replace_] = [s for s in finding.suggestions if s.is_recommended]
    assert [(a.type, a.resource_id) for a in replace_.actions][0] == ("delete", "MedicationRequest/dap")


def test_dapsone_with_normal_g6pd_counts_as_prophylaxis():
    f = facts(medications=(PRED_20_OPEN, order(Drug.DAPSONE, 100)),
              results=(result(Lab.G6PD, interpretation=Qualitative.NEGATIVE),))
    assert run(f) is None


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, medications=(PRED_20_OPEN,)), {}, strict=True) == []


def test_inclusion_body_myositis_still_gets_the_card():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, medications=(PRED_20_OPEN,))
    assert len(evaluate((RECOMMENDATION,), f, {}, strict=True)) == 1


def test_order_select_of_an_unrelated_draft_is_silent():
    f = facts(hook="order-select", medications=(PRED_20_OPEN, order(Drug.ALLOPURINOL, 100, draft=True)))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_g6pd_result_text_normal_allows_dapsone():
    f = facts(medications=(PRED_20_OPEN, order(Drug.DAPSONE, 100)),
              results=(result(Lab.G6PD, value=12.1, unit="U/g{Hb}", text="Normal"),))
    assert run(f) is None


def test_g6pd_bare_number_is_not_read_as_normal():
    f = facts(medications=(PRED_20_OPEN, order(Drug.DAPSONE, 100)),
              results=(result(Lab.G6PD, value=12.1, unit="U/g{Hb}"),))
    assert run(f).indicator is Indicator.CRITICAL
