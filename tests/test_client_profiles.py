"""Client profiles: cards shaped for what each EHR accepts, chosen per trusted issuer or by default.

Every HTTP test of the suite also checks each profile's shaping of its response
(`tests.api.check_client_profiles`); these tests pin each rule down on its own.
"""

from __future__ import annotations

import copy
import io
import json
import uuid
from pathlib import Path

import pytest

from cds_service.client_profiles import PROFILES, shape, topic_code
from cds_service.command_line import cli
from cds_service.config import Settings
from cds_service.protocol.app import create_app
from cds_service.security.auth import parse_trust
from hooks import registry
from tests.api import FIXTURES, ValidatingClient, fixture
from tests.profile_constraints import epic_caveats_lost, epic_violations, oracle_health_violations
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document

EPIC, ORACLE, GENERIC = PROFILES["epic"], PROFILES["oracle-health"], PROFILES["generic"]
SUGGESTION_UUID = "e56e1945-20b3-4393-8503-a1a20fd73152"


def order(description="Draft order: methotrexate 15 mg weekly"):
    return {"type": "create", "description": description,
            "resource": {"resourceType": "MedicationRequest", "status": "draft",
                         "medicationCodeableConcept": {"text": description}}}


def lab_order(description):
    return {"type": "create", "description": description,
            "resource": {"resourceType": "ServiceRequest", "id": str(uuid.uuid4()), "code": {"text": description}}}


def card(**changes):
    base = {
        "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "summary": "Add a steroid-sparing agent", "indicator": "warning",
        "detail": "Start methotrexate.", "source": {"label": "BSR 2022", "topic": {
            "system": "urn:myositis-cds:recommendation", "code": "steroid-sparing-agent", "display": "t"}},
        "selectionBehavior": "at-most-one",
        "suggestions": [{"label": "Order methotrexate", "uuid": SUGGESTION_UUID, "isRecommended": True,
                         "actions": [order()]}],
    }
    base.update(changes)
    return {"cards": [base]}


def only_card(response):
    [shaped] = response["cards"]
    return shaped


def test_generic_profile_leaves_the_response_as_it_is():
    response = card(links=[{"label": "BSR", "url": "http://example.org/x", "type": "absolute"}])
    assert shape(response, GENERIC) == response


def test_shaping_does_not_change_the_response_it_is_given():
    response = card()
    before = copy.deepcopy(response)
    shape(response, EPIC)
    assert response == before


def test_epic_selection_behavior_is_any():
    assert only_card(shape(card(), EPIC))["selectionBehavior"] == "any"


def test_epic_topic_code_is_the_recommendation_id_without_punctuation():
    assert only_card(shape(card(), EPIC))["source"]["topic"]["code"] == "steroidsparingagent"


def test_epic_topic_codes_are_alphanumeric_and_distinct_for_every_recommendation():
    codes = [topic_code(r.id, 100) for r in registry.all_recommendations()]
    assert all(code.isalnum() and code.isascii() and len(code) <= 100 for code in codes)
    assert len(set(codes)) == len(codes)


def test_epic_splits_independent_creates_into_one_suggestion_each_labelled_by_its_action():
    tests = {"label": "Order baseline tests", "uuid": SUGGESTION_UUID,
             "actions": [lab_order("Blood count"), lab_order("ALT")]}
    shaped = only_card(shape(card(suggestions=[tests]), EPIC))
    assert [(s["label"], len(s["actions"])) for s in shaped["suggestions"]] == [("Blood count", 1), ("ALT", 1)]
    assert len({s["uuid"] for s in shaped["suggestions"]}) == 2


def test_epic_split_suggestion_uuids_are_stable_across_calls():
    tests = {"label": "Order tests", "uuid": SUGGESTION_UUID, "actions": [lab_order("A"), lab_order("B")]}
    first = only_card(shape(card(suggestions=[tests]), EPIC))["suggestions"]
    second = only_card(shape(card(suggestions=[tests]), EPIC))["suggestions"]
    assert [s["uuid"] for s in first] == [s["uuid"] for s in second]


def test_epic_does_not_offer_a_delete_and_create_pair_and_names_it_in_the_detail():
    swap = {"label": "Replace the daily order with a weekly one", "uuid": SUGGESTION_UUID,
            "actions": [{"type": "delete", "description": "Remove", "resourceId": "MedicationRequest/d1"}, order()]}
    shaped = only_card(shape(card(suggestions=[swap]), EPIC))
    assert "suggestions" not in shaped and "selectionBehavior" not in shaped
    assert "Not offered as one click in this EHR" in shaped["detail"]
    assert "Replace the daily order with a weekly one" in shaped["detail"]


def test_epic_does_not_offer_an_update_of_the_draft_order():
    update = {"label": "Change to 15 mg once weekly", "uuid": SUGGESTION_UUID,
              "actions": [{"type": "update", "description": "Weekly", "resource": {"resourceType": "MedicationRequest"}}]}
    shaped = only_card(shape(card(suggestions=[update]), EPIC))
    assert "suggestions" not in shaped
    assert "Change to 15 mg once weekly" in shaped["detail"]


def test_epic_card_offering_a_medication_order_says_the_ehr_defaults_apply():
    assert "default dose and frequency" in only_card(shape(card(), EPIC))["detail"]


def test_epic_card_with_only_test_orders_has_no_dose_note():
    tests = {"label": "Order ALT", "uuid": SUGGESTION_UUID, "actions": [lab_order("ALT")]}
    assert "default dose" not in only_card(shape(card(suggestions=[tests]), EPIC))["detail"]


GUIDELINE = {"label": "Guideline", "url": "https://academic.oup.com/rheumatology/x", "type": "absolute"}
OTHER = {"label": "Other", "url": "https://example.org/y", "type": "absolute"}
APP = {"label": "App", "url": "https://app.example.org/launch", "type": "smart"}


def test_oracle_health_removes_links_outside_the_sites_allowlist():
    shaped = only_card(shape(card(links=[GUIDELINE, OTHER, APP]), ORACLE, ["https://academic.oup.com/"]))
    assert [link["label"] for link in shaped["links"]] == ["Guideline"]
    assert "links" not in only_card(shape(card(links=[GUIDELINE, OTHER]), ORACLE))


def test_epic_keeps_absolute_reference_links_without_configuration():
    shaped = only_card(shape(card(links=[GUIDELINE, OTHER]), EPIC))
    assert shaped["links"] == [GUIDELINE, OTHER]


def test_epic_keeps_smart_links_only_from_the_sites_allowlist():
    assert [link["label"] for link in only_card(shape(card(links=[GUIDELINE, APP]), EPIC))["links"]] == ["Guideline"]
    allowed = only_card(shape(card(links=[GUIDELINE, APP]), EPIC, ["https://app.example.org/"]))
    assert [link["label"] for link in allowed["links"]] == ["Guideline", "App"]


def test_epic_carries_a_caveat_of_the_label_into_the_action_description_and_the_detail():
    caveated = {"label": "Order methotrexate 15 mg once weekly (not pre-selected: no eGFR in the last 90 days)",
                "uuid": SUGGESTION_UUID, "actions": [order("Draft order: methotrexate 15 mg orally once weekly")]}
    shaped = only_card(shape(card(suggestions=[caveated]), EPIC))
    (suggestion,) = shaped["suggestions"]
    expected = "Draft order: methotrexate 15 mg orally once weekly (not pre-selected: no eGFR in the last 90 days)"
    assert suggestion["actions"][0]["description"] == expected == suggestion["label"]
    assert f"**Before ordering:** {expected}." in shaped["detail"]


def test_epic_puts_a_joined_labels_caveat_on_its_medication_order_not_on_its_tests():
    joined = {"label": "Order missing baseline tests + folic acid 5 mg once weekly (not on the methotrexate day)",
              "uuid": SUGGESTION_UUID,
              "actions": [lab_order("Draft order: ALT/AST"), order("Draft order: folic acid 5 mg orally once weekly")]}
    shaped = only_card(shape(card(suggestions=[joined]), EPIC))
    assert [s["actions"][0]["description"] for s in shaped["suggestions"]] == [
        "Draft order: ALT/AST", "Draft order: folic acid 5 mg orally once weekly (not on the methotrexate day)"]


def test_epic_does_not_repeat_a_remark_the_description_already_makes():
    tpmt = {"label": "Order TPMT (or enzyme activity)", "uuid": SUGGESTION_UUID,
            "actions": [lab_order("Draft lab order: TPMT (or enzyme activity)")]}
    shaped = only_card(shape(card(suggestions=[tpmt]), EPIC))
    assert shaped["suggestions"][0]["actions"][0]["description"] == "Draft lab order: TPMT (or enzyme activity)"
    assert "Before ordering" not in shaped["detail"]


def test_epic_offers_an_order_shared_by_alternatives_once():
    tests = [lab_order("Draft order: ALT/AST"), lab_order("Draft order: HBsAg")]
    daily = {"label": "Tests + folic acid daily", "uuid": SUGGESTION_UUID,
             "actions": [*tests, order("Draft order: folic acid 1 mg orally once daily")]}
    weekly = {"label": "Tests + folic acid weekly", "uuid": "0a5d0c7e-4a4f-4a56-9b55-3f2f0f3c2d10",
              "actions": [*copy.deepcopy(tests), order("Draft order: folic acid 5 mg orally once weekly")]}
    for action in weekly["actions"]:
        action.get("resource", {})["id"] = str(uuid.uuid4())  # the same order under another id
    shaped = only_card(shape(card(suggestions=[daily, weekly]), EPIC))
    assert [s["label"] for s in shaped["suggestions"]] == [
        "Draft order: ALT/AST", "Draft order: HBsAg", "Draft order: folic acid 1 mg orally once daily",
        "Draft order: folic acid 5 mg orally once weekly"]


def test_epic_offers_an_order_once_per_response_and_says_which_card_has_it():
    first = card(suggestions=[{"label": "HBsAg", "uuid": SUGGESTION_UUID, "actions": [lab_order("HBsAg")]}])
    second = copy.deepcopy(first)["cards"][0]
    second["summary"] = "Screen for hepatitis B before rituximab"
    shaped = shape({"cards": [first["cards"][0], second]}, EPIC)["cards"]
    assert "suggestions" in shaped[0] and "suggestions" not in shaped[1]
    assert '**Offered once:** HBsAg (on the card "Add a steroid-sparing agent").' in shaped[1]["detail"]


def test_oracle_health_drops_app_context():
    links = [{"label": "App", "url": "https://app.example.org/launch", "type": "smart", "appContext": "{}"}]
    shaped = only_card(shape(card(links=links), ORACLE, ["https://app.example.org/"]))
    assert shaped["links"] == [{"label": "App", "url": "https://app.example.org/launch", "type": "smart"}]


def test_the_constraint_checks_flag_an_unshaped_response():
    links = [{"label": "App", "url": "https://app.example.org/launch", "type": "smart", "appContext": "{}"}]
    # behaviour, topic code, smart link, no defaults note, a label Epic does not show that differs from the action
    assert len(epic_violations(card(links=links))) == 5
    assert len(oracle_health_violations(card(links=links))) == 2  # appContext, link


def test_the_constraint_checks_flag_a_caveat_lost_or_an_order_offered_twice():
    caveated = {"label": "Order methotrexate (check GGT before starting)", "uuid": SUGGESTION_UUID,
                "actions": [order("Draft order: methotrexate")]}
    generic = card(suggestions=[caveated])
    dropped = copy.deepcopy(generic)
    dropped["cards"][0]["suggestions"][0]["label"] = "Draft order: methotrexate"
    assert epic_caveats_lost(generic, dropped) == ["Add a steroid-sparing agent: check GGT before starting"]
    assert epic_caveats_lost(generic, shape(generic, EPIC)) == []
    twice = card(suggestions=[{"label": "ALT", "uuid": SUGGESTION_UUID, "actions": [lab_order("ALT")]}] * 2)
    assert any("offered twice" in v for v in epic_violations(twice))


# --- chosen per trusted issuer, or by the default setting ------------------------------------
def test_the_default_profile_setting_shapes_every_hook_response(make_app):
    client = make_app(client_profile="epic").test_client()
    response = client.post("/cds-services/myositis-patient-view", json=fixture("requests/patient-view-dm-prednisone.json"))
    cards = response.get_json()["cards"]
    assert not epic_violations(response.get_json())
    assert {c["selectionBehavior"] for c in cards if "suggestions" in c} == {"any"}


def secured_app(tmp_path: Path, profile: str | None):
    document = trust_document()
    if profile:
        document["issuers"][0]["profile"] = profile
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(document))
    settings = Settings(feedback_db=str(tmp_path / "cds.sqlite3"), trusted_issuers=str(issuers),
                        public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / "replay.sqlite3"))
    app = create_app(settings)
    app.test_client_class = ValidatingClient
    return app


@pytest.mark.parametrize("profile, behaviour", [("epic", "any"), (None, "at-most-one")])
def test_the_issuers_profile_shapes_its_cards(tmp_path, profile, behaviour):
    path = "/cds-services/myositis-patient-view"
    token = es384(claims(aud=f"{PUBLIC_BASE}{path}"))
    response = secured_app(tmp_path, profile).test_client().post(
        path, json=fixture("requests/patient-view-dm-prednisone.json"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert {c["selectionBehavior"] for c in response.get_json()["cards"] if "suggestions" in c} == {behaviour}


def test_an_unknown_profile_in_the_issuers_file_stops_start_up():
    document = trust_document()
    document["issuers"][0]["profile"] = "allscripts"
    with pytest.raises(ValueError, match="profile must be one of"):
        parse_trust(document)


def test_allowed_links_in_the_issuers_file_must_be_a_list():
    document = trust_document()
    document["issuers"][0]["allowed_links"] = "https://example.org"
    with pytest.raises(ValueError, match="allowed_links"):
        parse_trust(document)


def test_an_unknown_default_profile_stops_start_up():
    with pytest.raises(ValueError, match="CDS_CLIENT_PROFILE"):
        Settings.from_env({"CDS_CLIENT_PROFILE": "allscripts"})


def test_evaluate_on_the_command_line_can_shape_for_a_profile():
    request = str(FIXTURES / "requests/patient-view-dm-prednisone.json")
    out = io.StringIO()
    argv = ["evaluate", request, "--format", "json", "--profile", "epic", "--now", "2026-11-20T09:00:00Z"]
    assert cli.main(argv, out=out, err=io.StringIO()) == 0
    response = json.loads(out.getvalue())
    assert not epic_violations(response)
    assert any(c.get("selectionBehavior") == "any" for c in response["cards"])
