"""cardiac-assessment (BSR 2022): ECG and troponin I at diagnosis, cardiac imaging when troponin I is raised."""

from dataclasses import replace

from fhir_mappings.concepts import Investigation, Lab, MyositisSubtype, Qualitative
from fhir_mappings.facts import InvestigationFact
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.cardiac_assessment import RECOMMENDATION
from tests.factories import condition, days_before, facts, result

PARAMS = RECOMMENDATION.defaults()


def new_myositis(days_since_onset=30, subtype=MyositisSubtype.DERMATOMYOSITIS):
    return (replace(condition(subtype), onset=days_before(days_since_onset)),)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def ecg(days_ago=20):
    return InvestigationFact(Investigation.ECG, days_before(days_ago), True, "Procedure", "12-lead ECG")


def echo(days_ago=5):
    return InvestigationFact(Investigation.CARDIAC_IMAGING, days_before(days_ago), True, "Procedure", "Echocardiogram")


def troponin(interpretation=Qualitative.NEGATIVE, days_ago=20):
    return result(Lab.TROPONIN_I, value=8, unit="ng/L", interpretation=interpretation, days_ago=days_ago)


def test_new_myositis_without_ecg_or_troponin_i_is_information_with_a_troponin_i_order():
    finding = run(facts(myositis=None, conditions=new_myositis()))
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "New myositis: screen for cardiac involvement (ECG and troponin I)"
    [suggestion] = finding.suggestions
    assert suggestion.actions[0].resource["code"]["coding"][0]["code"] == "10839-9"


def test_an_ecg_and_a_normal_troponin_i_since_the_diagnostic_work_up_are_silent():
    f = facts(myositis=None, conditions=new_myositis(), investigations=(ecg(),), results=(troponin(),))
    assert run(f) is None


def test_only_the_missing_test_is_named():
    finding = run(facts(myositis=None, conditions=new_myositis(), results=(troponin(),)))
    assert finding.summary.endswith("(ECG)") and finding.suggestions == ()


def test_a_raised_troponin_i_without_cardiac_imaging_is_a_warning():
    f = facts(myositis=None, conditions=new_myositis(), investigations=(ecg(),),
              results=(troponin(Qualitative.POSITIVE),))
    assert run(f).indicator is Indicator.WARNING


def test_a_raised_troponin_i_with_an_echocardiogram_since_is_silent():
    f = facts(myositis=None, conditions=new_myositis(), investigations=(ecg(), echo()),
              results=(troponin(Qualitative.POSITIVE),))
    assert run(f) is None


def test_established_myositis_is_silent():
    assert run(facts(myositis=None, conditions=new_myositis(days_since_onset=400))) is None


def test_inclusion_body_myositis_is_silent():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS,
              conditions=new_myositis(subtype=MyositisSubtype.INCLUSION_BODY_MYOSITIS))
    assert run(f) is None


def test_an_undated_diagnosis_is_silent():
    assert run(facts()) is None


def test_the_diagnosis_window_is_a_setting():
    f = facts(myositis=None, conditions=new_myositis(days_since_onset=200))
    assert RECOMMENDATION.evaluate(f, {**PARAMS, "diagnosis_window_days": 365}) is not None


def test_patient_view_only():
    f = facts(hook="order-sign", myositis=None, conditions=new_myositis())
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
