"""Real PostgreSQL and Redis servers for the tests of the shared backends, started once per test
session (tests/servers/local.py) and stopped at its end; each test gets a fresh database or an
emptied Redis."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import redis

from cds_service.security.replay_cache import RedisReplayCache, SqliteReplayCache
from cds_service.storage.store import Store
from cds_service.storage.store_factory import open_store
from tests.servers.local import PostgresServer, RedisServer, missing_servers

ServerT = TypeVar("ServerT", PostgresServer, RedisServer)


def _require(package: str) -> None:
    if package in missing_servers():
        message = f"{package} is not installed (tests/servers/install.sh installs it, as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence is a defect, not a reason to skip
        pytest.skip(message)


@contextmanager
def _running(make: Callable[[Path], ServerT], prefix: str) -> Iterator[ServerT]:
    """A server in a directory of its own (not under pytest's root-only one: PostgreSQL runs as another
    user), stopped and removed at the end."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    server = make(base)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    _require("postgresql")
    with _running(PostgresServer, "myositis-cds-pg-") as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    _require("redis-server")
    with _running(RedisServer, "myositis-cds-redis-") as server:
        yield server


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
