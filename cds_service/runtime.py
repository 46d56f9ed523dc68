"""What the HTTP layer needs per request, built once by `create_app` and validated there."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from flask import current_app

from cds_service.config import Settings
from cds_service.dependencies import redact
from cds_service.evaluation import Rules
from cds_service.snooze import load_secret
from cds_service.store import Store, open_store
from cds_service.validation import Validators, validators
from fhir_mappings import products
from hooks import registry
from hooks import settings as rule_settings

if TYPE_CHECKING:
    from cds_service.replay_cache import ReplayCache

log = logging.getLogger(__name__)

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
    #: Seen JWT ids, when clients are authenticated (CDS_TRUSTED_ISSUERS); None in open development mode.
    replay_cache: ReplayCache | None = None
    #: The HMAC key of patient keys in the store (cds_service.snooze); None: overrides do not snooze.
    patient_secret: bytes | None = None


def load_rules(settings: Settings) -> Rules:
    """The registry and rule parameters, validated (raises ValueError on any defect)."""
    recommendations = registry.all_recommendations()
    return Rules(recommendations, rule_settings.load(recommendations, settings.rule_settings), settings.strict_rules)


def build(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> Runtime:
    products.preload()  # terminology is a start-up cost, never the first request's
    # Imported here: it loads the metrics library, which `serve` must configure first (cds_service.metrics).
    from cds_service.replay_cache import open_replay_cache

    if store is None:
        log.info("store: %s", redact(settings.store))
        store = open_store(settings.store)
    replay_cache = None
    if settings.trusted_issuers:  # seen JWT ids matter only when clients are authenticated
        log.info("JWT replay cache: %s", redact(settings.replay_cache))
        replay_cache = open_replay_cache(settings.replay_cache, settings.jti_replay_db)
    return Runtime(settings=settings, rules=load_rules(settings), validators=validators(), store=store,
                   clock=clock or utc_now, replay_cache=replay_cache,
                   patient_secret=load_secret(settings.patient_hash_key, settings.store))


def current() -> Runtime:
    return current_app.extensions[EXTENSION]
