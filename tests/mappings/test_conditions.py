"""Condition -> diagnoses and the myositis subtype (docs/evidence.md#subtype-and-scope priority order)."""

import pytest

from fhir_mappings.concepts import Condition, MyositisSubtype
from tests.fhir_builders import ICD10CM, condition, observation, patient
from tests.mappings.conftest import facts_of

DM, PM, IBM = "396230008", "31384009", "72315009"


def subtype(*resources, **kwargs):
    return facts_of(*resources, **kwargs).myositis


@pytest.mark.parametrize(("code", "expected"), [
    ("M33.10", MyositisSubtype.DERMATOMYOSITIS), ("M33.19", MyositisSubtype.DERMATOMYOSITIS),
    ("M33.92", MyositisSubtype.DERMATOMYOSITIS), ("M33.20", MyositisSubtype.POLYMYOSITIS),
    ("M33.02", MyositisSubtype.JUVENILE_DERMATOMYOSITIS), ("G72.41", MyositisSubtype.INCLUSION_BODY_MYOSITIS),
    ("M36.0", MyositisSubtype.DERMATOMYOSITIS), ("G72.49", MyositisSubtype.UNSPECIFIED),
])
def test_icd10cm_codes_match_by_prefix(code, expected):
    assert subtype(condition(code, ICD10CM)) is expected


def test_icd10cm_code_without_the_dot_matches():
    assert subtype(condition("M3312", ICD10CM)) is MyositisSubtype.DERMATOMYOSITIS


def test_respiratory_involvement_code_adds_the_respiratory_concept():
    facts = facts_of(condition("M33.11", ICD10CM))
    assert facts.has_condition(Condition.RESPIRATORY_INVOLVEMENT)


def test_dm_without_myopathy_is_skin_predominant():
    assert facts_of(condition("M33.13", ICD10CM)).has_condition(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS)


def test_snomed_codes_match_exactly():
    assert subtype(condition(PM)) is MyositisSubtype.POLYMYOSITIS


def test_snomed_code_under_icd_system_does_not_match():
    assert subtype(condition(DM, ICD10CM)) is None


def test_refuted_diagnosis_does_not_count():
    facts = facts_of(condition(DM, verification_status="refuted"))
    assert (facts.myositis, facts.report.notes) == (None, ("Condition not counted (refuted)",))


def test_entered_in_error_diagnosis_does_not_count():
    assert subtype(condition(DM, verification_status="entered-in-error")) is None


@pytest.mark.parametrize("status", ["inactive", "resolved", "remission"])
def test_inactive_diagnosis_does_not_count(status):
    assert subtype(condition(DM, clinical_status=status)) is None


@pytest.mark.parametrize("status", ["active", "recurrence", "relapse", None])
def test_active_recurrent_or_unstated_diagnosis_counts(status):
    assert subtype(condition(DM, clinical_status=status)) is MyositisSubtype.DERMATOMYOSITIS


def test_provisional_diagnosis_counts():
    assert subtype(condition(DM, verification_status="provisional")) is MyositisSubtype.DERMATOMYOSITIS


def test_ibm_wins_over_every_other_subtype():
    assert subtype(condition(IBM), condition(DM), condition("715863001")) is MyositisSubtype.INCLUSION_BODY_MYOSITIS


def test_anti_hmgcr_positive_makes_coded_myositis_imnm():
    given = (condition(PM), observation(None, text="HMGCR antibody", value_string="Positive"))
    assert subtype(*given) is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING


def test_anti_jo1_positive_makes_coded_myositis_antisynthetase():
    given = (condition(DM), observation(None, text="Jo-1 antibody", interpretation="POS"))
    assert subtype(*given) is MyositisSubtype.ANTISYNTHETASE


def test_imnm_wins_over_antisynthetase():
    given = (condition("445187004"), condition("715863001"))
    assert subtype(*given) is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING


def test_antibody_alone_is_not_a_myositis_diagnosis():
    assert subtype(observation(None, text="Jo-1 antibody", interpretation="POS")) is None


def test_negative_antibody_does_not_change_the_subtype():
    given = (condition(DM), observation(None, text="Jo-1 antibody", interpretation="NEG"))
    assert subtype(*given) is MyositisSubtype.DERMATOMYOSITIS


def test_onset_before_18_is_juvenile():
    given = condition(DM, onset="2005-03-01")
    assert subtype(given, person=patient("1990-01-01")) is MyositisSubtype.JUVENILE_DERMATOMYOSITIS


def test_onset_age_before_18_is_juvenile():
    given = condition(DM, onsetAge={"value": 15, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"})
    assert subtype(given, person=patient("1990-01-01")) is MyositisSubtype.JUVENILE_DERMATOMYOSITIS


def test_adult_onset_is_not_juvenile():
    given = condition(DM, onset="2020-03-01")
    assert subtype(given, person=patient("1990-01-01")) is MyositisSubtype.DERMATOMYOSITIS


def test_a_child_with_unknown_onset_is_juvenile():
    assert subtype(condition(PM), person=patient("2015-01-01")) is MyositisSubtype.JUVENILE_DERMATOMYOSITIS


def test_antisynthetase_wins_over_juvenile():
    given = (condition("M33.03", ICD10CM), condition("445187004"))
    assert subtype(*given) is MyositisSubtype.ANTISYNTHETASE


@pytest.mark.parametrize(("code", "system", "concept"), [
    ("J84.10", ICD10CM, Condition.INTERSTITIAL_LUNG_DISEASE), ("233703007", None, Condition.INTERSTITIAL_LUNG_DISEASE),
    ("E11.9", ICD10CM, Condition.DIABETES), ("M81.0", ICD10CM, Condition.OSTEOPOROSIS),
    ("M80.08XA", ICD10CM, Condition.FRAGILITY_FRACTURE), ("H40.9", ICD10CM, Condition.GLAUCOMA),
    ("Z33.1", ICD10CM, Condition.PREGNANCY), ("O09.521", ICD10CM, Condition.PREGNANCY),
    ("B18.1", ICD10CM, Condition.HEPATITIS_B), ("B18.2", ICD10CM, Condition.HEPATITIS_C),
    ("R13.12", ICD10CM, Condition.DYSPHAGIA), ("I10", ICD10CM, Condition.HYPERTENSION),
    ("N18.4", ICD10CM, Condition.CHRONIC_KIDNEY_DISEASE), ("C50.911", ICD10CM, Condition.CANCER),
    ("M35.03", ICD10CM, Condition.SJOGREN), ("Z90.710", ICD10CM, Condition.HYSTERECTOMY),
    ("N95.1", ICD10CM, Condition.MENOPAUSE),
])
def test_comorbidities(code, system, concept):
    given = condition(code, system) if system else condition(code)
    assert facts_of(given).has_condition(concept)


def test_glaucoma_suspect_is_not_glaucoma():
    assert not facts_of(condition("H40.011", ICD10CM)).has_condition(Condition.GLAUCOMA)


@pytest.mark.parametrize("code", ["O03.9", "O80", "O90.89"])
def test_abortive_outcome_delivery_and_puerperium_are_not_a_current_pregnancy(code):
    assert not facts_of(condition(code, ICD10CM)).has_condition(Condition.PREGNANCY)


def test_resolved_menopause_still_counts_as_a_state():
    assert facts_of(condition("N95.1", ICD10CM, clinical_status="resolved")).has_condition(Condition.MENOPAUSE)


def test_condition_fact_keeps_code_system_display_and_onset():
    (fact,) = facts_of(condition("M33.12", ICD10CM, display="DM with myopathy", onset="2026-01-10")).conditions
    assert (fact.code, fact.system, fact.display, fact.onset.isoformat()) == (
        "M33.12", ICD10CM, "DM with myopathy", "2026-01-10")


@pytest.mark.parametrize(("code", "system"), [("M60.9", ICD10CM), ("M60.80", ICD10CM), ("26889001", None)])
def test_myositis_not_otherwise_specified_is_not_an_inflammatory_myopathy(code, system):
    assert subtype(condition(code, system) if system else condition(code)) is None


@pytest.mark.parametrize("code", ["K74.60", "K70.30", "K75.4"])
def test_cirrhosis_and_chronic_hepatitis_codes_are_liver_disease(code):
    assert facts_of(condition(code, ICD10CM)).has_condition(Condition.LIVER_DISEASE)


def test_mother_currently_breastfeeding_by_snomed_169750002_is_breastfeeding():
    assert facts_of(condition("169750002")).has_condition(Condition.BREASTFEEDING)


@pytest.mark.parametrize("code", ["K75.81", "K76.0"])
def test_fatty_liver_disease_codes_are_fatty_liver_disease_not_chronic_liver_disease(code):
    found = facts_of(condition(code, ICD10CM))
    assert found.has_condition(Condition.FATTY_LIVER_DISEASE) and not found.has_condition(Condition.LIVER_DISEASE)
