"""One hook request, from validated JSON and completed prefetch to the cards response.

Shared by the HTTP endpoint and `myositis-cds evaluate`, so both give the same cards. The time
of evaluation is an argument: the HTTP layer passes the server clock, tests and the CLI a fixed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cds_service.protocol import cards
from cds_service.storage.store import IssuedCard, IssuedFinding
from fhir_mappings.parse import build_facts
from hooks import engine, unreadable
from hooks.recommendation import Indicator, Recommendation
from hooks.services import SUPPLEMENTARY_PREFETCH, Service
from hooks.settings import RuleSettings


@dataclass(frozen=True)
class Rules:
    """The validated recommendation registry and its resolved parameters."""

    recommendations: tuple[Recommendation, ...]
    settings: RuleSettings
    strict: bool = False


@dataclass(frozen=True)
class Evaluation:
    response: dict[str, Any]
    issued: tuple[IssuedCard, ...]
    #: Each finding the cards show (with its card) and each a snooze hid (no card).
    findings: tuple[IssuedFinding, ...] = ()
    #: Recommendation ids of the findings a snooze hid.
    suppressed: tuple[str, ...] = ()
    #: The reason of each item that could not be read ("dose", "medication" ...), for /metrics.
    unreadable: tuple[str, ...] = ()


def resource_types(service: Service, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The FHIR resource types behind prefetch keys ("allergies" -> "AllergyIntolerance")."""
    return tuple(service.prefetch[key].split("?", 1)[0].split("/", 1)[0] for key in keys)


def evaluate(
    service: Service,
    request: Mapping[str, Any],
    prefetch: Mapping[str, Any],
    missing: tuple[str, ...],
    rules: Rules,
    *,
    now: datetime,
    selection_behavior: str,
    incomplete: tuple[str, ...] = (),
    patient_key: str = "",
    snoozes: Mapping[str, str] | None = None,
    smart_app_url: str | None = None,
) -> Evaluation:
    """`missing`: prefetch keys not obtained; `incomplete`: keys obtained only in part (paged); `snoozes`: the
    patient's running snoozes (recommendation id -> indicator snoozed), `patient_key` its key in the store
    (empty: unknown, its findings cannot be snoozed)."""
    partial = tuple(dict.fromkeys(resource_types(service, incomplete)))
    gaps = resource_types(service, tuple(key for key in missing if key not in SUPPLEMENTARY_PREFETCH))
    facts = build_facts(service.hook, request["context"], prefetch, now, gaps, partial,
                        compared=unreadable.COMPARED_RESULTS)
    outcome = engine.run(rules.recommendations, facts, rules.settings, strict=rules.strict,
                         snoozes={rec: Indicator(indicator) for rec, indicator in (snoozes or {}).items()})
    rendered = cards.render(outcome.results, facts, selection_behavior=selection_behavior,
                            smart_app_url=smart_app_url)
    issued = tuple(
        IssuedCard(r.card["uuid"], service.id, r.recommendation_id, request["hookInstance"], now) for r in rendered
    )
    suppressed = tuple(r.recommendation.id for r in outcome.suppressed)
    findings = tuple(
        IssuedFinding(r.card["uuid"], service.id, f.recommendation_id, f.indicator, f.suggestion_uuids,
                      f.snoozable and bool(patient_key), patient_key, now) for r in rendered for f in r.findings
    ) + tuple(IssuedFinding(None, service.id, r.recommendation.id, r.finding.indicator.value, (), False,
                            patient_key, now) for r in outcome.suppressed)
    response: dict[str, Any] = {"cards": [r.card for r in rendered]}
    if outcome.withheld:
        response["extension"] = {cards.WITHHELD_EXTENSION: cards.findings_list(outcome.withheld)}
    return Evaluation(response, issued, findings, suppressed, tuple(item.reason.value for item in facts.unreadable))
