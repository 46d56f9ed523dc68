"""The JWT `jti` replay cache: every token is accepted once, by whichever instance sees it first.

Backends chosen by URL (CDS_REPLAY_CACHE_URL): `sqlite:///path` (default; shared by the worker
processes of one host) and `redis://host:port/db` (shared by every instance: `SET NX` with the
token's expiry). `MemoryReplayCache` serves one process (tests, and a verifier built in code).

When Redis cannot be reached, tokens are checked against a local SQLite cache instead, so hook calls
still answer during the outage: a token replayed to the same host is still refused, one replayed to
another host is not (counted in `cds_replay_cache_fallbacks_total`, logged, and /readyz names Redis).
Tokens live at most an hour and travel only over TLS; refusing every call while Redis is down would
withhold every card. A deployment that prefers refusing can stop routing traffic on /readyz.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cds_service import metrics
from cds_service.dependencies import OutageMemory, Unavailable, redact, scheme, sqlite_path

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

#: Seconds to connect to Redis and to wait for an answer: a hook call must not hang on it.
REDIS_TIMEOUT_SECONDS = 0.5


class ReplayCacheUnavailable(Unavailable):
    """The replay cache's server cannot be reached."""


class ReplayCache(Protocol):
    #: The backend's name as /readyz shows it: "memory", "sqlite" or "redis".
    backend: str

    def first_use(self, key: str, expires_at: float) -> bool:
        """Record `key` until `expires_at` (epoch seconds); False if it was already recorded."""
        ...

    def ping(self) -> None:
        """Raise ReplayCacheUnavailable when the shared backend cannot be reached now."""
        ...


@dataclass
class MemoryReplayCache:
    """In-process replay cache: enough for one process; entries are dropped once expired."""

    clock: Callable[[], float] = time.time
    backend: str = "memory"
    _seen: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_purge: float = 0.0

    def first_use(self, key: str, expires_at: float) -> bool:
        now = self.clock()
        with self._lock:
            if now >= self._next_purge:
                self._seen = {k: until for k, until in self._seen.items() if until > now}
                self._next_purge = now + 60
            until = self._seen.get(key)
            if until is not None and until > now:
                return False
            self._seen[key] = expires_at
            return True

    def ping(self) -> None:
        return None


class SqliteReplayCache:
    """Replay cache in a SQLite file, shared by the worker processes of one host (gunicorn runs
    several). Several hosts share `RedisReplayCache` instead.

    One connection per process (opened on first use, so a forked worker never shares its parent's),
    used under a lock; expired rows are purged at most once per PURGE_INTERVAL_SECONDS, not on every
    request (opening a connection and purging per request added 7-28 ms to every authenticated call).
    An expired row that is still there does not count as a replay: the insert replaces it."""

    PURGE_INTERVAL_SECONDS = 60.0
    backend = "sqlite"

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._next_purge = 0.0
        with self._lock:
            connection = self._connected()
            with connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS seen_jti (key TEXT PRIMARY KEY, expires_at REAL NOT NULL)"
                )

    def _connected(self) -> sqlite3.Connection:
        """This process's connection (call with the lock held)."""
        if self._connection is None or self._pid != os.getpid():
            self._connection = sqlite3.connect(self._path, timeout=5.0, check_same_thread=False)
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._pid = os.getpid()
        return self._connection

    def first_use(self, key: str, expires_at: float) -> bool:
        now = self._clock()
        with self._lock:
            connection = self._connected()
            with connection:
                if now >= self._next_purge:
                    connection.execute("DELETE FROM seen_jti WHERE expires_at <= ?", (now,))
                    self._next_purge = now + self.PURGE_INTERVAL_SECONDS
                recorded = connection.execute(
                    "INSERT INTO seen_jti (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                    "SET expires_at = excluded.expires_at WHERE seen_jti.expires_at <= ?",
                    (key, expires_at, now),
                ).rowcount
        return recorded == 1

    def ping(self) -> None:
        try:
            with self._lock:
                self._connected().execute("SELECT 1 FROM seen_jti LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise ReplayCacheUnavailable("replay cache (sqlite)", error) from error


class RedisReplayCache:
    """`SET <prefix><sha256(key)> 1 NX PXAT <expiry>` on a Redis shared by every instance: the first
    SET of a key wins, on any instance; Redis drops the key when the token has expired. Keys are
    hashed so a long or odd `jti` never shapes a Redis key. When Redis fails, `fallback` decides
    (see the module's docstring) and the outage is remembered for a few seconds so calls do not each
    wait for a timeout."""

    backend = "redis"
    PREFIX = "myositis-cds:jti:"

    def __init__(self, url: str, fallback: ReplayCache, *, clock: Callable[[], float] = time.time,
                 outage: OutageMemory | None = None) -> None:
        import redis  # only a deployment that names Redis needs it loaded

        self._redis_error: type[Exception] = redis.RedisError
        self._client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        self._url = redact(url)
        self._fallback = fallback
        self._clock = clock
        self._outage = outage or OutageMemory()

    def first_use(self, key: str, expires_at: float) -> bool:
        if not self._outage.recent():
            name = self.PREFIX + hashlib.sha256(key.encode()).hexdigest()
            expiry_ms = max(int(expires_at * 1000), int(self._clock() * 1000) + 1000)
            try:
                recorded = self._client.set(name, b"1", nx=True, pxat=expiry_ms)
            except self._redis_error as error:
                self._outage.failed()
                log.error("replay cache %s unreachable (%s): checking tokens against this host's cache only",
                          self._url, type(error).__name__)
            else:
                self._outage.recovered()
                return bool(recorded)
        metrics.REPLAY_CACHE_FALLBACKS.inc()
        return self._fallback.first_use(key, expires_at)

    def ping(self) -> None:
        try:
            self._client.ping()
        except self._redis_error as error:
            self._outage.failed()
            raise ReplayCacheUnavailable("replay cache (redis)", error) from error
        self._outage.recovered()


def open_replay_cache(url: str, local_fallback: str | Path) -> ReplayCache:
    """The backend `url` names; a Redis one falls back to a SQLite cache at `local_fallback`."""
    kind = scheme(url)
    if kind == "sqlite":
        return SqliteReplayCache(sqlite_path(url, create_directory=True))
    if kind in ("redis", "rediss"):
        return RedisReplayCache(url, SqliteReplayCache(local_fallback))
    raise ValueError(f"CDS_REPLAY_CACHE_URL must start with sqlite:///, redis:// or rediss://, got {redact(url)!r}")
