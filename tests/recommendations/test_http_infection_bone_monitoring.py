"""The infection, bone and methotrexate-monitoring recommendations through the HTTP API: FHIR in,
card topics out (patient-view / order-sign services, fixed clock tests.factories.NOW = 2026-11-20).
One firing case per recommendation, with its nearest silent case where the FHIR mapping matters."""

from tests.api import hook_request, post_hook
from tests.fhir_builders import condition, immunization, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
ORDER_SIGN = "myositis-order-sign"


def dermatomyositis():
    return condition("396230008", display="Dermatomyositis", onset="2026-01-10")


def prednisone(mg=40, start="2026-11-01", **kwargs):
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=mg, authored_on=start, **kwargs)


def methotrexate(start="2025-01-01", **kwargs):
    return medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, period_unit="wk",
                              authored_on=start, **kwargs)


def azathioprine(**kwargs):
    return medication_request("197388", display="Azathioprine 50 MG Oral Tablet", dose=50, **kwargs)


def cotrimoxazole():
    return medication_request("198335", display="Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet",
                              dose=1, unit="{tbl}", authored_on="2026-11-01")


def negative(loinc):
    return observation(loinc, date="2025-06-01", interpretation="NEG", value_string="Negative")


HEPATITIS_NEGATIVE = [negative("5196-1"), negative("16933-4"), negative("13955-0")]


def cards(client, resources, service=PATIENT_VIEW, **kwargs):
    hook = "patient-view" if service == PATIENT_VIEW else "order-sign"
    body = hook_request(hook, [patient(), dermatomyositis(), *resources], **kwargs)
    return {card["source"]["topic"]["code"]: card for card in post_hook(client, service, body)["cards"]}


def test_high_dose_prednisone_without_prophylaxis_gets_a_pjp_card(client):
    found = cards(client, [prednisone(40)])
    assert found["pjp-prophylaxis"]["indicator"] == "warning"


def test_cotrimoxazole_on_record_silences_the_pjp_card(client):
    assert "pjp-prophylaxis" not in cards(client, [prednisone(40), cotrimoxazole()])


def test_low_dose_prednisone_in_myositis_gets_a_bone_protection_card(client):
    assert "bone-protection" in cards(client, [prednisone(5)])


def test_azathioprine_drafted_without_hepatitis_serology_gets_a_screening_card(client):
    found = cards(client, [], service=ORDER_SIGN, drafts=[azathioprine(id="draft-aza")])
    assert found["infection-screening"]["indicator"] == "info"


def test_negative_hepatitis_serology_on_record_silences_screening(client):
    found = cards(client, HEPATITIS_NEGATIVE, service=ORDER_SIGN, drafts=[azathioprine(id="draft-aza")])
    assert "infection-screening" not in found


def test_azathioprine_drafted_with_chronic_hepatitis_c_coded_orders_hcv_rna_not_an_antibody(client):
    hcv = condition("B18.2", "http://hl7.org/fhir/sid/icd-10-cm", "Chronic viral hepatitis C")
    found = cards(client, [hcv, negative("5196-1"), negative("16933-4")], service=ORDER_SIGN,
                  drafts=[azathioprine(id="draft-aza")])
    card = found["infection-screening"]
    assert "HCV RNA" in card["summary"] and "hepatology" in card["summary"]
    codes = [a["resource"]["code"]["coding"][0]["code"] for s in card["suggestions"] for a in s["actions"]]
    assert codes == ["11011-4"]


def test_isolated_anti_hbc_on_established_methotrexate_gets_a_monitoring_card(client):
    core = observation("16933-4", date="2025-06-01", interpretation="POS", value_string="Positive")
    found = cards(client, [methotrexate(), negative("5196-1"), core, negative("13955-0")])
    assert found["infection-screening"]["indicator"] == "info"
    assert "HBV DNA" in found["infection-screening"]["summary"]


def test_new_methotrexate_with_prednisone_gets_no_hepatitis_warning_beside_its_baseline_card(client):
    drafts = [methotrexate(id="draft-mtx", status="draft"), prednisone(40, id="draft-pred", status="draft")]
    found = cards(client, [], service=ORDER_SIGN, drafts=drafts)
    assert "infection-screening" not in found
    ordered = [a["resource"]["code"]["coding"][0]["code"] for card in found.values()
               for s in card.get("suggestions", []) for a in s["actions"] if a.get("resource", {}).get("code")]
    assert {"5196-1", "16933-4", "13955-0"} <= set(ordered)


def test_missing_vaccines_on_immunosuppression_get_an_info_card(client):
    assert cards(client, [prednisone(10)])["vaccination"]["indicator"] == "info"


def test_vaccines_on_record_silence_the_vaccination_card(client):
    shots = [immunization("88", "2026-10-01"), immunization("33", "2024-01-10"), immunization("187", "2025-03-01")]
    assert "vaccination" not in cards(client, [prednisone(10), *shots])


def test_methotrexate_drafted_without_baseline_tests_gets_a_card(client):
    found = cards(client, HEPATITIS_NEGATIVE, service=ORDER_SIGN, drafts=[methotrexate(start=None, id="draft-mtx")])
    assert "methotrexate-baseline-tests" in found


def test_methotrexate_without_recent_monitoring_gets_a_card(client):
    old_alt = observation("1742-6", 25, "U/L", date="2026-03-01")
    assert "methotrexate-monitoring" in cards(client, [methotrexate(), old_alt])


def test_methotrexate_with_egfr_below_30_is_critical(client):
    egfr = observation("98979-8", 25, "mL/min/{1.73_m2}", date="2026-11-10")
    assert cards(client, [methotrexate(), egfr])["methotrexate-renal"]["indicator"] == "critical"


def test_methotrexate_with_normal_egfr_has_no_renal_card(client):
    egfr = observation("98979-8", 85, "mL/min/{1.73_m2}", date="2026-11-10")
    assert "methotrexate-renal" not in cards(client, [methotrexate(), egfr])
