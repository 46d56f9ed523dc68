"""ild-assessment (docs/evidence.md#ild-assessment): ILD-risk antibody and no ILD diagnosis or lung function -> info."""

import pytest

from fhir_mappings.concepts import ANTISYNTHETASE_ANTIBODIES, Antibody, Condition, Lab, MyositisSubtype, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.ild_assessment import RECOMMENDATION
from tests.factories import condition, facts, result

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def positive(antibody):
    return result(antibody, interpretation=Qualitative.POSITIVE, days_ago=60)


def test_anti_jo1_positive_without_ild_assessment_is_info():
    finding = run(facts(results=(positive(Antibody.JO1),)))
    assert finding.indicator is Indicator.INFO
    assert "FVC" in finding.summary and "HRCT" in finding.summary


@pytest.mark.parametrize("antibody", sorted(ANTISYNTHETASE_ANTIBODIES | {Antibody.MDA5, Antibody.RO52}))
def test_each_ild_risk_antibody_fires(antibody):
    finding = run(facts(results=(positive(antibody),)))
    assert f"{antibody.value} positive on 2026-09-21" in finding.facts_used


def test_antisynthetase_syndrome_diagnosis_fires_without_antibody_result():
    finding = run(facts(myositis=MyositisSubtype.ANTISYNTHETASE))
    assert "Diagnosis: antisynthetase syndrome" in finding.facts_used


def test_negative_anti_jo1_is_silent():
    assert run(facts(results=(result(Antibody.JO1, interpretation=Qualitative.NEGATIVE),))) is None


def test_antibody_without_ild_risk_is_silent():
    assert run(facts(results=(positive(Antibody.MI2),))) is None


def test_ild_diagnosis_on_record_is_silent():
    f = facts(results=(positive(Antibody.JO1),), conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE),))
    assert run(f) is None


def test_lung_function_result_on_record_is_silent():
    f = facts(results=(positive(Antibody.MDA5), result(Lab.LUNG_FUNCTION, value=82, unit="%", days_ago=400)))
    assert run(f) is None


def test_anti_mda5_detail_warns_of_rapidly_progressive_ild():
    assert "rapidly progressive" in run(facts(results=(positive(Antibody.MDA5),))).detail


def test_anti_ro52_detail_says_it_is_not_a_marker_of_milder_disease():
    assert "not a marker of milder disease" in run(facts(results=(positive(Antibody.RO52),))).detail


def test_anti_jo1_detail_does_not_discuss_ro52():
    assert "Ro52" not in run(facts(results=(positive(Antibody.JO1),))).detail


def test_not_shown_on_order_select():
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", results=(positive(Antibody.JO1),)), {},
                    strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, results=(positive(Antibody.JO1),)), {}, strict=True) == []


def test_respiratory_involvement_m33_x1_counts_as_known_lung_involvement():
    f = facts(results=(positive(Antibody.JO1),), conditions=(condition(Condition.RESPIRATORY_INVOLVEMENT, "M33.11"),))
    assert run(f) is None
