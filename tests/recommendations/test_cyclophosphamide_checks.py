"""cyclophosphamide-checks (docs/evidence.md#cyclophosphamide): pulse 0.5-1 g/m² monthly; PJP, blood-count, pregnancy prompts."""

from dataclasses import replace
from datetime import timedelta

from fhir_mappings.concepts import Drug, Lab, Qualitative, Route
from fhir_mappings.facts import Measurement
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.cyclophosphamide_checks import RECOMMENDATION
from tests.factories import NOW, facts, order, result

PARAMS = RECOMMENDATION.defaults()
# 70 kg, 175 cm: BSA = sqrt(175 * 70 / 3600) = 1.845 m²; 1 g/m² = 1845 mg.
READY = (result(Lab.BLOOD_COUNT, days_ago=2),)
PROPHYLAXIS = order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, 800, 1)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def pulse(mg, *, draft=True, **kw):
    return order(Drug.CYCLOPHOSPHAMIDE, mg, 1 / 28, route=Route.INTRAVENOUS, draft=draft,
                 ref="MedicationRequest/cyc", **kw)


def test_usual_pulse_with_all_checks_done_is_silent():
    assert run(facts(hook="order-sign", medications=(pulse(1100), PROPHYLAXIS), results=READY)) is None


def test_pulse_above_1_g_per_m2_warns():
    finding = run(facts(hook="order-sign", medications=(pulse(1900), PROPHYLAXIS), results=READY))
    assert finding.indicator is Indicator.WARNING
    assert "g/m²" in finding.summary


def test_pulse_just_below_1_g_per_m2_is_silent():
    assert run(facts(hook="order-sign", medications=(pulse(1840), PROPHYLAXIS), results=READY)) is None


def test_without_height_the_mg_per_kg_maximum_applies():
    f = facts(hook="order-sign", height_cm=None, medications=(pulse(1100), PROPHYLAXIS), results=READY)
    assert run(f).indicator is Indicator.WARNING  # 15.7 mg/kg


def test_a_weight_older_than_90_days_is_not_used_for_the_dose_per_m2():
    stale = replace(facts(hook="order-sign", medications=(pulse(1900), PROPHYLAXIS), results=READY),
                    weight_kg=Measurement(70, NOW - timedelta(days=120)))
    finding = run(stale)
    assert finding.indicator is Indicator.INFO
    assert any("Weight and height" in line for line in finding.detail.splitlines())


def test_oral_cyclophosphamide_is_not_checked_against_the_pulse_maximum():
    oral = order(Drug.CYCLOPHOSPHAMIDE, 2000, 1, route=Route.ORAL)
    assert run(facts(medications=(oral,))) is None


def test_overdose_on_record_warns_on_patient_view():
    assert run(facts(medications=(pulse(2500, draft=False),))).indicator is Indicator.WARNING


def test_usual_pulse_on_record_is_silent_on_patient_view_even_with_checks_open():
    assert run(facts(medications=(pulse(1100, draft=False),))) is None


def test_draft_without_pjp_prophylaxis_gets_the_checklist():
    finding = run(facts(hook="order-sign", medications=(pulse(1100),), results=READY))
    assert finding.indicator is Indicator.INFO
    assert "Pneumocystis" in finding.detail and "Blood count" not in finding.detail


def test_draft_with_blood_count_older_than_7_days_gets_the_checklist():
    f = facts(hook="order-sign", medications=(pulse(1100), PROPHYLAXIS), results=(result(Lab.BLOOD_COUNT, days_ago=8),))
    assert "Blood count" in run(f).detail


def test_childbearing_potential_without_recent_negative_hcg_gets_the_checklist():
    f = facts(hook="order-sign", sex="female", age=30, childbearing_potential=True,
              medications=(pulse(1100), PROPHYLAXIS), results=READY)
    assert "Pregnancy test" in run(f).detail


def test_childbearing_potential_with_recent_negative_hcg_is_silent():
    results = READY + (result(Lab.HCG, interpretation=Qualitative.NEGATIVE, days_ago=3),)
    f = facts(hook="order-sign", sex="female", age=30, childbearing_potential=True,
              medications=(pulse(1100), PROPHYLAXIS), results=results)
    assert run(f) is None


def test_overdose_warning_lists_open_checks():
    finding = run(facts(hook="order-sign", medications=(pulse(1900),), results=READY))
    assert finding.indicator is Indicator.WARNING
    assert "Pneumocystis" in finding.detail


def test_silent_without_cyclophosphamide():
    assert run(facts(hook="order-sign", medications=(order(Drug.RITUXIMAB, 1000, draft=True),))) is None


def test_order_sign_of_another_drug_is_silent_through_the_engine():
    meds = (pulse(2500, draft=False), order(Drug.PREDNISONE, 10, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=meds), {}, strict=True) == []


def test_without_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, hook="order-sign", medications=(pulse(2500),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
