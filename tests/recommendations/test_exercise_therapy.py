"""exercise-therapy (BSR 2022): a supervised exercise programme once inflammation is controlled; always in IBM."""

from dataclasses import replace

from fhir_mappings.concepts import Drug, Investigation, Lab, MyositisSubtype
from fhir_mappings.facts import InvestigationFact
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.exercise_therapy import RECOMMENDATION
from tests.factories import condition, days_before, facts, order, result

PARAMS = RECOMMENDATION.defaults()
TREATMENT = (order(Drug.PREDNISONE, 7.5, days=200), order(Drug.METHOTREXATE, 15, 1 / 7, days=200))


def ck(value, days_ago=20, high=200):
    return result(Lab.CREATINE_KINASE, value=value, unit="U/L", days_ago=days_ago, reference_high=high)


def physio(days_ago):
    return InvestigationFact(Investigation.EXERCISE_THERAPY, days_before(days_ago), False, "ServiceRequest",
                             "Referral to physiotherapy")


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def onset(days_ago=300):
    """A dermatomyositis diagnosed `days_ago`."""
    return {"myositis": None, "conditions": (replace(condition(MyositisSubtype.DERMATOMYOSITIS), onset=days_before(days_ago)),)}


def test_controlled_myositis_on_treatment_without_physiotherapy_gets_an_information_card():
    finding = run(facts(**onset(), medications=TREATMENT, results=(ck(120),)))
    assert finding.indicator is Indicator.INFO and "exercise programme" in finding.summary


def test_active_inflammation_with_a_raised_ck_is_silent():
    assert run(facts(**onset(), medications=TREATMENT, results=(ck(2400),))) is None


def test_no_recent_ck_is_silent():
    assert run(facts(**onset(), medications=TREATMENT, results=(ck(120, days_ago=200),))) is None


def test_a_physiotherapy_referral_in_the_last_year_is_silent():
    assert run(facts(**onset(), medications=TREATMENT, results=(ck(120),), investigations=(physio(100),))) is None


def test_an_older_physiotherapy_referral_does_not_count():
    assert run(facts(**onset(), medications=TREATMENT, results=(ck(120),), investigations=(physio(500),))) is not None


def test_myositis_diagnosed_more_than_two_years_ago_is_silent():
    assert run(facts(**onset(800), medications=TREATMENT, results=(ck(120),))) is None


def test_inclusion_body_myositis_gets_the_card_whatever_the_ck():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, results=(ck(900),))
    assert run(f).indicator is Indicator.INFO


def test_untreated_myositis_other_than_ibm_is_silent():
    assert run(facts(**onset(), results=(ck(120),))) is None


def test_patient_view_only():
    assert evaluate((RECOMMENDATION,), facts(hook="order-sign", **onset(), medications=TREATMENT,
                                             results=(ck(120),)), {}, strict=True) == []
