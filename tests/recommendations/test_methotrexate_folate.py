"""methotrexate-folate (docs/evidence.md#methotrexate-folate): methotrexate without folic or folinic acid."""

from fhir_mappings.concepts import Condition, Drug
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_folate import RECOMMENDATION
from tests.factories import condition, facts, order

PARAMS = RECOMMENDATION.defaults()
WEEKLY = 1 / 7


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def mtx(**kwargs):
    return order(Drug.METHOTREXATE, 15, WEEKLY, **kwargs)


def test_methotrexate_without_folate_warns():
    assert run(facts(medications=(mtx(),))).indicator is Indicator.WARNING


def test_daily_folic_acid_is_accepted():
    assert run(facts(medications=(mtx(), order(Drug.FOLIC_ACID, 1)))) is None


def test_weekly_5_mg_folic_acid_is_accepted():
    assert run(facts(medications=(mtx(), order(Drug.FOLIC_ACID, 5, WEEKLY)))) is None


def test_leucovorin_is_accepted():
    assert run(facts(medications=(mtx(), order(Drug.LEUCOVORIN, 5, WEEKLY)))) is None


def test_stopped_folic_acid_does_not_count():
    meds = (mtx(), order(Drug.FOLIC_ACID, 1, status="stopped"))
    assert run(facts(medications=meds)).indicator is Indicator.WARNING


def test_no_methotrexate_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 40),))) is None


def test_suggests_folic_acid_1_mg_daily_as_the_recommended_order():
    finding = run(facts(medications=(mtx(),)))
    [recommended] = [s for s in finding.suggestions if s.is_recommended]
    resource = recommended.actions[0].resource
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "310410"
    assert resource["dosageInstruction"][0]["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "d"}


def test_offers_folic_acid_5_mg_once_weekly_as_the_alternative():
    finding = run(facts(medications=(mtx(),)))
    [alternative] = [s for s in finding.suggestions if not s.is_recommended]
    resource = alternative.actions[0].resource
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "199318"
    assert resource["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] == "wk"


def test_fires_for_a_patient_without_myositis():
    [result_] = evaluate((RECOMMENDATION,), facts(myositis=None, medications=(mtx(),)), {}, strict=True)
    assert result_.finding.indicator is Indicator.WARNING


def test_cancer_without_myositis_is_left_to_the_oncology_protocol():
    f = facts(myositis=None, conditions=(condition(Condition.CANCER),), medications=(mtx(),))
    assert run(f) is None


def test_cancer_associated_myositis_still_warns():
    f = facts(conditions=(condition(Condition.CANCER),), medications=(mtx(),))
    assert run(f).indicator is Indicator.WARNING


def test_ordering_methotrexate_without_folate_fires_about_the_draft():
    f = facts(hook="order-select", medications=(mtx(draft=True, ref="MedicationRequest/new-mtx"),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/new-mtx",)


def test_ordering_methotrexate_together_with_folic_acid_is_silent():
    meds = (mtx(draft=True), order(Drug.FOLIC_ACID, 1, draft=True))
    assert run(facts(hook="order-select", medications=meds)) is None
