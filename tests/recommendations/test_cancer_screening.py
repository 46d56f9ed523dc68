"""cancer-screening (IMACS 2023): adult-onset IIM within 3 years of onset, screening by risk category."""

from datetime import date

import pytest

from fhir_mappings.concepts import Antibody, Condition, Drug, Investigation, MyositisSubtype, Qualitative
from fhir_mappings.facts import ConditionFact, InvestigationFact
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.cancer_screening import RECOMMENDATION
from tests.factories import condition, days_before, facts, order, result

PARAMS = RECOMMENDATION.defaults()
TIF1G = result(Antibody.TIF1G, interpretation=Qualitative.POSITIVE, days_ago=100)
JO1 = result(Antibody.JO1, interpretation=Qualitative.POSITIVE, days_ago=100)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def onset(subtype, days_ago=120):
    return ConditionFact(subtype, "test", "http://snomed.info/sct", subtype.value, days_before(days_ago))


def patient(subtype=MyositisSubtype.DERMATOMYOSITIS, *, onset_days=120, age=35, **extra):
    conditions = extra.pop("conditions", ())
    return facts(myositis=subtype, age=age, conditions=(onset(subtype, onset_days), *conditions), **extra)


def screening_test(days_ago=60, done=True, kind=Investigation.CT_CHEST_ABDOMEN_PELVIS):
    return InvestigationFact(kind, days_before(days_ago), done, "DiagnosticReport", kind.value)


def test_anti_tif1_gamma_dermatomyositis_without_ct_is_high_risk_information():
    finding = run(patient(results=(TIF1G,)))
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith("High cancer risk")
    assert "PET-CT can be the single screening test" in finding.detail


def test_two_risk_features_make_the_risk_high():
    f = patient(MyositisSubtype.POLYMYOSITIS, age=60, conditions=(condition(Condition.DYSPHAGIA),))
    assert run(f).indicator is Indicator.INFO


def test_dermatomyositis_without_features_is_moderate_info_asking_for_enhanced_screening():
    finding = run(patient())
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "Moderate cancer risk in myositis: arrange enhanced screening"


def test_necrotizing_myopathy_alone_is_standard():
    assert run(patient(MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING)).summary.startswith("Standard")


def test_necrotizing_myopathy_with_anti_sae_has_two_intermediate_factors_and_is_moderate():
    sae = result(Antibody.SAE, interpretation=Qualitative.POSITIVE)
    finding = run(patient(MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING, results=(sae,)))
    assert finding.summary.startswith("Moderate")
    assert "Intermediate-risk factor: anti-sae positive" in finding.facts_used


def test_necrotizing_myopathy_over_40_is_moderate():
    assert run(patient(MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING, age=55)).summary.startswith("Moderate")


def test_dermatomyositis_over_40_is_high_risk():
    finding = run(patient(age=58))
    assert finding.indicator is Indicator.INFO
    assert {"High-risk factor: Dermatomyositis", "High-risk factor: Age 58 at onset"} <= set(finding.facts_used)


def test_anti_srp_necrotizing_myopathy_is_standard():
    srp = result(Antibody.SRP, interpretation=Qualitative.POSITIVE)
    finding = run(patient(MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING, results=(srp,)))
    assert finding.summary == "Standard cancer risk in myositis: arrange basic screening"


def test_antisynthetase_syndrome_is_standard_and_asks_for_a_chest_radiograph():
    finding = run(patient(MyositisSubtype.ANTISYNTHETASE, results=(JO1,)))
    assert finding.indicator is Indicator.INFO
    assert "chest radiograph" in finding.detail


def test_antisynthetase_syndrome_over_40_is_moderate():
    assert run(patient(MyositisSubtype.ANTISYNTHETASE, age=55, results=(JO1,))).summary.startswith("Moderate")


def test_escalated_treatment_counts_as_refractory_disease():
    f = patient(MyositisSubtype.POLYMYOSITIS, age=60, medications=(order(Drug.IVIG, 140000),))
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert "High-risk factor: Refractory disease (treatment escalated: immune-globulin)" in finding.facts_used


def test_ct_after_diagnosis_silences_moderate_risk():
    assert run(patient(investigations=(screening_test(),))) is None


def test_an_ordered_ct_counts_as_screening_in_hand():
    assert run(patient(investigations=(screening_test(done=False),))) is None


def test_ct_long_before_the_onset_does_not_count():
    assert run(patient(investigations=(screening_test(days_ago=400),))) is not None


def test_chest_radiograph_silences_standard_risk():
    cxr = screening_test(kind=Investigation.CHEST_RADIOGRAPH)
    assert run(patient(MyositisSubtype.ANTISYNTHETASE, results=(JO1,), investigations=(cxr,))) is None


def test_chest_radiograph_does_not_satisfy_moderate_risk():
    assert run(patient(investigations=(screening_test(kind=Investigation.CHEST_RADIOGRAPH),))) is not None


def test_high_risk_asks_for_a_repeat_when_the_last_ct_is_over_a_year_old():
    f = patient(results=(TIF1G,), onset_days=500, investigations=(screening_test(days_ago=450),))
    assert run(f).summary == "High cancer risk in myositis: arrange repeat screening"


def test_high_risk_repeat_is_met_by_a_recent_basic_screening_test():
    tests = (screening_test(days_ago=450), screening_test(days_ago=60, kind=Investigation.CHEST_RADIOGRAPH))
    assert run(patient(results=(TIF1G,), onset_days=500, investigations=tests)) is None


def test_high_risk_with_a_recent_ct_is_silent():
    assert run(patient(results=(TIF1G,), onset_days=500, investigations=(screening_test(days_ago=100),))) is None


def test_pet_ct_counts_as_enhanced_screening():
    assert run(patient(results=(TIF1G,), investigations=(screening_test(kind=Investigation.PET_CT),))) is None


def test_more_than_three_years_after_onset_is_silent():
    assert run(patient(results=(TIF1G,), onset_days=4 * 365)) is None


def test_unknown_onset_fires_and_says_so():
    finding = run(facts(age=35))
    assert "Onset of myositis not recorded" in finding.facts_used


@pytest.mark.parametrize("subtype", [MyositisSubtype.JUVENILE_DERMATOMYOSITIS, MyositisSubtype.INCLUSION_BODY_MYOSITIS])
def test_juvenile_dermatomyositis_and_ibm_are_silent(subtype):
    assert run(patient(subtype, age=60)) is None


def test_children_are_silent():
    assert run(patient(age=15)) is None


def test_cancer_on_record_is_silent():
    assert run(patient(results=(TIF1G,), conditions=(condition(Condition.CANCER),))) is None


@pytest.mark.parametrize("unknown", [{"data_gaps": ("Procedure", "DiagnosticReport", "ServiceRequest")},
                                     {"data_gaps": ("ServiceRequest",)}, {"incomplete": ("Procedure",)}],
                         ids=["not-obtained", "one-list-not-obtained", "paged-list-incomplete"])
def test_unavailable_or_partial_imaging_records_ask_to_verify_through_the_engine(unknown):
    [found] = evaluate((RECOMMENDATION,), patient(**unknown), {}, strict=True)
    assert found.finding.summary.startswith("Verify in the full record: ")
    assert found.finding.detail.startswith("**Not verified:**")
    assert found.finding.suggestions == ()


def test_age_at_onset_uses_the_birth_date():
    from dataclasses import replace
    f = patient(MyositisSubtype.ANTISYNTHETASE, age=42, results=(JO1,), onset_days=3 * 365)
    f = replace(f, patient=replace(f.patient, birth_date=date(1984, 6, 1)))
    assert run(f).summary.startswith("Standard")


def test_patient_view_only():
    assert evaluate((RECOMMENDATION,), patient(hook="order-sign", results=(TIF1G,)), {}, strict=True) == []
