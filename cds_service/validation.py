"""JSON Schema validation of the CDS Hooks envelopes (schemas in `cds_service/schemas/`).

Validators are built once (`validators()` is cached) and report the first problem with its JSON
path, e.g. "$.context.patientId: 'patientId' is a required property", so a client can fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

SCHEMA_NAMES = ("request", "response", "discovery", "feedback")


class SchemaViolation(ValueError):
    """A document does not match its schema; `path` is the JSON path of the offending member."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Validators:
    request: Draft202012Validator
    response: Draft202012Validator
    discovery: Draft202012Validator
    feedback: Draft202012Validator


def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("cds_service").joinpath("schemas", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def validators() -> Validators:
    """One checked validator per schema (raises SchemaError at start-up if a schema is malformed)."""
    built = {}
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        built[name] = Draft202012Validator(schema)
    return Validators(**built)


def check(validator: Draft202012Validator, document: Any) -> None:
    """Raise SchemaViolation naming the most relevant error, if any.

    A document nested deeper than Python can recurse (the parser allows 1024 levels) is a violation
    too, not a crash."""
    try:
        error = best_match(validator.iter_errors(document))
    except RecursionError:
        raise SchemaViolation("$", "JSON nested too deeply") from None
    if error is not None:
        raise SchemaViolation(error.json_path, error.message)
