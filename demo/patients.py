"""The demo patients (fixtures/demo/*.json), moved to today and loaded into a FHIR server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
#: A FHIR date or dateTime: the date part, and the time part if any.
DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")


def bundles(directory: Path = FIXTURES) -> dict[str, dict[str, Any]]:
    """Demo name -> collection Bundle, in name order."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))}


def shift_dates(value: Any, days: timedelta) -> Any:
    """`value` (any JSON) with every date and dateTime moved by `days` (their time part kept)."""
    if isinstance(value, dict):
        return {key: shift_dates(item, days) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_dates(item, days) for item in value]
    if isinstance(value, str) and (match := DATE.match(value)):
        return (date.fromisoformat(match.group(1)) + days).isoformat() + (match.group(2) or "")
    return value


def moved_to(bundle: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The Bundle with every date and dateTime moved by the days from its `timestamp` to `today`, so that
    ages and durations stay as written."""
    anchor = datetime.fromisoformat(bundle["timestamp"].replace("Z", "+00:00")).date()
    return shift_dates(dict(bundle), today - anchor)


def resources(bundle: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in bundle.get("entry", ()):
        yield entry["resource"]


def load(base: str, token: str | None, bundle: Mapping[str, Any], *, timeout: float = 10.0) -> int:
    """PUT every resource of `bundle` under its own id; the number stored."""
    headers = {"Content-Type": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    count = 0
    for resource in resources(bundle):
        response = requests.put(f"{base}/{resource['resourceType']}/{resource['id']}", json=resource,
                                headers=headers, timeout=timeout)
        response.raise_for_status()
        count += 1
    return count
