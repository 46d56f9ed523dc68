"""One hook request, from validated JSON and completed prefetch to the cards response.

Shared by the HTTP endpoint and `myositis-cds evaluate`, so both give the same cards. The time
of evaluation is an argument: the HTTP layer passes the server clock, tests and the CLI a fixed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cds_service import cards
from cds_service.store import IssuedCard
from fhir_mappings.parse import build_facts
from hooks import engine
from hooks.recommendation import Recommendation
from hooks.services import Service
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
    smart_app_url: str | None = None,
) -> Evaluation:
    """`missing`: prefetch keys not obtained; `incomplete`: keys obtained only in part (paged)."""
    partial = tuple(dict.fromkeys(resource_types(service, incomplete)))
    facts = build_facts(service.hook, request["context"], prefetch, now, resource_types(service, missing), partial)
    results = engine.evaluate(rules.recommendations, facts, rules.settings, strict=rules.strict)
    rendered = cards.render(results, facts, selection_behavior=selection_behavior, smart_app_url=smart_app_url)
    issued = tuple(
        IssuedCard(r.card["uuid"], service.id, r.recommendation_id, request["hookInstance"], now) for r in rendered
    )
    return Evaluation({"cards": [r.card for r in rendered]}, issued)
