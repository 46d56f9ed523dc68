"""Findings per card and snoozes, in the same store as the issued cards (both backends).

A card may hold several findings (the care-plan card holds every information-level gap). Each is recorded with
the uuids of the suggestions that close it, so feedback is counted per finding, and with the patient's keyed hash
(`cds_service.storage.snooze.patient_key`: an HMAC, never the patient id), so an override can snooze the same finding for
the same patient on every instance that shares the store. A finding a snooze hid is recorded with no card.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from cds_service.storage.store import FeedbackRecord, IssuedFinding, Snooze

SQLITE_MIGRATION = """
CREATE TABLE IF NOT EXISTS issued_finding (
    card_uuid TEXT,
    service_id TEXT NOT NULL,
    recommendation_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    suggestion_uuids TEXT NOT NULL,
    snoozable INTEGER NOT NULL,
    patient_key TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issued_finding_card ON issued_finding (card_uuid);
CREATE TABLE IF NOT EXISTS snooze (
    patient_key TEXT NOT NULL,
    recommendation_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    reason TEXT NOT NULL,
    until TEXT NOT NULL,
    card_uuid TEXT NOT NULL,
    PRIMARY KEY (patient_key, recommendation_id)
)
"""

POSTGRES_MIGRATION = """
CREATE TABLE issued_finding (
    card_uuid text,
    service_id text NOT NULL,
    recommendation_id text NOT NULL,
    indicator text NOT NULL,
    suggestion_uuids jsonb NOT NULL,
    snoozable boolean NOT NULL,
    patient_key text NOT NULL,
    issued_at timestamptz NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX issued_finding_card ON issued_finding (card_uuid);
CREATE INDEX issued_finding_issued_at ON issued_finding (issued_at, seq);
CREATE TABLE snooze (
    patient_key text NOT NULL,
    recommendation_id text NOT NULL,
    indicator text NOT NULL,
    reason text NOT NULL,
    until timestamptz NOT NULL,
    card_uuid text NOT NULL,
    PRIMARY KEY (patient_key, recommendation_id)
);
"""

_FINDING_COLUMNS = ("card_uuid, service_id, recommendation_id, indicator, suggestion_uuids, snoozable, patient_key, "
                    "issued_at")
_SNOOZE_COLUMNS = "patient_key, recommendation_id, indicator, reason, until, card_uuid"


def _utc(moment: datetime | str) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(timezone.utc)


def _finding(row: tuple[Any, ...]) -> IssuedFinding:
    card, service, rec, indicator, uuids, snoozable, key, issued = row
    uuids = json.loads(uuids) if isinstance(uuids, str) else uuids
    return IssuedFinding(card, service, rec, indicator, tuple(uuids), bool(snoozable), key, _utc(issued))


def sqlite_snooze_query(patient_key: str | None) -> tuple[str, tuple[str, ...]]:
    """The SQLite read of one patient's snoozes (every patient's with None). One patient's read is on every hook
    call: it goes by the primary key, never scans every patient's snoozes."""
    if patient_key is None:
        return f"SELECT {_SNOOZE_COLUMNS} FROM snooze", ()
    return f"SELECT {_SNOOZE_COLUMNS} FROM snooze WHERE patient_key = ?", (patient_key,)


def _snooze(row: tuple[Any, ...]) -> Snooze:
    key, rec, indicator, reason, until, card = row
    return Snooze(key, rec, indicator, reason, _utc(until), card)


class SqliteFindings:
    """The methods for `SqliteStore` (`self._connect()` is its transaction)."""

    def record_findings(self, findings: Iterable[IssuedFinding]) -> None:
        rows = [(f.card_uuid, f.service_id, f.recommendation_id, f.indicator, json.dumps(list(f.suggestion_uuids)),
                 int(f.snoozable), f.patient_key, f.issued_at.isoformat()) for f in findings]
        if rows:
            with self._connect() as connection:  # type: ignore[attr-defined]
                connection.executemany(f"INSERT INTO issued_finding ({_FINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                       rows)

    def card_findings(self, card_uuid: str) -> list[IssuedFinding]:
        with self._connect() as connection:  # type: ignore[attr-defined]
            rows = connection.execute(f"SELECT {_FINDING_COLUMNS} FROM issued_finding WHERE card_uuid = ? "
                                      "ORDER BY rowid", (card_uuid,)).fetchall()
        return [_finding(row) for row in rows]

    def issued_findings(self, since: datetime | None = None) -> list[IssuedFinding]:
        with self._connect() as connection:  # type: ignore[attr-defined]
            rows = connection.execute(f"SELECT {_FINDING_COLUMNS} FROM issued_finding ORDER BY rowid").fetchall()
        findings = [_finding(row) for row in rows]
        return findings if since is None else [f for f in findings if f.issued_at >= since]

    def card_feedback(self, card_uuid: str) -> list[FeedbackRecord]:
        with self._connect() as connection:  # type: ignore[attr-defined]
            rows = connection.execute("SELECT service_id, card_uuid, outcome, outcome_timestamp, item, received_at "
                                      "FROM feedback WHERE card_uuid = ? ORDER BY rowid", (card_uuid,)).fetchall()
        return [FeedbackRecord(s, card, outcome, ts, json.loads(item), None, _utc(received))
                for s, card, outcome, ts, item, received in rows]

    def add_snoozes(self, snoozes: Iterable[Snooze]) -> None:
        rows = [(s.patient_key, s.recommendation_id, s.indicator, s.reason, s.until.isoformat(), s.card_uuid)
                for s in snoozes]
        if rows:
            with self._connect(synchronous="FULL") as connection:  # type: ignore[attr-defined]
                connection.executemany(
                    f"INSERT INTO snooze ({_SNOOZE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (patient_key, recommendation_id) DO UPDATE SET indicator = excluded.indicator, "
                    "reason = excluded.reason, until = excluded.until, card_uuid = excluded.card_uuid "
                    "WHERE excluded.until > snooze.until", rows)

    def snoozes(self, patient_key: str | None = None, now: datetime | None = None) -> list[Snooze]:
        with self._connect() as connection:  # type: ignore[attr-defined]
            rows = connection.execute(*sqlite_snooze_query(patient_key)).fetchall()
        return [s for s in map(_snooze, rows) if now is None or s.until > now]


class PostgresFindings:
    """The methods for `PostgresStore` (`self._run(work)` is its transaction)."""

    def record_findings(self, findings: Iterable[IssuedFinding]) -> None:
        rows = [(f.card_uuid, f.service_id, f.recommendation_id, f.indicator, json.dumps(list(f.suggestion_uuids)),
                 f.snoozable, f.patient_key, f.issued_at) for f in findings]
        if not rows:
            return

        def insert(connection: Any) -> None:
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO issued_finding ({_FINDING_COLUMNS}) "
                                   "VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, %s)", rows)

        self._run(insert)  # type: ignore[attr-defined]

    def card_findings(self, card_uuid: str) -> list[IssuedFinding]:
        query = f"SELECT {_FINDING_COLUMNS} FROM issued_finding WHERE card_uuid = %s ORDER BY seq"
        rows = self._run(lambda c: c.execute(query, (card_uuid,)).fetchall())  # type: ignore[attr-defined]
        return [_finding(row) for row in rows]

    def issued_findings(self, since: datetime | None = None) -> list[IssuedFinding]:
        query = (f"SELECT {_FINDING_COLUMNS} FROM issued_finding "
                 "WHERE %(since)s::timestamptz IS NULL OR issued_at >= %(since)s ORDER BY issued_at, seq")
        rows = self._run(lambda c: c.execute(query, {"since": since}).fetchall())  # type: ignore[attr-defined]
        return [_finding(row) for row in rows]

    def card_feedback(self, card_uuid: str) -> list[FeedbackRecord]:
        query = ("SELECT service_id, card_uuid, outcome, outcome_timestamp, item, received_at FROM feedback "
                 "WHERE card_uuid = %s ORDER BY seq")
        rows = self._run(lambda c: c.execute(query, (card_uuid,)).fetchall())  # type: ignore[attr-defined]
        return [FeedbackRecord(s, card, outcome, ts, item, None, _utc(received))
                for s, card, outcome, ts, item, received in rows]

    def add_snoozes(self, snoozes: Iterable[Snooze]) -> None:
        rows = [(s.patient_key, s.recommendation_id, s.indicator, s.reason, s.until, s.card_uuid) for s in snoozes]
        if not rows:
            return

        def upsert(connection: Any) -> None:
            connection.execute("SET LOCAL synchronous_commit = on")
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO snooze ({_SNOOZE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (patient_key, recommendation_id) DO UPDATE SET indicator = excluded.indicator, "
                    "reason = excluded.reason, until = excluded.until, card_uuid = excluded.card_uuid "
                    "WHERE excluded.until > snooze.until", rows)

        self._run(upsert)  # type: ignore[attr-defined]

    def snoozes(self, patient_key: str | None = None, now: datetime | None = None) -> list[Snooze]:
        query = (f"SELECT {_SNOOZE_COLUMNS} FROM snooze WHERE "
                 + ("TRUE" if patient_key is None else "patient_key = %(key)s")  # the key's index, not a scan
                 + " AND (%(now)s::timestamptz IS NULL OR until > %(now)s)")
        rows = self._run(lambda c: c.execute(query, {"key": patient_key, "now": now}).fetchall())  # type: ignore[attr-defined]
        return [_snooze(row) for row in rows]
