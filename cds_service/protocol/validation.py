r"""JSON Schema validation of the CDS Hooks envelopes (schemas in `cds_service/protocol/schemas/`).

Validators are built once (`validators()` is cached) and report the first problem with its JSON
path, e.g. "$.context.patientId: 'patientId' is a required property", so a client can fix it.

Two keywords are checked as JSON Schema defines them rather than as Python would by default:
- `pattern` is an ECMA-262 regular expression, in which a final `$` matches only at the end of the
  string; Python's `$` also matches before a final newline, which let `"X\n"` through
  `^[^\s]{1,256}$` and into the logs;
- `format: date-time` is an RFC 3339 date-time that exists on the calendar (jsonschema checks
  formats only when asked, and date-time only with an optional package).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema import validators as jsonschema_validators
from jsonschema.exceptions import best_match

SCHEMA_NAMES = ("request", "response", "discovery", "feedback")
#: Longest violation message an error answer quotes.
MAX_MESSAGE_CHARS = 300


class SchemaViolation(ValueError):
    """A document does not match its schema; `path` is the JSON path of the offending member."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Validators:
    request: Validator
    response: Validator
    discovery: Validator
    feedback: Validator


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A pattern compiled so that a final unescaped `$` means end of string, as in ECMA-262."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z", re.ASCII)

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    """RFC 3339 date-time with a real date and time of day (a leap second's :60 is allowed)."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    leap_second_tolerated = value[:17] + "59" + value[19:] if value[17:19] == "60" else value
    datetime.fromisoformat(leap_second_tolerated.upper())
    return True


Validator = jsonschema_validators.extend(Draft202012Validator, {"pattern": _pattern})


def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("cds_service.protocol").joinpath("schemas", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def validators() -> Validators:
    """One checked validator per schema (raises SchemaError at start-up if a schema is malformed)."""
    built = {}
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        built[name] = Validator(schema, format_checker=FORMATS)
    return Validators(**built)


def check(validator: Validator, document: Any) -> None:
    """Raise SchemaViolation naming the most relevant error, if any.

    A document nested deeper than Python can recurse (the parser allows 1024 levels) is a violation
    too, not a crash."""
    try:
        error = best_match(validator.iter_errors(document))
    except RecursionError:
        raise SchemaViolation("$", "JSON nested too deeply") from None
    if error is not None:
        message = error.message
        if len(message) > MAX_MESSAGE_CHARS:  # the messages quote the value: a hostile one can be megabytes
            message = message[:MAX_MESSAGE_CHARS] + "... (truncated)"
        raise SchemaViolation(error.json_path, message)
