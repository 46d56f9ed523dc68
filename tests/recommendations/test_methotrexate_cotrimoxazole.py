"""methotrexate-cotrimoxazole (REFERENCE.md R11): methotrexate with TMP-SMX warns, never blocks."""

from fhir_mappings.concepts import Drug
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_cotrimoxazole import RECOMMENDATION
from tests.factories import facts, order

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def methotrexate(**kwargs):
    return order(Drug.METHOTREXATE, 15, 1 / 7, **kwargs)


def cotrimoxazole(**kwargs):
    return order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, 960, **kwargs)


def test_methotrexate_with_cotrimoxazole_on_record_warns():
    finding = run(facts(medications=(methotrexate(), cotrimoxazole())))
    assert finding.indicator is Indicator.WARNING
    assert "blood count" in finding.summary


def test_facts_name_both_drugs():
    finding = run(facts(medications=(methotrexate(), cotrimoxazole())))
    assert any("methotrexate" in line for line in finding.facts_used)
    assert any("sulfamethoxazole-trimethoprim" in line for line in finding.facts_used)


def test_detail_says_it_is_not_a_contraindication_and_names_atovaquone():
    detail = run(facts(medications=(methotrexate(), cotrimoxazole()))).detail
    assert "not a contraindication" in detail
    assert "atovaquone" in detail


def test_methotrexate_alone_is_silent():
    assert run(facts(medications=(methotrexate(),))) is None


def test_cotrimoxazole_alone_is_silent():
    assert run(facts(medications=(cotrimoxazole(),))) is None


def test_stopped_methotrexate_is_silent():
    assert run(facts(medications=(methotrexate(status="stopped"), cotrimoxazole()))) is None


def test_fires_without_a_myositis_diagnosis_through_the_engine():
    f = facts(myositis=None, medications=(methotrexate(), cotrimoxazole()))
    [result] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result.recommendation.id == "methotrexate-cotrimoxazole"


def test_order_select_of_cotrimoxazole_with_methotrexate_on_record_concerns_the_draft():
    draft = cotrimoxazole(draft=True, ref="MedicationRequest/new-tmp-smx")
    f = facts(hook="order-select", medications=(methotrexate(), draft))
    [result] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result.finding.about_drafts == ("MedicationRequest/new-tmp-smx",)


def test_order_select_of_methotrexate_with_cotrimoxazole_on_record_concerns_the_draft():
    draft = methotrexate(draft=True, ref="MedicationRequest/new-mtx")
    f = facts(hook="order-sign", medications=(cotrimoxazole(), draft))
    [result] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result.finding.about_drafts == ("MedicationRequest/new-mtx",)


def test_order_select_of_an_unrelated_drug_is_silent():
    f = facts(hook="order-select", medications=(methotrexate(), cotrimoxazole(), order(Drug.FOLIC_ACID, 1, draft=True)))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
