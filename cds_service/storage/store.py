"""Durable record of issued cards and the feedback clinicians give on them: the interface the HTTP
layer and the report use; `store_factory.open_store` opens the backend a URL selects.

Backends: `sqlite:///path` (the embedded default, one host: `store_sqlite`) and `postgresql://...`
(shared by several instances: `store_postgres`). Both create or migrate their schema at start-up by
numbered migrations, answer `StoreUnavailable` when their file or server cannot be reached, and
commit feedback durably before `record_feedback` returns.

Issued cards hold no patient identifiers: card uuid, service, recommendation id, hookInstance
and time, enough to join feedback to the recommendation that produced the card. Feedback items are
kept as received, deduplicated on their canonical JSON (clients may resend the same feedback, to
any instance).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol, TypeVar

from cds_service.storage.dependencies import Unavailable

log = logging.getLogger(__name__)
Row = TypeVar("Row")
Parsed = TypeVar("Parsed")


class StoreUnavailable(Unavailable):
    """The store cannot be reached: feedback is refused (503), issued cards are counted as not recorded."""


class StoreRejected(ValueError):
    """The store answered but refused these values (a limit or type of the backend): a fault of the data,
    not of the store, so it never counts as an outage. Feedback validation should have refused it first."""


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


@dataclass(frozen=True)
class IssuedFinding:
    """One finding a card showed (a card may show several: the care plan), or one a snooze hid (no card)."""

    card_uuid: str | None
    service_id: str
    recommendation_id: str
    indicator: str
    #: The card's suggestions that close this finding (feedback that accepts one of them acts on it).
    suggestion_uuids: tuple[str, ...]
    #: False for PJP prophylaxis and every critical finding: never snoozed.
    snoozable: bool
    #: The patient's keyed hash (HMAC), never the patient id.
    patient_key: str
    issued_at: datetime


@dataclass(frozen=True)
class Snooze:
    """An override that hides the same finding (recommendation, at most this severe) for one patient until `until`."""

    patient_key: str
    recommendation_id: str
    indicator: str
    reason: str
    until: datetime
    card_uuid: str


class Store(Protocol):
    #: The backend's name as /readyz and the logs show it: "sqlite" or "postgresql".
    backend: str

    def record_cards(self, cards: Iterable[IssuedCard]) -> None: ...

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        """Store feedback items idempotently and durably; returns how many were new."""
        ...

    def feedback(self, service_id: str | None = None, unreadable: Unreadable | None = None) -> list[FeedbackRecord]:
        """Feedback in the order it was first stored; rows that cannot be read are skipped (and counted
        in `unreadable`)."""
        ...

    def issued_cards(self, since: datetime | None = None, unreadable: Unreadable | None = None) -> list[IssuedCard]:
        """Cards issued at or after `since` (all when None), oldest first; unreadable rows as in `feedback`."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot be reached now."""
        ...

    # Findings per card and snoozes (cds_service.storage.store_findings).
    def record_findings(self, findings: Iterable[IssuedFinding]) -> None: ...

    def card_findings(self, card_uuid: str) -> list[IssuedFinding]: ...

    def issued_findings(self, since: datetime | None = None) -> list[IssuedFinding]: ...

    def card_feedback(self, card_uuid: str) -> list[FeedbackRecord]: ...

    def add_snoozes(self, snoozes: Iterable[Snooze]) -> None:
        """Store snoozes durably; a later `until` replaces an earlier one for the same patient and finding."""
        ...

    def snoozes(self, patient_key: str | None = None, now: datetime | None = None) -> list[Snooze]:
        """Snoozes of one patient (all when None) still running at `now` (all when None)."""
        ...

    def close(self) -> None:
        """Release this process's connections (tests, an orderly shutdown); later calls reopen them."""
        ...


@dataclass(frozen=True)
class FeedbackRow:
    """One feedback item as every backend stores it; `digest` is its identity across resends."""

    digest: str
    service_id: str
    card_uuid: str
    outcome: str
    outcome_timestamp: str
    canonical_item: str


class Unreadable:
    """Counts stored rows that could not be read (written by hand, by a defect, or by a hostile writer):
    a reader skips them with a warning rather than failing on everything else."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, table: str) -> None:
        self.counts[table] = self.counts.get(table, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def readable(rows: Iterable[Row], parse: Callable[[Row], Parsed], table: str,
             unreadable: Unreadable | None) -> list[Parsed]:
    """`parse` of each row; a row it cannot parse is skipped, logged and counted."""
    parsed, skipped = [], 0
    for row in rows:
        try:
            parsed.append(parse(row))
        except (ValueError, TypeError, KeyError, AttributeError):
            skipped += 1
            if unreadable is not None:
                unreadable(table)
    if skipped:
        log.warning("%d unreadable %s rows skipped (not in the store's format)", skipped, table)
    return parsed


def text(value: object) -> str:
    """`value` if it is a string: a stored column a reader relies on (SQLite keeps any type in any column)."""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def moment(value: object) -> datetime:
    """A stored time: a datetime (PostgreSQL) or ISO 8601 text (SQLite), in UTC (naive text read as UTC)."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(text(value))
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def mapping(value: object) -> Mapping[str, Any]:
    """A stored feedback item: a JSON object (jsonb, or JSON text in SQLite)."""
    parsed = json.loads(value) if isinstance(value, (str, bytes)) else value
    if not isinstance(parsed, dict):
        raise TypeError("feedback item is not a JSON object")
    return parsed


def feedback_record(row: tuple[Any, ...]) -> FeedbackRecord:
    service_id, card, outcome, timestamp, item, recommendation, received = row
    return FeedbackRecord(text(service_id), text(card), text(outcome), text(timestamp), mapping(item),
                          None if recommendation is None else text(recommendation), moment(received))


def issued_card(row: tuple[Any, ...]) -> IssuedCard:
    uuid, service_id, recommendation, hook_instance, issued_at = row
    return IssuedCard(text(uuid), text(service_id), text(recommendation), text(hook_instance), moment(issued_at))


def feedback_rows(service_id: str, items: Iterable[Mapping[str, Any]]) -> list[FeedbackRow]:
    rows = []
    for item in items:
        canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(f"{service_id}\n{canonical}".encode()).hexdigest()
        rows.append(FeedbackRow(digest, service_id, item["card"], item["outcome"], item["outcomeTimestamp"], canonical))
    return rows
