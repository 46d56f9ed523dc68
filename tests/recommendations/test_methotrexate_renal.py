"""methotrexate-renal (docs/evidence.md#methotrexate-renal): eGFR < 30 critical, 30-59 warning (local policy)."""

from fhir_mappings.concepts import Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_renal import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
MTX = order(Drug.METHOTREXATE, 15, 1 / 7, days=100)
MTX_DRAFT = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/mtx")


def egfr(value, days_ago=5):
    return result(Lab.EGFR, value=value, unit="mL/min/{1.73_m2}", days_ago=days_ago)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_egfr_29_is_critical():
    finding = run(facts(medications=(MTX,), results=(egfr(29),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "local policy" in finding.summary


def test_egfr_30_is_a_warning():
    assert run(facts(medications=(MTX,), results=(egfr(30),))).indicator is Indicator.WARNING


def test_egfr_59_is_a_warning():
    assert run(facts(medications=(MTX,), results=(egfr(59),))).indicator is Indicator.WARNING


def test_egfr_60_is_silent():
    assert run(facts(medications=(MTX,), results=(egfr(60),))) is None


def test_no_renal_result_is_silent():
    assert run(facts(medications=(MTX,))) is None


def test_silent_without_methotrexate():
    assert run(facts(medications=(order(Drug.AZATHIOPRINE, 100),), results=(egfr(20),))) is None


def test_latest_egfr_wins():
    assert run(facts(medications=(MTX,), results=(egfr(25, days_ago=300), egfr(75, days_ago=5)))) is None


def test_egfr_is_computed_from_a_newer_creatinine():
    # 2.0 mg/dL in a 50-year-old man: CKD-EPI 2021 eGFR about 39.
    results = (egfr(80, days_ago=100), result(Lab.CREATININE, value=2.0, unit="mg/dL", days_ago=2))
    finding = run(facts(medications=(MTX,), results=results))
    assert finding.indicator is Indicator.WARNING
    assert "CKD-EPI 2021" in " ".join(finding.facts_used)


def test_creatinine_in_micromol_per_litre_is_converted():
    # 300 µmol/L = 3.39 mg/dL: eGFR about 21 in a 50-year-old man.
    f = facts(medications=(MTX,), results=(result(Lab.CREATININE, value=300, unit="umol/L"),))
    assert run(f).indicator is Indicator.CRITICAL


def test_a_draft_is_left_to_the_draft_order_safety_check():
    assert run(facts(hook="order-select", medications=(MTX_DRAFT,), results=(egfr(20),))) is None


def test_runs_on_patient_view_only_where_orders_on_record_are_reviewed():
    assert RECOMMENDATION.hooks == {"patient-view"}


def test_fires_without_a_myositis_diagnosis():
    f = facts(myositis=None, medications=(MTX,), results=(egfr(45),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.WARNING
