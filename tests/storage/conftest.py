"""Real PostgreSQL and Redis servers for the tests of the shared backends, started once per test
session (tests/servers/local.py) and stopped at its end; each test gets a fresh database or an
emptied Redis."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from cds_service.replay_cache import RedisReplayCache, SqliteReplayCache
from cds_service.store import Store, open_store
from tests.servers.local import PostgresServer, RedisServer, missing_servers


def _require(package: str) -> None:
    if package in missing_servers():
        message = f"{package} is not installed (tests/servers/install.sh installs it, as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence is a defect, not a reason to skip
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    _require("postgresql")
    base = Path(tempfile.mkdtemp(prefix="myositis-cds-pg-"))  # not under pytest's root-only directory
    server = PostgresServer(base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    _require("redis-server")
    base = Path(tempfile.mkdtemp(prefix="myositis-cds-redis-"))
    server = RedisServer(base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    with redis.Redis.from_url(redis_server.url()) as client:
        client.flushdb()
    return redis_server.url()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend's URL, empty: the backend-independent suite runs once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/cds.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def open_url() -> Iterator[Callable[[str], Store]]:
    """Open stores (another instance on the same URL); each is closed after the test."""
    opened: list[Store] = []

    def open_(url: str) -> Store:
        opened.append(open_store(url))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(store_url: str, open_url: Callable[[str], Store]) -> Store:
    return open_url(store_url)


@pytest.fixture
def redis_cache(redis_url: str, tmp_path: Path) -> RedisReplayCache:
    return RedisReplayCache(redis_url, SqliteReplayCache(tmp_path / "local-replay.sqlite3"))
