"""Order safety through the HTTP API: FHIR in, cards whose one-click orders suit the patient out
(patient-view, fixed clock tests.factories.NOW = 2026-11-20). The issue's examples, end to end."""

from tests.api import hook_request, post_hook
from tests.fhir_builders import condition, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
EGFR_LOINC = "98979-8"


def dermatomyositis():
    return condition("396230008", display="Dermatomyositis", onset="2026-01-10")


def prednisone_40():
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=40, authored_on="2026-10-01")


def egfr(value):
    return observation(EGFR_LOINC, value, "mL/min/{1.73_m2}", date="2026-11-15")


def cards(client, *resources, born="1970-05-01"):
    body = hook_request("patient-view", [patient(birth_date=born, gender="male"), dermatomyositis(),
                                         prednisone_40(), *resources])
    return {card["source"]["topic"]["code"]: card for card in post_hook(client, PATIENT_VIEW, body)["cards"]}


def labels(card):
    return [s["label"] for s in card.get("suggestions", [])]


def test_methotrexate_is_not_offered_at_egfr_25_and_the_card_says_why(client):
    card = cards(client, egfr(25))["steroid-sparing-agent"]
    assert not any("methotrexate" in label for label in labels(card))
    assert "methotrexate 15 mg once weekly” not offered: eGFR 25" in card["detail"]
    assert sum(s["isRecommended"] for s in card["suggestions"]) == 1


def test_tmp_smx_becomes_single_strength_at_egfr_22(client):
    card = cards(client, egfr(22))["pjp-prophylaxis"]
    [tmp_smx] = [s for s in card["suggestions"] if "TMP-SMX" in s["label"]]
    assert tmp_smx["label"].startswith("Order TMP-SMX single strength 1 tablet daily (eGFR 22")
    assert tmp_smx["actions"][0]["resource"]["medicationCodeableConcept"]["coding"][0]["code"] == "198334"


def test_oral_alendronate_is_not_offered_with_myositis_dysphagia(client):
    card = cards(client, egfr(80), condition("R13.10", "http://hl7.org/fhir/sid/icd-10-cm", "Dysphagia"))
    card = card["bone-protection"]
    assert not any("alendronate" in label for label in labels(card))
    assert "not offered: Dysphagia on record" in card["detail"]


def test_a_20_kg_child_gets_tmp_smx_suspension_by_bsa_first_and_atovaquone_by_weight_second(client):
    weight = observation("29463-7", 20, "kg", date="2026-11-15")
    height = observation("8302-2", 120, "cm", date="2026-11-15")
    card = cards(client, weight, height, egfr(100), born="2018-03-01")["pjp-prophylaxis"]
    tmp_smx, atovaquone = card["suggestions"]
    assert tmp_smx["label"].startswith("Order TMP-SMX suspension 15.5 mL daily (trimethoprim 124 mg) (under 18: "
                                       "trimethoprim 150 mg/m²/day for 0.82 m²")
    assert tmp_smx["isRecommended"] and not atovaquone["isRecommended"]
    resource = tmp_smx["actions"][0]["resource"]
    assert resource["medicationCodeableConcept"]["coding"][0]["code"] == "313134"
    assert resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["unit"] == "mL"
    assert atovaquone["label"].startswith("Order atovaquone 600 mg daily")
