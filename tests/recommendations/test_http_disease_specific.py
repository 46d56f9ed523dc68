"""The disease-specific recommendations through the HTTP API: FHIR in, card topics out.

One case per recommendation (plus its nearest silent case where the FHIR mapping matters), posted
to the patient-view / order-sign services with a fixed clock (tests.factories.NOW, 2026-11-20).
"""

from tests.api import hook_request, post_hook
from tests.fhir_builders import ICD10CM, condition, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
ORDER_SIGN = "myositis-order-sign"
IV_ROUTE = "47625008"


def dermatomyositis():
    return condition("396230008", display="Dermatomyositis", onset="2026-01-10")


def prednisone(mg=20, start="2026-06-01"):
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=mg, authored_on=start)


def methotrexate(start="2026-07-01", **kwargs):
    return medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, period_unit="wk",
                              authored_on=start, **kwargs)


def folic_acid():
    return medication_request("310410", display="Folic Acid 1 MG Oral Tablet", dose=1, authored_on="2026-07-01")


def cotrimoxazole(**kwargs):
    return medication_request("198335", display="Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet",
                              dose=1, unit="{tbl}", authored_on="2026-07-01", **kwargs)


def ck(value, date):
    return observation("2157-6", value, "U/L", date=date)


def antibody(name):
    return observation(None, text=f"{name} antibody", interpretation="POS", date="2026-02-01")


def cards_for(client, resources, service=PATIENT_VIEW, **kwargs):
    hook = "patient-view" if service == PATIENT_VIEW else "order-sign"
    body = hook_request(hook, [patient(), dermatomyositis(), *resources], **kwargs)
    return {card["source"]["topic"]["code"] for card in post_hook(client, service, body)["cards"]}


def test_methotrexate_with_treatment_dose_cotrimoxazole_on_record(client):
    found = cards_for(client, [prednisone(), methotrexate(), folic_acid(), cotrimoxazole(frequency=2)])
    assert "methotrexate-cotrimoxazole" in found


def test_established_prophylactic_cotrimoxazole_with_methotrexate_is_quiet_at_chart_opening(client):
    found = cards_for(client, [prednisone(), methotrexate(), folic_acid(), cotrimoxazole()])
    assert "methotrexate-cotrimoxazole" not in found


def test_cotrimoxazole_drafted_while_on_methotrexate_at_order_sign(client):
    found = cards_for(client, [prednisone(), methotrexate(), folic_acid()], service=ORDER_SIGN,
                      drafts=[cotrimoxazole(id="draft-tmp-smx")])
    assert "methotrexate-cotrimoxazole" in found


def test_ck_older_than_90_days_on_treatment(client):
    found = cards_for(client, [prednisone(), ck(900, "2026-08-01")])
    assert "ck-monitoring" in found


def test_recent_ck_on_treatment_is_quiet(client):
    found = cards_for(client, [prednisone(), ck(900, "2026-11-01")])
    assert "ck-monitoring" not in found


def test_anti_jo1_positive_without_ild_assessment(client):
    found = cards_for(client, [antibody("Anti-Jo-1")])
    assert "ild-assessment" in found


def test_anti_ro52_positive_on_glucocorticoid_alone(client):
    found = cards_for(client, [antibody("Anti-Ro52"), prednisone(30, start="2026-11-15")])
    assert "anti-ro52-myositis" in found


def test_anti_ro52_negative_is_quiet(client):
    negative = observation(None, text="Anti-Ro52 antibody", interpretation="NEG", date="2026-02-01")
    found = cards_for(client, [negative, prednisone(30, start="2026-11-15")])
    assert "anti-ro52-myositis" not in found


def test_dysphagia_without_pulse_or_ivig(client):
    dysphagia = condition("R13.12", ICD10CM, "Dysphagia, oropharyngeal phase", onset="2026-11-01")
    found = cards_for(client, [dysphagia, prednisone(60, start="2026-11-02")])
    assert "severe-disease" in found


def test_dysphagia_with_iv_methylprednisolone_is_quiet(client):
    dysphagia = condition("R13.12", ICD10CM, "Dysphagia, oropharyngeal phase", onset="2026-11-01")
    pulse = medication_request("6902", display="methylprednisolone", dose=1000, route=IV_ROUTE,
                               authored_on="2026-11-18")
    found = cards_for(client, [dysphagia, prednisone(60, start="2026-11-02"), pulse])
    assert "severe-disease" not in found


def test_ck_not_falling_after_12_weeks_of_combination(client):
    resources = [prednisone(20, start="2026-06-01"), methotrexate(start="2026-06-15"), folic_acid(),
                 ck(4000, "2026-05-28"), ck(4200, "2026-11-10")]
    assert "refractory-disease" in cards_for(client, resources)


def test_ck_falling_after_12_weeks_of_combination_is_quiet(client):
    resources = [prednisone(20, start="2026-06-01"), methotrexate(start="2026-06-15"), folic_acid(),
                 ck(4000, "2026-05-28"), ck(300, "2026-11-10")]
    assert "refractory-disease" not in cards_for(client, resources)
