"""progressive-fibrosing-ild (ATS/ERS/JRS/ALAT 2022 PPF; ACR/CHEST 2023): FVC decline on treatment."""

from fhir_mappings.concepts import Analyte, Condition, Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.progressive_fibrosing_ild import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
ILD = (condition(Condition.INTERSTITIAL_LUNG_DISEASE),)
TREATMENT = (order(Drug.PREDNISONE, 10, days=300), order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2, days=300))


def fvc(percent, days_ago):
    return result(Lab.LUNG_FUNCTION, value=percent, unit="%", days_ago=days_ago, analyte=Analyte.FVC_PERCENT_PREDICTED)


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def test_an_fvc_fall_of_6_points_within_a_year_on_treatment_is_information():
    finding = run(facts(conditions=ILD, medications=TREATMENT, results=(fvc(72, 10), fvc(78, 200))))
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith("FVC fell 6% predicted within a year on treatment")


def test_an_fvc_fall_of_10_points_or_more_is_a_warning():
    finding = run(facts(conditions=ILD, medications=TREATMENT, results=(fvc(65, 10), fvc(70, 100), fvc(76, 250))))
    assert finding.indicator is Indicator.WARNING


def test_a_fall_below_5_points_is_silent():
    assert run(facts(conditions=ILD, medications=TREATMENT, results=(fvc(75, 10), fvc(79, 200)))) is None


def test_a_comparison_older_than_a_year_is_not_used():
    assert run(facts(conditions=ILD, medications=TREATMENT, results=(fvc(70, 10), fvc(85, 500)))) is None


def test_tests_a_few_days_apart_are_not_compared():
    assert run(facts(conditions=ILD, medications=TREATMENT, results=(fvc(70, 10), fvc(80, 20)))) is None


def test_on_nintedanib_it_is_silent():
    meds = TREATMENT + (order(Drug.NINTEDANIB, 150, 2, days=60),)
    assert run(facts(conditions=ILD, medications=meds, results=(fvc(65, 10), fvc(78, 200)))) is None


def test_without_immunosuppression_it_is_silent():
    assert run(facts(conditions=ILD, results=(fvc(65, 10), fvc(78, 200)))) is None


def test_fvc_in_litres_is_not_read_as_percent_predicted():
    litres = (result(Lab.LUNG_FUNCTION, value=2.1, unit="L", days_ago=10), result(Lab.LUNG_FUNCTION, value=2.9,
                                                                                   unit="L", days_ago=200))
    assert run(facts(conditions=ILD, medications=TREATMENT, results=litres)) is None


def test_the_decline_threshold_is_a_setting():
    f = facts(conditions=ILD, medications=TREATMENT, results=(fvc(75, 10), fvc(79, 200)))
    assert run(f, fvc_decline_percent_predicted=4.0) is not None


def test_patient_view_only():
    f = facts(hook="order-sign", conditions=ILD, medications=TREATMENT, results=(fvc(65, 10), fvc(78, 200)))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
