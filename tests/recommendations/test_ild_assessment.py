"""ild-assessment (docs/evidence.md#ild-assessment; ACR/CHEST 2023): ILD-risk antibody without lung function ->
assess; myositis-ILD (or M33.x1 respiratory involvement) -> lung function at the monitoring interval."""

import pytest

from fhir_mappings.concepts import (
    ANTISYNTHETASE_ANTIBODIES,
    Antibody,
    Condition,
    Drug,
    Lab,
    MyositisSubtype,
    Qualitative,
)
from fhir_mappings.facts import RESULT_NAMES
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.ild_assessment import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def positive(antibody):
    return result(antibody, interpretation=Qualitative.POSITIVE, days_ago=60)


def test_anti_jo1_positive_without_ild_assessment_is_info():
    finding = run(facts(results=(positive(Antibody.JO1),)))
    assert finding.indicator is Indicator.INFO
    assert "FVC" in finding.summary and "HRCT" in finding.summary


@pytest.mark.parametrize("antibody", sorted(ANTISYNTHETASE_ANTIBODIES | {Antibody.RO52}))
def test_each_ild_risk_antibody_fires(antibody):
    finding = run(facts(results=(positive(antibody),)))
    assert f"{RESULT_NAMES[antibody]} positive on 2026-09-21" in finding.facts_used


def test_antisynthetase_syndrome_diagnosis_fires_without_antibody_result():
    finding = run(facts(myositis=MyositisSubtype.ANTISYNTHETASE))
    assert "Diagnosis: antisynthetase syndrome" in finding.facts_used


def test_negative_anti_jo1_is_silent():
    assert run(facts(results=(result(Antibody.JO1, interpretation=Qualitative.NEGATIVE),))) is None


def test_antibody_without_ild_risk_is_silent():
    assert run(facts(results=(positive(Antibody.MI2),))) is None


def test_ild_diagnosis_with_a_recent_lung_function_test_asks_for_no_assessment():
    f = facts(results=(positive(Antibody.JO1), result(Lab.LUNG_FUNCTION, value=80, unit="%", days_ago=30)),
              conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE),))
    assert run(f) is None


def test_lung_function_result_on_record_is_silent():
    f = facts(results=(positive(Antibody.MDA5), result(Lab.LUNG_FUNCTION, value=82, unit="%", days_ago=400)))
    assert run(f) is None


ON_COMBINATION = (order(Drug.PREDNISONE, 40), order(Drug.TACROLIMUS, 2, 2))


def test_anti_mda5_on_combination_therapy_without_lung_function_fires_and_warns_of_rapidly_progressive_ild():
    finding = run(facts(results=(positive(Antibody.MDA5),), medications=ON_COMBINATION))
    assert "anti-MDA5 positive on 2026-09-21" in finding.facts_used
    assert "rapidly progressive" in finding.detail


def test_anti_mda5_without_combination_therapy_is_left_to_the_anti_mda5_card():
    assert run(facts(results=(positive(Antibody.MDA5),), medications=(order(Drug.PREDNISONE, 40),))) is None


def test_anti_ro52_detail_says_it_is_not_a_marker_of_milder_disease():
    assert "not a marker of milder disease" in run(facts(results=(positive(Antibody.RO52),))).detail


def test_anti_jo1_detail_does_not_discuss_ro52():
    assert "Ro52" not in run(facts(results=(positive(Antibody.JO1),))).detail


def test_not_shown_on_order_select():
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", results=(positive(Antibody.JO1),)), {},
                    strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, results=(positive(Antibody.JO1),)), {}, strict=True) == []




def ild(onset_days_ago=None):
    from dataclasses import replace

    from tests.factories import days_before
    found = condition(Condition.INTERSTITIAL_LUNG_DISEASE)
    return replace(found, onset=days_before(onset_days_ago)) if onset_days_ago is not None else found


def lung_function(days_ago):
    return result(Lab.LUNG_FUNCTION, value=75, unit="%", days_ago=days_ago)


def test_ild_in_its_first_year_without_lung_function_for_over_six_months_is_due():
    finding = run(facts(conditions=(ild(onset_days_ago=300),), results=(lung_function(200),)))
    assert finding.indicator is Indicator.INFO
    assert "lung function" in finding.summary and "is due" in finding.summary


def test_ild_in_its_first_year_with_lung_function_three_months_ago_is_silent():
    assert run(facts(conditions=(ild(onset_days_ago=300),), results=(lung_function(90),))) is None


def test_stable_ild_after_the_first_year_uses_the_longer_interval():
    assert run(facts(conditions=(ild(onset_days_ago=900),), results=(lung_function(200),))) is None
    assert run(facts(conditions=(ild(onset_days_ago=900),), results=(lung_function(400),))) is not None


def test_ild_without_a_date_uses_the_interval_after_the_first_year():
    finding = run(facts(conditions=(ild(),), results=(lung_function(400),)))
    assert "ILD diagnosis date not recorded: the interval after the first year applies" in finding.facts_used


def test_ild_without_any_lung_function_is_due():
    assert "No lung function test on record" in run(facts(conditions=(ild(onset_days_ago=30),))).facts_used


def test_a_lung_function_procedure_counts():
    from fhir_mappings.concepts import Investigation
    from fhir_mappings.facts import InvestigationFact
    from tests.factories import days_before
    pft = InvestigationFact(Investigation.LUNG_FUNCTION_TEST, days_before(60), True, "Procedure", "PFT")
    assert run(facts(conditions=(ild(onset_days_ago=300),), investigations=(pft,))) is None
    assert run(facts(results=(positive(Antibody.JO1),), investigations=(pft,))) is None


def test_monitoring_interval_is_configurable():
    params = {**PARAMS, "first_year_interval_days": 90}
    f = facts(conditions=(ild(onset_days_ago=300),), results=(lung_function(120),))
    assert RECOMMENDATION.evaluate(f, params) is not None


def test_ild_monitoring_is_left_to_the_anti_mda5_card_when_not_on_combination_therapy():
    f = facts(conditions=(ild(onset_days_ago=300),), results=(positive(Antibody.MDA5),))
    assert run(f) is None


def test_respiratory_involvement_m33_x1_counts_as_lung_involvement_to_monitor_not_to_assess():
    involvement = condition(Condition.RESPIRATORY_INVOLVEMENT, "M33.11")
    assert run(facts(results=(positive(Antibody.JO1), lung_function(30)), conditions=(involvement,))) is None
    finding = run(facts(results=(positive(Antibody.JO1),), conditions=(involvement,)))
    assert "is due" in finding.summary and "High ILD risk" not in finding.summary
