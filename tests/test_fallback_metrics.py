"""What the fhirServer fallback did, per hook request, reaches the metrics: keys by result and bytes read."""

from __future__ import annotations

import json

import requests
import responses
from prometheus_client import REGISTRY

from cds_service import metrics
from cds_service.config import Settings
from cds_service.fetch.prefetch import complete_prefetch
from tests.security.test_prefetch_completion import (
    BASE,
    MEDICATION,
    MEDICATIONS_URL,
    PATIENT,
    SETTINGS,
    TEMPLATES,
    hook_request,
    searchset,
)


@responses.activate
def test_each_fetched_key_is_reported_with_the_bytes_read() -> None:
    responses.get(f"{BASE}/Patient/p1", json=PATIENT)
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION))
    report = complete_prefetch(TEMPLATES, hook_request(), SETTINGS).fallback
    assert report.results == {"patient": "fetched", "medications": "fetched"}
    assert report.bytes_read == len(json.dumps(PATIENT)) + len(json.dumps(searchset(MEDICATION)))


@responses.activate
def test_a_timeout_and_a_server_error_are_reported_apart() -> None:
    responses.get(f"{BASE}/Patient/p1", body=requests.ReadTimeout())
    responses.get(MEDICATIONS_URL, status=500, json={})
    report = complete_prefetch(TEMPLATES, hook_request(), SETTINGS).fallback
    assert report.results == {"patient": "timeout", "medications": "failed"}


def test_a_fhir_server_off_the_allowlist_is_reported_refused() -> None:
    report = complete_prefetch(TEMPLATES, hook_request(), Settings(fhir_allowlist=("https://other.example.org",))).fallback
    assert report.results == {"patient": "refused", "medications": "refused"}


def test_nothing_is_reported_when_the_prefetch_was_complete_or_no_fhir_server_was_given() -> None:
    assert complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": searchset()}),
                             SETTINGS).fallback is None
    request = hook_request({"patient": PATIENT})
    del request["fhirServer"], request["fhirAuthorization"]
    assert complete_prefetch(TEMPLATES, request, SETTINGS).fallback is None


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@responses.activate
def test_the_report_is_counted_in_the_metrics() -> None:
    responses.get(f"{BASE}/Patient/p1", json=PATIENT)
    responses.get(MEDICATIONS_URL, status=503, json={})
    fetched = sample("cds_fhir_fallback_keys_total", result="fetched")
    failed = sample("cds_fhir_fallback_keys_total", result="failed")
    read = sample("cds_fhir_fallback_bytes_total")
    metrics.record_fallback(complete_prefetch(TEMPLATES, hook_request(), SETTINGS).fallback)
    assert sample("cds_fhir_fallback_keys_total", result="fetched") == fetched + 1
    assert sample("cds_fhir_fallback_keys_total", result="failed") == failed + 1
    assert sample("cds_fhir_fallback_bytes_total") == read + len(json.dumps(PATIENT))
