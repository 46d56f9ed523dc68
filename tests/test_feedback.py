"""POST /cds-services/{id}/feedback (SPEC-NOTES 2.6 F1-F6) and its durable store."""

import copy

import pytest

from cds_service.storage.store_sqlite import SqliteStore
from tests.api import UnreachableStore, error_expressions, error_message, fixture

URL = "/cds-services/myositis-patient-view/feedback"
ACCEPTED = fixture("feedback/spec-accepted.json")


def stored(app):
    return app.extensions["myositis_cds"].store.feedback()


@pytest.mark.parametrize("name", ["spec-accepted", "spec-overridden-with-reason", "epic-overridden"])
def test_feedback_examples_are_accepted_with_200_and_an_empty_object(client, name):
    response = client.post(URL, json=fixture(f"feedback/{name}.json"))
    assert response.status_code == 200
    assert response.get_json() == {}


def test_every_item_is_stored(client, app):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"].append({"card": "c2", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z"})
    client.post(URL, json=body)
    assert [(r.card_uuid, r.outcome) for r in stored(app)] == [
        ("4e0a3a1e-3283-4575-ab82-028d55fe2719", "accepted"), ("c2", "overridden")]


def test_a_bare_feedback_object_is_tolerated(client, app):
    assert client.post(URL, json=ACCEPTED["feedback"][0]).status_code == 200
    assert len(stored(app)) == 1


def test_epic_override_reasons_are_read_as_override_reason(client, app):
    client.post(URL, json=fixture("feedback/epic-overridden.json"))
    [record] = stored(app)
    assert record.item["overrideReason"]["reason"]["code"] == "contraindicated"


def test_the_same_feedback_twice_is_stored_once(client, app):
    client.post(URL, json=ACCEPTED)
    assert client.post(URL, json=ACCEPTED).status_code == 200
    assert len(stored(app)) == 1


def test_feedback_survives_a_restart(make_app, settings):
    make_app().test_client().post(URL, json=ACCEPTED)
    assert len(SqliteStore(settings.feedback_db).feedback()) == 1


def test_feedback_is_kept_per_service(client, app):
    client.post(URL, json=ACCEPTED)
    client.post("/cds-services/myositis-order-sign/feedback", json=ACCEPTED)
    store = app.extensions["myositis_cds"].store
    assert len(store.feedback("myositis-order-sign")) == 1
    assert len(store.feedback()) == 2


@pytest.mark.parametrize("missing", ["card", "outcome", "outcomeTimestamp"])
def test_feedback_without_a_required_member_is_400(client, missing):
    body = copy.deepcopy(ACCEPTED)
    del body["feedback"][0][missing]
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert missing in error_message(response)


def test_accepted_without_accepted_suggestions_is_400(client):
    body = copy.deepcopy(ACCEPTED)
    del body["feedback"][0]["acceptedSuggestions"]
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert "acceptedSuggestions" in error_message(response)


def test_unknown_outcome_is_400(client):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"][0]["outcome"] = "ignored"
    assert client.post(URL, json=body).status_code == 400


def test_timestamp_that_is_not_rfc3339_is_400(client):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"][0]["outcomeTimestamp"] = "20 Nov 2026"
    assert client.post(URL, json=body).status_code == 400


def test_empty_feedback_array_is_400(client):
    assert client.post(URL, json={"feedback": []}).status_code == 400


def test_nothing_is_stored_when_one_item_is_invalid(client, app):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"].append({"card": "c2", "outcome": "overridden"})
    assert client.post(URL, json=body).status_code == 400
    assert stored(app) == []


def test_feedback_with_wrong_content_type_is_415(client):
    assert client.post(URL, data="{}", headers={"Content-Type": "text/plain"}).status_code == 415


@pytest.mark.parametrize("timestamp", ["2026-13-45T25:61:61Z", "2026-02-30T10:00:00Z", "2026-01-01T24:00:00+01:00",
                                       "2026-01-01T10:00:00+25:00"])
def test_timestamp_that_is_not_a_real_date_and_time_is_400(client, app, timestamp):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"][0]["outcomeTimestamp"] = timestamp

    response = client.post(URL, json=body)

    assert response.status_code == 400
    assert "outcomeTimestamp" in error_expressions(response)[0]
    assert stored(app) == []


@pytest.mark.parametrize("timestamp", ["2026-11-20T10:00:00.123456789Z", "2026-12-31T23:59:60Z", "2026-11-20t10:00:00z"])
def test_rfc3339_timestamps_with_long_fractions_leap_seconds_or_lower_case_are_accepted(client, timestamp):
    body = copy.deepcopy(ACCEPTED)
    body["feedback"][0]["outcomeTimestamp"] = timestamp

    assert client.post(URL, json=body).status_code == 200


def test_feedback_the_store_cannot_keep_is_503_with_retry_after_never_200(make_app):
    response = make_app(store=UnreachableStore()).test_client().post(URL, json=ACCEPTED)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "not stored" in error_message(response)
