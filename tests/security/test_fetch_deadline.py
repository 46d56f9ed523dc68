"""One wall-clock deadline per hook request for every outbound fetch, and bounds on what all pages of
a request may hold, against real loopback servers that drip or flood (tests/security/hostile_fhir_server.py)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from cds_service.config import Settings
from cds_service.fetch import fhir_client
from cds_service.fetch.prefetch import complete_prefetch
from cds_service.security import auth
from tests.security.hostile_fhir_server import DRIPPING_BODY, DRIPPING_HEAD, hostile_server, pages_of_empty_objects

TEMPLATES = {
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
}
BUDGET_S = 0.6
#: The deadline, plus the bounded wait for the fetch threads, plus a loaded machine's scheduling.
WITHIN_S = BUDGET_S + fhir_client.JOIN_GRACE_SECONDS + 0.5
CALLS = 5


def hook_request(fhir_server: str) -> dict:
    return {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "fhirServer": fhir_server,
            "context": {"userId": "Practitioner/u1", "patientId": "p1"}, "prefetch": {}}


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def settle(baseline_threads: int) -> None:
    """Give threads that are ending a moment to be gone (bounded)."""
    ends = time.monotonic() + 2.0
    while threading.active_count() > baseline_threads and time.monotonic() < ends:
        time.sleep(0.01)


@pytest.mark.parametrize("answer", [DRIPPING_HEAD, DRIPPING_BODY], ids=["dripping-headers", "dripping-body"])
def test_a_dripping_fhir_server_is_cut_off_at_the_deadline_leaving_no_thread_or_socket(answer) -> None:
    settings = Settings(fhir_total_budget=BUDGET_S, fhir_read_timeout=1.0)
    with hostile_server(answer) as base:
        complete_prefetch(TEMPLATES, hook_request(base), settings)  # first use: lazy imports, pools
        threads, descriptors = threading.active_count(), open_descriptors()
        durations = []
        for _ in range(CALLS):
            started = time.monotonic()
            outcome = complete_prefetch(TEMPLATES, hook_request(base), settings)
            durations.append(time.monotonic() - started)
            assert outcome.missing == ("conditions", "observations")
        settle(threads)

        assert max(durations) < WITHIN_S, durations
        assert threading.active_count() <= threads
        assert open_descriptors() <= descriptors


def test_a_dripping_jwks_url_gives_up_within_the_key_fetch_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "JWKS_LIMITS", fhir_client.FetchLimits(connect_timeout=1.0, read_timeout=1.0,
                                                                     total_budget=BUDGET_S, max_bytes=1_000_000))
    with hostile_server(DRIPPING_BODY) as base:
        with pytest.raises(fhir_client.FetchError):
            auth.fetch_jwks(f"{base}/jwks.json")  # first use: lazy imports, pools
        threads, descriptors = threading.active_count(), open_descriptors()
        started = time.monotonic()
        with pytest.raises(fhir_client.FetchError):
            auth.fetch_jwks(f"{base}/jwks.json")
        elapsed = time.monotonic() - started
        settle(threads)

        assert elapsed < WITHIN_S
        assert threading.active_count() <= threads
        assert open_descriptors() <= descriptors


def test_bytes_are_bounded_across_all_pages_and_keys_of_a_request() -> None:
    served: list[str] = []
    page_bytes = 400_000
    settings = Settings(fhir_total_budget=10.0, fhir_max_bytes=1_000_000, fhir_max_pages=50, fhir_max_entries=10**9)
    with hostile_server(pages_of_empty_objects(page_bytes, served)) as base:
        outcome = complete_prefetch(TEMPLATES, hook_request(base), settings)

    assert outcome.missing == ("conditions", "observations")
    # Both keys together stop once 1 MB has arrived: at most one page in flight per key beyond it.
    assert len(served) <= 1_000_000 // page_bytes + len(TEMPLATES)


def test_entries_are_bounded_across_all_pages_and_keys_of_a_request() -> None:
    served: list[str] = []
    settings = Settings(fhir_total_budget=10.0, fhir_max_bytes=10**9, fhir_max_pages=50, fhir_max_entries=3000)
    with hostile_server(pages_of_empty_objects(3000, served)) as base:  # about 1,000 entries a page
        outcome = complete_prefetch(TEMPLATES, hook_request(base), settings)

    assert outcome.missing == ("conditions", "observations")
    assert len(served) <= 3 + len(TEMPLATES)
