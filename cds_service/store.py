"""Durable record of issued cards and the feedback clinicians give on them.

`Store` is the small interface the HTTP layer uses; `SqliteStore` is the embedded default (one
file, WAL journal, a connection per operation so it is safe across threads and forked gunicorn
workers). Another backend (e.g. PostgreSQL) implements the same four methods.

Issued cards hold no patient identifiers: card uuid, service, recommendation id, hookInstance
and time, enough to join feedback to the recommendation that produced the card. Feedback items are
kept as received (deduplicated on their canonical JSON: clients may resend the same feedback).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class IssuedCard:
    card_uuid: str
    service_id: str
    recommendation_id: str
    hook_instance: str
    issued_at: datetime


@dataclass(frozen=True)
class FeedbackRecord:
    service_id: str
    card_uuid: str
    outcome: str
    outcome_timestamp: str
    item: Mapping[str, Any]
    #: The recommendation behind the card, when the card was issued by this service.
    recommendation_id: str | None
    #: When the service received (and stored) the item.
    received_at: datetime | None = None


class Store(Protocol):
    def record_cards(self, cards: Iterable[IssuedCard]) -> None: ...

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        """Store feedback items idempotently; returns how many were new."""
        ...

    def feedback(self, service_id: str | None = None) -> list[FeedbackRecord]: ...

    def issued_cards(self, since: datetime | None = None) -> list[IssuedCard]:
        """Cards issued at or after `since` (all when None), oldest first."""
        ...

    def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...


_SCHEMA = """
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
"""


def _canonical(item: Mapping[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SqliteStore:
    """SQLite in WAL mode. One connection per process and thread, opened on first use (so a
    gunicorn worker never inherits its parent's connection); opening one per request cost more than
    the request's own work. Issued cards are written with synchronous=NORMAL (safe against a crash of
    the service); feedback with synchronous=FULL (safe against a crash of the machine)."""

    def __init__(self, path: Path | str, *, timeout_seconds: float = 5.0) -> None:
        self._path = str(path)
        self._timeout = timeout_seconds
        self._local = threading.local()
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self._path, timeout=self._timeout)
            connection.execute("PRAGMA synchronous=NORMAL")
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    @contextmanager
    def _connect(self, *, synchronous: str = "NORMAL") -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        if synchronous != "NORMAL":
            connection.execute(f"PRAGMA synchronous={synchronous}")
        try:
            with connection:  # one transaction: commit on success, roll back on error
                yield connection
        finally:
            if synchronous != "NORMAL":
                connection.execute("PRAGMA synchronous=NORMAL")

    def record_cards(self, cards: Iterable[IssuedCard]) -> None:
        rows = [
            (c.card_uuid, c.service_id, c.recommendation_id, c.hook_instance, c.issued_at.isoformat()) for c in cards
        ]
        if not rows:
            return
        with self._connect() as connection:
            connection.executemany("INSERT OR IGNORE INTO issued_card VALUES (?, ?, ?, ?, ?)", rows)

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        rows = []
        for item in items:
            canonical = _canonical(item)
            digest = hashlib.sha256(f"{service_id}\n{canonical}".encode()).hexdigest()
            rows.append(
                (digest, service_id, item["card"], item["outcome"], item["outcomeTimestamp"], canonical,
                 received_at.isoformat())
            )
        with self._connect(synchronous="FULL") as connection:
            before = connection.total_changes
            connection.executemany("INSERT OR IGNORE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            return connection.total_changes - before

    def feedback(self, service_id: str | None = None) -> list[FeedbackRecord]:
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
        return [
            FeedbackRecord(s, card, outcome, ts, json.loads(item), rec, datetime.fromisoformat(received))
            for s, card, outcome, ts, item, rec, received in rows
        ]

    def issued_cards(self, since: datetime | None = None) -> list[IssuedCard]:
        query = "SELECT card_uuid, service_id, recommendation_id, hook_instance, issued_at FROM issued_card"
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY issued_at, rowid").fetchall()
        cards = [IssuedCard(uuid, service, rec, hook_instance, datetime.fromisoformat(issued))
                 for uuid, service, rec, hook_instance, issued in rows]
        return cards if since is None else [card for card in cards if card.issued_at >= since]

    def ping(self) -> None:
        with self._connect() as connection:
            connection.execute("SELECT 1 FROM feedback LIMIT 1").fetchall()
