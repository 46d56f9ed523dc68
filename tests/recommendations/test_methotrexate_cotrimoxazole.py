"""methotrexate-cotrimoxazole: treatment doses critical; prophylaxis informative when starting, raised by risk."""

import pytest

from fhir_mappings.concepts import Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_cotrimoxazole import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
FOLIC_ACID = order(Drug.FOLIC_ACID, 5, 1 / 7, days=200)
NORMAL_EGFR = (result(Lab.EGFR, value=90, unit="mL/min/{1.73_m2}"),)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def methotrexate(days=200, **kwargs):
    return order(Drug.METHOTREXATE, 15, 1 / 7, days=days, **kwargs)


def cotrimoxazole(tmp_mg=160, per_day=1.0, days=200, **kwargs):
    """TMP-SMX dosed in mg of trimethoprim (160 mg = one double-strength tablet)."""
    return order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, tmp_mg, per_day, days=days, **kwargs)


def patient(*medications, age=50, results=NORMAL_EGFR, **kwargs):
    return facts(medications=(*medications, FOLIC_ACID), age=age, results=results, **kwargs)


# --- treatment doses ----------------------------------------------------------------------------
def test_treatment_dose_is_critical():
    finding = run(patient(methotrexate(), cotrimoxazole(160, 2)))  # DS twice daily = 320 mg TMP/day
    assert finding.indicator is Indicator.CRITICAL
    assert "Treatment-dose" in finding.summary
    assert "trimethoprim 320 mg/day" in " ".join(finding.facts_used)


def test_one_double_strength_tablet_daily_is_not_a_treatment_dose():
    assert run(patient(methotrexate(), cotrimoxazole(160, 1))) is None


def test_unreadable_cotrimoxazole_dose_warns():
    finding = run(patient(methotrexate(), cotrimoxazole(None)))
    assert finding.indicator is Indicator.WARNING


# --- prophylactic doses ---------------------------------------------------------------------------
def test_established_prophylaxis_without_risk_factors_is_silent_at_chart_opening():
    assert run(patient(methotrexate(), cotrimoxazole(160, 3 / 7))) is None


def test_prophylaxis_when_starting_is_one_information_card():
    finding = run(patient(methotrexate(), cotrimoxazole(80, 1, days=5)))
    assert finding.indicator is Indicator.INFO
    assert "not a contraindication" in finding.detail


def test_drafting_prophylaxis_with_methotrexate_on_record_is_an_information_card_about_the_draft():
    draft = cotrimoxazole(160, 3 / 7, draft=True, ref="MedicationRequest/new-tmp-smx")
    [found] = evaluate((RECOMMENDATION,), patient(methotrexate(), draft, hook="order-select"), {}, strict=True)
    assert found.finding.indicator is Indicator.INFO
    assert found.finding.about_drafts == ("MedicationRequest/new-tmp-smx",)


@pytest.mark.parametrize("situation", [
    {"results": (result(Lab.EGFR, value=45, unit="mL/min/{1.73_m2}"),)},
    {"age": 72},
])
def test_prophylaxis_with_a_risk_factor_warns_even_when_established(situation):
    finding = run(patient(methotrexate(), cotrimoxazole(160, 3 / 7), **situation))
    assert finding.indicator is Indicator.WARNING


def test_prophylaxis_without_folate_supplement_warns():
    f = facts(medications=(methotrexate(), cotrimoxazole(160, 3 / 7)), results=NORMAL_EGFR)
    finding = run(f)
    assert finding.indicator is Indicator.WARNING
    assert "No folic acid or folinic acid on the current regimen" in finding.facts_used


def test_a_reduced_egfr_older_than_the_window_does_not_raise_the_card():
    old = (result(Lab.EGFR, value=45, unit="mL/min/{1.73_m2}", days_ago=400),)
    assert run(patient(methotrexate(), cotrimoxazole(160, 3 / 7), results=old)) is None


# --- scope -----------------------------------------------------------------------------------------
def test_methotrexate_alone_is_silent():
    assert run(patient(methotrexate())) is None


def test_cotrimoxazole_alone_is_silent():
    assert run(patient(cotrimoxazole(160, 2))) is None


def test_stopped_methotrexate_is_silent():
    assert run(patient(methotrexate(status="stopped"), cotrimoxazole(160, 2))) is None


def test_fires_without_a_myositis_diagnosis_through_the_engine():
    f = patient(methotrexate(), cotrimoxazole(160, 2), myositis=None)
    [found] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert found.recommendation.id == "methotrexate-cotrimoxazole"


def test_a_methotrexate_draft_beside_a_treatment_dose_is_left_to_the_draft_order_safety_check():
    draft = methotrexate(draft=True, ref="MedicationRequest/new-mtx")
    assert evaluate((RECOMMENDATION,), patient(cotrimoxazole(160, 2), draft, hook="order-sign"), {}, strict=True) == []


def test_order_select_of_an_unrelated_drug_is_silent():
    f = patient(methotrexate(), cotrimoxazole(160, 2), order(Drug.ALLOPURINOL, 100, draft=True), hook="order-select")
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
