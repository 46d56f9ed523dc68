"""What the HTTP layer needs per request, built once by `create_app` and validated there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app

from cds_service.config import Settings
from cds_service.evaluation import Rules
from cds_service.store import SqliteStore, Store
from cds_service.validation import Validators, validators
from fhir_mappings import products
from hooks import registry
from hooks import settings as rule_settings

EXTENSION = "myositis_cds"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    rules: Rules
    validators: Validators
    store: Store
    clock: Clock


def load_rules(settings: Settings) -> Rules:
    """The registry and rule parameters, validated (raises ValueError on any defect)."""
    recommendations = registry.all_recommendations()
    return Rules(recommendations, rule_settings.load(recommendations, settings.rule_settings), settings.strict_rules)


def build(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> Runtime:
    products.preload()  # terminology is a start-up cost, never the first request's
    return Runtime(
        settings=settings,
        rules=load_rules(settings),
        validators=validators(),
        store=store if store is not None else SqliteStore(settings.feedback_db_path()),
        clock=clock or utc_now,
    )


def current() -> Runtime:
    return current_app.extensions[EXTENSION]
