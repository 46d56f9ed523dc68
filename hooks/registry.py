"""The registry of recommendations: every module in `hooks.recommendations` declares one.

Validated once, when loaded (unique kebab-case ids, known hooks, parameters documented), so a
broken declaration stops the service at start-up instead of failing a request.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from hooks import recommendations as _package
from hooks.recommendation import ALL_HOOKS, Recommendation

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def validate(recommendation: Recommendation) -> None:
    """Raise ValueError when a declaration is incomplete."""
    problems = []
    if not _ID.match(recommendation.id):
        problems.append("id must be kebab-case")
    if not recommendation.hooks or not recommendation.hooks <= ALL_HOOKS:
        problems.append(f"hooks must be a non-empty subset of {sorted(ALL_HOOKS)}")
    if not recommendation.indicators:
        problems.append("indicators must not be empty")
    if not (recommendation.citation.label and recommendation.citation.url and recommendation.citation.statement):
        problems.append("citation needs label, url and statement")
    if not recommendation.trigger.strip():
        problems.append("trigger must be stated in data terms")
    for name, parameter in recommendation.parameters.items():
        if not (parameter.description and parameter.source):
            problems.append(f"parameter {name} needs a description and a source")
    if problems:
        raise ValueError(f"recommendation {recommendation.id!r}: " + "; ".join(problems))


@cache
def all_recommendations() -> tuple[Recommendation, ...]:
    """Every declared recommendation, sorted by id."""
    found: dict[str, Recommendation] = {}
    for module_info in pkgutil.iter_modules(_package.__path__):
        module = importlib.import_module(f"{_package.__name__}.{module_info.name}")
        recommendation = getattr(module, "RECOMMENDATION", None)
        if not isinstance(recommendation, Recommendation):
            raise ValueError(f"module {module.__name__} declares no RECOMMENDATION")
        validate(recommendation)
        if recommendation.id in found:
            raise ValueError(f"duplicate recommendation id {recommendation.id!r}")
        found[recommendation.id] = recommendation
    return tuple(found[key] for key in sorted(found))


def by_id(recommendation_id: str) -> Recommendation:
    for recommendation in all_recommendations():
        if recommendation.id == recommendation_id:
            return recommendation
    raise KeyError(recommendation_id)
