"""Procedure, DiagnosticReport and ServiceRequest -> `InvestigationFact`s (imaging and function tests).

A test counts as done when a Procedure is completed, a DiagnosticReport is issued (preliminary,
final, amended, corrected, appended) or a ServiceRequest is completed; as ordered when a
ServiceRequest is active or on hold, a report is registered or a procedure is in preparation or in
progress. Not-done, revoked, cancelled and entered-in-error resources give nothing. The test is
recognised by code (terminology/investigations.json) or by the name in the code's text/display.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from fhir_mappings.concepts import Investigation
from fhir_mappings.facts import InvestigationFact
from fhir_mappings.read import codings, date_of, first_text, mapping, string, texts
from fhir_mappings.systems import canonical
from fhir_mappings.valuesets import load

RESOURCE_TYPES = ("Procedure", "DiagnosticReport", "ServiceRequest")
_STATE: Mapping[str, Mapping[str, bool]] = {
    # status -> done (True) or ordered/under way (False); statuses not listed give nothing.
    "Procedure": {"completed": True, "preparation": False, "in-progress": False},
    "DiagnosticReport": {s: True for s in ("preliminary", "partial", "final", "amended", "corrected", "appended")}
    | {"registered": False},
    "ServiceRequest": {"completed": True, "active": False, "on-hold": False},
}
_DATE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "Procedure": ("performedDateTime", "performedPeriod"),
    "DiagnosticReport": ("effectiveDateTime", "effectivePeriod", "issued"),
    "ServiceRequest": ("occurrenceDateTime", "occurrencePeriod", "authoredOn"),
}


def _words(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_Rule = tuple[Investigation, "re.Pattern[str] | None", tuple["re.Pattern[str]", ...]]


@cache
def _index() -> tuple[Mapping[tuple[str, str], Investigation], tuple[_Rule, ...]]:
    data = load("investigations.json")
    by_code = {(e["system"], e["code"]): Investigation(e["concept"]) for e in data["entries"]
               if e.get("status") != "unverified"}
    rules = tuple(
        (Investigation(concept), _words(spec["any_of"]) if spec.get("any_of") else None,
         tuple(_words(group) for group in spec.get("all_of", ())))
        for concept, spec in data["names"].items()
    )
    return by_code, rules


def investigations_named(name: str) -> tuple[Investigation, ...]:
    """The investigations a test name describes."""
    _, rules = _index()
    return tuple(
        concept for concept, any_of, all_of in rules
        if (any_of is not None and any_of.search(name)) or (all_of and all(g.search(name) for g in all_of))
    )


def _concepts(code: Any) -> set[Investigation]:
    by_code, _ = _index()
    found = {by_code[(canonical(system), value)] for system, value, _ in codings(code)
             if (canonical(system), value) in by_code}
    for name in texts(code):
        found.update(investigations_named(name))
    return found


def _when(resource: Mapping[str, Any], resource_type: str) -> date | None:
    for field in _DATE_FIELDS[resource_type]:
        value = resource.get(field)
        found = date_of(mapping(value).get("start") if isinstance(value, Mapping) else value)
        if found is not None:
            return found
    return None


def map_investigation(resource: Mapping[str, Any]) -> tuple[InvestigationFact, ...] | None:
    """The investigations of one resource; None when it names none (so it counts as ignored)."""
    resource_type = str(resource.get("resourceType"))
    concepts = _concepts(resource.get("code"))
    if not concepts:
        return None
    done = _STATE[resource_type].get(string(resource.get("status")) or "")
    if done is None:
        return ()
    when, display = _when(resource, resource_type), first_text(resource.get("code"))
    return tuple(InvestigationFact(c, when, done, resource_type, display) for c in sorted(concepts))
