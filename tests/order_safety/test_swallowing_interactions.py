"""Swallowing, allergies, interactions and drugs already on the regimen."""

from fhir_mappings.concepts import Allergy, Condition, Drug
from hooks.order_safety.decision import Verdict
from tests.factories import condition, facts, order
from tests.order_safety.candidates import (
    ALENDRONATE,
    AZATHIOPRINE,
    MYCOPHENOLATE,
    NORMAL_EGFR,
    candidate,
    decision,
    tmp_smx_ds,
    weekly_methotrexate,
)


def patient(*conditions, medications=(), **extra):
    return facts(conditions=tuple(condition(c) for c in conditions), medications=medications,
                 results=(NORMAL_EGFR,), **extra)


def alendronate():
    return candidate(ALENDRONATE, 70, period_unit="wk")


def test_oral_bisphosphonate_is_left_out_with_dysphagia_naming_the_alternatives():
    found = decision(patient(Condition.DYSPHAGIA), alendronate())
    assert found.verdict is Verdict.LEAVE_OUT and "zoledronic acid" in found.reason


def test_oral_bisphosphonate_is_left_out_with_oesophageal_disease():
    assert decision(patient(Condition.OESOPHAGEAL_DISEASE), alendronate()).verdict is Verdict.LEAVE_OUT


def test_oral_bisphosphonate_is_offered_without_swallowing_problems():
    assert decision(patient(), alendronate()).verdict is Verdict.OFFER


def test_tmp_smx_is_left_out_with_a_sulfonamide_allergy():
    assert decision(patient(allergies=frozenset({Allergy.SULFONAMIDE})), tmp_smx_ds()).verdict is Verdict.LEAVE_OUT


def test_a_drug_the_patient_is_allergic_to_is_left_out():
    found = decision(patient(drug_allergies=frozenset({Drug.METHOTREXATE})), weekly_methotrexate())
    assert found.verdict is Verdict.LEAVE_OUT and "allergy to methotrexate" in found.reason


def test_an_allergy_to_one_mycophenolate_salt_leaves_out_the_other():
    found = decision(patient(drug_allergies=frozenset({Drug.MYCOPHENOLIC_ACID})),
                     candidate(MYCOPHENOLATE, 500, frequency=2))
    assert found.verdict is Verdict.LEAVE_OUT


def test_tmp_smx_is_not_pre_selected_when_the_allergy_list_is_missing():
    found = decision(patient(data_gaps=("AllergyIntolerance",)), tmp_smx_ds())
    assert found.verdict is Verdict.NOT_RECOMMENDED and found.missing_data


def test_azathioprine_is_left_out_with_allopurinol_or_febuxostat():
    for inhibitor in (Drug.ALLOPURINOL, Drug.FEBUXOSTAT):
        found = decision(patient(medications=(order(inhibitor, 100),)), candidate(AZATHIOPRINE, 50))
        assert found.verdict is Verdict.LEAVE_OUT


def test_tmp_smx_beside_methotrexate_with_folate_is_offered_with_the_blood_count_note():
    regimen = (order(Drug.METHOTREXATE, 15, 1 / 7), order(Drug.FOLIC_ACID, 1))
    found = decision(patient(medications=regimen), tmp_smx_ds())
    assert found.verdict is Verdict.OFFER and "blood count" in found.reason


def test_tmp_smx_beside_methotrexate_without_folate_is_not_pre_selected():
    found = decision(patient(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),)), tmp_smx_ds())
    assert found.verdict is Verdict.NOT_RECOMMENDED and "no folic acid" in found.reason


def test_methotrexate_is_left_out_beside_tmp_smx_of_unknown_or_treatment_dose():
    found = decision(patient(medications=(order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM),)), weekly_methotrexate())
    assert found.verdict is Verdict.LEAVE_OUT


def test_a_drug_already_current_is_not_offered_again():
    current = order(Drug.MYCOPHENOLIC_ACID, 720, 2)
    found = decision(patient(medications=(current,)), candidate(MYCOPHENOLATE, 500, frequency=2))
    assert found.verdict is Verdict.LEAVE_OUT and "already on the regimen" in found.reason


def test_an_update_of_the_draft_itself_is_no_duplicate():
    draft = order(Drug.MYCOPHENOLATE_MOFETIL, 2000, 2, draft=True)
    c = candidate(MYCOPHENOLATE, 1500, frequency=2, creates=False)
    assert decision(patient(medications=(draft,)), c).verdict is Verdict.OFFER


def test_an_order_is_not_pre_selected_while_the_medication_list_is_incomplete():
    found = decision(patient(incomplete=("MedicationRequest",)), candidate(MYCOPHENOLATE, 500, frequency=2))
    assert found.verdict is Verdict.NOT_RECOMMENDED and found.missing_data
    assert "medication list not complete" in found.reason


def test_an_order_is_not_pre_selected_while_the_medication_list_is_missing():
    found = decision(patient(data_gaps=("MedicationRequest",)), alendronate())
    assert found.verdict is Verdict.NOT_RECOMMENDED and found.missing_data


def test_an_order_left_out_for_a_finding_stays_left_out_with_an_incomplete_medication_list():
    found = decision(patient(Condition.DYSPHAGIA, incomplete=("MedicationRequest",)), alendronate())
    assert found.verdict is Verdict.LEAVE_OUT
