"""methotrexate-monitoring (docs/evidence.md#methotrexate-monitoring): blood count, creatinine, ALT overdue for the phase."""

from fhir_mappings.concepts import Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_monitoring import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
STABLE_MTX = order(Drug.METHOTREXATE, 20, 1 / 7, days=400)
NEW_MTX = order(Drug.METHOTREXATE, 15, 1 / 7, days=40)


def labs_done(days_ago, labs=(Lab.BLOOD_COUNT, Lab.CREATININE, Lab.ALT)):
    return tuple(result(lab, value=1, days_ago=days_ago) for lab in labs)


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def test_stable_dose_tested_84_days_ago_is_silent():
    assert run(facts(medications=(STABLE_MTX,), results=labs_done(84))) is None


def test_stable_dose_tested_85_days_ago_is_overdue_info():
    finding = run(facts(medications=(STABLE_MTX,), results=labs_done(85)))
    assert finding.indicator is Indicator.INFO
    assert "overdue" in finding.summary


def test_early_phase_uses_the_four_week_interval():
    assert run(facts(medications=(NEW_MTX,), results=labs_done(28))) is None
    assert run(facts(medications=(NEW_MTX,), results=labs_done(29))) is not None


def test_phase_ends_after_90_days():
    mtx = order(Drug.METHOTREXATE, 15, 1 / 7, days=90)
    assert run(facts(medications=(mtx,), results=labs_done(60))) is None


def test_only_overdue_coded_tests_are_ordered():
    results = labs_done(10, (Lab.BLOOD_COUNT, Lab.CREATININE)) + labs_done(100, (Lab.ALT,))
    finding = run(facts(medications=(STABLE_MTX,), results=results))
    [suggestion] = finding.suggestions
    assert [a.resource["code"]["coding"][0]["code"] for a in suggestion.actions] == ["1742-6"]


def test_egfr_and_ast_count_as_creatinine_and_alt():
    results = labs_done(10, (Lab.BLOOD_COUNT, Lab.EGFR, Lab.AST))
    assert run(facts(medications=(STABLE_MTX,), results=results)) is None


def test_never_tested_is_overdue():
    assert "full blood count" in run(facts(medications=(STABLE_MTX,))).summary


def test_intervals_are_settings():
    assert run(facts(medications=(STABLE_MTX,), results=labs_done(60)), stable_interval_days=56) is not None


def test_a_new_start_is_left_to_baseline_tests():
    draft = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True)
    assert run(facts(hook="order-select", medications=(draft,))) is None


def test_renewal_draft_with_overdue_monitoring_fires_about_the_draft():
    draft = order(Drug.METHOTREXATE, 20, 1 / 7, draft=True, ref="MedicationRequest/renew")
    f = facts(hook="order-sign", medications=(STABLE_MTX, draft), results=labs_done(100))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/renew",)


def test_fires_without_a_myositis_diagnosis():
    f = facts(myositis=None, medications=(STABLE_MTX,), results=labs_done(100))
    assert len(evaluate((RECOMMENDATION,), f, {}, strict=True)) == 1
