"""Prometheus metrics, served at `GET /metrics` in the text exposition format.

Labels carry only bounded, non-identifying values (route patterns, service and recommendation
ids, indicators, outcomes, reasons): never a patient, user, token or hookInstance.

Under several gunicorn workers each worker counts in its own process, so `myositis-cds serve`
runs prometheus_client's multiprocess mode: it sets `PROMETHEUS_MULTIPROC_DIR` before this module
is first imported (the client library chooses its storage at import), and a scrape of any worker
adds up every worker's files. Without that variable (tests, `flask run`) the process's own
registry is served.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from cds_service.config import METRICS_PATH
from cds_service.errors import error_response
from cds_service.fetch.fhir_client import FetchReport

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
#: The classic text format (every metric and label name here is a plain one), which Prometheus 2 and 3
#: and other scrapers all read.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "cds_http_requests_total", "HTTP requests answered, by route pattern, CDS service and status",
    ["route", "service", "status"],
)
LATENCY = Histogram(
    "cds_http_request_duration_seconds", "Seconds to answer a request, by route pattern and CDS service",
    ["route", "service"],
)
CARDS = Counter("cds_cards_total", "Cards issued, by recommendation and indicator", ["recommendation", "indicator"])
FEEDBACK = Counter("cds_feedback_items_total", "Feedback items received, by outcome", ["outcome"])
FINDINGS = Counter("cds_findings_total", "Findings shown, one per gap of a merged card, by recommendation and indicator",
                   ["recommendation", "indicator"])
FINDING_FEEDBACK = Counter(
    "cds_finding_feedback_total",
    "Feedback per finding, by recommendation and outcome (accepted, overridden, not-acted-on)", ["recommendation", "outcome"])
SNOOZED = Counter("cds_findings_snoozed_total", "Findings not shown because an override snoozed them, by recommendation",
                  ["recommendation"])
SNOOZES_CREATED = Counter("cds_snoozes_created_total", "Snoozes an override created, by recommendation and reason",
                          ["recommendation", "reason"])
CARDS_NOT_RECORDED = Counter(
    "cds_issued_cards_not_recorded_total", "Issued cards that could not be recorded (the store failed)"
)
FINDINGS_NOT_RECORDED = Counter(
    "cds_issued_findings_not_recorded_total",
    "Findings shown (or snoozed) that could not be recorded for feedback per gap (the store failed)",
)
FHIR_FALLBACK_KEYS = Counter(
    "cds_fhir_fallback_keys_total",
    "Prefetch keys asked of the fhirServer fallback, by result (fetched, timeout, failed, refused)", ["result"],
)
FHIR_FALLBACK_BYTES = Counter("cds_fhir_fallback_bytes_total", "Bytes read from fhirServer by the fallback")
JWT_REJECTIONS = Counter("cds_jwt_rejections_total", "Requests refused by JWT authentication, by reason", ["reason"])
UNREADABLE_ITEMS = Counter(
    "cds_unreadable_items_total",
    "Items of a record whose needed fact could not be read, by reason (dose, medication, code-system, comparator)",
    ["reason"],
)
REQUESTS_ARRIVED = Counter(
    "cds_requests_arrived_total", "Requests that reached load shedding (every request but probes and metrics)"
)
REQUESTS_SHED = Counter(
    "cds_requests_shed_total", "Requests answered 503 at once because the worker had CDS_MAX_IN_FLIGHT in flight"
)
REPLAY_CACHE_FALLBACKS = Counter(
    "cds_replay_cache_fallbacks_total",
    "Tokens checked against this host's replay cache only, because the shared one (Redis) was unreachable "
    "(CDS_REPLAY_CACHE_FAILURE=open)",
)
REPLAY_CACHE_REFUSALS = Counter(
    "cds_replay_cache_refusals_total",
    "Requests refused (503) because the shared replay cache (Redis) was unreachable (CDS_REPLAY_CACHE_FAILURE=closed)",
)
REPLAY_CACHE_RESYNCED = Counter(
    "cds_replay_cache_resynced_total",
    "Tokens accepted during a Redis outage and written to Redis when it returned, by result "
    "(written, already-used: another instance had accepted it too)", ["result"],
)


def exposition() -> bytes:
    """The current metrics of this process, or of every worker in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _service_label(known_services: frozenset[str]) -> str:
    service = (request.view_args or {}).get("service_id")
    if service is None:
        return ""
    return service if service in known_services else "unknown"


def install(app: Flask, known_services: frozenset[str], token: str | None) -> None:
    """Time and count every request, and serve `GET /metrics` (behind `token` when one is set)."""

    @app.before_request
    def start_timer() -> Response | None:
        g.metrics_started = time.perf_counter()
        if token and request.path == METRICS_PATH:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return error_response(401, "authentication required")
        return None

    @app.after_request
    def count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        service = _service_label(known_services)
        REQUESTS.labels(route, service, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(route, service).observe(time.perf_counter() - started)
        return response

    @app.get(METRICS_PATH)
    def metrics() -> Response:
        return Response(exposition(), content_type=CONTENT_TYPE)


def record_fallback(report: FetchReport | None) -> None:
    """Count one hook request's fallback fetches (nothing when nothing was asked of a fhirServer)."""
    if report is None:
        return
    for result in report.results.values():
        FHIR_FALLBACK_KEYS.labels(result).inc()
    FHIR_FALLBACK_BYTES.inc(report.bytes_read)
