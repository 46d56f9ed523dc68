"""draft-order-safety through the HTTP API: the clinician's own draft orders meet the order-safety check
(fixed clock tests.factories.NOW = 2026-11-20). The four examples of issue 20, end to end: the card, its
facts, and a one-click fix that itself passes the check when posted back."""

from tests.api import hook_request, post_hook
from tests.fhir_builders import ICD10CM, allergy, condition, medication_request, observation, patient
from tests.test_order_safety_http import dermatomyositis, egfr, prednisone_40

ORDER_SELECT, ORDER_SIGN, PATIENT_VIEW = "myositis-order-select", "myositis-order-sign", "myositis-patient-view"
HOOKS = {ORDER_SELECT: "order-select", ORDER_SIGN: "order-sign", PATIENT_VIEW: "patient-view"}
TOPIC = "draft-order-safety"


def weight():
    return observation("29463-7", 70, "kg", date="2026-11-10")


def post(client, service, resources, drafts=(), born="1970-05-01", gender="male"):
    base = [patient(birth_date=born, gender=gender), dermatomyositis(), prednisone_40(), weight()]
    body = hook_request(HOOKS[service], [*base, *resources], drafts=drafts)
    return post_hook(client, service, body)["cards"]


def draft_cards(client, service, resources, drafts, **kwargs):
    return [c for c in post(client, service, resources, drafts, **kwargs) if c["source"]["topic"]["code"] == TOPIC]


def mycophenolate_1500_bid():
    return medication_request("200060", display="mycophenolate mofetil 500 MG Oral Tablet", dose=1500, frequency=2,
                              status="draft", id="draft-mmf")


def alendronate_weekly():
    return medication_request("904431", display="Alendronic acid 70 MG Oral Tablet", dose=70, period_unit="wk",
                              status="draft", id="draft-alendronate")


def tmp_smx_ds():
    return medication_request("198335", display="Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet", dose=1,
                              unit="{tbl}", status="draft", id="draft-tmp-smx")


def methotrexate_15_weekly():
    return medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, period_unit="wk",
                              status="draft", id="draft-mtx")


def fixed_drafts(card):
    """The drafts after the card's recommended fix: updated or created resources (deleted ones gone)."""
    [fix] = [s for s in card["suggestions"] if s["isRecommended"]]
    return [a["resource"] for a in fix["actions"] if a["type"] in ("create", "update")]


# --- example 1: mycophenolate 1.5 g twice daily at eGFR 20 (CellCept label: at most 1 g twice daily below 25)
def test_mycophenolate_1_5_g_twice_daily_at_egfr_20_is_capped_at_1_g_twice_daily(client):
    [card] = draft_cards(client, ORDER_SELECT, [egfr(20)], [mycophenolate_1500_bid()])
    assert card["indicator"] == "warning"
    assert "mycophenolate mofetil" in card["summary"] and "eGFR 20" in card["summary"]
    assert "eGFR 20 on 2026-11-15" in card["detail"]
    [fix] = card["suggestions"]
    [update] = fix["actions"]
    assert update["type"] == "update" and update["resource"]["id"] == "draft-mmf"
    assert update["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 1000


def test_the_mycophenolate_fix_passes_the_check(client):
    [card] = draft_cards(client, ORDER_SELECT, [egfr(20)], [mycophenolate_1500_bid()])
    assert draft_cards(client, ORDER_SELECT, [egfr(20)], fixed_drafts(card)) == []


def test_mycophenolate_1_5_g_twice_daily_at_egfr_60_is_quiet(client):
    assert draft_cards(client, ORDER_SELECT, [egfr(60)], [mycophenolate_1500_bid()]) == []


# --- example 2: oral alendronate with dysphagia (Fosamax label) -----------------------------------------------------
def test_oral_alendronate_with_dysphagia_offers_iv_zoledronic_acid_instead(client):
    dysphagia = condition("R13.10", ICD10CM, "Dysphagia", onset="2026-03-02")
    [card] = draft_cards(client, ORDER_SIGN, [egfr(80), dysphagia], [alendronate_weekly()])
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Do not order alendronate: Dysphagia on record (since 2026-03-02)")
    [fix] = [s for s in card["suggestions"] if s["isRecommended"]]
    assert [a["type"] for a in fix["actions"]] == ["delete", "create"]
    assert fix["actions"][0]["resourceId"] == "MedicationRequest/draft-alendronate"
    assert "zoledronic acid" in fix["label"]
    assert draft_cards(client, ORDER_SIGN, [egfr(80), dysphagia], fixed_drafts(card)) == []


# --- example 3: a sulfonamide allergy coded by SNOMED CT only ------------------------------------------------------
def test_a_snomed_only_sulfonamide_allergy_takes_tmp_smx_ds_away_and_pre_selects_atovaquone(client):
    for sulfonamide in (allergy("91939003"), allergy("387406002", text="Sulpha"), allergy(None, text="Sulpha")):
        cards = {c["source"]["topic"]["code"]: c for c in post(client, PATIENT_VIEW, [egfr(80), sulfonamide])}
        pjp = cards["pjp-prophylaxis"]
        assert not any("TMP-SMX" in s["label"] for s in pjp["suggestions"]), sulfonamide
        assert [s["label"] for s in pjp["suggestions"] if s["isRecommended"]] == ["Order atovaquone 1500 mg daily"]


def test_a_tmp_smx_ds_draft_with_a_snomed_sulfonamide_allergy_is_critical_with_atovaquone_as_the_fix(client):
    [card] = draft_cards(client, ORDER_SELECT, [egfr(80), allergy("91939003")], [tmp_smx_ds()])
    assert card["indicator"] == "critical"
    assert card["summary"] == "Do not order TMP-SMX: sulfonamide allergy on record"
    [fix] = [s for s in card["suggestions"] if s["isRecommended"]]
    assert "atovaquone" in fix["label"]
    assert draft_cards(client, ORDER_SELECT, [egfr(80), allergy("91939003")], fixed_drafts(card)) == []


# --- example 4: breastfeeding recorded as SNOMED CT 169750002 (ACR 2020; labels) ---------------------------------
def breastfeeding():
    return condition("169750002", display="Mother currently breast-feeding", onset="2026-09-01")


def test_breastfeeding_by_169750002_offers_no_teratogen_on_the_steroid_sparing_card(client):
    cards = {c["source"]["topic"]["code"]: c
             for c in post(client, PATIENT_VIEW, [egfr(90), breastfeeding()], born="1992-04-01", gender="female")}
    labels = [s["label"].lower() for s in cards["steroid-sparing-agent"].get("suggestions", [])]
    assert not any("methotrexate" in label or "mycophenolate" in label for label in labels)


def test_a_methotrexate_draft_while_breastfeeding_is_critical_once(client):
    shown = post(client, ORDER_SELECT, [egfr(90), breastfeeding()], [methotrexate_15_weekly()], born="1992-04-01",
                 gender="female")
    critical = [c for c in shown if c["indicator"] == "critical"]
    assert [c["source"]["topic"]["code"] for c in critical] == [TOPIC]
    assert "breastfeeding" in critical[0]["summary"]
    [fix] = critical[0]["suggestions"]
    assert fix["actions"] == [{"type": "delete", "description": fix["actions"][0]["description"],
                               "resourceId": "MedicationRequest/draft-mtx"}]


# --- well-treated patients stay quiet -----------------------------------------------------------------------------
def test_safe_drafts_on_a_patient_without_risk_get_no_draft_card(client):
    drafts = [mycophenolate_1500_bid(), alendronate_weekly(), tmp_smx_ds()]
    assert draft_cards(client, ORDER_SIGN, [egfr(90)], drafts) == []

