"""POST /cds-services/{id}: hook calls end to end (SPEC-NOTES 2.3, 2.4 P6-P7, 2.5 C1-C13)."""

import gc
import logging

import pytest

import cds_service.protocol.api.services as services_api
from cds_service.protocol.cards import RECOMMENDATION_SYSTEM
from tests.api import UnreachableStore, error_expressions, error_message, fixture, post_hook
from tests.factories import NOW

PATIENT_VIEW = "requests/patient-view-dm-prednisone.json"


def cards_of(client, service_id, request):
    return post_hook(client, service_id, fixture(request) if isinstance(request, str) else request)["cards"]


def card_for(cards, recommendation_id):
    matching = [c for c in cards if c["source"]["topic"]["code"] == recommendation_id]
    assert len(matching) == 1, [c["source"]["topic"]["code"] for c in cards]
    return matching[0]


def test_dermatomyositis_on_prednisone_alone_gets_the_steroid_sparing_card(client):
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    assert card["indicator"] == "warning"
    assert card["source"]["topic"] == {
        "system": RECOMMENDATION_SYSTEM, "code": "steroid-sparing-agent",
        "display": "Add a steroid-sparing agent to glucocorticoid therapy",
    }


def test_steroid_sparing_card_suggests_a_draft_methotrexate_order_for_the_patient(client):
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    [methotrexate] = [s for s in card["suggestions"] if s["label"].startswith("Order methotrexate 15 mg once weekly")]
    [action] = methotrexate["actions"]
    assert action["type"] == "create"
    assert action["resource"]["resourceType"] == "MedicationRequest"
    assert action["resource"]["status"] == "draft"
    assert action["resource"]["subject"] == {"reference": "Patient/dm-adult-1"}


def test_methotrexate_is_not_pre_selected_without_a_recent_egfr(client):
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    [methotrexate] = [s for s in card["suggestions"] if s["label"].startswith("Order methotrexate")]
    assert not methotrexate["isRecommended"]
    assert "no eGFR in the last 90 days" in methotrexate["label"]


def test_card_detail_ends_with_the_facts_that_triggered_it(client):
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    why = card["detail"].rsplit("**Why this card**", 1)[1]
    assert "2026-10-01" in why  # prednisone start date from the MedicationRequest
    assert "50 days" in why  # 2026-10-01 to the fixed clock, 2026-11-20


def test_selection_behavior_is_at_most_one_by_default(client):
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    assert card["selectionBehavior"] == "at-most-one"


def test_selection_behavior_any_when_configured_for_epic(make_app):
    client = make_app(selection_behavior="any").test_client()
    card = card_for(cards_of(client, "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    assert card["selectionBehavior"] == "any"


def test_every_card_and_suggestion_has_its_own_uuid(client):
    cards = cards_of(client, "myositis-patient-view", PATIENT_VIEW)
    ids = [c["uuid"] for c in cards] + [s["uuid"] for c in cards for s in c.get("suggestions", ())]
    assert ids and len(ids) == len(set(ids))


def test_issued_cards_are_recorded_with_their_recommendation_and_hook_instance(client, app):
    request = fixture(PATIENT_VIEW)
    card = card_for(cards_of(client, "myositis-patient-view", request), "steroid-sparing-agent")
    client.post("/cds-services/myositis-patient-view/feedback", json={"feedback": [
        {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:01:00Z"}]})
    assert app.extensions["myositis_cds"].card_recorder.flush(5)  # written in the background
    [record] = app.extensions["myositis_cds"].store.feedback()
    assert record.recommendation_id == "steroid-sparing-agent"


def test_order_select_with_a_methotrexate_draft_silences_the_steroid_sparing_card(client):
    cards = cards_of(client, "myositis-order-select", "requests/order-select-methotrexate.json")
    assert "steroid-sparing-agent" not in [c["source"]["topic"]["code"] for c in cards]


def test_order_sign_with_a_methotrexate_draft_answers_with_cards(client):
    assert isinstance(cards_of(client, "myositis-order-sign", "requests/order-sign-methotrexate.json"), list)


def test_sandbox_draft_without_intent_or_medication_and_object_category_is_accepted(client):
    assert isinstance(cards_of(client, "myositis-order-select", "requests/sandbox-order-select.json"), list)


def test_epic_request_with_extension_and_operation_outcome_in_prefetch_gets_the_card(client):
    cards = cards_of(client, "myositis-order-sign", "requests/epic-order-sign.json")
    assert card_for(cards, "steroid-sparing-agent")["indicator"] == "warning"


def test_missing_prefetch_without_fhir_server_is_412_naming_the_keys(client):
    response = client.post("/cds-services/myositis-order-select", json=fixture("requests/spec-order-select.json"))
    assert response.status_code == 412
    keys = ("patient", "conditions", "medications", "observations", "laboratory", "allergies", "immunizations")
    assert sorted(error_expressions(response)) == sorted(f"prefetch.{key}" for key in keys)
    assert "conditions" in error_message(response)
    assert {issue["code"] for issue in response.get_json()["issue"]} == {"incomplete"}


@pytest.mark.parametrize("service_id, request_file", [
    ("myositis-patient-view", "requests/spec-patient-view.json"),
    ("myositis-order-select", "requests/spec-order-select.json"),
    ("myositis-order-sign", "requests/spec-order-sign.json"),
])
def test_spec_examples_answer_with_no_cards_when_prefetch_failure_is_partial(make_app, service_id, request_file):
    client = make_app(prefetch_failure="partial").test_client()
    assert cards_of(client, service_id, request_file) == []


def test_partial_prefetch_is_stated_on_the_card(make_app):
    request = fixture(PATIENT_VIEW)
    del request["prefetch"]["allergies"]
    client = make_app(prefetch_failure="partial").test_client()
    card = card_for(cards_of(client, "myositis-patient-view", request), "steroid-sparing-agent")
    assert ("**Not checked:** AllergyIntolerance could not be retrieved; this card does not account for them."
            in card["detail"])


def test_null_prefetch_means_known_empty_not_missing(client):
    request = fixture(PATIENT_VIEW)
    request["prefetch"]["allergies"] = None
    card = card_for(cards_of(client, "myositis-patient-view", request), "steroid-sparing-agent")
    assert "Not checked" not in card["detail"]


def test_patient_without_myositis_gets_no_myositis_cards(client):
    request = fixture(PATIENT_VIEW)
    request["prefetch"]["conditions"] = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    assert cards_of(client, "myositis-patient-view", request) == []


def test_logs_name_the_service_and_hook_instance_but_no_patient_data(client, caplog):
    caplog.set_level(logging.DEBUG)
    request = fixture(PATIENT_VIEW)
    cards_of(client, "myositis-patient-view", request)
    text = caplog.text
    assert "myositis-patient-view" in text and request["hookInstance"] in text
    for identifying in ("dm-adult-1", "1968-05-14", "Prednisone", "prednisone"):
        assert identifying not in text


def test_the_server_clock_is_the_evaluation_time(make_app):
    later = make_app(clock=lambda: NOW.replace(year=2027))
    card = card_for(cards_of(later.test_client(), "myositis-patient-view", PATIENT_VIEW), "steroid-sparing-agent")
    assert "415 days" in card["detail"]


def test_cards_are_returned_even_when_the_store_cannot_record_them(make_app):
    app = make_app(store=UnreachableStore())
    cards = cards_of(app.test_client(), "myositis-patient-view", PATIENT_VIEW)
    assert card_for(cards, "steroid-sparing-agent")
    recorder = app.extensions["myositis_cds"].card_recorder
    assert not recorder.flush(0.2)
    assert recorder.pending() == len(cards)  # held for the store's return


def test_cyclic_gc_is_paused_during_a_hook_call_and_resumed_after(client, monkeypatch):
    seen = []
    real = services_api.evaluate

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(services_api, "evaluate", spy)
    post_hook(client, "myositis-patient-view", fixture("requests/patient-view-dm-prednisone.json"))
    assert seen == [False] and gc.isenabled()


def test_cyclic_gc_is_resumed_after_a_rejected_call(client):
    client.post("/cds-services/myositis-patient-view", data=b"{not json", content_type="application/json")
    assert gc.isenabled()
