"""iv-methylprednisolone-dose (docs/evidence.md#iv-methylprednisolone): pulse dose, course length and severity indication."""

from dataclasses import replace
from datetime import date

from fhir_mappings.concepts import Condition, Drug, Route
from fhir_mappings.facts import Dose
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.iv_methylprednisolone_dose import RECOMMENDATION
from tests.factories import condition, facts, order

PARAMS = RECOMMENDATION.defaults()
DYSPHAGIA = (condition(Condition.DYSPHAGIA),)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def pulse(mg, *, count=None, course=None, draft=False):
    dose = Dose(mg, mg, 1.0, f"{mg:g} mg IV daily", administration_count=count, course_days=course)
    return replace(order(Drug.METHYLPREDNISOLONE, route=Route.INTRAVENOUS, draft=draft, days=1), dose=dose)


def test_1_g_for_3_days_with_dysphagia_is_silent():
    assert run(facts(conditions=DYSPHAGIA, medications=(pulse(1000, count=3),))) is None


def test_above_1_g_per_day_warns():
    assert run(facts(conditions=DYSPHAGIA, medications=(pulse(1250, count=3),))).indicator is Indicator.WARNING


def test_5_days_is_silent():
    assert run(facts(conditions=DYSPHAGIA, medications=(pulse(500, count=5),))) is None


def test_more_than_5_days_by_count_warns():
    finding = run(facts(conditions=DYSPHAGIA, medications=(pulse(500, count=6),)))
    assert finding.indicator is Indicator.WARNING
    assert "6-day course" in finding.detail


def test_more_than_5_days_by_bounds_warns():
    assert run(facts(conditions=DYSPHAGIA, medications=(pulse(500, course=7),))).indicator is Indicator.WARNING


def test_no_severity_indication_coded_is_info():
    finding = run(facts(medications=(pulse(1000, count=3),)))
    assert finding.indicator is Indicator.INFO
    assert "indication" in finding.summary


def test_ild_counts_as_a_severity_indication():
    f = facts(conditions=(condition(Condition.INTERSTITIAL_LUNG_DISEASE),), medications=(pulse(1000, count=3),))
    assert run(f) is None


def test_dose_warning_without_indication_mentions_both():
    finding = run(facts(medications=(pulse(2000, count=3),)))
    assert finding.indicator is Indicator.WARNING
    assert "document the indication" in finding.detail


def test_child_at_30_mg_per_kg_is_silent():
    assert run(facts(age=10, weight_kg=30, conditions=DYSPHAGIA, medications=(pulse(900, count=3),))) is None


def test_child_above_30_mg_per_kg_warns():
    finding = run(facts(age=10, weight_kg=30, conditions=DYSPHAGIA, medications=(pulse(1000, count=3),)))
    assert finding.indicator is Indicator.WARNING
    assert "mg/kg" in finding.detail


def test_child_above_1_g_warns_whatever_the_weight():
    f = facts(age=16, weight_kg=70, conditions=DYSPHAGIA, medications=(pulse(1500, count=3),))
    assert run(f).indicator is Indicator.WARNING


def test_child_without_weight_is_asked_for_one():
    finding = run(facts(age=10, weight_kg=None, conditions=DYSPHAGIA, medications=(pulse(600, count=3),)))
    assert finding.indicator is Indicator.INFO
    assert "weight" in finding.summary


def test_oral_methylprednisolone_is_not_a_pulse():
    assert run(facts(medications=(order(Drug.METHYLPREDNISOLONE, 32),))) is None


def test_order_select_fires_about_the_pulse_draft():
    f = facts(hook="order-select", medications=(pulse(1000, count=3, draft=True),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/draft-methylprednisolone",)


def test_no_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, medications=(pulse(2000, count=3),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


# --- open-ended daily orders --------------------------------------------------------------------
def test_daily_pulse_with_no_count_and_no_end_warns_that_pulses_are_1_to_5_days():
    finding = run(facts(conditions=DYSPHAGIA, medications=(pulse(1000),)))
    assert finding.indicator is Indicator.WARNING
    assert "1-5 days" in finding.summary


def test_daily_pulse_with_a_count_is_not_open_ended():
    assert run(facts(conditions=DYSPHAGIA, medications=(pulse(1000, count=3),))) is None


def test_daily_pulse_with_an_end_date_is_not_open_ended():
    bounded = replace(pulse(1000), end=date(2026, 11, 22))
    assert run(facts(conditions=DYSPHAGIA, medications=(bounded,))) is None


def test_open_ended_child_pulse_also_warns():
    finding = run(facts(age=10, weight_kg=30, conditions=DYSPHAGIA, medications=(pulse(900),)))
    assert finding.indicator is Indicator.WARNING
