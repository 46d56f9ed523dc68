"""The embedded store: one SQLite file, shared by the worker processes of one host (README
"Deployment" for several hosts)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

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
from cds_service.storage.store_findings import SQLITE_MIGRATION, SqliteFindings

#: Numbered migrations; `PRAGMA user_version` holds the last one applied. Files written before
#: migrations were numbered hold version 0 with the tables of migration 1 (hence IF NOT EXISTS).
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE IF NOT EXISTS issued_card (
    card_uuid TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    recommendation_id TEXT NOT NULL,
    hook_instance TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    digest TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    card_uuid TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_timestamp TEXT NOT NULL,
    item TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_card ON feedback (card_uuid);
"""),
    (2, SQLITE_MIGRATION),
)


class SqliteStore(SqliteFindings):
    """SQLite in WAL mode. One connection per process, opened on first use (so a gunicorn worker never
    inherits its parent's connection) and used under a lock; opening one per request cost more than
    the request's own work, and one per thread meant one per request greenlet under gevent (186 open
    files after 100 concurrent calls, closed only by the garbage collector). Issued cards are written with synchronous=NORMAL (safe against a crash of
    the service); feedback with synchronous=FULL (safe against a crash of the machine)."""

    backend = "sqlite"

    def __init__(self, path: Path | str, *, timeout_seconds: float = 5.0) -> None:
        self._path = str(path)
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        try:  # migrated on a connection of its own, closed at once: a forked worker inherits none
            with closing(self._open()) as connection, connection:
                connection.execute("PRAGMA journal_mode=WAL")
                self._migrate(connection)
        except sqlite3.OperationalError as error:
            raise StoreUnavailable("feedback store (sqlite)", error) from error

    @staticmethod
    def _migrate(connection: sqlite3.Connection) -> None:
        applied = connection.execute("PRAGMA user_version").fetchone()[0]
        for version, script in MIGRATIONS:
            if version > applied:
                for statement in filter(str.strip, script.split(";")):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={version:d}")

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=self._timeout, check_same_thread=False)
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _connected(self) -> sqlite3.Connection:
        """This process's one connection (call with the lock held)."""
        if self._connection is None or self._pid != os.getpid():
            self._connection, self._pid = self._open(), os.getpid()
        return self._connection

    @contextmanager
    def _connect(self, *, synchronous: str = "NORMAL") -> Iterator[sqlite3.Connection]:
        """This process's connection, for one transaction at a time (SQLite writes one at a time anyway; under
        gevent a query never yields, so the lock costs no concurrency)."""
        try:
            with self._lock:
                connection = self._connected()
                if synchronous != "NORMAL":
                    connection.execute(f"PRAGMA synchronous={synchronous}")
                try:
                    with connection:  # one transaction: commit on success, roll back on error
                        yield connection
                finally:
                    if synchronous != "NORMAL":
                        connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError as error:  # locked too long, unreadable, disk full or gone
            raise StoreUnavailable("feedback store (sqlite)", error) from error
        except (sqlite3.DataError, sqlite3.IntegrityError) as error:  # the values, not the file: e.g. too big
            raise StoreRejected(f"feedback store (sqlite) refused the values: {type(error).__name__}") from error

    def record_cards(self, cards: Iterable[IssuedCard]) -> None:
        rows = [
            (c.card_uuid, c.service_id, c.recommendation_id, c.hook_instance, c.issued_at.isoformat()) for c in cards
        ]
        if not rows:
            return
        with self._connect() as connection:
            connection.executemany("INSERT OR IGNORE INTO issued_card VALUES (?, ?, ?, ?, ?)", rows)

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        rows = [(row.digest, row.service_id, row.card_uuid, row.outcome, row.outcome_timestamp, row.canonical_item,
                 received_at.isoformat()) for row in feedback_rows(service_id, items)]
        with self._connect(synchronous="FULL") as connection:
            before = connection.total_changes
            connection.executemany("INSERT OR IGNORE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            return connection.total_changes - before

    def feedback(self, service_id: str | None = None, unreadable: Unreadable | None = None) -> list[FeedbackRecord]:
        query = (
            "SELECT f.service_id, f.card_uuid, f.outcome, f.outcome_timestamp, f.item, c.recommendation_id, "
            "f.received_at "
            "FROM feedback f LEFT JOIN issued_card c ON c.card_uuid = f.card_uuid"
        )
        parameters: tuple[str, ...] = ()
        if service_id is not None:
            query += " WHERE f.service_id = ?"
            parameters = (service_id,)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY f.rowid", parameters).fetchall()
        return readable(rows, feedback_record, "feedback", unreadable)

    def issued_cards(self, since: datetime | None = None, unreadable: Unreadable | None = None) -> list[IssuedCard]:
        query = "SELECT card_uuid, service_id, recommendation_id, hook_instance, issued_at FROM issued_card"
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY issued_at, rowid").fetchall()
        cards = readable(rows, issued_card, "issued_card", unreadable)
        return cards if since is None else [card for card in cards if card.issued_at >= since]

    def ping(self) -> None:
        with self._connect() as connection:
            connection.execute("SELECT 1 FROM feedback LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection, self._pid = None, 0
