"""POST /cds-services/{id}: one hook call.

Pipeline: body checks (content type, size, JSON) -> request schema -> hook matches the service ->
prefetch completed (`cds_service.fetch.prefetch`) -> facts -> recommendations -> cards -> issued cards
queued for their record (`cds_service.storage.card_recorder`: a store failure never withholds or delays the cards). Logs carry the service id, hookInstance, card count and timing, never patient data.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from flask import Blueprint, Response, g

from cds_service import client_profiles, metrics
from cds_service.config import Settings
from cds_service.errors import ApiError, Issue
from cds_service.fetch.prefetch import complete_prefetch
from cds_service.protocol import runtime
from cds_service.protocol.api.body import json_body
from cds_service.protocol.evaluation import evaluate
from cds_service.protocol.validation import SchemaViolation, check
from cds_service.storage.snooze import patient_key
from hooks import consolidate
from hooks.services import Service, by_id

blueprint = Blueprint("services", __name__)
log = logging.getLogger(__name__)


def known_service(service_id: str) -> Service:
    service = by_id(service_id)
    if service is None:
        raise ApiError(404, f"unknown CDS service {service_id!r}; see GET /cds-services")
    return service


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one hook call.

    A large prefetch becomes millions of dicts and lists in a few milliseconds; the collector's
    full passes over them made parsing and mapping grow faster than the record (measured with
    `make bench`: the 5,000-resource parse took 60% longer with it running). Nothing in a call
    creates reference cycles that must be freed before it ends; the collector runs again after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@blueprint.post("/cds-services/<service_id>")
def hook_call(service_id: str) -> Response:
    with cyclic_gc_paused():
        return call_service(service_id)


def call_service(service_id: str) -> Response:
    started = time.perf_counter()
    service = known_service(service_id)
    rt = runtime.current()
    body = json_body(rt.settings.max_body_bytes)
    try:
        check(rt.validators.request, body)
    except SchemaViolation as violation:
        raise ApiError(400, f"invalid hook request: {violation}", expression=violation.path) from None
    if body["hook"] != service.hook:
        raise ApiError(
            400, f"service {service.id!r} answers hook {service.hook!r}, not {body['hook']!r}", expression="$.hook"
        )
    outcome = complete_prefetch(service.prefetch, body, rt.settings)
    metrics.record_fallback(outcome.fallback)
    required_missing = [key for key in outcome.missing if key not in service.optional_prefetch]
    if required_missing and rt.settings.prefetch_failure == "412":
        log.info("service=%s hookInstance=%s status=412 missing=%s", service.id, body["hookInstance"], required_missing,
                 extra={"service": service.id, "hookInstance": body["hookInstance"], "status": 412})
        raise ApiError(
            412,
            "required FHIR data could not be obtained from prefetch or fhirServer: " + ", ".join(required_missing),
            details=[Issue(f"prefetch key {key!r} was neither in the request nor fetched from fhirServer",
                           f"prefetch.{key}") for key in required_missing],
        )
    now = rt.clock()
    key, snoozes = patient_snoozes(rt, body, now)
    evaluation = evaluate(
        service, body, outcome.data, outcome.missing, rt.rules, now=now,
        selection_behavior=rt.settings.selection_behavior, incomplete=outcome.incomplete, patient_key=key,
        snoozes=snoozes,
        smart_app_url=rt.settings.smart_app_url,
    )
    for card in evaluation.response["cards"]:
        metrics.CARDS.labels(card["source"]["topic"]["code"], card["indicator"]).inc()
    for reason in evaluation.unreadable:
        metrics.UNREADABLE_ITEMS.labels(reason).inc()
    for finding in evaluation.findings:
        if finding.card_uuid:
            metrics.FINDINGS.labels(finding.recommendation_id, finding.indicator).inc()
    for recommendation_id in evaluation.suppressed:
        metrics.SNOOZED.labels(recommendation_id).inc()
    # Written in the background: the cards never wait for the store.
    rt.card_recorder.submit(evaluation.issued)
    rt.finding_recorder.submit(evaluation.findings)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    client = g.get("cds_client") or {}
    log.info(
        "service=%s hookInstance=%s cards=%d gaps=%d ms=%.1f",
        service.id, body["hookInstance"], len(evaluation.issued), len(outcome.missing), elapsed_ms,
        extra={"service": service.id, "hookInstance": body["hookInstance"], "status": 200,
               "cards": len(evaluation.issued), "gaps": len(outcome.missing), "ms": elapsed_ms,
               "iss": client.get("iss"), "jti": client.get("jti")},
    )
    profile, allowed_links = client_profile(rt.settings)
    # orjson: the stdlib encoder of `jsonify` took longer than the rest of the response's making.
    return Response(orjson.dumps(client_profiles.shape(evaluation.response, profile, allowed_links)),
                    mimetype="application/json")


def patient_snoozes(rt: runtime.Runtime, body: Mapping[str, Any], now: datetime) -> tuple[str, dict[str, str]]:
    """The patient's key in the store and its running snoozes (none when snoozing is off or the store fails: a
    finding is then shown, never hidden by a guess)."""
    patient_id = body["context"].get("patientId")
    if rt.patient_secret is None or not isinstance(patient_id, str) or not patient_id:
        return "", {}
    key = patient_key(rt.patient_secret, patient_id)
    if not (rt.rules.settings.get(consolidate.TABLE) or {}).get("snooze", True):
        return key, {}
    try:
        return key, {s.recommendation_id: s.indicator for s in rt.store.snoozes(key, now)}
    except Exception as error:  # noqa: BLE001 - the cards matter more than the snoozes
        log.error("snoozes not read, every finding shown: %s", type(error).__name__)
        return key, {}


def client_profile(settings: Settings) -> tuple[client_profiles.ClientProfile, tuple[str, ...]]:
    """The calling EHR's profile and allowed links: its trusted-issuer entry's, else the settings'."""
    issuer = g.get("cds_issuer")
    name = (issuer.profile if issuer else None) or settings.client_profile
    links = issuer.allowed_links if issuer and issuer.allowed_links is not None else settings.client_allowed_links
    return client_profiles.PROFILES[name], links
