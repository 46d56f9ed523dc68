"""`myositis-cds serve` started while PostgreSQL or Redis is down (issue 19 item 3, issue 24 item 2), on the
real servers: the instance starts, answers hook calls, replaces a worker the OS killed, says on /readyz
what is down, refuses feedback with Retry-After rather than acknowledging it, and recovers when the server
returns, with the issued cards of the outage written then and no acknowledged feedback lost."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from tests.api import fixture
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document
from tests.servers.instances import Instance
from tests.storage.test_outages import down

SERVICE = "/cds-services/myositis-patient-view"
FEEDBACK = f"{SERVICE}/feedback"
REQUEST = fixture("requests/patient-view-dm-prednisone.json")
#: Bounds: a worker's start (warm-up included) on a loaded machine, and the card writer's longest pause.
WORKER_START_SECONDS = 60
RECOVERY_SECONDS = 15


def bearer(path: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {es384(claims(aud=PUBLIC_BASE + path))}"}


def feedback_body(card: str) -> dict:
    return {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z"}]}


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def workers_of(instance: Instance) -> set[int]:
    pid = instance._process.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


@pytest.fixture
def instance_factory(tmp_path: Path, postgres_server, redis_server) -> Iterator[Callable[..., Instance]]:
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    started: list[Instance] = []

    def start(database: str, **environment: str) -> Instance:
        env = {"CDS_STORE_URL": database, "CDS_REPLAY_CACHE_URL": redis_server.url(),
               "CDS_TRUSTED_ISSUERS": str(issuers), "CDS_PUBLIC_BASE_URL": PUBLIC_BASE,
               "CDS_JTI_REPLAY_DB": str(tmp_path / "replay.sqlite3"), **environment}
        started.append(Instance(f"i{len(started)}", tmp_path, env))
        return started[-1]

    yield start
    for instance in started:
        instance.stop()


def post(instance: Instance, path: str, body: dict) -> requests.Response:
    return requests.post(instance.url + path, json=body, headers=bearer(path), timeout=30)


def stored(database: str, table: str) -> set[str]:
    with psycopg.connect(database) as connection:
        return {row[0] for row in connection.execute(f"SELECT card_uuid FROM {table}")}  # noqa: S608 - fixed names


def test_an_instance_started_while_postgresql_is_down_serves_and_recovers(instance_factory, postgres_server):
    database = postgres_server.new_database()
    with down(postgres_server):
        instance = instance_factory(database)
        answer = post(instance, SERVICE, REQUEST)
        assert answer.status_code == 200
        cards = {card["uuid"] for card in answer.json()["cards"]}
        assert cards
        ready = requests.get(instance.url + "/readyz", timeout=10)
        assert ready.status_code == 503 and "feedback store (postgresql)" in ready.text
        refused = post(instance, FEEDBACK, feedback_body(str(uuid.uuid4())))
        assert refused.status_code == 503 and refused.headers["Retry-After"]

        # The OS kills the worker: a new one starts without the store, and answers.
        [worker] = workers_of(instance)
        os.kill(worker, signal.SIGKILL)
        assert until(lambda: workers_of(instance) - {worker} != set(), WORKER_START_SECONDS)
        assert until(lambda: post(instance, SERVICE, REQUEST).status_code == 200, WORKER_START_SECONDS)
    assert until(lambda: requests.get(instance.url + "/readyz", timeout=10).status_code == 200, RECOVERY_SECONDS)
    card = next(iter(cards))
    assert until(lambda: post(instance, FEEDBACK, feedback_body(card)).status_code == 200, RECOVERY_SECONDS)
    assert card in stored(database, "feedback")
    # Cards of the killed worker's queue are lost (stated in cds_service/storage/card_recorder.py); the next ones are written.
    later = {c["uuid"] for c in post(instance, SERVICE, REQUEST).json()["cards"]}
    assert until(lambda: later <= stored(database, "issued_card"), RECOVERY_SECONDS)
    assert "Worker failed to boot" not in instance.log_text()
    assert "starts without its store" in instance.log_text()


def test_an_instance_started_while_redis_is_down_starts_refuses_tokens_and_recovers(instance_factory,
                                                                                    postgres_server, redis_server):
    database = postgres_server.new_database()
    with down(redis_server):
        instance = instance_factory(database)
        refused = post(instance, SERVICE, REQUEST)
        assert refused.status_code == 503 and refused.headers["Retry-After"]  # fail closed, the default
        ready = requests.get(instance.url + "/readyz", timeout=10)
        assert ready.status_code == 503 and "replay cache (redis)" in ready.text
    assert until(lambda: requests.get(instance.url + "/readyz", timeout=10).status_code == 200, RECOVERY_SECONDS)
    assert post(instance, SERVICE, REQUEST).status_code == 200


def test_an_instance_started_while_redis_is_down_answers_hook_calls_when_configured_to_fail_open(
        instance_factory, postgres_server, redis_server):
    database = postgres_server.new_database()
    with down(redis_server):
        instance = instance_factory(database, CDS_REPLAY_CACHE_FAILURE="open")
        assert post(instance, SERVICE, REQUEST).status_code == 200
    assert until(lambda: requests.get(instance.url + "/readyz", timeout=10).status_code == 200, RECOVERY_SECONDS)
