"""Durable record of issued cards and the feedback clinicians give on them: the interface the HTTP
layer and the report use, and the backend a URL selects (`open_store`).

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cds_service.dependencies import Unavailable, redact, scheme, sqlite_path


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


class Store(Protocol):
    #: The backend's name as /readyz and the logs show it: "sqlite" or "postgresql".
    backend: str

    def record_cards(self, cards: Iterable[IssuedCard]) -> None: ...

    def record_feedback(self, service_id: str, items: Iterable[Mapping[str, Any]], received_at: datetime) -> int:
        """Store feedback items idempotently and durably; returns how many were new."""
        ...

    def feedback(self, service_id: str | None = None) -> list[FeedbackRecord]:
        """Feedback in the order it was first stored."""
        ...

    def issued_cards(self, since: datetime | None = None) -> list[IssuedCard]:
        """Cards issued at or after `since` (all when None), oldest first."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot be reached now."""
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


def feedback_rows(service_id: str, items: Iterable[Mapping[str, Any]]) -> list[FeedbackRow]:
    rows = []
    for item in items:
        canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(f"{service_id}\n{canonical}".encode()).hexdigest()
        rows.append(FeedbackRow(digest, service_id, item["card"], item["outcome"], item["outcomeTimestamp"], canonical))
    return rows


def open_store(url: str) -> Store:
    """The backend `url` names; its schema is created or migrated now (a PostgreSQL server that is
    down at start-up is migrated when it first answers)."""
    kind = scheme(url)
    if kind == "sqlite":
        from cds_service.store_sqlite import SqliteStore

        return SqliteStore(sqlite_path(url))
    if kind in ("postgresql", "postgres"):
        from cds_service.store_postgres import PostgresStore

        return PostgresStore(url)
    raise ValueError(f"CDS_STORE_URL must start with sqlite:/// or postgresql://, got {redact(url)!r}")
