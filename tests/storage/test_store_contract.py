"""What every store backend does, run once on SQLite and once on a real PostgreSQL server."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from datetime import timedelta

import psycopg

from cds_service.command_line import cli
from cds_service.storage import store_postgres, store_sqlite
from cds_service.storage.store import IssuedCard
from tests.api import fixture
from tests.factories import NOW

ACCEPTED = {"card": "card-1", "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:04:00Z",
            "acceptedSuggestions": [{"id": "s-1"}]}
OVERRIDDEN = {"card": "card-2", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z",
              "overrideReason": {"reason": {"code": "contraindicated", "system": "http://example.org/r"}}}


def issued(uuid: str, minutes: int = 0, recommendation: str = "steroid-sparing-agent") -> IssuedCard:
    return IssuedCard(uuid, "myositis-patient-view", recommendation, "hook-1", NOW + timedelta(minutes=minutes))


def test_issued_cards_are_listed_oldest_first(store):
    store.record_cards([issued("late", 5), issued("early", 1)])
    assert [card.card_uuid for card in store.issued_cards()] == ["early", "late"]


def test_issued_cards_keep_every_field_and_the_time_zone(store):
    store.record_cards([issued("c", 3)])
    assert store.issued_cards() == [issued("c", 3)]


def test_issued_cards_since_a_time_leave_out_older_ones(store):
    store.record_cards([issued("old", 0), issued("new", 10)])
    assert [card.card_uuid for card in store.issued_cards(NOW + timedelta(minutes=10))] == ["new"]


def test_a_card_recorded_twice_is_kept_once(store):
    store.record_cards([issued("c")])
    store.record_cards([issued("c")])
    assert len(store.issued_cards()) == 1


def test_feedback_is_stored_as_received_with_its_recommendation(store):
    store.record_cards([issued("card-1")])
    assert store.record_feedback("myositis-patient-view", [ACCEPTED, OVERRIDDEN], NOW) == 2
    first, second = store.feedback()
    assert (first.card_uuid, first.outcome, first.recommendation_id) == ("card-1", "accepted", "steroid-sparing-agent")
    assert first.item == ACCEPTED and first.received_at == NOW
    assert (second.card_uuid, second.recommendation_id, second.item) == ("card-2", None, OVERRIDDEN)


def test_the_same_feedback_twice_is_stored_once_and_counted_as_not_new(store):
    store.record_feedback("myositis-patient-view", [ACCEPTED], NOW)
    assert store.record_feedback("myositis-patient-view", [ACCEPTED], NOW + timedelta(minutes=1)) == 0
    assert len(store.feedback()) == 1


def test_feedback_is_kept_per_service(store):
    store.record_feedback("myositis-patient-view", [ACCEPTED], NOW)
    store.record_feedback("myositis-order-sign", [ACCEPTED], NOW)
    assert [record.service_id for record in store.feedback("myositis-order-sign")] == ["myositis-order-sign"]
    assert len(store.feedback()) == 2


def test_stored_feedback_is_there_for_a_new_instance_on_the_same_url(store, store_url, open_url):
    store.record_feedback("myositis-patient-view", [ACCEPTED], NOW)
    assert [record.item for record in open_url(store_url).feedback()] == [ACCEPTED]


def test_the_same_feedback_sent_to_two_instances_at_once_is_stored_once(store, store_url, open_url):
    other = open_url(store_url)
    items = [dict(ACCEPTED, card=f"card-{n}") for n in range(30)]
    new_counts: list[int] = []

    def send(instance):
        new_counts.extend(instance.record_feedback("myositis-patient-view", [item], NOW) for item in items)

    threads = [threading.Thread(target=send, args=(instance,)) for instance in (store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.feedback()) == 30
    assert sum(new_counts) == 30


def test_opening_a_store_again_applies_no_migration_twice(store, store_url, open_url):
    store.record_cards([issued("c")])
    again = open_url(store_url)
    assert [card.card_uuid for card in again.issued_cards()] == ["c"]
    assert schema_versions(store_url) == all_versions(store_url)


def test_ping_answers_when_the_store_is_reachable(store):
    store.ping()


def all_versions(url: str) -> list[int]:
    """Every migration of the backend, once: SQLite keeps the last one's number, PostgreSQL a row for each."""
    if url.startswith("sqlite:///"):
        return [store_sqlite.MIGRATIONS[-1][0]]
    return [version for version, _ in store_postgres.MIGRATIONS]


def schema_versions(url: str) -> list[int]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///"):]) as connection:
            return [connection.execute("PRAGMA user_version").fetchone()[0]]
    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute("SELECT version FROM schema_version ORDER BY version")]


# --- through the service and the report -----------------------------------------------------
def test_feedback_posted_to_the_service_is_in_the_report_of_either_backend(make_app, store_url, open_url,
                                                                           monkeypatch):
    client = make_app(store=open_url(store_url)).test_client()
    cards = client.post("/cds-services/myositis-patient-view",
                        json=fixture("requests/patient-view-dm-prednisone.json")).get_json()["cards"]
    card = next(card for card in cards if card.get("suggestions"))
    body = {"feedback": [{"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:04:00Z",
                          "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}]}]}
    assert client.post("/cds-services/myositis-patient-view/feedback", json=body).status_code == 200
    assert client.post("/cds-services/myositis-patient-view/feedback", json=body).status_code == 200

    monkeypatch.setenv("CDS_STORE_URL", store_url)
    out = io.StringIO()
    assert cli.main(["report", "--format", "json"], out=out, err=io.StringIO()) == 0
    report = json.loads(out.getvalue())
    assert report["total"]["issued"] == len(cards)
    assert report["total"]["accepted"] == 1
    rows = {row["name"]: row for row in report["by_recommendation"]}
    assert rows[card["source"]["topic"]["code"]]["accepted"] == 1


def test_readyz_names_the_store_backend(make_app, store_url, open_url):
    backend = store_url.partition(":")[0]
    states = make_app(store=open_url(store_url)).test_client().get("/readyz").get_json()["dependencies"]
    assert states == {"store": f"{backend}: up"}


# --- migrations -----------------------------------------------------------------------------
def test_instances_starting_together_on_a_new_database_migrate_it_once(postgres_server, open_url):
    url = postgres_server.new_database()
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_url(url)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert schema_versions(url) == all_versions(url)


def test_a_sqlite_file_written_before_numbered_migrations_keeps_its_records(tmp_path, open_url):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:  # the schema as release 0.1 created it, without a user_version
        connection.executescript(
            "CREATE TABLE issued_card (card_uuid TEXT PRIMARY KEY, service_id TEXT NOT NULL, recommendation_id TEXT "
            "NOT NULL, hook_instance TEXT NOT NULL, issued_at TEXT NOT NULL);"
            "CREATE TABLE feedback (digest TEXT PRIMARY KEY, service_id TEXT NOT NULL, card_uuid TEXT NOT NULL, "
            "outcome TEXT NOT NULL, outcome_timestamp TEXT NOT NULL, item TEXT NOT NULL, received_at TEXT NOT NULL);"
            f"INSERT INTO issued_card VALUES ('c', 'myositis-patient-view', 'r', 'h', '{NOW.isoformat()}');")
    store = open_url(f"sqlite:///{path}")
    assert [card.card_uuid for card in store.issued_cards()] == ["c"]
    assert schema_versions(f"sqlite:///{path}") == all_versions(f"sqlite:///{path}")
