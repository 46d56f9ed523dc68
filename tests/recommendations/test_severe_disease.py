"""severe-disease (docs/evidence.md#iv-methylprednisolone): dysphagia or respiratory involvement without a pulse or IVIG."""

from dataclasses import replace

from fhir_mappings.concepts import Condition, Drug, MyositisSubtype, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.severe_disease import RECOMMENDATION
from tests.factories import condition, days_before, facts, order

PARAMS = RECOMMENDATION.defaults()
PREDNISONE = order(Drug.PREDNISONE, 60, days=10)
DYSPHAGIA = condition(Condition.DYSPHAGIA, code="R13.12")


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def with_onset(fact, days_ago):
    return replace(fact, onset=days_before(days_ago))


def iv_pulse(**kwargs):
    return order(Drug.METHYLPREDNISOLONE, 1000, route=Route.INTRAVENOUS, **kwargs)


def completed(medication, started_days_ago):
    return replace(medication, status="completed", start=days_before(started_days_ago),
                   end=days_before(started_days_ago - 3))


def test_dysphagia_without_pulse_or_ivig_warns():
    finding = run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE,)))
    assert finding.indicator is Indicator.WARNING
    assert "IV methylprednisolone" in finding.summary


def test_dysphagia_detail_asks_for_swallowing_assessment_and_names_ivig():
    detail = run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE,))).detail
    assert "Swallowing assessment" in detail
    assert "IVIG" in detail


# --- ICD-10-CM M33.x1 "with respiratory involvement" -------------------------------------------------
RESPIRATORY = condition(Condition.RESPIRATORY_INVOLVEMENT, "M33.11")


def test_respiratory_involvement_alone_is_an_information_card_asking_which_it_is():
    finding = run(facts(conditions=(RESPIRATORY,)))
    assert finding.indicator is Indicator.INFO
    assert "ILD, respiratory-muscle weakness or aspiration?" in finding.summary
    assert "Swallowing assessment" not in finding.detail


def test_respiratory_involvement_with_ild_coded_is_read_as_the_ild():
    f = facts(conditions=(RESPIRATORY, condition(Condition.INTERSTITIAL_LUNG_DISEASE)))
    assert run(f) is None


def test_respiratory_involvement_with_dysphagia_warns_and_asks_which():
    finding = run(facts(conditions=(RESPIRATORY, DYSPHAGIA)))
    assert finding.indicator is Indicator.WARNING
    assert "not stated which" in finding.detail


def test_respiratory_involvement_after_a_pulse_is_silent():
    assert run(facts(conditions=(RESPIRATORY,), medications=(iv_pulse(days=1),))) is None


def test_adult_pulse_dose_is_half_to_one_gram_for_three_days():
    assert "0.5-1 g/day for 3 days" in run(facts(conditions=(DYSPHAGIA,))).detail


def test_child_pulse_dose_is_30_mg_per_kg():
    detail = run(facts(conditions=(DYSPHAGIA,), age=8, weight_kg=20)).detail
    assert "= 600 mg/day at 20 kg" in detail


def test_child_pulse_dose_is_capped_at_one_gram():
    detail = run(facts(conditions=(DYSPHAGIA,), age=16, weight_kg=50)).detail
    assert "= 1000 mg/day at 50 kg" in detail


def test_ivig_dose_is_computed_from_weight():
    assert "= 140 g at 70 kg" in run(facts(conditions=(DYSPHAGIA,), weight_kg=70)).detail


def test_without_dysphagia_or_respiratory_involvement_is_silent():
    f = facts(conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE),), medications=(PREDNISONE,))
    assert run(f) is None


def test_current_iv_methylprednisolone_is_silent():
    assert run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE, iv_pulse(days=1)))) is None


def test_oral_methylprednisolone_does_not_count_as_a_pulse():
    oral = order(Drug.METHYLPREDNISOLONE, 48, days=5)
    assert run(facts(conditions=(DYSPHAGIA,), medications=(oral,))) is not None


def test_current_ivig_is_silent():
    ivig = order(Drug.IVIG, 35000, route=Route.INTRAVENOUS, days=1)
    assert run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE, ivig))) is None


def test_pulse_given_after_the_onset_is_silent():
    f = facts(conditions=(with_onset(DYSPHAGIA, 30),), medications=(PREDNISONE, completed(iv_pulse(), 25)))
    assert run(f) is None


def test_pulse_given_before_the_onset_fires():
    f = facts(conditions=(with_onset(DYSPHAGIA, 30),), medications=(PREDNISONE, completed(iv_pulse(), 300)))
    assert run(f) is not None


def test_past_pulse_counts_when_the_onset_is_not_recorded():
    assert run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE, completed(iv_pulse(), 300)))) is None


def test_cancelled_pulse_does_not_count():
    cancelled = replace(completed(iv_pulse(), 25), status="cancelled")
    assert run(facts(conditions=(DYSPHAGIA,), medications=(PREDNISONE, cancelled))) is not None


def test_order_select_of_oral_prednisone_with_dysphagia_concerns_the_draft():
    draft = order(Drug.PREDNISONE, 60, draft=True, ref="MedicationRequest/new-pred")
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-select", conditions=(DYSPHAGIA,), medications=(draft,)),
                       {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/new-pred",)


def test_order_select_of_an_iv_pulse_is_silent():
    draft = iv_pulse(draft=True)
    f = facts(hook="order-select", conditions=(DYSPHAGIA,), medications=(PREDNISONE, draft))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_inclusion_body_myositis_is_silent_through_the_engine():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, conditions=(DYSPHAGIA,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, conditions=(DYSPHAGIA,)), {}, strict=True) == []


def test_dysphagia_with_ild_coded_does_not_ask_about_respiratory_involvement():
    finding = run(facts(conditions=(RESPIRATORY, condition(Condition.INTERSTITIAL_LUNG_DISEASE), DYSPHAGIA)))
    assert finding.indicator is Indicator.WARNING
    assert "not stated which" not in finding.detail
