"""Defensive readers of raw FHIR JSON: every helper accepts anything and returns a typed value or None.

Resources from EHRs are not always valid R4 (a `category` object instead of a list, a string where a
number belongs), so the mappings read the few fields they need through these helpers, never by
indexing, and never raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def as_list(value: Any) -> list[Any]:
    """A FHIR repeating element as a list (a lone object counts as a list of one)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


_EMPTY: Mapping[str, Any] = {}


def mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is a JSON object, else an empty one (parsed JSON objects are dicts)."""
    return value if isinstance(value, dict) else _EMPTY


def string(value: Any) -> str | None:
    if type(value) is not str:
        return None
    return value.strip() or None


def number(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if result == result and abs(result) != float("inf") else None


def codings(concept: Any) -> Iterator[tuple[str, str, str]]:
    """(system, code, display) of each coding of a CodeableConcept (or a bare Coding)."""
    if type(concept) is not dict:
        return
    items = as_list(concept.get("coding")) if "coding" in concept else [concept]
    for item in items:  # inlined string(): this loop runs for every coding of every resource
        if type(item) is dict:
            code = item.get("code")
            if type(code) is str and (code := code.strip()):
                system, display = item.get("system"), item.get("display")
                yield (system.strip() if type(system) is str else "", code,
                       display.strip() if type(display) is str else "")


def texts(concept: Any) -> Iterator[str]:
    """The text and every coding display of a CodeableConcept."""
    concept = mapping(concept)
    text = string(concept.get("text"))
    if text:
        yield text
    for item in as_list(concept.get("coding")):
        display = string(mapping(item).get("display"))
        if display:
            yield display


def first_text(concept: Any) -> str:
    return next(texts(concept), "")


def has_code(concept: Any, codes: frozenset[str] | set[str]) -> bool:
    """True when any coding's code (any system) is one of `codes` (for status-like elements)."""
    return any(code in codes for _, code, _ in codings(concept))


def code_of(value: Any) -> str | None:
    """The code of a `code`-typed element or of the first coding of a CodeableConcept."""
    if isinstance(value, str):
        return value.strip() or None
    found = next(codings(value), None)
    return found[1] if found else None


def date_of(value: Any) -> date | None:
    """The calendar date of a FHIR date/dateTime/instant (partial dates take the first day)."""
    text = string(value)
    if text is None:
        return None
    if len(text) >= 10 and text[4] == "-" == text[7]:  # the usual full date: read by the C parser
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass  # not a plain YYYY-MM-DD: the pattern decides
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def datetime_of(value: Any) -> datetime | None:
    """A timezone-aware datetime (UTC when the value has no zone; dates at midnight UTC)."""
    text = string(value)
    if text is None:
        return None
    if "T" in text:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    day = date_of(text)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None


def reference_id(value: Any) -> str | None:
    """The `reference` string of a Reference."""
    return string(mapping(value).get("reference"))


def add_days(day: date, days: float) -> date | None:
    """`day` + `days`, or None when the result is outside the calendar (absurd durations in data)."""
    try:
        return day + timedelta(days=days)
    except (OverflowError, ValueError):
        return None
