"""The card budget through the HTTP API, with the default rule settings: the folded card is a valid card under
every client profile (tests.api checks each response), and feedback on it is joined in the report."""

import json

import pytest

from tests.api import hook_request, post_hook
from tests.fhir_builders import ICD10CM, condition, medication_request, patient
from tests.test_feedback_report import run_cli

PATIENT_VIEW = "myositis-patient-view"


def ild_patient_on_prednisone_and_tacrolimus() -> dict:
    return hook_request("patient-view", [
        patient(),
        condition("396230008", display="Dermatomyositis", onset="2026-01-10"),
        condition("J84.10", ICD10CM, "Pulmonary fibrosis, unspecified", onset="2026-03-01"),
        medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=60, authored_on="2026-10-01"),
        medication_request(None, text="tacrolimus 1 MG Oral Capsule", dose=2, authored_on="2026-10-01"),
    ])


@pytest.fixture
def default_budget_client(make_app):
    return make_app(rule_settings=None).test_client()


def test_information_cards_beyond_the_default_budget_arrive_as_one_more_information_card(default_budget_client):
    cards = post_hook(default_budget_client, PATIENT_VIEW, ild_patient_on_prednisone_and_tacrolimus())["cards"]
    codes = [card["source"]["topic"]["code"] for card in cards]
    assert codes[-1] == "more-information" and "ild-assessment" not in codes
    folded = cards[-1]
    assert [card for card in cards if card["indicator"] == "info"] == [folded]
    assert folded["summary"].startswith("4 more information items: ") and len(folded["summary"]) < 140
    assert folded["indicator"] == "info" and "url" not in folded["source"]
    assert "lung function" in folded["detail"].lower()


def test_without_folding_the_same_patient_gets_each_information_card(client):
    codes = [card["source"]["topic"]["code"] for card in
             post_hook(client, PATIENT_VIEW, ild_patient_on_prednisone_and_tacrolimus())["cards"]]
    assert "ild-assessment" in codes and "more-information" not in codes


def test_feedback_on_the_folded_card_is_reported_under_more_information(default_budget_client, settings, monkeypatch):
    cards = post_hook(default_budget_client, PATIENT_VIEW, ild_patient_on_prednisone_and_tacrolimus())["cards"]
    folded = cards[-1]
    body = {"feedback": [{"card": folded["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:04:00Z",
                          "overrideReason": {"reason": folded["overrideReasons"][0]}}]}
    assert default_budget_client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json=body).status_code == 200
    monkeypatch.setenv("CDS_FEEDBACK_DB", settings.feedback_db)
    _, out, _ = run_cli("report", "--format", "json")
    rows = {row["name"]: row for row in json.loads(out)["by_recommendation"]}
    assert rows["more-information"]["overridden"] == 1
