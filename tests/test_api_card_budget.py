"""The care-plan card, feedback per gap and snoozes through the HTTP API, with the default rule settings: the
care-plan card is a valid card under every client profile (tests.api checks each response), feedback on it is
counted per gap in the report, and an override that says the clinician decided snoozes the gaps."""

import json

import pytest
from prometheus_client import REGISTRY

from cds_service.protocol.cards import FINDINGS_EXTENSION as FINDINGS
from tests.api import fixture, hook_request, post_hook
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


def post_feedback(client, item: dict) -> None:
    assert client.post(f"/cds-services/{PATIENT_VIEW}/feedback", json={"feedback": [item]}).status_code == 200


def care_plan_of(cards: list[dict]) -> dict:
    return next(card for card in cards if card["source"]["topic"]["code"] == "care-plan")


def gaps(card: dict) -> list[str]:
    return [f["recommendation"] for f in card["extension"][FINDINGS]]


def test_information_gaps_arrive_as_one_care_plan_card_listing_each_recommendation(default_budget_client):
    cards = post_hook(default_budget_client, PATIENT_VIEW, ild_patient_on_prednisone_and_tacrolimus())["cards"]
    plan = care_plan_of(cards)
    assert cards[-1] is plan and [card for card in cards if card["indicator"] == "info"] == [plan]
    assert "ild-assessment" in gaps(plan) and plan["summary"].startswith(f"{len(gaps(plan))} gaps in myositis care: ")
    assert "url" not in plan["source"] and "lung function" in plan["detail"].lower()
    assert not any(s["isRecommended"] for s in plan.get("suggestions", ()))


def test_without_merging_the_same_patient_gets_each_information_card(client):
    codes = [card["source"]["topic"]["code"] for card in
             post_hook(client, PATIENT_VIEW, ild_patient_on_prednisone_and_tacrolimus())["cards"]]
    assert "ild-assessment" in codes and "care-plan" not in codes


def test_feedback_on_the_care_plan_card_is_counted_per_gap(default_budget_client, settings, monkeypatch):
    plan = care_plan_of(post_hook(default_budget_client, PATIENT_VIEW, readme_patient())["cards"])
    findings = plan["extension"][FINDINGS]
    taken = next(f for f in findings if f.get("suggestions"))
    post_feedback(default_budget_client, {"card": plan["uuid"], "outcome": "accepted",
                                          "outcomeTimestamp": "2026-11-20T09:04:00Z",
                                          "acceptedSuggestions": [{"id": taken["suggestions"][0]}]})
    monkeypatch.setenv("CDS_FEEDBACK_DB", settings.feedback_db)
    _, out, _ = run_cli("report", "--format", "json")
    rows = {row["name"]: row for row in json.loads(out)["by_finding"]}
    assert rows[taken["recommendation"]]["accepted"] == 1
    others = [f["recommendation"] for f in findings if f is not taken]
    assert others and all(rows[name]["not_acted_on"] == 1 and rows[name]["overridden"] == 0 for name in others)


def readme_patient() -> dict:
    return fixture("requests/patient-view-dm-prednisone.json")


def override(card: dict, code: str) -> dict:
    reason = next(r for r in card["overrideReasons"] if r["code"] == code)
    return {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:04:00Z",
            "overrideReason": {"reason": reason}}


def test_an_override_that_says_the_clinician_decided_snoozes_the_gaps_for_this_patient(make_app):
    client = make_app(rule_settings=None).test_client()
    first = post_hook(client, PATIENT_VIEW, readme_patient())["cards"]
    plan = care_plan_of(first)
    post_feedback(client, override(plan, "does-not-align-preferences"))
    before = snoozed_count("bone-protection")
    again = post_hook(client, PATIENT_VIEW, readme_patient())["cards"]
    codes = [card["source"]["topic"]["code"] for card in again]
    assert "care-plan" not in codes and not any(g in codes for g in gaps(plan))
    assert "pjp-prophylaxis" in codes  # never snoozed
    assert snoozed_count("bone-protection") == before + 1


def snoozed_count(recommendation: str) -> float:
    return REGISTRY.get_sample_value("cds_findings_snoozed_total", {"recommendation": recommendation}) or 0.0


def test_pjp_prophylaxis_is_never_snoozed(make_app):
    client = make_app(rule_settings=None).test_client()
    pjp = next(c for c in post_hook(client, PATIENT_VIEW, readme_patient())["cards"]
               if c["source"]["topic"]["code"] == "pjp-prophylaxis")
    post_feedback(client, override(pjp, "cds-not-applicable"))
    codes = [c["source"]["topic"]["code"] for c in post_hook(client, PATIENT_VIEW, readme_patient())["cards"]]
    assert "pjp-prophylaxis" in codes


def test_a_concern_is_not_a_decision_and_does_not_snooze(make_app):
    client = make_app(rule_settings=None).test_client()
    plan = care_plan_of(post_hook(client, PATIENT_VIEW, readme_patient())["cards"])
    post_feedback(client, override(plan, "recipient-concerns-outcomes"))
    assert gaps(care_plan_of(post_hook(client, PATIENT_VIEW, readme_patient())["cards"])) == gaps(plan)


def test_another_patient_is_not_snoozed(make_app):
    client = make_app(rule_settings=None).test_client()
    plan = care_plan_of(post_hook(client, PATIENT_VIEW, readme_patient())["cards"])
    post_feedback(client, override(plan, "action-completed"))
    other = readme_patient()
    other["context"]["patientId"] = other["prefetch"]["patient"]["id"] = "someone-else"
    assert gaps(care_plan_of(post_hook(client, PATIENT_VIEW, other)["cards"])) == gaps(plan)


def test_with_snooze_off_an_override_hides_nothing(make_app, tmp_path):
    off = tmp_path / "snooze-off.toml"
    off.write_text("[card-budget]\nsnooze = false\n")
    client = make_app(rule_settings=str(off)).test_client()
    plan = care_plan_of(post_hook(client, PATIENT_VIEW, readme_patient())["cards"])
    post_feedback(client, override(plan, "action-completed"))
    assert gaps(care_plan_of(post_hook(client, PATIENT_VIEW, readme_patient())["cards"])) == gaps(plan)
