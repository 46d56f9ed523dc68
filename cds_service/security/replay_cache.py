"""The JWT `jti` replay cache: every token is accepted once, by whichever instance sees it first.

Backends chosen by URL (CDS_REPLAY_CACHE_URL): `sqlite:///path` (default; shared by the worker
processes of one host) and `redis://host:port/db` (shared by every instance: `SET NX` with the
token's expiry). `MemoryReplayCache` serves one process (tests, and a verifier built in code).

When Redis cannot answer, what happens is the operator's choice (CDS_REPLAY_CACHE_FAILURE):
- `closed` (the default): the token cannot be checked, so it is refused: `ReplayCacheUnavailable`,
  which the HTTP layer answers with 503 and Retry-After (the token is not invalid, and was not used: the
  client may send it again once Redis is back), counted in `cds_replay_cache_refusals_total`;
- `open`: the token is checked against this host's SQLite cache instead (`cds_replay_cache_fallbacks_total`),
  which also holds every token this host accepted while Redis was up, so a replay to this host is refused
  during the outage; a replay to another host is not detected until Redis returns (the documented risk).
  The tokens accepted during the outage are written to Redis when it answers again
  (`cds_replay_cache_resynced_total`), so a replay to any instance is refused from then on.
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
from cds_service.storage.dependencies import OutageMemory, Unavailable, redact, scheme, sqlite_path

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

#: Seconds to connect to Redis and to wait for an answer: a hook call must not hang on it.
REDIS_TIMEOUT_SECONDS = 0.5
#: Tokens written back to Redis per round trip when it returns.
RESYNC_BATCH = 500


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
                connection.execute(  # tokens accepted here while the shared cache was unreachable
                    "CREATE TABLE IF NOT EXISTS unsynced_jti (key TEXT PRIMARY KEY, expires_at REAL NOT NULL)"
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

    def mark_unsynced(self, key: str, expires_at: float) -> None:
        """Remember that `key` was accepted here without the shared cache knowing it."""
        with self._lock, self._connected() as connection:
            connection.execute("INSERT OR REPLACE INTO unsynced_jti (key, expires_at) VALUES (?, ?)", (key, expires_at))

    def unsynced(self, limit: int) -> list[tuple[str, float]]:
        """Up to `limit` unexpired keys accepted here while the shared cache was unreachable."""
        now = self._clock()
        with self._lock, self._connected() as connection:
            connection.execute("DELETE FROM unsynced_jti WHERE expires_at <= ?", (now,))
            return connection.execute("SELECT key, expires_at FROM unsynced_jti LIMIT ?", (limit,)).fetchall()

    def synced(self, keys: list[str]) -> None:
        with self._lock, self._connected() as connection:
            connection.executemany("DELETE FROM unsynced_jti WHERE key = ?", [(key,) for key in keys])

    def ping(self) -> None:
        try:
            with self._lock:
                self._connected().execute("SELECT 1 FROM seen_jti LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise ReplayCacheUnavailable("replay cache (sqlite)", error) from error


class RedisReplayCache:
    """`SET <prefix><sha256(key)> 1 NX PXAT <expiry>` on a Redis shared by every instance: the first
    SET of a key wins, on any instance; Redis drops the key when the token has expired. Keys are
    hashed so a long or odd `jti` never shapes a Redis key. When Redis fails, the outage is remembered
    for a few seconds so calls do not each wait for a timeout, and the token is refused (`local` is
    None: fail closed) or checked against `local` (fail open; see the module's docstring)."""

    backend = "redis"
    PREFIX = "myositis-cds:jti:"

    def __init__(self, url: str, local: SqliteReplayCache | None = None, *, clock: Callable[[], float] = time.time,
                 outage: OutageMemory | None = None) -> None:
        import redis  # only a deployment that names Redis needs it loaded

        self._redis_error: type[Exception] = redis.RedisError
        self._client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        self._url = redact(url)
        self._local = local
        self._clock = clock
        self._outage = outage or OutageMemory()
        #: True until this process has written back what this host accepted during an outage (at start-up
        #: too: a worker that died during the outage may have left tokens behind).
        self._resync_due = local is not None

    def _name(self, key: str) -> str:
        return self.PREFIX + hashlib.sha256(key.encode()).hexdigest()

    def _expiry_ms(self, expires_at: float) -> int:
        return max(int(expires_at * 1000), int(self._clock() * 1000) + 1000)

    def first_use(self, key: str, expires_at: float) -> bool:
        if not self._outage.recent():
            try:
                recorded = bool(self._client.set(self._name(key), b"1", nx=True, pxat=self._expiry_ms(expires_at)))
            except self._redis_error as error:
                self._unreachable(error)
            else:
                self._outage.recovered()
                if recorded and self._local is not None:  # so a replay to this host is refused during an outage
                    self._local.first_use(key, expires_at)
                if self._resync_due:
                    self._resync()
                return recorded
        if self._local is None:
            metrics.REPLAY_CACHE_REFUSALS.inc()
            raise ReplayCacheUnavailable("replay cache (redis)", "unreachable, and CDS_REPLAY_CACHE_FAILURE=closed")
        metrics.REPLAY_CACHE_FALLBACKS.inc()
        first = self._local.first_use(key, expires_at)
        if first:
            self._local.mark_unsynced(key, expires_at)
        return first

    def _unreachable(self, error: Exception) -> None:
        self._outage.failed()
        self._resync_due = self._local is not None
        action = "checking tokens against this host's cache only" if self._local else "refusing tokens (fail closed)"
        log.error("replay cache %s unreachable (%s): %s", self._url, type(error).__name__, action)

    def _resync(self) -> None:
        """Write the tokens this host accepted during the outage to Redis; a token some other instance had
        already written was accepted twice during the outage, which is logged."""
        assert self._local is not None
        while batch := self._local.unsynced(RESYNC_BATCH):
            try:
                with self._client.pipeline(transaction=False) as pipeline:
                    for key, expires_at in batch:
                        pipeline.set(self._name(key), b"1", nx=True, pxat=self._expiry_ms(expires_at))
                    written = pipeline.execute()
            except self._redis_error as error:  # tried again on the next call that reaches Redis
                log.error("replay cache %s: writing back the tokens of the outage failed (%s)", self._url,
                          type(error).__name__)
                return
            self._local.synced([key for key, _ in batch])
            new = sum(1 for result in written if result)
            metrics.REPLAY_CACHE_RESYNCED.labels("written").inc(new)
            if len(batch) - new:
                metrics.REPLAY_CACHE_RESYNCED.labels("already-used").inc(len(batch) - new)
                log.warning("replay cache: %d tokens accepted by this host during the Redis outage had also been "
                            "used elsewhere", len(batch) - new)
        self._resync_due = False

    def ping(self) -> None:
        try:
            self._client.ping()
        except self._redis_error as error:
            self._unreachable(error)
            raise ReplayCacheUnavailable("replay cache (redis)", error) from error
        self._outage.recovered()
        if self._resync_due:
            self._resync()


def open_replay_cache(url: str, local_fallback: str | Path, failure: str = "closed") -> ReplayCache:
    """The backend `url` names; a Redis one, when it cannot answer, refuses tokens (`failure` "closed") or
    checks them against a SQLite cache at `local_fallback` ("open")."""
    kind = scheme(url)
    if kind == "sqlite":
        return SqliteReplayCache(sqlite_path(url, create_directory=True))
    if kind in ("redis", "rediss"):
        return RedisReplayCache(url, SqliteReplayCache(local_fallback) if failure == "open" else None)
    raise ValueError(f"CDS_REPLAY_CACHE_URL must start with sqlite:///, redis:// or rediss://, got {redact(url)!r}")
