"""The Synthea corpus of fixtures/synthea (see its LICENSE-NOTICE.md): records with their dates
shifted to a clock, and the hook requests an EHR would send for them.

Dates: every date and dateTime of a record moves by the same whole number of days, so that its
latest clinical date (any date but the birth date) is the day before `now`; ages, durations and
order start dates keep their relations.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from demo.patients import DATE, shift_dates

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "synthea" / "patients.jsonl.gz"


@cache
def _raw() -> tuple[str, ...]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return tuple(line for line in lines if line.strip())


def _dates(value: Any, skip_birth: bool = True) -> Iterator[date]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not (skip_birth and key == "birthDate"):
                yield from _dates(item, skip_birth)
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item, skip_birth)
    elif isinstance(value, str) and (match := DATE.match(value)):
        yield date.fromisoformat(match.group(1))


def records(now: datetime) -> list[dict[str, Any]]:
    """Every corpus record, its dates shifted so that the latest clinical one is the day before `now`."""
    shifted = []
    for line in _raw():
        record = json.loads(line)
        latest = max(_dates(record["resources"]))
        shifted.append({**record, "resources": shift_dates(record["resources"], now.date() - timedelta(days=1) - latest)})
    return shifted


def resources(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [resource for group in record["resources"].values() for resource in group]


def patient_id(record: dict[str, Any]) -> str:
    return record["resources"]["Patient"][0]["id"]
