"""gc-taper (docs/evidence.md#gc-taper): high-dose glucocorticoid held without reduction beyond 4 / 6 weeks."""

from fhir_mappings.concepts import Drug, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.gc_taper import RECOMMENDATION
from tests.factories import days_before, facts, order

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def prednisone(mg, days, **kwargs):
    return order(Drug.PREDNISONE, mg, days=days, **kwargs)


def test_60_mg_for_exactly_4_weeks_is_silent():
    assert run(facts(medications=(prednisone(60, 28),))) is None


def test_60_mg_for_just_over_4_weeks_is_info():
    assert run(facts(medications=(prednisone(60, 29),))).indicator is Indicator.INFO


def test_60_mg_for_exactly_6_weeks_is_still_info():
    assert run(facts(medications=(prednisone(60, 42),))).indicator is Indicator.INFO


def test_60_mg_for_just_over_6_weeks_warns():
    finding = run(facts(medications=(prednisone(60, 43),)))
    assert finding.indicator is Indicator.WARNING
    assert "Example schedule only" in finding.detail


def test_just_below_40_mg_and_below_0_75_mg_per_kg_is_silent():
    assert run(facts(weight_kg=70, medications=(prednisone(39, 60),))) is None


def test_0_75_mg_per_kg_counts_as_high_dose_below_40_mg():
    finding = run(facts(weight_kg=40, medications=(prednisone(30, 50),)))
    assert finding.indicator is Indicator.WARNING


def test_a_weight_based_threshold_is_stated_per_kg_not_as_a_computed_mg_figure():
    finding = run(facts(weight_kg=25, medications=(prednisone(25, 50),)))
    assert "Prednisone-equivalent >= 0.75 mg/kg/day for 50 days (7 weeks) with no dose reduction recorded" in (
        finding.facts_used)


def test_the_40_mg_threshold_is_stated_in_mg():
    finding = run(facts(weight_kg=80, medications=(prednisone(60, 50),)))
    assert any(line.startswith("Prednisone-equivalent >= 40 mg/day for 50 days") for line in finding.facts_used)


def test_without_a_weight_only_40_mg_counts():
    assert run(facts(weight_kg=None, medications=(prednisone(30, 50),))) is None


def test_a_recorded_dose_reduction_restarts_the_clock():
    meds = (
        prednisone(60, 60, end=days_before(20), status="completed"),
        prednisone(40, 20),
    )
    assert run(facts(medications=meds)) is None


def test_a_dose_increase_does_not_restart_the_clock():
    meds = (
        prednisone(40, 60, end=days_before(20), status="completed"),
        prednisone(60, 20),
    )
    assert run(facts(medications=meds)).indicator is Indicator.WARNING


def test_a_gap_in_therapy_restarts_the_clock():
    meds = (
        prednisone(60, 90, end=days_before(40), status="completed"),
        prednisone(60, 20),
    )
    assert run(facts(medications=meds)) is None


def test_methylprednisolone_counts_as_prednisone_equivalent():
    assert run(facts(medications=(order(Drug.METHYLPREDNISOLONE, 32, days=50),))).indicator is Indicator.WARNING


def test_intravenous_pulse_is_not_maintenance_dosing():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, days=50, route=Route.INTRAVENOUS)
    assert run(facts(medications=(pulse,))) is None


def test_stopped_order_without_end_date_is_not_counted():
    assert run(facts(medications=(prednisone(60, 50, status="stopped"),))) is None


def test_draft_continuing_the_high_dose_fires_about_that_draft():
    meds = (prednisone(60, 50), order(Drug.PREDNISONE, 60, draft=True, ref="MedicationRequest/renew"))
    [result_] = evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=meds), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/renew",)
    assert result_.finding.indicator is Indicator.WARNING


def test_draft_that_tapers_the_dose_is_silent():
    meds = (prednisone(60, 50), order(Drug.PREDNISONE, 50, draft=True))
    assert run(facts(hook="order-select", medications=meds)) is None


def test_order_select_without_a_glucocorticoid_draft_is_silent():
    meds = (prednisone(60, 50), order(Drug.FOLIC_ACID, 1, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds), {}, strict=True) == []


def test_no_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, medications=(prednisone(60, 50),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
