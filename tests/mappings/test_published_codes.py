"""The shipped published value-set codes (terminology/published-codes.json): provenance per code,
real-world descendants recognised, review exclusions kept."""

import pytest

from fhir_mappings.concepts import Condition, Drug, Lab, MyositisSubtype, Vaccine
from fhir_mappings.systems import ICD10CM, LOINC, SNOMED
from fhir_mappings.tools.build_published_codes import CONCEPTS, SECTIONS, build
from fhir_mappings.valuesets import (
    PUBLISHED,
    condition_concepts,
    drug_for_ingredient_code,
    load,
    observation_concept,
    vaccine_concepts,
)

TABLE = load(PUBLISHED)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_published_code_names_its_value_set_and_source_file(section):
    sources = TABLE["sources"]
    for concept, system, code, _, source_id in TABLE[section]:
        assert concept and system and code, (concept, system, code)
        assert sources[source_id]["valueset"] and "@" in sources[source_id]["source"], source_id


@pytest.mark.parametrize("section", list(SECTIONS))
def test_published_rows_use_only_the_services_concepts(section):
    assert {row[0] for row in TABLE[section]} <= set(CONCEPTS.values())


@pytest.mark.parametrize("code, concept", [
    ("44054006", Condition.DIABETES),  # type 2 diabetes
    ("59621000", Condition.HYPERTENSION),  # essential hypertension
    ("72892002", Condition.PREGNANCY),  # normal pregnancy
    ("254837009", Condition.CANCER),  # breast cancer
    ("431855005", Condition.CHRONIC_KIDNEY_DISEASE),  # CKD stage 1
    ("64859006", Condition.OSTEOPOROSIS),
    ("443165006", Condition.FRAGILITY_FRACTURE),  # osteoporotic fracture of bone
    ("700250006", Condition.INTERSTITIAL_LUNG_DISEASE),  # idiopathic pulmonary fibrosis
    ("702380008", MyositisSubtype.UNSPECIFIED),  # idiopathic inflammatory myopathy
    ("915007", Condition.CANCER),  # malignant melanoma in junctional nevus: a nevus word, still a cancer
    ("199306007", Condition.PREGNANCY),  # continuing pregnancy after abortion of one fetus or more
    ("473392002", Condition.HYPERTENSION),  # hypertensive nephrosclerosis
])
def test_snomed_descendants_real_records_carry_are_recognised(code, concept):
    assert concept in condition_concepts(SNOMED, code)


@pytest.mark.parametrize("code, concept", [
    ("E11.9", Condition.DIABETES), ("I10", Condition.HYPERTENSION), ("N18.3", Condition.CHRONIC_KIDNEY_DISEASE),
    ("C50.911", Condition.CANCER), ("Z34.00", Condition.PREGNANCY),
])
def test_icd10cm_codes_of_the_published_value_sets_are_recognised(code, concept):
    assert concept in condition_concepts(ICD10CM, code)


@pytest.mark.parametrize("code", [
    "92691004",  # carcinoma in situ of prostate
    "19169002",  # miscarriage in first trimester
    "15777000",  # prediabetes
    "1515008",  # Gorham's disease (localised osteolysis, not osteoporosis)
    "239147000",  # mast cell nevus (benign)
    "26889001",  # myositis NOS: not an inflammatory myopathy
    "193246009",  # inflammatory myopathy secondary to another disorder
    "307632004",  # non-proteinuric hypertension of pregnancy (gestational)
    "45281005",  # atherosclerosis of renal artery: not hypertension by itself
])
def test_reviewed_exclusions_map_to_nothing(code):
    assert condition_concepts(SNOMED, code) == ()


@pytest.mark.parametrize("code", ["O03.9", "O80", "D05.10"])  # abortion, delivery, breast carcinoma in situ
def test_icd10cm_outcomes_and_in_situ_neoplasms_are_not_current_conditions(code):
    assert condition_concepts(ICD10CM, code) == ()


@pytest.mark.parametrize("code, concept", [
    ("14682-9", Lab.CREATININE),  # creatinine in µmol/L
    ("26464-8", Lab.BLOOD_COUNT),  # leukocytes
    ("77144-4", Lab.ALT),
    ("2110-5", Lab.HCG),  # beta-hCG pregnancy test in serum
    ("3141-9", "body-weight"),  # body weight measured
])
def test_every_loinc_code_of_a_test_is_recognised(code, concept):
    assert observation_concept([(LOINC, code)], []) == concept


@pytest.mark.parametrize("code", ["11041-1", "2115-4", "22326-3", "8341-0"])  # post-dialysis creatinine,
def test_reviewed_lab_exclusions_are_not_the_test(code):  # free beta-hCG, HCV 5-1-1 band, dry weight
    assert observation_concept([(LOINC, code)], []) is None


def test_newer_influenza_and_pneumococcal_cvx_codes_are_recognised():
    assert vaccine_concepts(["197"], []) == {Vaccine.INFLUENZA}
    assert vaccine_concepts(["216"], []) == {Vaccine.PNEUMOCOCCAL}


def test_the_build_drops_excluded_displays_and_unknown_concepts_and_keeps_the_source():
    row = {"system": SNOMED, "valueset": "VS", "valueset_url_or_oid": "oid", "source": "o/r@c:p"}
    table = build({"conditions": [{**row, "concept": "pregnancy", "code": "1", "display": "Normal pregnancy"},
                                  {**row, "concept": "pregnancy", "code": "2", "display": "Miscarriage"},
                                  {**row, "concept": "myositis", "code": "3", "display": "Myositis"}],
                   "observations": [], "vaccines": []})
    assert table["conditions"] == [["pregnancy", SNOMED, "1", "Normal pregnancy", "s1"]]
    assert table["sources"]["s1"]["source"] == "o/r@c:p"
    assert table["review"]["dropped"] == {"pregnancy": 1}


@pytest.mark.parametrize("rxcui, drug", [("6472", Drug.LOVASTATIN), ("41127", Drug.FLUVASTATIN),
                                         ("115264", Drug.IBANDRONATE), ("2418", Drug.VITAMIN_D)])
def test_ingredient_codes_verified_by_the_published_allergy_substance_value_set_are_recognised(rxcui, drug):
    assert drug_for_ingredient_code(rxcui) is drug
