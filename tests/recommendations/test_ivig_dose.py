"""ivig-dose: 2 g/kg per course over 2-5 days, warning above 2.2 g/kg or open-ended; weight; boxed-warning precautions."""

from dataclasses import replace
from datetime import date

import pytest

from fhir_mappings.concepts import Condition, Drug, Lab, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.ivig_dose import RECOMMENDATION
from tests.factories import condition, dose, facts, order, result

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def ivig(g_per_day, *, days=None, count=None, draft=True, **kw):
    """IVIG g/day given daily, bounded by a course length or a number of administrations."""
    base = order(Drug.IVIG, route=Route.INTRAVENOUS, draft=draft, ref="MedicationRequest/ivig", **kw)
    return replace(base, dose=dose(g_per_day * 1000, 1.0, course_days=days, administration_count=count))


def test_2_g_per_kg_over_2_days_is_silent():
    assert run(facts(hook="order-sign", weight_kg=70, medications=(ivig(70, days=2),))) is None


def test_course_above_2_2_g_per_kg_warns():
    finding = run(facts(hook="order-sign", weight_kg=70, medications=(ivig(80, days=2),)))  # 2.29 g/kg
    assert finding.indicator is Indicator.WARNING
    assert "2.2 g/kg" in finding.summary


def test_course_at_2_2_g_per_kg_is_silent():
    assert run(facts(hook="order-sign", weight_kg=100, medications=(ivig(44, count=5),))) is None


def test_course_counted_by_number_of_administrations():
    assert run(facts(hook="order-sign", weight_kg=70, medications=(ivig(35, count=5),))).indicator is Indicator.WARNING


def test_unbounded_single_day_above_the_course_maximum_warns_about_the_dose():
    finding = run(facts(hook="order-sign", weight_kg=70, medications=(ivig(160),)))
    assert finding.indicator is Indicator.WARNING
    assert "2.2 g/kg" in finding.summary


# --- open-ended daily orders --------------------------------------------------------------------
def test_daily_order_with_no_count_and_no_end_warns_that_a_course_is_2_to_5_days():
    finding = run(facts(hook="order-sign", weight_kg=70, medications=(ivig(35),)))
    assert finding.indicator is Indicator.WARNING
    assert "2-5 days" in finding.summary


def test_daily_order_with_an_end_date_is_not_open_ended():
    bounded = replace(ivig(35), end=date(2026, 11, 25))
    assert run(facts(hook="order-sign", weight_kg=70, medications=(bounded,))) is None


def test_monthly_maintenance_order_without_an_end_is_not_a_daily_course():
    monthly = replace(ivig(70), dose=dose(140000, 1 / 28))
    assert run(facts(hook="order-sign", weight_kg=70, medications=(monthly,))) is None


def test_open_ended_order_on_record_warns_on_patient_view():
    assert run(facts(weight_kg=70, medications=(ivig(35, draft=False),))).indicator is Indicator.WARNING


# --- thrombosis risk factors of the boxed warning -------------------------------------------------
@pytest.mark.parametrize("concept", [Condition.VENOUS_THROMBOEMBOLISM, Condition.THROMBOPHILIA,
                                     Condition.IMMOBILITY, Condition.HYPERVISCOSITY])
def test_draft_in_a_patient_with_a_thrombosis_risk_factor_gets_precautions(concept):
    finding = run(facts(hook="order-select", weight_kg=70, conditions=(condition(concept),),
                        medications=(ivig(70, days=2),)))
    assert finding.indicator is Indicator.INFO
    assert concept.value in " ".join(finding.facts_used)


def test_draft_in_a_patient_on_oestrogen_gets_precautions():
    finding = run(facts(hook="order-select", weight_kg=70,
                        medications=(ivig(70, days=2), order(Drug.OESTROGEN, 0.03))))
    assert finding.indicator is Indicator.INFO
    assert any(fact.startswith("Oestrogen therapy") for fact in finding.facts_used)


def test_draft_without_any_risk_factor_is_silent():
    f = facts(hook="order-select", weight_kg=70, age=40, medications=(ivig(70, days=2),),
              results=(result(Lab.EGFR, value=95, unit="mL/min"),))
    assert run(f) is None


def test_an_egfr_older_than_the_window_is_not_a_current_risk_factor():
    f = facts(hook="order-select", weight_kg=70, medications=(ivig(70, days=2),),
              results=(result(Lab.EGFR, value=40, unit="mL/min", days_ago=400),))
    assert run(f) is None


def test_age_is_shown_in_whole_years():
    finding = run(facts(hook="order-select", weight_kg=70, age=70.9, medications=(ivig(70, days=2),)))
    assert "Age 70 years" in finding.facts_used


def test_overdose_on_record_warns_on_patient_view():
    f = facts(weight_kg=60, medications=(ivig(70, days=2, draft=False),))
    assert run(f).indicator is Indicator.WARNING


def test_draft_without_weight_gets_weight_needed_info():
    finding = run(facts(hook="order-select", weight_kg=None, medications=(ivig(70, days=2),)))
    assert finding.indicator is Indicator.INFO
    assert "weight" in finding.summary


def test_order_on_record_without_weight_is_silent():
    assert run(facts(weight_kg=None, medications=(ivig(70, days=2, draft=False),))) is None


def test_draft_with_egfr_below_60_gets_precautions():
    f = facts(hook="order-select", weight_kg=70, medications=(ivig(70, days=2),),
              results=(result(Lab.EGFR, value=55, unit="mL/min"),))
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert "precautions" in finding.summary


def test_draft_with_egfr_60_and_age_65_is_silent():
    f = facts(hook="order-select", weight_kg=70, age=65, medications=(ivig(70, days=2),),
              results=(result(Lab.EGFR, value=60, unit="mL/min"),))
    assert run(f) is None


def test_draft_with_a_newer_creatinine_uses_the_egfr_computed_from_it():
    f = facts(hook="order-select", weight_kg=70, medications=(ivig(70, days=2),),
              results=(result(Lab.EGFR, value=80, unit="mL/min", days_ago=60),
                       result(Lab.CREATININE, value=2.5, unit="mg/dL", days_ago=3)))
    finding = run(f)
    assert finding is not None and any("CKD-EPI 2021" in fact for fact in finding.facts_used)


def test_draft_in_a_patient_over_65_gets_precautions():
    assert run(facts(hook="order-select", weight_kg=70, age=66, medications=(ivig(70, days=2),))) is not None


def test_overdose_detail_includes_precautions_when_they_apply():
    finding = run(facts(hook="order-select", weight_kg=70, age=70, medications=(ivig(80, days=2),)))
    assert finding.indicator is Indicator.WARNING
    assert "Thrombosis and renal risk" in finding.detail


def test_silent_without_ivig():
    assert run(facts(hook="order-select", medications=(order(Drug.RITUXIMAB, 1000, draft=True),))) is None


def test_without_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, hook="order-sign", weight_kg=70, medications=(ivig(80, days=2),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_draft_overdose_is_about_the_draft_through_the_engine():
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-sign", weight_kg=70, medications=(ivig(80, days=2),)),
                       {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/ivig",)
