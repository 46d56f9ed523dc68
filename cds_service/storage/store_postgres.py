"""The shared store: PostgreSQL, for several instances behind a load balancer (README "Deployment").

psycopg 3 with a connection pool per process (psycopg_pool), opened on first use so a forked gunicorn
worker never shares its parent's sockets; every connection is checked when taken from the pool, so a
restarted server costs no failed request. The schema is created or migrated by numbered migrations
under an advisory lock (instances starting together migrate once); a server that is down at start-up
is migrated when it first answers. Feedback transactions force `synchronous_commit = on`: the answer
is sent only once the items are on the server's disk, whatever the server's default.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from cds_service.storage.dependencies import OutageMemory, redact
from cds_service.storage.store import (
    FeedbackRecord,
    IssuedCard,
    StoreRejected,
    StoreUnavailable,
    Unreadable,
    feedback_record,
    feedback_rows,
    issued_card,
    readable,
)
from cds_service.storage.store_findings import POSTGRES_MIGRATION, PostgresFindings

if TYPE_CHECKING:
    from psycopg import Connection

log = logging.getLogger(__name__)

DEPENDENCY = "feedback store (postgresql)"
#: Any bigint, the same in every instance: serialises migrations across instances.
MIGRATION_LOCK = 0x6D796F7369746973
#: Connections per worker process (gevent workers run many requests at once in one process); those above
#: the one kept open are closed after IDLE_CONNECTION_SECONDS unused, so a burst leaves no files open.
POOL_MAX_SIZE = 10
IDLE_CONNECTION_SECONDS = 60.0
#: Seconds to wait for a pooled connection (or a new one) before the store counts as unavailable: short
#: for the record of issued cards (its background writer keeps them and tries again), longer for feedback
#: and reads.
CARDS_TIMEOUT_SECONDS = 0.5
POOL_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 2
#: Seconds a transaction, and the pool's check of a connection it hands out, may take before the
#: connection's socket is cut (`cut_after`): a server that hangs (a stopped process, a network that drops
#: packets) must not hold a request for ever, nor, with load shedding, the worker's admission slots.
STATEMENT_SECONDS = 5.0
CHECK_SECONDS = 2.0
#: How long the pool retries one new connection (with growing pauses) before giving it up; the next
#: request then starts a fresh attempt. The library's default (5 minutes) let the pauses grow so long that
#: the store came back 18 s after a 40 s outage of the server.
RECONNECT_SECONDS = 5.0

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE issued_card (
    card_uuid text PRIMARY KEY,
    service_id text NOT NULL,
    recommendation_id text NOT NULL,
    hook_instance text NOT NULL,
    issued_at timestamptz NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX issued_card_issued_at ON issued_card (issued_at, seq);
CREATE TABLE feedback (
    digest text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    service_id text NOT NULL,
    card_uuid text NOT NULL,
    outcome text NOT NULL,
    outcome_timestamp text NOT NULL,
    item jsonb NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX feedback_card ON feedback (card_uuid);
CREATE INDEX feedback_service ON feedback (service_id, seq);
"""),
    (2, POSTGRES_MIGRATION),
)

T = TypeVar("T")

#: SQLSTATE classes of a server that cannot serve now (connection exception, insufficient resources,
#: operator intervention such as a shutdown, system error): an outage. Every other error is about the
#: statement or its values (a NUL, an index row too large: class 22 or 54) and says nothing of the server.
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the server is unreachable or unwell, rather than that it refused one statement."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, psycopg.OperationalError):
        return False
    sqlstate = error.sqlstate
    return sqlstate is None or sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES  # None: libpq's own connection failures


def migrate(connection: Connection[Any]) -> int:
    """Apply the migrations this database lacks; returns the schema version now in place."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        row = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        applied = row[0] if row else 0
        for version, script in MIGRATIONS:
            if version > applied:
                connection.execute(script.encode())
                connection.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                log.info("store schema migrated to version %d", version)
                applied = version
    if applied > MIGRATIONS[-1][0]:
        log.warning("store schema version %d is newer than this release knows (%d): an older instance during "
                    "a rolling upgrade or rollback; migrations only add, so it carries on", applied, MIGRATIONS[-1][0])
    return applied


def _shut_down(fd: int) -> None:
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed meanwhile


@contextmanager
def cut_after(connection: Connection[Any], seconds: float) -> Iterator[None]:
    """Shut the connection's socket down if the block takes longer than `seconds`: libpq then fails the
    statement (OperationalError, an outage) and the pool discards the connection. A timer thread (a
    greenlet under gevent workers, where psycopg's waits are cooperative) does it; PostgreSQL's own
    statement_timeout cannot, as a hung server does not run it."""
    timer = threading.Timer(seconds, _shut_down, (connection.pgconn.socket,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def check_connection(connection: Connection[Any]) -> None:
    """The pool's check of a connection before it is handed out (a restarted server costs no failed
    request), bounded in time."""
    with cut_after(connection, CHECK_SECONDS):
        ConnectionPool.check_connection(connection)


class PostgresStore(PostgresFindings):
    backend = "postgresql"

    def __init__(self, url: str, *, outage: OutageMemory | None = None) -> None:
        self._url = url
        self._outage = outage or OutageMemory()
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        self._pid = 0
        self._migrated = False
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as connection:
                migrate(connection)
            self._migrated = True
        except psycopg.OperationalError as error:
            # libpq's connection messages name host, port, user and database (never the password): they tell
            # an unreachable server from a refused login or a missing database.
            log.error("%s not reachable at start-up (%s): the schema is migrated when it answers", redact(url),
                      " ".join(str(error).split()))

    def _pool_of_this_process(self) -> ConnectionPool[Any]:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ConnectionPool(
                    self._url, min_size=1, max_size=POOL_MAX_SIZE, timeout=POOL_TIMEOUT_SECONDS,
                    kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "myositis-cds"},
                    check=check_connection, name="myositis-cds-store", open=True,
                    reconnect_timeout=RECONNECT_SECONDS, max_idle=IDLE_CONNECTION_SECONDS,
                )
                # Closed while the process can still run its threads (or greenlets, under gevent workers): left
                # to the garbage collector at exit, the pool's worker shutdown raised in every gevent worker.
                atexit.register(self._pool.close)
                self._pid = os.getpid()
            return self._pool

    @contextmanager
    def _connection(self, timeout: float = POOL_TIMEOUT_SECONDS) -> Iterator[Connection[Any]]:
        try:
            with self._pool_of_this_process().connection(timeout=timeout) as connection:
                if not self._migrated:
                    with cut_after(connection, STATEMENT_SECONDS):
                        migrate(connection)
                    self._migrated = True
                yield connection
        except (psycopg.Error, PoolTimeout) as error:
            if not is_outage(error):
                raise StoreRejected(f"{DEPENDENCY} refused the values: {type(error).__name__}") from error
            self._outage.failed()
            raise StoreUnavailable(DEPENDENCY, error) from error
        self._outage.recovered()

    def _run(self, work: Callable[[Connection[Any]], T], timeout: float = POOL_TIMEOUT_SECONDS) -> T:
        """`work` in one transaction, committed before this returns; fails at once while an outage is fresh."""
        if self._outage.recent():
            raise StoreUnavailable(DEPENDENCY, "recent outage")
        with self._connection(timeout) as connection, cut_after(connection, STATEMENT_SECONDS), \
                connection.transaction():
            return work(connection)

    def record_cards(self, cards: Iterable[IssuedCard]) -> None:
        rows = [(c.card_uuid, c.service_id, c.recommendation_id, c.hook_instance, c.issued_at) for c in cards]
        if not rows:
            return

        def insert(connection: Connection[Any]) -> None:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO issued_card (card_uuid, service_id, recommendation_id, hook_instance, issued_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (card_uuid) DO NOTHING", rows)

        self._run(insert, CARDS_TIMEOUT_SECONDS)

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        rows = feedback_rows(service_id, items)

        def insert(connection: Connection[Any]) -> int:
            connection.execute("SET LOCAL synchronous_commit = on")
            new = 0
            for row in rows:
                new += connection.execute(
                    "INSERT INTO feedback (digest, service_id, card_uuid, outcome, outcome_timestamp, item, "
                    "received_at) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (digest) DO NOTHING",
                    (row.digest, row.service_id, row.card_uuid, row.outcome, row.outcome_timestamp,
                     row.canonical_item, received_at),
                ).rowcount
            return new

        return self._run(insert)

    def feedback(self, service_id: str | None = None, unreadable: Unreadable | None = None) -> list[FeedbackRecord]:
        query = (
            "SELECT f.service_id, f.card_uuid, f.outcome, f.outcome_timestamp, f.item, c.recommendation_id, "
            "f.received_at FROM feedback f LEFT JOIN issued_card c ON c.card_uuid = f.card_uuid "
            "WHERE %(service)s::text IS NULL OR f.service_id = %(service)s ORDER BY f.seq"
        )
        rows = self._run(lambda connection: connection.execute(query, {"service": service_id}).fetchall())
        return readable(rows, feedback_record, "feedback", unreadable)

    def issued_cards(self, since: datetime | None = None, unreadable: Unreadable | None = None) -> list[IssuedCard]:
        query = (
            "SELECT card_uuid, service_id, recommendation_id, hook_instance, issued_at FROM issued_card "
            "WHERE %(since)s::timestamptz IS NULL OR issued_at >= %(since)s ORDER BY issued_at, seq"
        )
        rows = self._run(lambda connection: connection.execute(query, {"since": since}).fetchall())
        return readable(rows, issued_card, "issued_card", unreadable)

    def ping(self) -> None:
        with self._connection() as connection, cut_after(connection, STATEMENT_SECONDS):
            connection.execute("SELECT 1 FROM feedback LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None
