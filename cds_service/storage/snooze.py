"""Feedback per finding and snoozes: what an override on a card means for each finding it showed.

A card may show several findings (the care-plan card: one per gap). Per finding, from every feedback item on its
card (CDS Hooks 2.0 feedback: `accepted` with `acceptedSuggestions`, or `overridden` with `overrideReason`):
- accepted: a suggestion that closes it was accepted (a card of one finding: the card was accepted);
- overridden: the card was overridden and the finding was not acted on; the override reason applies to it;
- not acted on: suggestions of the card were accepted, none of this finding's, and no override followed.

An override whose reason says the clinician decided (the snoozing reasons of the `[card-budget]` settings) hides
the same finding for the same patient for that reason's period, on every instance sharing the store. PJP
prophylaxis and critical findings are recorded as not snoozable and never hidden. The patient is identified in
the store by `patient_key`, an HMAC-SHA256 of the patient id under a secret key (`CDS_PATIENT_HASH_KEY`), so the
store alone does not name the patient.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cds_service.storage.dependencies import scheme, sqlite_path
from cds_service.storage.store import IssuedFinding, Snooze

log = logging.getLogger(__name__)

ACCEPTED, OVERRIDDEN, NOT_ACTED_ON = "accepted", "overridden", "not-acted-on"
#: Where a SQLite deployment keeps its generated key when CDS_PATIENT_HASH_KEY is unset: beside the store file.
KEY_FILE_SUFFIX = ".patient-key"


def patient_key(secret: bytes, patient_id: str) -> str:
    """The keyed hash that identifies a patient in the store."""
    return hmac.new(secret, patient_id.encode(), hashlib.sha256).hexdigest()


def load_secret(configured: str | None, store_url: str) -> bytes | None:
    """The HMAC key: CDS_PATIENT_HASH_KEY; unset with a SQLite store, a random key kept (mode 0600) beside the
    store file, shared by the workers of that host; unset with PostgreSQL, None (snoozes off: instances would
    hash differently)."""
    if configured:
        return configured.encode()
    if scheme(store_url) != "sqlite":
        log.warning("CDS_PATIENT_HASH_KEY is not set: overrides do not snooze findings (a shared store needs the "
                    "same key on every instance)")
        return None
    path = Path(str(sqlite_path(store_url)) + KEY_FILE_SUFFIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_hex(32).encode())
    return path.read_bytes()


@dataclass(frozen=True)
class FindingOutcome:
    finding: IssuedFinding
    outcome: str
    #: The override reason code (`overrideReason.reason.code`) when overridden, else None.
    reason: str | None = None


def _reason_code(item: Mapping[str, Any]) -> str | None:
    override = item.get("overrideReason")
    reason = override.get("reason") if isinstance(override, Mapping) else None
    code = reason.get("code") if isinstance(reason, Mapping) else None
    return code if isinstance(code, str) and code else None


def finding_outcomes(findings: list[IssuedFinding], items: Iterable[Mapping[str, Any]]) -> list[FindingOutcome]:
    """The outcome of each finding of one card, from the feedback items on that card in the order received
    (findings without any feedback are left out)."""
    accepted_card, override, reason = False, False, None
    accepted: set[str] = set()
    for item in items:
        if item.get("outcome") == ACCEPTED:
            accepted_card = True
            accepted |= {s.get("id") for s in item.get("acceptedSuggestions") or () if isinstance(s, Mapping)}
        else:
            override, reason = True, _reason_code(item)
    outcomes = []
    for finding in findings:
        if (accepted_card and len(findings) == 1) or accepted & set(finding.suggestion_uuids):
            outcomes.append(FindingOutcome(finding, ACCEPTED))
        elif override:
            outcomes.append(FindingOutcome(finding, OVERRIDDEN, reason))
        elif accepted_card:
            outcomes.append(FindingOutcome(finding, NOT_ACTED_ON))
    return outcomes


def snoozes_from(outcomes: Iterable[FindingOutcome], days: Mapping[str, int], now: datetime) -> list[Snooze]:
    """The snoozes the overrides among `outcomes` ask for (`days` per reason code; other reasons: none)."""
    return [Snooze(o.finding.patient_key, o.finding.recommendation_id, o.finding.indicator, o.reason,
                   now + timedelta(days=days[o.reason]), o.finding.card_uuid or "")
            for o in outcomes
            if o.outcome == OVERRIDDEN and o.reason in days and o.finding.snoozable and o.finding.card_uuid]
