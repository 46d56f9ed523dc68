"""methotrexate-baseline-tests (docs/evidence.md#methotrexate-baseline): blood count, renal, liver, albumin, hepatitis serology."""

from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_baseline_tests import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
MTX_DRAFT = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/mtx")
SEROLOGY = tuple(
    result(lab, interpretation=Qualitative.NEGATIVE, days_ago=500) for lab in (Lab.HBSAG, Lab.ANTI_HBC, Lab.HCV_ANTIBODY)
)


def bloods(days_ago=10):
    return tuple(result(lab, value=1, days_ago=days_ago) for lab in (Lab.BLOOD_COUNT, Lab.CREATININE, Lab.ALT, Lab.ALBUMIN))


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def ordered_codes(finding):
    [suggestion] = finding.suggestions
    return [a.resource["code"]["coding"][0]["code"] for a in suggestion.actions]


def test_complete_baseline_is_silent():
    assert run(facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods() + SEROLOGY)) is None


def test_new_methotrexate_without_any_baseline_warns_about_the_draft():
    finding = run(facts(hook="order-select", medications=(MTX_DRAFT,)))
    assert finding.indicator is Indicator.WARNING
    assert finding.about_drafts == ("MedicationRequest/mtx",)
    assert ordered_codes(finding) == ["2160-0", "1742-6", "5196-1", "16933-4", "13955-0"]


def test_blood_count_and_albumin_are_named_but_not_ordered_without_a_verified_code():
    finding = run(facts(hook="order-select", medications=(MTX_DRAFT,)))
    assert "full blood count" in finding.summary and "albumin" in finding.summary
    assert "local catalogue" in finding.detail


def test_bloods_30_days_old_count_for_a_new_start():
    assert run(facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods(30) + SEROLOGY)) is None


def test_bloods_31_days_old_are_too_old_for_a_new_start():
    finding = run(facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods(31) + SEROLOGY))
    assert ordered_codes(finding) == ["2160-0", "1742-6"]


def test_egfr_and_ast_stand_in_for_creatinine_and_alt():
    results = (result(Lab.BLOOD_COUNT, value=1), result(Lab.EGFR, value=80), result(Lab.AST, value=20),
               result(Lab.ALBUMIN, value=40)) + SEROLOGY
    assert run(facts(hook="order-select", medications=(MTX_DRAFT,), results=results)) is None


def test_only_missing_serology_is_ordered():
    finding = run(facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods() + SEROLOGY[:2]))
    assert ordered_codes(finding) == ["13955-0"]


def test_serology_window_is_a_setting():
    f = facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods() + SEROLOGY)
    assert run(f, serology_window_days=365) is not None


def test_methotrexate_on_record_with_old_results_is_silent():
    f = facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=800),), results=bloods(700) + SEROLOGY)
    assert run(f) is None


def test_methotrexate_started_recently_never_tested_for_albumin_warns():
    results = tuple(r for r in bloods(700) if r.concept is not Lab.ALBUMIN) + SEROLOGY
    finding = run(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=60),), results=results))
    assert "albumin" in finding.summary


def test_a_course_older_than_the_start_window_gets_no_baseline_card():
    f = facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=400),))
    assert run(f) is None


def test_start_window_is_a_setting():
    f = facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=400),))
    assert run(f, start_window_days=500) is not None


def test_silent_without_methotrexate():
    assert run(facts(medications=(order(Drug.AZATHIOPRINE, 100),))) is None


def test_fires_without_a_myositis_diagnosis():
    f = facts(myositis=None, hook="order-select", medications=(MTX_DRAFT,))
    assert len(evaluate((RECOMMENDATION,), f, {}, strict=True)) == 1


def test_chronic_hepatitis_c_on_record_is_not_screened_again_with_an_hcv_antibody():
    serology = tuple(r for r in SEROLOGY if r.concept != Lab.HCV_ANTIBODY)
    f = facts(hook="order-select", medications=(MTX_DRAFT,), results=bloods() + serology,
              conditions=(condition(Condition.HEPATITIS_C),))
    assert run(f) is None
