"""The glucocorticoid and methotrexate recommendations through the HTTP API: FHIR in, card topics out.

One firing case per recommendation (plus the nearest silent case where the FHIR mapping matters),
posted to the services with a fixed clock (tests.factories.NOW, 2026-11-20).
"""

from tests.api import hook_request, post_hook
from tests.fhir_builders import condition as fhir_condition
from tests.fhir_builders import dosage, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
ORDER_SELECT = "myositis-order-select"
ORDER_SIGN = "myositis-order-sign"
IV_ROUTE = "47625008"
WEIGHT, HEIGHT, URINE_HCG = "29463-7", "8302-2", "2106-3"


def dermatomyositis():
    return fhir_condition("396230008", display="Dermatomyositis", onset="2026-10-01")


def weight(kg, date="2026-11-15"):
    return observation(WEIGHT, kg, "kg", date=date)


def height(cm, date="2026-11-15"):
    return observation(HEIGHT, cm, "cm", date=date)


def prednisone(mg, start="2026-11-10", **kwargs):
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=mg, authored_on=start, **kwargs)


def methotrexate(mg=15, period_unit="wk", **kwargs):
    return medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=mg, period_unit=period_unit,
                              **kwargs)


def folic_acid():
    return medication_request("310410", display="Folic Acid 1 MG Oral Tablet", dose=1)


def topics(client, service, resources, *, birth_date="1970-05-01", gender="male", drafts=()):
    hook = {PATIENT_VIEW: "patient-view", ORDER_SELECT: "order-select", ORDER_SIGN: "order-sign"}[service]
    body = hook_request(hook, [patient(birth_date=birth_date, gender=gender), *resources], drafts=drafts)
    return {card["source"]["topic"]["code"] for card in post_hook(client, service, body)["cards"]}


# --- gc-initial-dose ---------------------------------------------------------------------------
def test_initial_prednisone_above_1_mg_per_kg(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), weight(60), prednisone(80)])
    assert "gc-initial-dose" in found


def test_initial_prednisone_within_the_band_is_quiet(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), weight(70), prednisone(60)])
    assert "gc-initial-dose" not in found


# --- gc-taper ----------------------------------------------------------------------------------
def test_prednisone_60_mg_for_8_weeks(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), weight(70), prednisone(60, start="2026-09-20")])
    assert "gc-taper" in found


def test_prednisone_20_mg_for_8_weeks_is_quiet(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), weight(70), prednisone(20, start="2026-09-20")])
    assert "gc-taper" not in found


# --- iv-methylprednisolone-dose ----------------------------------------------------------------
def test_iv_methylprednisolone_2_g_draft(client):
    pulse = medication_request(
        "6902", display="methylprednisolone", id="draft-ivmp",
        dosage_instruction=[dosage(2, "g", route=IV_ROUTE, count=3)],
    )
    found = topics(client, ORDER_SIGN, [dermatomyositis(), weight(70)], drafts=[pulse])
    assert "iv-methylprednisolone-dose" in found


# --- juvenile-dm-dosing ------------------------------------------------------------------------
def test_juvenile_dermatomyositis_methotrexate_above_20_mg_per_m2(client):
    jdm = fhir_condition("1212005", display="Childhood type dermatomyositis", onset="2026-06-01")
    found = topics(client, PATIENT_VIEW, [jdm, weight(54), height(150), methotrexate(35), folic_acid()],
                   birth_date="2014-03-01")
    assert "juvenile-dm-dosing" in found


# --- methotrexate-dose -------------------------------------------------------------------------
def test_daily_methotrexate_draft_is_critical_for_anyone(client):
    body = hook_request("order-select", [patient()], drafts=[methotrexate(7.5, period_unit="d", id="draft-mtx")])
    cards = post_hook(client, ORDER_SELECT, body)["cards"]
    [card] = [c for c in cards if c["source"]["topic"]["code"] == "methotrexate-dose"]
    assert card["indicator"] == "critical"
    [action] = [a for s in card["suggestions"] if s.get("isRecommended") for a in s["actions"]]
    assert (action["type"], action["resource"]["id"]) == ("update", "draft-mtx")
    assert action["resource"]["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] == "wk"


def test_weekly_methotrexate_15_mg_is_quiet(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), methotrexate(15), folic_acid()])
    assert "methotrexate-dose" not in found


# --- methotrexate-folate -----------------------------------------------------------------------
def test_methotrexate_without_folic_acid(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), methotrexate(15)])
    assert "methotrexate-folate" in found


def test_methotrexate_with_folic_acid_is_quiet(client):
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), methotrexate(15), folic_acid()])
    assert "methotrexate-folate" not in found


# --- methotrexate-ild --------------------------------------------------------------------------
def test_methotrexate_ordered_with_ild(client):
    ild = fhir_condition("233703007", display="Interstitial lung disease")
    found = topics(client, ORDER_SELECT, [dermatomyositis(), ild, folic_acid()], drafts=[methotrexate(15, id="draft-mtx")])
    assert "methotrexate-ild" in found


# --- teratogen-pregnancy -----------------------------------------------------------------------
def test_methotrexate_with_a_positive_pregnancy_test(client):
    hcg = observation(URINE_HCG, interpretation="POS", date="2026-11-12")
    found = topics(client, PATIENT_VIEW, [dermatomyositis(), hcg, methotrexate(15), folic_acid()],
                   birth_date="1995-01-01", gender="female")
    assert "teratogen-pregnancy" in found


def test_methotrexate_ordered_for_a_woman_of_childbearing_potential_gets_the_pregnancy_test_on_its_start_card(client):
    body = hook_request("order-sign", [patient(birth_date="1995-01-01", gender="female"), dermatomyositis(),
                                       folic_acid()], drafts=[methotrexate(15, id="draft-mtx")])
    cards = {card["source"]["topic"]["code"]: card for card in post_hook(client, ORDER_SIGN, body)["cards"]}
    assert "teratogen-pregnancy" not in cards
    assert "pregnancy test" in cards["methotrexate-baseline-tests"]["summary"]
