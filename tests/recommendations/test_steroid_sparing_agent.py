"""steroid-sparing-agent (docs/evidence.md#steroid-sparing-agent): fires on glucocorticoid monotherapy in myositis."""

from fhir_mappings.concepts import Antibody, Condition, Drug, MyositisSubtype, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.steroid_sparing_agent import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def recommended_labels(finding):
    return [s.label for s in finding.suggestions if s.is_recommended]


def test_prednisone_alone_for_14_days_warns():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 60, days=14),)))
    assert finding.indicator is Indicator.WARNING
    assert "steroid-sparing" in finding.summary


def test_methotrexate_is_the_recommended_suggestion_without_ild_or_pregnancy():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 60, days=20),)))
    assert recommended_labels(finding) == ["Order methotrexate 15 mg once weekly"]


def test_suggested_methotrexate_is_once_weekly_15_mg():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 60, days=20),)))
    resource = finding.suggestions[0].actions[0].resource
    dosage = resource["dosageInstruction"][0]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 15


def test_prednisone_for_13_days_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 60, days=13),))) is None


def test_silent_when_a_steroid_sparing_agent_is_current():
    meds = (order(Drug.PREDNISONE, 60, days=40), order(Drug.METHOTREXATE, 15, 1 / 7, days=30))
    assert run(facts(medications=meds)) is None


def test_silent_when_the_steroid_sparing_agent_is_being_ordered():
    meds = (order(Drug.PREDNISONE, 60, days=40), order(Drug.AZATHIOPRINE, 50, draft=True))
    assert run(facts(hook="order-select", medications=meds)) is None


def test_silent_without_glucocorticoid():
    assert run(facts(medications=(order(Drug.HYDROXYCHLOROQUINE, 200),))) is None


def test_anti_hmgcr_positive_fires_from_day_zero():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=1),),
              results=(result(Antibody.HMGCR, interpretation=Qualitative.POSITIVE),))
    assert run(f).indicator is Indicator.WARNING


def test_necrotizing_myopathy_beyond_four_weeks_is_critical():
    f = facts(myositis=MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING, medications=(order(Drug.PREDNISONE, 60, days=35),))
    assert run(f).indicator is Indicator.CRITICAL


def test_ild_fires_from_day_zero_and_recommends_mycophenolate():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=2),),
              conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE),))
    assert recommended_labels(run(f)) == ["Order mycophenolate mofetil 500 mg twice daily"]


def test_pregnancy_offers_only_azathioprine_and_recommends_it():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=20),), conditions=(condition(Condition.PREGNANCY),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    finding = result_.finding
    assert [s.label for s in finding.suggestions] == ["Order azathioprine 50 mg daily (check TPMT/NUDT15 first)"]
    assert finding.suggestions[0].is_recommended


def test_inclusion_body_myositis_is_silent_through_the_engine():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, medications=(order(Drug.PREDNISONE, 60, days=40),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    f = facts(myositis=None, medications=(order(Drug.PREDNISONE, 60, days=40),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_order_select_without_a_glucocorticoid_draft_is_silent():
    f = facts(hook="order-select", medications=(order(Drug.PREDNISONE, 60, days=40), order(Drug.ALLOPURINOL, 100, draft=True)))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_order_select_of_a_glucocorticoid_in_monotherapy_fires_about_that_draft():
    draft = order(Drug.PREDNISONE, 40, draft=True, ref="MedicationRequest/new-pred")
    f = facts(hook="order-select", medications=(order(Drug.PREDNISONE, 60, days=40), draft))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/new-pred",)


def test_skin_predominant_disease_recommends_mycophenolate():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=20),),
              conditions=(condition(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS),))
    assert recommended_labels(run(f)) == ["Order mycophenolate mofetil 500 mg twice daily"]


def test_child_gets_the_share_methotrexate_advice_without_adult_order_suggestions():
    f = facts(age=9, myositis=MyositisSubtype.JUVENILE_DERMATOMYOSITIS, medications=(order(Drug.PREDNISOLONE, 30, days=20),))
    finding = run(f)
    assert finding.suggestions == ()
    assert "15-20 mg/m²/week" in finding.detail


def test_necrotizing_myopathy_at_exactly_four_weeks_is_still_a_warning():
    f = facts(myositis=MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING, medications=(order(Drug.PREDNISONE, 60, days=28),))
    assert run(f).indicator is Indicator.WARNING


def test_anti_srp_positive_fires_from_day_zero():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=0),),
              results=(result(Antibody.SRP, interpretation=Qualitative.POSITIVE),))
    assert run(f).indicator is Indicator.WARNING


def test_stopped_steroid_sparing_agent_does_not_count():
    meds = (order(Drug.PREDNISONE, 60, days=40), order(Drug.METHOTREXATE, 15, 1 / 7, days=60, status="stopped"))
    assert run(facts(medications=meds)).indicator is Indicator.WARNING


def test_at_most_one_suggestion_is_recommended_with_ild_and_pregnancy():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=20),),
              conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE), condition(Condition.PREGNANCY)))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert recommended_labels(result_.finding) == ["Order azathioprine 50 mg daily (check TPMT/NUDT15 first)"]


def test_respiratory_involvement_m33_x1_fires_from_day_zero_like_ild():
    f = facts(medications=(order(Drug.PREDNISONE, 60, days=2),),
              conditions=(condition(Condition.RESPIRATORY_INVOLVEMENT, "M33.11"),))
    assert run(f).indicator is Indicator.WARNING


def test_without_lung_involvement_day_two_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 60, days=2),))) is None
