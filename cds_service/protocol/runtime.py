"""What the HTTP layer needs per request, built once by `create_app` and validated there."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from flask import current_app

from cds_service.config import ConfigurationError, Settings
from cds_service.protocol.evaluation import Rules
from cds_service.protocol.validation import Validators, validators
from cds_service.storage.dependencies import redact
from cds_service.storage.snooze import load_secret
from cds_service.storage.store import Store
from cds_service.storage.store_factory import open_store
from fhir_mappings import products
from hooks import registry
from hooks import settings as rule_settings

if TYPE_CHECKING:
    from cds_service.security.replay_cache import ReplayCache
    from cds_service.storage.card_recorder import CardRecorder

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
    #: Write the record of issued cards, and of the findings they showed, in the background
    #: (cds_service.storage.card_recorder).
    card_recorder: CardRecorder
    finding_recorder: CardRecorder
    clock: Clock
    #: Seen JWT ids, when clients are authenticated (CDS_TRUSTED_ISSUERS); None in open development mode.
    replay_cache: ReplayCache | None = None
    #: The HMAC key of patient keys in the store (cds_service.storage.snooze); None: overrides do not snooze.
    patient_secret: bytes | None = None


def load_rules(settings: Settings) -> Rules:
    """The registry and rule parameters, validated (raises ConfigurationError on any defect of the
    CDS_RULE_SETTINGS file)."""
    recommendations = registry.all_recommendations()
    try:
        parameters = rule_settings.load(recommendations, settings.rule_settings)
    except OSError as error:
        raise ConfigurationError("CDS_RULE_SETTINGS", settings.rule_settings,
                                 f"cannot read the file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError("CDS_RULE_SETTINGS", settings.rule_settings, f"not valid TOML: {error}") from None
    except ValueError as error:  # an entry the registry does not know, or a value out of its range
        raise ConfigurationError("CDS_RULE_SETTINGS", settings.rule_settings, str(error)) from None
    return Rules(recommendations, parameters, settings.strict_rules)


def build(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> Runtime:
    products.preload()  # terminology is a start-up cost, never the first request's
    # Imported here: it loads the metrics library, which `serve` must configure first (cds_service.metrics).
    from cds_service import metrics
    from cds_service.security.replay_cache import open_replay_cache
    from cds_service.storage.card_recorder import CardRecorder

    rules = load_rules(settings)  # configuration first: a defect stops start-up before anything is opened
    if store is None:
        log.info("store: %s", redact(settings.store))
        store = open_store(settings.store)
    replay_cache = None
    if settings.trusted_issuers:  # seen JWT ids matter only when clients are authenticated
        log.info("JWT replay cache: %s", redact(settings.replay_cache))
        replay_cache = open_replay_cache(settings.replay_cache, settings.jti_replay_db,
                                         settings.replay_cache_failure)
    return Runtime(settings=settings, rules=rules, validators=validators(), store=store,
                   card_recorder=CardRecorder(store, capacity=settings.card_queue_size),
                   finding_recorder=CardRecorder(store, capacity=settings.card_queue_size, what="issued findings",
                                                 write=lambda findings: store.record_findings(findings), lost=metrics.FINDINGS_NOT_RECORDED),
                   clock=clock or utc_now, replay_cache=replay_cache,
                   patient_secret=load_secret(settings.patient_hash_key, settings.store))


def current() -> Runtime:
    return current_app.extensions[EXTENSION]
