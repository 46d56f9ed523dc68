"""A shared server going down and coming back, on the real servers: hook calls keep answering with
their cards (the lost record is counted), feedback is refused rather than acknowledged, /readyz names
what is down, and everything recovers when the server returns."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from prometheus_client import REGISTRY

from cds_service.command_line import cli
from cds_service.storage.dependencies import OutageMemory
from cds_service.storage.store_postgres import PostgresStore
from tests.api import error_message, fixture
from tests.factories import NOW
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document

HOOK = "/cds-services/myositis-patient-view"
REQUEST = fixture("requests/patient-view-dm-prednisone.json")
ACCEPTED = fixture("feedback/spec-accepted.json")


@contextmanager
def down(server) -> Iterator[None]:
    server.stop()
    try:
        yield
    finally:
        server.start()


#: A hung server is resumed after this long whatever happens, so a regression fails a test instead of hanging it.
HANG_LIMIT_SECONDS = 15


@contextmanager
def hung(server) -> Iterator[None]:
    """The server's processes stopped: its sockets accept and keep data, and nothing answers."""
    stopped = server.hang()
    limit = threading.Timer(HANG_LIMIT_SECONDS, server.resume, (stopped,))
    limit.start()
    try:
        yield
    finally:
        limit.cancel()
        server.resume(stopped)


def bearer(path: str = HOOK) -> dict[str, str]:
    return {"Authorization": f"Bearer {es384(claims(aud=PUBLIC_BASE + path))}"}


def lost_cards() -> float:
    return REGISTRY.get_sample_value("cds_issued_cards_not_recorded_total") or 0.0


def fallbacks() -> float:
    return REGISTRY.get_sample_value("cds_replay_cache_fallbacks_total") or 0.0


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[PostgresStore]:
    store = PostgresStore(postgres_url, outage=OutageMemory(cooldown_seconds=0.5))
    yield store
    store.close()


@pytest.fixture
def shared_app(make_app, postgres_store, redis_url, tmp_path: Path):
    """An instance configured for several hosts: PostgreSQL store, Redis replay cache, JWT clients."""
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    return make_app(store=postgres_store, replay_cache_url=redis_url, trusted_issuers=str(issuers),
                    public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / "local-replay.sqlite3"))


# --- PostgreSQL down ------------------------------------------------------------------------
def recorder(app):
    return app.extensions["myositis_cds"].card_recorder


def test_while_postgresql_is_down_hook_calls_answer_and_their_card_records_wait_for_it(shared_app, postgres_server,
                                                                                       postgres_store, caplog):
    client = shared_app.test_client()
    before = lost_cards()
    with down(postgres_server):
        response = client.post(HOOK, json=REQUEST, headers=bearer())
        assert response.status_code == 200
        cards = response.get_json()["cards"]
        assert cards
        assert not recorder(shared_app).flush(1.0)  # held while the store is down
        assert recorder(shared_app).pending() == len(cards)
    assert recorder(shared_app).flush(10)  # written when it returns (the writer retries at most 5 s apart)
    assert {card.card_uuid for card in postgres_store.issued_cards()} == {card["uuid"] for card in cards}
    assert lost_cards() == before
    assert "issued cards waiting for the store (feedback store (postgresql) unavailable" in caplog.text


def test_while_postgresql_is_down_card_records_beyond_the_queue_are_dropped_and_counted(make_app, postgres_store,
                                                                                       postgres_server, caplog):
    app = make_app(store=postgres_store, card_queue_size=2)
    client = app.test_client()
    before = lost_cards()
    with down(postgres_server):
        cards = client.post(HOOK, json=REQUEST).get_json()["cards"]
        assert len(cards) > 2
        assert lost_cards() == before + len(cards) - 2
        assert "issued cards lost, not recorded: the record queue is full" in caplog.text
    assert recorder(app).flush(10)
    assert len(postgres_store.issued_cards()) == 2


def stored_feedback(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM feedback").fetchone()[0]


def test_while_postgresql_is_down_feedback_is_503_not_acknowledged(shared_app, postgres_server, postgres_url):
    client = shared_app.test_client()
    with down(postgres_server):
        response = client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback"))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert stored_feedback(postgres_url) == 0


def test_while_postgresql_is_down_readyz_names_it(shared_app, postgres_server):
    with down(postgres_server):
        response = shared_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "feedback store (postgresql)" in error_message(response)
    assert "replay cache" not in error_message(response)


def test_when_postgresql_returns_feedback_cards_and_readyz_recover(shared_app, postgres_server, postgres_store):
    client = shared_app.test_client()
    with down(postgres_server):
        client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback"))
    # No readiness probe in between: the outage is forgotten after its cooldown (0.5 s here, 5 s by default).
    time.sleep(0.6)
    assert client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback")).status_code == 200
    cards = client.post(HOOK, json=REQUEST, headers=bearer()).get_json()["cards"]
    assert recorder(shared_app).flush(5)
    assert {card.card_uuid for card in postgres_store.issued_cards()} == {card["uuid"] for card in cards}
    assert len(postgres_store.feedback()) == 1
    assert client.get("/readyz").status_code == 200


def test_a_postgresql_server_down_at_start_up_is_migrated_when_it_returns(postgres_server, postgres_url):
    with down(postgres_server):
        store = PostgresStore(postgres_url)  # the instance starts: cards must not wait for the database
    try:
        store.ping()  # creates the schema
        assert store.record_feedback("myositis-patient-view", ACCEPTED["feedback"], NOW) == 1
    finally:
        store.close()


def test_the_report_says_when_postgresql_is_down_without_its_password(postgres_server, postgres_url, monkeypatch):
    monkeypatch.setenv("CDS_STORE_URL", postgres_url)
    err = io.StringIO()
    with down(postgres_server):
        code = cli.main(["report"], out=io.StringIO(), err=err)
    assert code == cli.EXIT_STORE_UNAVAILABLE
    assert "feedback store (postgresql) unavailable" in err.getvalue()
    assert postgres_server.password not in err.getvalue()


# --- hung servers: connections stay open and nothing answers -------------------------------------------
#: Longest wait for an answer from a hung server: the pool's check (2 s), a statement (5 s), Redis (0.5 s).
HUNG_ANSWER_SECONDS = 8


def test_while_postgresql_hangs_feedback_is_refused_within_seconds_and_hook_calls_answer(shared_app, postgres_server,
                                                                                         postgres_store):
    client = shared_app.test_client()
    assert client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback")).status_code == 200
    with hung(postgres_server):
        started = time.monotonic()
        refused = client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback"))
        waited = time.monotonic() - started
        answered = client.post(HOOK, json=REQUEST, headers=bearer())
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert waited < HUNG_ANSWER_SECONDS  # not for ever: a hung request would hold a worker's admission slot
    assert answered.status_code == 200 and answered.get_json()["cards"]
    time.sleep(0.6)  # the outage memory's cooldown in these tests
    assert client.post(f"{HOOK}/feedback", json=ACCEPTED, headers=bearer(f"{HOOK}/feedback")).status_code == 200
    assert recorder(shared_app).flush(10)


def test_while_redis_hangs_tokens_are_refused_within_a_second(shared_app, redis_server):
    client = shared_app.test_client()
    with hung(redis_server):
        started = time.monotonic()
        response = client.post(HOOK, json=REQUEST, headers=bearer())
        waited = time.monotonic() - started
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert waited < HUNG_ANSWER_SECONDS
    assert client.get("/readyz").status_code == 200
    assert client.post(HOOK, json=REQUEST, headers=bearer()).status_code == 200


# --- Redis down ------------------------------------------------------------------------------
def refusals() -> float:
    return REGISTRY.get_sample_value("cds_replay_cache_refusals_total") or 0.0


def resynced(result: str = "written") -> float:
    return REGISTRY.get_sample_value("cds_replay_cache_resynced_total", {"result": result}) or 0.0


def test_while_redis_is_down_tokens_are_refused_with_503_and_retry_after_by_default(shared_app, redis_server, caplog):
    client = shared_app.test_client()
    before = refusals()
    with down(redis_server):
        response = client.post(HOOK, json=REQUEST, headers=bearer())
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "replay cache is unavailable" in error_message(response)
    assert refusals() == before + 1
    assert "refusing tokens (fail closed)" in caplog.text


def test_a_token_refused_during_the_outage_is_accepted_once_when_redis_returns(shared_app, redis_server):
    client = shared_app.test_client()
    headers = bearer()
    with down(redis_server):
        assert client.post(HOOK, json=REQUEST, headers=headers).status_code == 503
    assert client.get("/readyz").status_code == 200  # a probe notices the return before the 5 s cooldown ends
    assert client.post(HOOK, json=REQUEST, headers=headers).status_code == 200
    assert client.post(HOOK, json=REQUEST, headers=headers).status_code == 401


@pytest.fixture
def fail_open(tmp_path: Path, postgres_store, redis_url, make_app):
    """Two hosts configured to answer during a Redis outage (CDS_REPLAY_CACHE_FAILURE=open)."""
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))

    def host(name: str):
        return make_app(store=postgres_store, replay_cache_url=redis_url, trusted_issuers=str(issuers),
                        public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / f"{name}-replay.sqlite3"),
                        replay_cache_failure="open")

    return host("a"), host("b")


def test_fail_open_while_redis_is_down_hook_calls_answer_and_replays_to_this_host_are_refused(fail_open, redis_server,
                                                                                              caplog):
    caplog.set_level(logging.WARNING)
    client = fail_open[0].test_client()
    headers = bearer()
    before = fallbacks()
    with down(redis_server):
        first = client.post(HOOK, json=REQUEST, headers=headers)
        replayed = client.post(HOOK, json=REQUEST, headers=headers)
    assert first.status_code == 200 and first.get_json()["cards"]
    assert replayed.status_code == 401
    assert fallbacks() == before + 2
    assert "replay cache redis://127.0.0.1" in caplog.text


def test_fail_open_a_token_used_before_the_outage_is_refused_on_the_same_host_during_it(fail_open, redis_server):
    client = fail_open[0].test_client()
    headers = bearer()
    assert client.post(HOOK, json=REQUEST, headers=headers).status_code == 200
    with down(redis_server):
        assert client.post(HOOK, json=REQUEST, headers=headers).status_code == 401


def test_fail_open_tokens_accepted_during_the_outage_are_written_to_redis_when_it_returns(fail_open, redis_server):
    host_a, host_b = fail_open
    headers = bearer()
    before = resynced()
    with down(redis_server):
        assert host_a.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 200
    assert host_a.test_client().get("/readyz").status_code == 200  # host A's first contact with Redis again
    assert resynced() == before + 1
    assert host_b.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 401


def test_fail_open_a_token_accepted_on_two_hosts_during_the_outage_is_counted_when_redis_returns(fail_open,
                                                                                               redis_server):
    host_a, host_b = fail_open
    headers = bearer()
    before = resynced("already-used")
    with down(redis_server):
        assert host_a.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 200
        assert host_b.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 200  # the stated risk
    assert host_a.test_client().get("/readyz").status_code == 200
    assert host_b.test_client().get("/readyz").status_code == 200
    assert resynced("already-used") == before + 1


def test_while_redis_is_down_readyz_names_it(shared_app, redis_server):
    with down(redis_server):
        response = shared_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "replay cache (redis)" in error_message(response)
    assert "feedback store" not in error_message(response)


def test_when_redis_returns_a_token_replayed_to_another_instance_is_refused_again(shared_app, make_app, redis_server,
                                                                                    postgres_store, redis_url, tmp_path):
    with down(redis_server):
        assert shared_app.test_client().get("/readyz").status_code == 503
    assert shared_app.test_client().get("/readyz").get_json()["dependencies"] == {
        "store": "postgresql: up", "replayCache": "redis: up"}
    other_host = make_app(store=postgres_store, replay_cache_url=redis_url,
                          trusted_issuers=str(tmp_path / "issuers.json"), public_base_url=PUBLIC_BASE,
                          jti_replay_db=str(tmp_path / "other-host-replay.sqlite3"))
    headers = bearer()
    assert shared_app.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 200
    assert other_host.test_client().post(HOOK, json=REQUEST, headers=headers).status_code == 401
