"""What every replay cache does (in memory, SQLite, Redis), and what is particular to each."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY

from cds_service.config import Settings
from cds_service.security import replay_cache
from cds_service.security.replay_cache import (
    MemoryReplayCache,
    RedisReplayCache,
    ReplayCacheUnavailable,
    SqliteReplayCache,
    open_replay_cache,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Backend:
    """A cache and how to let time pass for it: a fake clock, or real time for Redis's own expiry."""

    def __init__(self, make: Any, real_time: bool = False) -> None:
        self.clock = FakeClock()
        self.cache = make(self.clock)
        self.real_time = real_time

    def now(self) -> float:
        return time.time() if self.real_time else self.clock.now

    def wait(self, seconds: float) -> None:
        if self.real_time:
            time.sleep(seconds)
        else:
            self.clock.now += seconds


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "memory":
        return Backend(lambda clock: MemoryReplayCache(clock=clock))
    if request.param == "sqlite":
        return Backend(lambda clock: SqliteReplayCache(tmp_path / "replay.sqlite3", clock=clock))
    return Backend(lambda _clock: request.getfixturevalue("redis_cache"), real_time=True)


def test_a_jti_is_accepted_once(backend):
    cache, expiry = backend.cache, backend.now() + 300
    assert cache.first_use("iss jti-1", expires_at=expiry)
    assert not cache.first_use("iss jti-1", expires_at=expiry)
    assert cache.first_use("iss jti-2", expires_at=expiry)


def test_a_jti_is_forgotten_once_its_token_has_expired(backend):
    cache = backend.cache
    assert cache.first_use("iss jti-1", expires_at=backend.now() + 1.0)
    backend.wait(1.2)
    assert cache.first_use("iss jti-1", expires_at=backend.now() + 300)


def test_the_same_jti_of_another_issuer_is_another_token(backend):
    assert backend.cache.first_use("iss-a jti-1", expires_at=backend.now() + 300)
    assert backend.cache.first_use("iss-b jti-1", expires_at=backend.now() + 300)


def test_ping_answers_when_the_cache_is_reachable(backend):
    backend.cache.ping()


# --- SQLite: shared by the workers of one host ----------------------------------------------
def test_sqlite_replay_cache_is_shared_by_processes_using_the_same_file(tmp_path: Path) -> None:
    clock = FakeClock()
    worker_1 = SqliteReplayCache(tmp_path / "replay.sqlite3", clock=clock)
    worker_2 = SqliteReplayCache(tmp_path / "replay.sqlite3", clock=clock)

    assert worker_1.first_use("iss jti-1", expires_at=clock.now + 300)
    assert not worker_2.first_use("iss jti-1", expires_at=clock.now + 300)


def test_sqlite_replay_cache_accepts_an_expired_jti_again_before_the_periodic_purge(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = SqliteReplayCache(tmp_path / "replay.sqlite3", clock=clock)

    assert cache.first_use("iss jti-1", expires_at=clock.now + 10)
    clock.now += 20  # expired, but the purge runs only once a minute
    assert cache.first_use("iss jti-1", expires_at=clock.now + 10)
    assert not cache.first_use("iss jti-1", expires_at=clock.now + 10)


# --- Redis: shared by every instance --------------------------------------------------------
def test_redis_replay_cache_is_shared_by_instances_using_the_same_server(redis_url: str, tmp_path: Path) -> None:
    instance_1 = RedisReplayCache(redis_url, SqliteReplayCache(tmp_path / "host-1.sqlite3"))
    instance_2 = RedisReplayCache(redis_url, SqliteReplayCache(tmp_path / "host-2.sqlite3"))

    assert instance_1.first_use("iss jti-1", expires_at=time.time() + 300)
    assert not instance_2.first_use("iss jti-1", expires_at=time.time() + 300)


def test_redis_keys_are_hashed_and_expire_with_the_token(redis_url: str, redis_cache: RedisReplayCache) -> None:
    redis_cache.first_use("https://ehr.example.org " + "x" * 500, expires_at=time.time() + 300)
    with redis.Redis.from_url(redis_url) as client:
        [key] = client.keys("*")
        assert key.startswith(b"myositis-cds:jti:") and len(key) == len("myositis-cds:jti:") + 64
        assert 295 <= client.ttl(key) <= 300


def fallbacks() -> float:
    return REGISTRY.get_sample_value("cds_replay_cache_fallbacks_total") or 0.0


def test_when_redis_is_unreachable_tokens_are_checked_against_this_hosts_cache(tmp_path: Path) -> None:
    cache = RedisReplayCache("redis://127.0.0.1:1/0", SqliteReplayCache(tmp_path / "local.sqlite3"))
    before = fallbacks()

    assert cache.first_use("iss jti-1", expires_at=time.time() + 300)
    assert not cache.first_use("iss jti-1", expires_at=time.time() + 300)
    assert fallbacks() == before + 2


def test_sqlite_replay_cache_keeps_one_connection_and_purges_periodically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    cache = SqliteReplayCache(tmp_path / "replay.sqlite3", clock=clock)
    opened: list[object] = []
    real_connect = replay_cache.sqlite3.connect
    monkeypatch.setattr(replay_cache.sqlite3, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))
    statements: list[str] = []
    cache._connected().set_trace_callback(statements.append)

    for n in range(50):
        assert cache.first_use(f"iss jti-{n}", expires_at=clock.now + 300)
        clock.now += 1

    assert opened == []
    assert sum(statement.startswith("DELETE") for statement in statements) == 1


def test_when_redis_is_unreachable_and_the_cache_fails_closed_tokens_are_refused(tmp_path: Path) -> None:
    cache = open_replay_cache("redis://127.0.0.1:1/0", tmp_path / "local.sqlite3")  # the default: closed
    with pytest.raises(ReplayCacheUnavailable):
        cache.first_use("iss jti-1", expires_at=time.time() + 300)


def test_the_replay_cache_failure_policy_is_closed_or_open() -> None:
    assert Settings.from_env({}).replay_cache_failure == "closed"
    assert Settings.from_env({"CDS_REPLAY_CACHE_FAILURE": "OPEN"}).replay_cache_failure == "open"
    with pytest.raises(ValueError, match="CDS_REPLAY_CACHE_FAILURE"):
        Settings.from_env({"CDS_REPLAY_CACHE_FAILURE": "sometimes"})
