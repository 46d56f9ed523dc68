"""infection-screening: hepatitis B/C serology before immunosuppression, HBsAg-positive prophylaxis, isolated anti-HBc."""

from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.infection_screening import RECOMMENDATION
from tests.factories import condition, facts, order, result

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


def test_new_azathioprine_without_serology_is_a_gap_that_orders_all_three_tests():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,)))
    assert finding.indicator is Indicator.INFO
    assert ordered_codes(finding) == ["5196-1", "16933-4", "13955-0"]
    assert finding.about_drafts == ("MedicationRequest/aza",)


def test_only_the_missing_test_is_ordered():
    serology = tuple(r for r in NEGATIVE_SEROLOGY if r.concept != Lab.HCV_ANTIBODY)
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,), results=serology))
    assert ordered_codes(finding) == ["13955-0"]


def test_negative_serology_at_any_date_is_silent():
    assert run(facts(hook="order-select", medications=(AZA_DRAFT,), results=NEGATIVE_SEROLOGY)) is None


def test_new_prednisone_20_mg_without_serology_is_a_gap():
    assert run(facts(medications=(order(Drug.PREDNISONE, 20, days=3),))).indicator is Indicator.INFO


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


# --- HBsAg positive: a warning whatever the drug and however long it has been given -------------------
HBSAG_POSITIVE = with_result(Lab.HBSAG, Qualitative.POSITIVE)


def test_hbsag_positive_on_long_standing_methotrexate_warns():
    finding = run(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=700),), results=HBSAG_POSITIVE))
    assert finding.indicator is Indicator.WARNING
    assert "entecavir or tenofovir" in finding.summary


def test_hbsag_positive_on_low_dose_prednisone_warns():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 5, days=400),), results=HBSAG_POSITIVE))
    assert finding.indicator is Indicator.WARNING


def test_hbsag_positive_on_entecavir_is_silent():
    meds = (order(Drug.METHOTREXATE, 15, 1 / 7, days=700), order(Drug.ENTECAVIR, 0.5))
    assert run(facts(medications=meds, results=HBSAG_POSITIVE)) is None


def test_hbsag_positive_on_lamivudine_alone_warns_that_lamivudine_is_not_adequate():
    meds = (order(Drug.AZATHIOPRINE, 100, days=700), order(Drug.LAMIVUDINE, 100))
    finding = run(facts(medications=meds, results=HBSAG_POSITIVE))
    assert finding.indicator is Indicator.WARNING
    assert "Lamivudine is not adequate" in finding.detail


def test_hbsag_positive_with_rituximab_is_left_to_rituximab_hbv():
    meds = (order(Drug.RITUXIMAB, 1000, days=200),)
    assert run(facts(medications=meds, results=HBSAG_POSITIVE)) is None


def test_hbsag_positive_without_an_immunosuppressant_is_silent():
    assert run(facts(medications=(order(Drug.HYDROXYCHLOROQUINE, 200, days=300),), results=HBSAG_POSITIVE)) is None


# --- isolated anti-HBc: lower risk, an information card when treatment starts ----------------------------
ISOLATED_CORE = with_result(Lab.ANTI_HBC, Qualitative.POSITIVE)


def test_isolated_anti_hbc_on_new_azathioprine_is_an_info_card_on_alt_and_hbv_dna():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,), results=ISOLATED_CORE))
    assert finding.indicator is Indicator.INFO
    assert "HBV DNA" in finding.summary
    assert ordered_codes(finding) == ["29615-2"]


def test_isolated_anti_hbc_on_new_methotrexate_is_an_info_card():
    mtx = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/mtx")
    assert run(facts(hook="order-select", medications=(mtx,), results=ISOLATED_CORE)).indicator is Indicator.INFO


ESTABLISHED_MTX = order(Drug.METHOTREXATE, 15, 1 / 7, days=400)


def test_isolated_anti_hbc_on_established_methotrexate_without_recent_hbv_dna_asks_for_monitoring():
    finding = run(facts(medications=(ESTABLISHED_MTX,), results=ISOLATED_CORE))
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "Isolated anti-HBc on immunosuppression: HBV DNA and ALT/AST due (every 1-3 months)"
    assert ordered_codes(finding) == ["29615-2", "1742-6"]
    assert "No HBV DNA on record" in finding.facts_used


def test_isolated_anti_hbc_on_established_prednisone_with_an_hbv_dna_within_3_months_is_silent():
    hbv_dna = result(Lab.HBV_DNA, text="Not detected", days_ago=60)
    f = facts(medications=(order(Drug.PREDNISONE, 7.5, days=400),), results=(*ISOLATED_CORE, hbv_dna))
    assert run(f) is None


def test_isolated_anti_hbc_monitoring_orders_only_hbv_dna_when_alt_is_recent():
    f = facts(medications=(ESTABLISHED_MTX,), results=(*ISOLATED_CORE, result(Lab.ALT, value=25, unit="U/L")))
    assert ordered_codes(run(f)) == ["29615-2"]


def test_the_hbv_monitoring_interval_is_a_setting():
    hbv_dna = result(Lab.HBV_DNA, value=0, unit="[IU]/mL", days_ago=60)
    f = facts(medications=(ESTABLISHED_MTX,), results=(*ISOLATED_CORE, hbv_dna))
    assert RECOMMENDATION.evaluate(f, {**PARAMS, "hbv_monitoring_interval_days": 30}) is not None


def test_isolated_anti_hbc_with_new_high_dose_glucocorticoid_warns():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 40, days=3),), results=ISOLATED_CORE))
    assert finding.indicator is Indicator.WARNING
    assert "antiviral" in finding.detail


def test_isolated_anti_hbc_on_lamivudine_is_silent():
    meds = (AZA_DRAFT, order(Drug.LAMIVUDINE, 100))
    assert run(facts(hook="order-select", medications=meds, results=ISOLATED_CORE)) is None


def test_positive_anti_hbc_on_entecavir_is_silent():
    f = facts(hook="order-select", medications=(AZA_DRAFT, order(Drug.ENTECAVIR, 0.5)),
              results=with_result(Lab.ANTI_HBC, Qualitative.POSITIVE))
    assert run(f) is None


def test_positive_hcv_antibody_prompts_hcv_rna():
    finding = run(facts(hook="order-select", medications=(AZA_DRAFT,),
                        results=with_result(Lab.HCV_ANTIBODY, Qualitative.POSITIVE)))
    assert "HCV RNA" in finding.detail
    assert ordered_codes(finding) == ["11011-4"]


def test_chronic_hepatitis_c_on_record_asks_for_hcv_rna_and_hepatology_not_an_hcv_antibody():
    serology = tuple(r for r in NEGATIVE_SEROLOGY if r.concept != Lab.HCV_ANTIBODY)
    f = facts(hook="order-select", medications=(AZA_DRAFT,), results=serology,
              conditions=(condition(Condition.HEPATITIS_C),))
    finding = run(f)
    assert finding.indicator is Indicator.WARNING
    assert finding.summary == "Hepatitis C before immunosuppression: check HCV RNA and refer to hepatology"
    assert ordered_codes(finding) == ["11011-4"]
    assert "13955-0" not in ordered_codes(finding)


def test_chronic_hepatitis_c_with_an_hcv_rna_in_the_last_year_is_silent():
    serology = tuple(r for r in NEGATIVE_SEROLOGY if r.concept != Lab.HCV_ANTIBODY)
    rna = result(Lab.HCV_RNA, value=150000, unit="[IU]/mL", days_ago=100)
    f = facts(hook="order-select", medications=(AZA_DRAFT,), results=(*serology, rna),
              conditions=(condition(Condition.HEPATITIS_C),))
    assert run(f) is None


def test_a_new_methotrexate_with_a_glucocorticoid_leaves_missing_serology_to_its_baseline_card():
    mtx = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/mtx")
    pred = order(Drug.PREDNISONE, 40, draft=True, ref="MedicationRequest/pred")
    assert run(facts(hook="order-select", medications=(mtx, pred))) is None


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


def test_positive_hcv_antibody_with_only_a_new_low_dose_glucocorticoid_is_left_silent():
    f = facts(medications=(order(Drug.PREDNISONE, 5, days=3),), results=with_result(Lab.HCV_ANTIBODY, Qualitative.POSITIVE))
    assert run(f) is None
