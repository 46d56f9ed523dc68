"""AllergyIntolerance -> sulfonamide allergy and allergic guideline drugs; Immunization -> vaccines with dates."""

import pytest

from fhir_mappings.concepts import Allergy, Drug, Vaccine
from tests.fhir_builders import RXNORM, allergy, immunization
from tests.mappings.conftest import facts_of


@pytest.mark.parametrize("text", ["Sulfa drugs", "Sulfonamide antibiotics", "Bactrim", "co-trimoxazole"])
def test_sulfonamide_allergy_by_name(text):
    assert facts_of(allergy(text=text)).allergies == {Allergy.SULFONAMIDE}


def test_sulfonamide_allergy_by_rxnorm_code():
    assert facts_of(allergy("10831", RXNORM)).allergies == {Allergy.SULFONAMIDE}


def test_allergy_named_in_the_reaction_substance():
    given = allergy(text="Antibiotic", reaction=[{"substance": {"text": "sulfamethoxazole"}}])
    assert facts_of(given).allergies == {Allergy.SULFONAMIDE}


def test_penicillin_allergy_is_not_a_sulfonamide_allergy():
    assert facts_of(allergy(text="Penicillin")).allergies == frozenset()


@pytest.mark.parametrize(("clinical", "verification"), [("active", "refuted"), ("active", "entered-in-error"),
                                                        ("resolved", "confirmed"), ("inactive", "confirmed")])
def test_refuted_or_resolved_allergy_does_not_count(clinical, verification):
    given = allergy(text="Sulfa", clinical_status=clinical, verification_status=verification)
    assert facts_of(given).allergies == frozenset()


def test_drug_allergy_by_rxnorm_ingredient_code():
    assert facts_of(allergy("6851", RXNORM)).drug_allergies == {Drug.METHOTREXATE}


def test_drug_allergy_by_brand_name():
    assert facts_of(allergy(text="Imuran")).drug_allergies == {Drug.AZATHIOPRINE}


def test_refuted_drug_allergy_does_not_count():
    given = allergy(text="methotrexate", verification_status="refuted")
    assert facts_of(given).drug_allergies == frozenset()


def test_an_allergy_to_another_drug_names_no_guideline_drug():
    assert facts_of(allergy(text="Penicillin")).drug_allergies == frozenset()


def test_allergy_without_statuses_counts():
    assert facts_of(allergy(text="Sulfa", clinical_status=None, verification_status=None)).allergies


@pytest.mark.parametrize(("cvx", "vaccine"), [("141", Vaccine.INFLUENZA), ("135", Vaccine.INFLUENZA),
                                              ("33", Vaccine.PNEUMOCOCCAL), ("133", Vaccine.PNEUMOCOCCAL),
                                              ("187", Vaccine.RECOMBINANT_ZOSTER), ("03", Vaccine.LIVE),
                                              ("3", Vaccine.LIVE), ("121", Vaccine.LIVE)])
def test_vaccines_by_cvx_code(cvx, vaccine):
    assert vaccine in {i.vaccine for i in facts_of(immunization(cvx)).immunizations}


def test_live_influenza_vaccine_is_influenza_and_live():
    assert {i.vaccine for i in facts_of(immunization("149")).immunizations} == {Vaccine.INFLUENZA, Vaccine.LIVE}


def test_recombinant_zoster_is_not_live():
    assert {i.vaccine for i in facts_of(immunization("187")).immunizations} == {Vaccine.RECOMBINANT_ZOSTER}


def test_vaccine_by_name_when_the_code_is_unknown():
    given = immunization("999999", display="Shingrix (zoster vaccine recombinant, adjuvanted)")
    assert {i.vaccine for i in facts_of(given).immunizations} == {Vaccine.RECOMBINANT_ZOSTER}


def test_immunization_keeps_its_date():
    (fact,) = facts_of(immunization("141", "2026-10-05")).immunizations
    assert fact.when.isoformat() == "2026-10-05"


def test_not_done_immunization_does_not_count():
    assert facts_of(immunization("141", status="not-done")).immunizations == ()


def test_a_draft_immunization_is_a_vaccine_being_ordered():
    draft = immunization("03", date=None, status="not-done", id="draft-mmr", display="MMR")
    context = {"draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]}}
    [fact] = facts_of(hook="order-select", context=context).immunizations
    assert (fact.vaccine, fact.ordered, fact.reference) == (Vaccine.LIVE, True, "Immunization/draft-mmr")


def test_a_draft_medication_request_naming_a_live_vaccine_is_a_vaccine_being_ordered():
    draft = {"resourceType": "MedicationRequest", "id": "draft-yf", "status": "draft", "intent": "order",
             "medicationCodeableConcept": {"text": "Yellow fever vaccine live"}, "subject": {"reference": "Patient/example"}}
    context = {"draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]}}
    vaccines = facts_of(hook="order-select", context=context).immunizations
    assert [(f.vaccine, f.ordered) for f in vaccines] == [(Vaccine.LIVE, True)]


def test_an_immunization_on_record_is_not_being_ordered():
    assert not any(f.ordered for f in facts_of(immunization("03")).immunizations)


# --- issue 20: SNOMED CT-coded and text-only allergies, drug classes -------------------------------------------
@pytest.mark.parametrize("code", ["91939003", "387406002"])
def test_sulfonamide_allergy_by_snomed_code_alone(code):
    assert facts_of(allergy(code)).allergies == {Allergy.SULFONAMIDE}


@pytest.mark.parametrize("text", ["Sulpha", "sulpha drugs", "SULPHONAMIDES"])
def test_sulfonamide_allergy_by_british_spelling(text):
    assert facts_of(allergy(text=text)).allergies == {Allergy.SULFONAMIDE}


def test_a_snomed_substance_code_names_its_drug_by_display():
    given = {**allergy(), "code": {"coding": [{"system": "http://snomed.info/sct", "code": "387381009",
                                               "display": "Methotrexate (substance)"}]}}
    assert facts_of(given).drug_allergies == {Drug.METHOTREXATE}


def test_a_drug_class_allergy_counts_for_every_drug_of_the_class():
    assert facts_of(allergy(text="Bisphosphonates")).drug_allergies == {
        Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.ZOLEDRONIC_ACID}
    assert facts_of(allergy(text="thiopurine intolerance")).drug_allergies == {Drug.AZATHIOPRINE, Drug.MERCAPTOPURINE}


def test_a_us_core_allergy_substance_code_outside_the_ingredient_table_names_its_drug():
    assert facts_of(allergy("484211", RXNORM)).drug_allergies == {Drug.SIMVASTATIN}


def test_sulfur_is_not_a_sulfonamide():
    assert facts_of(allergy(text="Sulfur")).allergies == frozenset()
