"""anti-ro52-myositis: anti-Ro52 never justifies de-escalation; standard induction applies."""

from fhir_mappings.concepts import Antibody, Condition, Drug, MyositisSubtype, Qualitative, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.anti_ro52_myositis import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
RO52_POSITIVE = result(Antibody.RO52, interpretation=Qualitative.POSITIVE, days_ago=30)
PREDNISONE_ALONE = (order(Drug.PREDNISONE, 30, days=10),)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_ro52_positive_myositis_on_glucocorticoid_alone_is_info():
    finding = run(facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE))
    assert finding.indicator is Indicator.INFO
    assert "do not de-escalate" in finding.summary


def test_detail_states_standard_induction_with_a_steroid_sparing_agent():
    detail = run(facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE)).detail
    assert "0.5-1 mg/kg/day" in detail
    assert "plus a steroid-sparing agent" in detail


def test_detail_explains_why_the_milder_course_statement_is_not_followed():
    detail = run(facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE)).detail
    assert "Why the 'milder course' statement is not followed" in detail
    assert "rapidly progressive ILD" in detail


def test_facts_show_the_dose_per_kilogram():
    finding = run(facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE, weight_kg=60))
    assert "Prednisone-equivalent dose: 30 mg/day = 0.5 mg/kg/day" in finding.facts_used


def test_without_ild_or_sjogren_on_record_asks_to_assess_both():
    detail = run(facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE)).detail
    assert "Assess for ILD" in detail and "Assess for Sjögren overlap" in detail


def test_recorded_ild_and_sjogren_are_acknowledged_instead_of_assessed():
    f = facts(results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE,
              conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE), condition(Condition.SJOGREN)))
    detail = run(f).detail
    assert "ILD is on the problem list" in detail and "Sjögren's syndrome is on the problem list" in detail


def test_ro52_negative_is_silent():
    negative = result(Antibody.RO52, interpretation=Qualitative.NEGATIVE)
    assert run(facts(results=(negative,), medications=PREDNISONE_ALONE)) is None


def test_other_antibody_positive_is_silent():
    other = result(Antibody.RO60, interpretation=Qualitative.POSITIVE)
    assert run(facts(results=(other,), medications=PREDNISONE_ALONE)) is None


def test_silent_when_a_steroid_sparing_agent_is_current():
    meds = PREDNISONE_ALONE + (order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2),)
    assert run(facts(results=(RO52_POSITIVE,), medications=meds)) is None


def test_silent_without_a_current_glucocorticoid():
    assert run(facts(results=(RO52_POSITIVE,), medications=(order(Drug.PREDNISONE, 30, status="stopped"),))) is None


def test_iv_pulse_alone_fires_without_a_dose_fact():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, route=Route.INTRAVENOUS, days=1)
    finding = run(facts(results=(RO52_POSITIVE,), medications=(pulse,)))
    assert not any(line.startswith("Prednisone-equivalent") for line in finding.facts_used)


def test_order_select_of_a_glucocorticoid_concerns_the_draft():
    draft = order(Drug.PREDNISONE, 20, draft=True, ref="MedicationRequest/new-pred")
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-select", results=(RO52_POSITIVE,), medications=(draft,)),
                       {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/new-pred",)


def test_order_select_of_an_unrelated_drug_is_silent():
    f = facts(hook="order-select", results=(RO52_POSITIVE,),
              medications=PREDNISONE_ALONE + (order(Drug.FOLIC_ACID, 1, draft=True),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_inclusion_body_myositis_is_silent_through_the_engine():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE)
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    f = facts(myositis=None, results=(RO52_POSITIVE,), medications=PREDNISONE_ALONE)
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
