"""Findings per card and snoozes in every store backend (SQLite and a real PostgreSQL server), and a snooze made
through one instance of the service honoured by another that shares the store."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta

from cds_service.storage.store import IssuedFinding, Snooze
from cds_service.storage.store_findings import sqlite_snooze_query
from cds_service.storage.store_sqlite import SqliteStore
from tests.api import fixture, post_hook
from tests.factories import NOW

KEY = "k" * 64
PATIENT_VIEW = "myositis-patient-view"


def finding(card: str | None, recommendation: str = "bone-protection", suggestions: tuple[str, ...] = ("s-1",),
            patient: str = "p1") -> IssuedFinding:
    return IssuedFinding(card, PATIENT_VIEW, recommendation, "info", suggestions, True, patient, NOW)


def snooze(recommendation: str, days: int, patient: str = "p1") -> Snooze:
    return Snooze(patient, recommendation, "info", "action-completed", NOW + timedelta(days=days), "card-1")


def test_the_findings_of_a_card_are_read_back_with_their_suggestions(store):
    store.record_findings([finding("card-1"), finding("card-1", "vaccination", ()), finding("card-2")])
    assert store.card_findings("card-1") == [finding("card-1"), finding("card-1", "vaccination", ())]


def test_a_finding_a_snooze_hid_has_no_card_and_is_listed_since_its_time(store):
    store.record_findings([finding(None)])
    assert store.issued_findings(NOW) == [finding(None)]
    assert store.issued_findings(NOW + timedelta(seconds=1)) == []


def test_snoozes_are_read_per_patient_while_they_run(store, open_url, store_url):
    store.add_snoozes([snooze("bone-protection", 90), snooze("vaccination", 1), snooze("bone-protection", 9, "p2")])
    other_instance = open_url(store_url)
    running = other_instance.snoozes("p1", NOW + timedelta(days=2))
    assert [(s.recommendation_id, s.until) for s in running] == [("bone-protection", NOW + timedelta(days=90))]


def test_a_later_snooze_of_the_same_finding_extends_it_and_an_earlier_one_does_not(store):
    store.add_snoozes([snooze("bone-protection", 90)])
    store.add_snoozes([snooze("bone-protection", 30)])
    store.add_snoozes([snooze("bone-protection", 180)])
    assert [s.until for s in store.snoozes("p1")] == [NOW + timedelta(days=180)]


def test_the_feedback_of_one_card_is_read_back_in_order(store):
    items = [{"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:04:00Z",
              "acceptedSuggestions": [{"id": "s-1"}]},
             {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:05:00Z"},
             {"card": "d", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:06:00Z"}]
    store.record_feedback(PATIENT_VIEW, items, NOW)
    assert [record.item for record in store.card_feedback("c")] == items[:2]


def test_an_override_on_one_instance_snoozes_the_finding_on_another(make_app, store_url):
    first = make_app(store_url=store_url, patient_hash_key=KEY, rule_settings=None).test_client()
    second = make_app(store_url=store_url, patient_hash_key=KEY, rule_settings=None).test_client()
    request = fixture("requests/patient-view-dm-prednisone.json")
    cards = post_hook(first, PATIENT_VIEW, request)["cards"]
    plan = next(card for card in cards if card["source"]["topic"]["code"] == "care-plan")
    reason = next(r for r in plan["overrideReasons"] if r["code"] == "action-completed")
    body = {"feedback": [{"card": plan["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:04:00Z",
                          "overrideReason": {"reason": reason}}]}
    assert second.post(f"/cds-services/{PATIENT_VIEW}/feedback", json=body).status_code == 200
    codes = [card["source"]["topic"]["code"] for card in post_hook(second, PATIENT_VIEW, request)["cards"]]
    assert "care-plan" not in codes and "pjp-prophylaxis" in codes
    codes = [card["source"]["topic"]["code"] for card in post_hook(first, PATIENT_VIEW, request)["cards"]]
    assert "care-plan" not in codes


def test_the_store_holds_the_patients_keyed_hash_never_the_patient_id(make_app, store_url, open_url):
    app = make_app(store_url=store_url, patient_hash_key=KEY, rule_settings=None)
    post_hook(app.test_client(), PATIENT_VIEW, fixture("requests/patient-view-dm-prednisone.json"))
    assert app.extensions["myositis_cds"].finding_recorder.flush(5)  # written in the background
    keys = {f.patient_key for f in open_url(store_url).issued_findings()}
    assert len(keys) == 1 and "dm-adult-1" not in next(iter(keys)) and len(next(iter(keys))) == 64


def test_one_patients_snoozes_are_read_by_the_primary_key_not_a_scan_of_every_patient(tmp_path):
    SqliteStore(tmp_path / "store.sqlite3")  # creates the tables
    query, parameters = sqlite_snooze_query("p1")
    with closing(sqlite3.connect(tmp_path / "store.sqlite3")) as connection:
        plan = " ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}", parameters))
    assert "USING INDEX" in plan, plan
