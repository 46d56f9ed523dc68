"""Feedback that no store can keep is refused as the client's error (400 with an OperationOutcome, so a
conforming client does not resend it), on both backends, before it reaches the store; and a value the
store itself refuses never opens the store's circuit for the other clients."""

from __future__ import annotations

import copy
import secrets

import pytest

from cds_service.storage.dependencies import OutageMemory
from cds_service.storage.store import StoreRejected
from cds_service.storage.store_postgres import PostgresStore
from tests.api import fixture
from tests.factories import NOW

HOOK = "/cds-services/myositis-patient-view"
FEEDBACK = f"{HOOK}/feedback"
OVERRIDDEN = fixture("feedback/spec-overridden-with-reason.json")
ACCEPTED = fixture("feedback/spec-accepted.json")


def with_value(path: tuple[str | int, ...], value: object) -> dict:
    body = copy.deepcopy(OVERRIDDEN)
    target = body["feedback"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


HOSTILE = {
    "card id of 3,200 characters": (("card",), "c" * 3200),
    "card id with a space": (("card",), "card 1"),
    "NUL in the card id": (("card",), "card\x00"),
    "NUL in reason.code": (("overrideReason", "reason", "code"), "d7\x00"),
    "NUL in reason.system": (("overrideReason", "reason", "system"), "https://x\x00"),
    "NUL in reason.display": (("overrideReason", "reason", "display"), "a\x00b"),
    "NUL in userComment": (("overrideReason", "userComment"), "comment\x00"),
    "ESC in userComment": (("overrideReason", "userComment"), "\x1b[2Jcomment"),
    "CR in reason.code": (("overrideReason", "reason", "code"), "a\rb"),
    "userComment of 100,000 characters": (("overrideReason", "userComment"), "x" * 100_000),
    "NUL in a member the spec does not define": (("extension",), {"note": "a\x00"}),
    "NUL in a member name": (("ext\x00",), "x"),
}


@pytest.fixture
def store_app(make_app, store):
    return make_app(store=store)


@pytest.mark.parametrize("case", HOSTILE)
def test_feedback_that_can_never_be_stored_is_a_400_operation_outcome(store_app, store, case):
    path, value = HOSTILE[case]
    response = store_app.test_client().post(FEEDBACK, json=with_value(path, value))
    assert response.status_code == 400
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"][0].startswith("$.feedback[0]")
    assert len(outcome["issue"][0]["diagnostics"]) < 500  # the hostile value is not echoed whole
    assert store.feedback() == []


def test_free_text_keeps_its_line_breaks_and_tabs(store_app, store):
    body = with_value(("overrideReason", "userComment"), "line one\r\nline two\tend")
    assert store_app.test_client().post(FEEDBACK, json=body).status_code == 200
    assert store.feedback()[0].item["overrideReason"]["userComment"] == "line one\r\nline two\tend"


def test_after_a_hostile_item_another_clients_feedback_is_stored_at_once(store_app, store):
    client = store_app.test_client()
    assert client.post(FEEDBACK, json=with_value(("card",), "c" * 3200)).status_code == 400
    assert client.post(FEEDBACK, json=ACCEPTED).status_code == 200
    assert len(store.feedback()) == 1


@pytest.fixture
def postgres_store(postgres_url):
    store = PostgresStore(postgres_url, outage=OutageMemory(cooldown_seconds=60))
    yield store
    store.close()


@pytest.mark.parametrize("item", [
    # random, so PostgreSQL cannot compress the index row under its limit
    {"card": secrets.token_urlsafe(9000), "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z"},
    {"card": "card\x00", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z"},
    {"card": "card", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z", "x": "\x00"},
], ids=["index row too large", "NUL in text", "NUL in jsonb"])
def test_values_postgresql_refuses_are_rejected_without_opening_the_circuit(postgres_store, item):
    with pytest.raises(StoreRejected):
        postgres_store.record_feedback("myositis-patient-view", [item], NOW)
    # a one-minute cooldown would refuse this at once had the refusal counted as an outage
    assert postgres_store.record_feedback("myositis-patient-view", ACCEPTED["feedback"], NOW) == 1


def test_a_value_the_store_refuses_is_a_400_not_a_503(make_app, postgres_store, monkeypatch):
    app = make_app(store=postgres_store)
    monkeypatch.setattr("cds_service.protocol.api.feedback.check", lambda validator, body: None)  # as if the schema missed it
    response = app.test_client().post(FEEDBACK, json=with_value(("card",), secrets.token_urlsafe(9000)))
    assert response.status_code == 400
    assert "Retry-After" not in response.headers
    assert app.test_client().post(FEEDBACK, json=ACCEPTED).status_code == 200
