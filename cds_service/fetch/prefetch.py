"""Complete a hook request's prefetch: use what the client sent, fetch what it did not.

Per declared key (CDS Hooks 2.0 "Prefetch", SPEC-NOTES.md 2.4 P6/P7 and section 10 point 3):
- present and usable -> used (OperationOutcome entries dropped from a Bundle);
- `null` -> None, the client's statement that there is no data (known empty);
- missing, not a FHIR resource, an OperationOutcome, a Bundle whose entries are all
  OperationOutcomes (`search.mode: outcome`), or a resource of another type than the template
  asks for (for a read, another id: wrong-patient data is worse than none) -> fetched from
  `fhirServer` (`fhir_client`), and checked the same way; else listed in `missing`;
- a search Bundle that says it is only part of the result (a `next` link, or `total` above its
  matches) -> fetched whole from `fhirServer` (same allowlist, limits and time budget); when that is
  not possible the partial Bundle is used and the key listed in `incomplete`, so that nothing is
  read as absent from it.

Whether `missing` means 412 or cards with a stated data gap is the endpoint's decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cds_service.fetch import fhir_client

if TYPE_CHECKING:
    from cds_service.config import Settings


@dataclass(frozen=True)
class PrefetchOutcome:
    data: dict[str, Any]  # declared key -> resource / Bundle / None (None = known empty)
    missing: tuple[str, ...]  # declared keys that could not be obtained
    incomplete: tuple[str, ...] = ()  # declared keys whose Bundle is only part of the result
    fallback: fhir_client.FetchReport | None = None  # what was asked of fhirServer, when anything was


def _expected(query: str) -> tuple[str, str | None]:
    """Resource type and id a query returns: `Patient/123` reads Patient 123; `Observation?...`
    searches and returns a Bundle. The id is None when unknown (tokens left unresolved)."""
    path = query.lstrip("/").split("?", 1)[0]
    if "/" not in path:
        return "Bundle", None
    resource_type, rest = path.split("/", 1)
    return resource_type, None if "{{" in rest or "/" in rest else rest


def _is_read(query: str) -> bool:
    return "/" in query.lstrip("/").split("?", 1)[0]


def _is_outcome(entry: Any) -> bool:
    # dict, not Mapping: prefetch is parsed JSON, and an ABC check per entry is a tenth of this function.
    if not isinstance(entry, dict):
        return True
    resource = entry.get("resource")
    search = entry.get("search")
    return (
        (isinstance(search, dict) and search.get("mode") == "outcome")
        or not isinstance(resource, dict)
        or resource.get("resourceType") == "OperationOutcome"
    )


def _has_next_link(bundle: Mapping[str, Any]) -> bool:
    links = bundle.get("link")
    return isinstance(links, list) and any(isinstance(link, Mapping) and link.get("relation") == "next"
                                           for link in links)


def is_partial(value: Any) -> bool:
    """Whether a search Bundle says it holds only part of its result: a `next` link, or a `total`
    (matches on the server) above the matches it carries (`search.mode` absent or "match")."""
    if not isinstance(value, Mapping) or value.get("resourceType") != "Bundle":
        return False
    if _has_next_link(value):
        return True
    total = value.get("total")
    if not isinstance(total, int) or isinstance(total, bool):
        return False
    entries = value.get("entry")
    entries = entries if isinstance(entries, list) else []
    if total <= 0:
        return False
    if total > len(entries):
        return True
    matches = 0
    for entry in entries:
        if isinstance(entry, dict):
            search = entry.get("search")
            if not isinstance(search, dict) or search.get("mode") in (None, "match"):
                matches += 1
    return total > matches


def usable(value: Any, query: str) -> dict[str, Any] | None:
    """The value to use for a key whose (substituted, where possible) query is `query`, or None
    when it must be fetched instead (e.g. a Patient whose id is not the context's patientId)."""
    if not isinstance(value, Mapping):
        return None
    resource_type = value.get("resourceType")
    expected_type, expected_id = _expected(query)
    if resource_type != expected_type:
        return None
    if expected_id is not None and value.get("id") not in (None, expected_id):
        return None
    if resource_type != "Bundle":
        return dict(value)
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        return None
    if not any(map(_is_outcome, entries)):
        return dict(value) if entries else {key: item for key, item in value.items() if key != "entry"}
    kept = [entry for entry in entries if not _is_outcome(entry)]
    if not kept:
        return None
    return {**value, "entry": kept}


def complete_prefetch(templates: Mapping[str, str], request: Mapping[str, Any], settings: Settings) -> PrefetchOutcome:
    """Resolve every declared prefetch key of `templates` for one hook request."""
    sent = request.get("prefetch")
    sent = sent if isinstance(sent, Mapping) else {}
    context = request.get("context")
    context = context if isinstance(context, Mapping) else {}
    data: dict[str, Any] = {}
    partial: dict[str, Any] = {}
    to_fetch: dict[str, str] = {}
    # Only a read's id is checked (`_expected`): a search template needs no substitution here.
    queries = {key: fhir_client.substitute(template, context) or template if _is_read(template) else template
               for key, template in templates.items()}
    for key, template in templates.items():
        if key in sent and sent[key] is None:
            data[key] = None
            continue
        value = usable(sent.get(key), queries[key])
        if value is not None and is_partial(sent.get(key)):
            partial[key] = value
            to_fetch[key] = template
        elif value is not None:
            data[key] = value
        else:
            to_fetch[key] = template
    # What was asked of a fhirServer, for the metrics (nothing is asked without one).
    report = fhir_client.FetchReport() if to_fetch and request.get("fhirServer") is not None else None
    if to_fetch:
        limits = fhir_client.FetchLimits.from_settings(settings)
        fetched = fhir_client.fetch_missing(to_fetch, request, limits, settings.fhir_allowlist, report)
        for key, value in fetched.items():
            checked = usable(value, queries[key])
            if checked is None:
                continue
            if is_partial(value):
                partial.setdefault(key, checked)
            else:
                data[key] = checked
                partial.pop(key, None)
    for key, value in partial.items():
        data.setdefault(key, value)
    return PrefetchOutcome(
        data=data,
        missing=tuple(key for key in templates if key not in data),
        incomplete=tuple(key for key in templates if key in partial),
        fallback=report,
    )
