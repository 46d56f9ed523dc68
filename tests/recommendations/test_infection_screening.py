"""infection-screening (REFERENCE.md R23): hepatitis B/C serology before immunosuppression."""

from fhir_mappings.concepts import Drug, Lab, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.infection_screening import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()

NEGATIVE_SEROLOGY = tuple(
    result(lab, interpretation=Qualitative.NEGATIVE, days_ago=400) for lab in (Lab.HBSAG, Lab.ANTI_HBC, Lab.HCV_ANTIBODY)
)
AZA_DRAFT = order(Drug.AZATHIOPRINE, 50, draft=True, ref="MedicationRequest/aza")


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def with_result(lab, interpretation):
    return tuple(r for r in NEGATIVE_SEROLOGY if r.concept != lab) + (result(lab, interpretation=interpretation),)


def ordered_codes(finding):
    [suggestion] = finding.suggestions
    return [a.resource["code"]["coding"][0]["code"] for a in suggestion.actions]


def test_new_azathioprine_without_serology_warns_and_orders_all_three_tests():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,)))
    assert finding.indicator is Indicator.WARNING
    assert ordered_codes(finding) == ["5196-1", "16933-4", "13955-0"]
    assert finding.about_drafts == ("MedicationRequest/aza",)


def test_only_the_missing_test_is_ordered():
    serology = tuple(r for r in NEGATIVE_SEROLOGY if r.concept != Lab.HCV_ANTIBODY)
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,), results=serology))
    assert ordered_codes(finding) == ["13955-0"]


def test_negative_serology_at_any_date_is_silent():
    assert run(facts(hook="order-select", medications=(AZA_DRAFT,), results=NEGATIVE_SEROLOGY)) is None


def test_new_prednisone_20_mg_without_serology_warns():
    assert run(facts(medications=(order(Drug.PREDNISONE, 20, days=3),))).indicator is Indicator.WARNING


def test_new_prednisone_just_below_20_mg_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 19, days=3),))) is None


def test_glucocorticoid_started_long_ago_is_not_new():
    assert run(facts(medications=(order(Drug.PREDNISONE, 40, days=91),))) is None


def test_glucocorticoid_started_90_days_ago_is_new():
    assert run(facts(medications=(order(Drug.PREDNISONE, 40, days=90),))) is not None


def test_new_methotrexate_alone_is_left_to_methotrexate_baseline_tests():
    assert run(facts(hook="order-select", medications=(order(Drug.METHOTREXATE, 15, 1 / 7, draft=True),))) is None


def test_hydroxychloroquine_is_not_a_trigger():
    assert run(facts(hook="order-select", medications=(order(Drug.HYDROXYCHLOROQUINE, 200, draft=True),))) is None


def test_positive_anti_hbc_prompts_antiviral_decision_without_an_order():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,),
                        results=with_result(Lab.ANTI_HBC, Qualitative.POSITIVE)))
    assert finding.indicator is Indicator.WARNING
    assert "antiviral" in finding.detail
    assert finding.suggestions == ()


def test_positive_anti_hbc_on_entecavir_is_silent():
    f = facts(hook="order-select", medications=(AZA_DRAFT, order(Drug.ENTECAVIR, 0.5)),
              results=with_result(Lab.ANTI_HBC, Qualitative.POSITIVE))
    assert run(f) is None


def test_positive_hcv_antibody_prompts_hcv_rna():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,),
                        results=with_result(Lab.HCV_ANTIBODY, Qualitative.POSITIVE)))
    assert "HCV RNA" in finding.detail


def test_unreadable_result_asks_for_review():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,),
                        results=with_result(Lab.HBSAG, Qualitative.UNKNOWN)))
    assert "review" in finding.summary


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, hook="order-select", medications=(AZA_DRAFT,)),
                    {}, strict=True) == []


def test_order_select_of_an_unrelated_draft_is_silent():
    f = facts(hook="order-select", medications=(order(Drug.PREDNISONE, 40, days=3),
                                                 order(Drug.ALLOPURINOL, 100, draft=True)))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []
