"""Two instances of the service on different ports sharing PostgreSQL and Redis, as behind a load
balancer: what one stores the other sees, a token accepted by one is refused by the other, and an
instance killed with SIGKILL in the middle of a load loses no feedback it acknowledged."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from tests.api import fixture
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document
from tests.servers.instances import Instance

SERVICE = "/cds-services/myositis-patient-view"
FEEDBACK = f"{SERVICE}/feedback"
#: Bounds of the load: loopback only, a few hundred posts over a few seconds.
LOAD_THREADS = 6
LOAD_SECONDS = 4.0
LOAD_MAX_POSTS = 600
#: The first instance is killed once this share of the posts has been answered (or after LOAD_SECONDS / 2), so the
#: kill falls in the middle of the load however fast the machine is.
KILL_AFTER_SHARE = 0.3


def bearer(path: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {es384(claims(aud=PUBLIC_BASE + path))}"}


def start_pair(directory: Path, postgres_url: str, redis_url: str) -> tuple[Instance, Instance]:
    issuers = directory / "issuers.json"
    directory.mkdir(parents=True, exist_ok=True)
    issuers.write_text(json.dumps(trust_document()))
    shared = {"CDS_STORE_URL": postgres_url, "CDS_REPLAY_CACHE_URL": redis_url, "CDS_TRUSTED_ISSUERS": str(issuers),
              "CDS_PUBLIC_BASE_URL": PUBLIC_BASE}
    first = Instance("a", directory, {**shared, "CDS_JTI_REPLAY_DB": str(directory / "a-replay.sqlite3")})
    try:
        second = Instance("b", directory, {**shared, "CDS_JTI_REPLAY_DB": str(directory / "b-replay.sqlite3")})
    except BaseException:
        first.stop()
        raise
    return first, second


@pytest.fixture(scope="module")
def shared_database(postgres_server) -> str:
    return postgres_server.new_database()


@pytest.fixture(scope="module")
def pair(shared_database, redis_server, tmp_path_factory) -> Iterator[tuple[Instance, Instance]]:
    instances = start_pair(tmp_path_factory.mktemp("instances"), shared_database, redis_server.url())
    yield instances
    for instance in instances:
        instance.stop()


def stored_cards(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT card_uuid FROM feedback")}


def recommendation_of_feedback(url: str, card: str, wait_seconds: float = 5.0) -> str | None:
    """The recommendation joined to the feedback on `card`, once the issuing instance's background writer has
    recorded the card (within `wait_seconds`)."""
    deadline = time.monotonic() + wait_seconds
    with psycopg.connect(url) as connection:
        while True:
            row = connection.execute("SELECT c.recommendation_id FROM feedback f JOIN issued_card c USING "
                                     "(card_uuid) WHERE f.card_uuid = %s", (card,)).fetchone()
            if row or time.monotonic() > deadline:
                return row[0] if row else None
            time.sleep(0.05)


def feedback_body(card: str) -> dict:
    return {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z"}]}


def test_feedback_posted_to_either_instance_is_seen_by_both(pair):
    first, second = pair
    body = feedback_body(str(uuid.uuid4()))
    assert requests.post(first.url + FEEDBACK, json=body, headers=bearer(FEEDBACK), timeout=10).status_code == 200
    assert requests.post(second.url + FEEDBACK, json=body, headers=bearer(FEEDBACK), timeout=10).status_code == 200
    # The second instance found the first one's item already stored: one record, however many instances.
    assert "feedback items=1 new=1" in first.log_text()
    assert "feedback items=1 new=0" in second.log_text()


def test_cards_issued_by_one_instance_are_joined_to_feedback_sent_to_the_other(pair, shared_database):
    first, second = pair
    response = requests.post(first.url + SERVICE, json=fixture("requests/patient-view-dm-prednisone.json"),
                             headers=bearer(SERVICE), timeout=30)
    card = response.json()["cards"][0]
    body = feedback_body(card["uuid"])
    assert requests.post(second.url + FEEDBACK, json=body, headers=bearer(FEEDBACK), timeout=10).status_code == 200
    assert recommendation_of_feedback(shared_database, card["uuid"]) == card["source"]["topic"]["code"]


def test_a_token_used_on_one_instance_is_refused_by_the_other(pair):
    first, second = pair
    headers = bearer(FEEDBACK)
    body = feedback_body(str(uuid.uuid4()))
    assert requests.post(first.url + FEEDBACK, json=body, headers=headers, timeout=10).status_code == 200
    assert requests.post(second.url + FEEDBACK, json=body, headers=headers, timeout=10).status_code == 401


def test_both_instances_are_ready_and_name_the_shared_servers(pair):
    for instance in pair:
        assert requests.get(instance.url + "/readyz", timeout=10).json()["dependencies"] == {
            "store": "postgresql: up", "replayCache": "redis: up"}


def test_killing_an_instance_during_a_load_loses_no_acknowledged_feedback(postgres_server, redis_server, tmp_path):
    url = postgres_server.new_database()
    first, second = start_pair(tmp_path, url, redis_server.url())
    acknowledged: set[str] = set()
    acknowledged_by_first_before_kill = 0
    refused_by_first_after_kill = 0
    answered = 0
    killed = threading.Event()
    lock = threading.Lock()
    posts = iter(range(LOAD_MAX_POSTS))
    deadline = time.monotonic() + LOAD_SECONDS

    def load() -> None:
        nonlocal acknowledged_by_first_before_kill, refused_by_first_after_kill, answered
        with requests.Session() as session:
            for n in posts:
                if time.monotonic() > deadline:
                    return
                instance = (first, second)[n % 2]
                card = str(uuid.uuid4())
                was_killed = killed.is_set()
                try:
                    status = session.post(instance.url + FEEDBACK, json=feedback_body(card), headers=bearer(FEEDBACK),
                                          timeout=10).status_code
                except requests.RequestException:
                    status = None
                with lock:
                    answered += 1
                    if status == 200:
                        acknowledged.add(card)
                        acknowledged_by_first_before_kill += instance is first and not was_killed
                    elif instance is first and was_killed:
                        refused_by_first_after_kill += 1

    try:
        threads = [threading.Thread(target=load) for _ in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        kill_by = time.monotonic() + LOAD_SECONDS / 2
        while answered < KILL_AFTER_SHARE * LOAD_MAX_POSTS and time.monotonic() < kill_by:
            time.sleep(0.01)
        first.kill()
        killed.set()
        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 30)
    finally:
        first.stop()
        second.stop()

    assert acknowledged_by_first_before_kill > 0 and refused_by_first_after_kill > 0  # killed mid-load
    stored = stored_cards(url)
    print(f"acknowledged {len(acknowledged)} (first instance before the kill {acknowledged_by_first_before_kill}), "
          f"refused by the killed instance {refused_by_first_after_kill}, stored {len(stored)}")
    assert acknowledged - stored == set()
    assert len(acknowledged) >= 20  # a load, even on a busy machine
