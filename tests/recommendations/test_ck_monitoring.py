"""ck-monitoring (docs/evidence.md#ck-monitoring): on treatment and no CK in 90 days -> info with a CK order."""

from fhir_mappings.builders import LOINC
from fhir_mappings.concepts import Drug, Lab, MyositisSubtype
from fhir_mappings.facts import LabResult
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.ck_monitoring import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
ON_PREDNISONE = (order(Drug.PREDNISONE, 20, days=200),)


def run(f, params=PARAMS):
    return RECOMMENDATION.evaluate(f, params)


def ck(days_ago, value=150.0):
    return result(Lab.CREATINE_KINASE, value=value, unit="U/L", days_ago=days_ago)


def test_on_treatment_without_any_ck_is_info():
    finding = run(facts(medications=ON_PREDNISONE))
    assert finding.indicator is Indicator.INFO
    assert "No creatine kinase result on record" in finding.facts_used


def test_suggests_a_ck_lab_order_coded_in_loinc():
    [suggestion] = run(facts(medications=ON_PREDNISONE)).suggestions
    assert suggestion.is_recommended
    coding = suggestion.actions[0].resource["code"]["coding"][0]
    assert (coding["system"], coding["code"]) == (LOINC, "2157-6")


def test_ck_91_days_ago_fires():
    assert run(facts(medications=ON_PREDNISONE, results=(ck(91),))) is not None


def test_ck_exactly_90_days_ago_is_silent():
    assert run(facts(medications=ON_PREDNISONE, results=(ck(90),))) is None


def test_ck_89_days_ago_is_silent():
    assert run(facts(medications=ON_PREDNISONE, results=(ck(89),))) is None


def test_undated_ck_does_not_count():
    undated = LabResult(concept=Lab.CREATINE_KINASE, when=None, value=150, unit="U/L")
    assert run(facts(medications=ON_PREDNISONE, results=(undated,))) is not None


def test_steroid_sparing_agent_alone_counts_as_treatment():
    assert run(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=200),))) is not None


def test_not_on_treatment_is_silent():
    assert run(facts(medications=(order(Drug.HYDROXYCHLOROQUINE, 200, days=200),))) is None


def test_stopped_treatment_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 20, days=200, status="stopped"),))) is None


def test_lookback_is_configurable():
    params = {**PARAMS, "lookback_days": 30}
    assert run(facts(medications=ON_PREDNISONE, results=(ck(45),)), params) is not None


def test_not_shown_on_order_select():
    f = facts(hook="order-select", medications=ON_PREDNISONE + (order(Drug.PREDNISONE, 15, draft=True),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, medications=ON_PREDNISONE), {}, strict=True) == []


def test_polymyositis_on_treatment_fires_through_the_engine():
    f = facts(myositis=MyositisSubtype.POLYMYOSITIS, medications=ON_PREDNISONE)
    [found] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert found.recommendation.id == "ck-monitoring"
