"""Rule settings: each recommendation's parameter defaults, overridden by one TOML file.

The file named by `CDS_RULE_SETTINGS` has one table per recommendation id, the table
`[order-safety]` for the thresholds of the order-safety check (`hooks.order_safety.params`) and the
table `[card-budget]` for the cards per response of each hook (`hooks.consolidate`), e.g.::

    [methotrexate-dose]
    adult_warning_mg_per_week = 25

Unknown ids or parameter names, and values of another type than the default, are rejected at
start-up. `myositis-cds catalog --settings` prints every parameter with its default and source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hooks import consolidate
from hooks.order_safety import params as order_safety
from hooks.recommendation import Parameter, Recommendation

RuleSettings = Mapping[str, Mapping[str, Any]]

#: The settings tables that are not a recommendation's: (table name, its parameters).
ENGINE_TABLES: tuple[tuple[str, Mapping[str, Parameter]], ...] = (
    (order_safety.TABLE, order_safety.PARAMETERS),
    (consolidate.TABLE, consolidate.PARAMETERS),
)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def resolve(recommendations: tuple[Recommendation, ...], overrides: Mapping[str, Any]) -> RuleSettings:
    """Defaults merged with overrides; raises ValueError on anything unknown or mistyped."""
    known: dict[str, Mapping[str, Parameter]] = {r.id: r.parameters for r in recommendations}
    known.update(ENGINE_TABLES)
    for rec_id, values in overrides.items():
        if rec_id not in known:
            raise ValueError(f"rule settings: unknown recommendation {rec_id!r}")
        if not isinstance(values, Mapping):
            raise ValueError(f"rule settings: [{rec_id}] must be a table")
        for name, value in values.items():
            parameter = known[rec_id].get(name)
            if parameter is None:
                raise ValueError(f"rule settings: {rec_id} has no parameter {name!r}")
            if not _same_kind(parameter.default, value):
                raise ValueError(f"rule settings: {rec_id}.{name} must be like {parameter.default!r}")
    resolved = {r.id: {**r.defaults(), **overrides.get(r.id, {})} for r in recommendations}
    for table, parameters in ENGINE_TABLES:
        resolved[table] = {**{n: p.default for n, p in parameters.items()}, **overrides.get(table, {})}
    return resolved


def load(recommendations: tuple[Recommendation, ...], path: str | None) -> RuleSettings:
    """Resolve settings from the TOML file at `path` (None: defaults only)."""
    if not path:
        return resolve(recommendations, {})
    with Path(path).open("rb") as handle:
        return resolve(recommendations, tomllib.load(handle))
