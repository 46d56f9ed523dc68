"""Prefetch completion (SPEC-NOTES.md 2.4 P6/P7, section 10 point 3): use what the client sent,
fetch what it did not from an allowed fhirServer, and report the keys that stay missing."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
import requests
import responses

from cds_service.config import Settings
from cds_service.fetch.prefetch import complete_prefetch

BASE = "https://fhir.example.org/r4"
TOKEN = "secret-access-token-8d2f"
SETTINGS = Settings(fhir_allowlist=(BASE,), fhir_total_budget=2.0)
TEMPLATES = {
    "patient": "Patient/{{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
}
PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}
MEDICATION = {"resourceType": "MedicationRequest", "id": "m1", "status": "active"}
OUTCOME = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "forbidden"}]}


def searchset(*resources: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": resource, "search": {"mode": "match"}} for resource in resources],
    }
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def hook_request(prefetch: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": BASE,
        "fhirAuthorization": {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                              "scope": "user/*.read", "subject": "myositis-cds"},
        "context": {"userId": "Practitioner/u1", "patientId": "p1"},
    }
    if prefetch is not None:
        request["prefetch"] = prefetch
    request.update(extra)
    return request


MEDICATIONS_URL = f"{BASE}/MedicationRequest?patient=p1&status=active"


def wait_until_recorded(calls: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(responses.calls) < calls and time.monotonic() < deadline:
        time.sleep(0.01)


@responses.activate
def test_usable_prefetch_is_used_without_contacting_the_fhir_server() -> None:
    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": searchset(MEDICATION)}), SETTINGS)

    assert outcome.data["patient"] == PATIENT
    assert outcome.data["medications"]["entry"][0]["resource"] == MEDICATION
    assert outcome.missing == ()
    assert len(responses.calls) == 0


@responses.activate
def test_null_prefetch_value_is_known_empty_and_not_fetched() -> None:
    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": None}), SETTINGS)

    assert "medications" in outcome.data and outcome.data["medications"] is None
    assert outcome.missing == ()
    assert len(responses.calls) == 0


@responses.activate
def test_missing_key_is_fetched_with_the_bearer_token() -> None:
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert outcome.data["medications"]["entry"][0]["resource"] == MEDICATION
    assert outcome.missing == ()
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Accept"] == "application/fhir+json"


@responses.activate
def test_omitted_prefetch_fetches_every_key() -> None:
    responses.get(f"{BASE}/Patient/p1", json=PATIENT)
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION))

    outcome = complete_prefetch(TEMPLATES, hook_request(), SETTINGS)

    assert outcome.data["patient"] == PATIENT
    assert outcome.missing == ()


@responses.activate
def test_without_fhir_authorization_no_authorization_header_is_sent() -> None:
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION))
    request = hook_request({"patient": PATIENT})
    del request["fhirAuthorization"]

    complete_prefetch(TEMPLATES, request, SETTINGS)

    assert "Authorization" not in responses.calls[0].request.headers


@pytest.mark.parametrize(
    "sent",
    [
        OUTCOME,
        {"resourceType": "Bundle", "type": "searchset",
         "entry": [{"resource": OUTCOME, "search": {"mode": "outcome"}}]},
        "MedicationRequest/m1",
        {"resourceType": "Patient", "id": "p1"},
    ],
    ids=["operation-outcome", "bundle-of-outcomes", "not-a-resource", "wrong-resource-type"],
)
@responses.activate
def test_unusable_prefetch_value_is_fetched_instead(sent: Any) -> None:
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": sent}), SETTINGS)

    assert outcome.data["medications"]["entry"][0]["resource"] == MEDICATION
    assert len(responses.calls) == 1


@responses.activate
def test_prefetched_patient_with_another_id_is_not_used() -> None:
    responses.get(f"{BASE}/Patient/p1", json=PATIENT)
    other = {**PATIENT, "id": "someone-else"}

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": other, "medications": None}), SETTINGS)

    assert outcome.data["patient"]["id"] == "p1"


@responses.activate
def test_outcome_entries_are_dropped_from_an_otherwise_usable_bundle() -> None:
    bundle = searchset(MEDICATION)
    bundle["entry"].append({"resource": OUTCOME, "search": {"mode": "outcome"}})

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": bundle}), SETTINGS)

    assert [entry["resource"] for entry in outcome.data["medications"]["entry"]] == [MEDICATION]
    assert len(responses.calls) == 0


def test_empty_search_bundle_is_usable() -> None:
    empty = {"resourceType": "Bundle", "type": "searchset", "total": 0}

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT, "medications": empty}), SETTINGS)

    assert outcome.data["medications"] == empty
    assert outcome.missing == ()


def test_missing_key_without_fhir_server_is_reported_missing() -> None:
    request = hook_request({"patient": PATIENT})
    del request["fhirServer"], request["fhirAuthorization"]

    outcome = complete_prefetch(TEMPLATES, request, SETTINGS)

    assert outcome.missing == ("medications",)
    assert "medications" not in outcome.data


@pytest.mark.parametrize("status", [401, 403, 404, 500, 503])
@responses.activate
def test_fhir_server_error_status_leaves_the_key_missing(status: int) -> None:
    responses.get(MEDICATIONS_URL, status=status, json=OUTCOME)

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert outcome.missing == ("medications",)


@responses.activate
def test_fhir_server_answering_an_operation_outcome_with_200_leaves_the_key_missing() -> None:
    responses.get(MEDICATIONS_URL, json=OUTCOME)

    assert complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS).missing == ("medications",)


@responses.activate
def test_search_answered_only_with_outcome_entries_leaves_the_key_missing() -> None:
    responses.get(MEDICATIONS_URL, json={"resourceType": "Bundle", "type": "searchset",
                                         "entry": [{"resource": OUTCOME, "search": {"mode": "outcome"}}]})

    assert complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS).missing == ("medications",)


@responses.activate
def test_non_json_answer_leaves_the_key_missing() -> None:
    responses.get(MEDICATIONS_URL, body="<html>login</html>", content_type="text/html")

    assert complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS).missing == ("medications",)


@pytest.mark.parametrize("error", [requests.ConnectTimeout(), requests.ReadTimeout(), requests.ConnectionError()])
@responses.activate
def test_timeout_or_connection_failure_leaves_the_key_missing(error: Exception) -> None:
    responses.get(MEDICATIONS_URL, body=error)

    assert complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS).missing == ("medications",)


@responses.activate
def test_slow_server_is_abandoned_when_the_total_budget_is_spent() -> None:
    release = threading.Event()

    def slow(_request: Any) -> tuple[int, dict[str, str], str]:
        release.wait(timeout=10)
        return 200, {}, json.dumps(searchset(MEDICATION))

    responses.add_callback(responses.GET, MEDICATIONS_URL, callback=slow)
    started = time.monotonic()

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), replace(SETTINGS, fhir_total_budget=0.3))

    elapsed = time.monotonic() - started
    release.set()
    wait_until_recorded(calls=1)  # the abandoned fetch ends inside this test's mock, not the next test's
    assert outcome.missing == ("medications",)
    assert elapsed < 1.0


@responses.activate
def test_missing_keys_are_fetched_concurrently() -> None:
    """Each answer waits until both requests have arrived: fetched one after the other, the first
    would give up (broken barrier) and its key would be missing."""
    both_arrived = threading.Barrier(2, timeout=1.5)

    def answer(body: dict[str, Any]) -> Any:
        def callback(_request: Any) -> tuple[int, dict[str, str], str]:
            both_arrived.wait()
            return 200, {}, json.dumps(body)
        return callback

    responses.add_callback(responses.GET, f"{BASE}/Patient/p1", callback=answer(PATIENT))
    responses.add_callback(responses.GET, MEDICATIONS_URL, callback=answer(searchset(MEDICATION)))

    outcome = complete_prefetch(TEMPLATES, hook_request(), SETTINGS)

    assert outcome.missing == ()


@responses.activate
def test_next_links_are_followed_and_pages_merged() -> None:
    page2 = f"{BASE}/MedicationRequest?_getpages=abc&_page=2"
    second = {**MEDICATION, "id": "m2"}
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION, next_url=page2))
    responses.get(page2, json=searchset(second))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    bundle = outcome.data["medications"]
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == ["m1", "m2"]
    assert "link" not in bundle
    assert all(call.request.headers["Authorization"] == f"Bearer {TOKEN}" for call in responses.calls)


@responses.activate
def test_more_pages_than_the_bound_leave_the_key_missing() -> None:
    for page in range(1, 4):
        url = MEDICATIONS_URL if page == 1 else f"{BASE}/MedicationRequest?_page={page}"
        responses.get(url, json=searchset({**MEDICATION, "id": f"m{page}"}, next_url=f"{BASE}/MedicationRequest?_page={page + 1}"))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), replace(SETTINGS, fhir_max_pages=3))

    assert outcome.missing == ("medications",)
    assert len(responses.calls) == 3


@responses.activate
def test_more_entries_than_the_bound_leave_the_key_missing() -> None:
    responses.get(MEDICATIONS_URL, json=searchset(*({**MEDICATION, "id": f"m{i}"} for i in range(6))))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), replace(SETTINGS, fhir_max_entries=5))

    assert outcome.missing == ("medications",)


@pytest.mark.parametrize(
    "next_url",
    ["https://attacker.example.net/steal", "http://fhir.example.org/r4/MedicationRequest?page=2",
     "https://attacker.example.net\\@fhir.example.org/r4/x", "https://fhir.example.org/r4/../admin",
     "/r4/MedicationRequest?page=2"],
    ids=["other-host", "downgraded-to-http", "backslash-userinfo", "dot-segments", "relative"],
)
@responses.activate
def test_next_link_leaving_the_fhir_server_is_not_followed(next_url: str) -> None:
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION, next_url=next_url))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert outcome.missing == ("medications",)
    assert [call.request.url for call in responses.calls] == [MEDICATIONS_URL]


ENCODED_DOT_SEGMENTS = ["%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e", "%2e", "..%2fadmin%2f..", "%2e%2e%5cadmin"]


@pytest.mark.parametrize("dots", ENCODED_DOT_SEGMENTS)
@responses.activate
def test_fhir_server_with_an_encoded_dot_segment_is_never_contacted(dots: str) -> None:
    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}, fhirServer=f"{BASE}/{dots}/admin"), SETTINGS)

    assert outcome.missing == ("medications",)
    assert len(responses.calls) == 0


@pytest.mark.parametrize("dots", ENCODED_DOT_SEGMENTS)
@responses.activate
def test_next_link_with_an_encoded_dot_segment_is_not_followed(dots: str) -> None:
    responses.get(MEDICATIONS_URL, json=searchset(MEDICATION, next_url=f"{BASE}/{dots}/admin/MedicationRequest?page=2"))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert outcome.missing == ("medications",)
    assert [call.request.url for call in responses.calls] == [MEDICATIONS_URL]


@pytest.mark.parametrize("location", ["https://attacker.example.net/r4/x", f"{BASE}/MedicationRequest?moved=1"])
@responses.activate
def test_redirects_are_never_followed(location: str) -> None:
    responses.get(MEDICATIONS_URL, status=302, headers={"Location": location})

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert outcome.missing == ("medications",)
    assert len(responses.calls) == 1


@responses.activate
def test_oversized_response_leaves_the_key_missing() -> None:
    responses.get(MEDICATIONS_URL, json=searchset(*({**MEDICATION, "id": f"m{i}", "note": "x" * 200} for i in range(20))))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), replace(SETTINGS, fhir_max_bytes=2000))

    assert outcome.missing == ("medications",)


@pytest.mark.parametrize(
    "fhir_server",
    ["https://attacker.example.net/r4", "https://fhir.example.org.attacker.net/r4", "https://fhir.example.org/r4-other",
     "https://user:pw@fhir.example.org/r4", "file:///etc/passwd", "https://attacker.example.net\\@fhir.example.org/r4",
     "https://fhir.example.org/r4\n.attacker.net"],
)
@responses.activate
def test_fhir_server_off_the_allowlist_is_never_contacted(fhir_server: str) -> None:
    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}, fhirServer=fhir_server), SETTINGS)

    assert outcome.missing == ("medications",)
    assert len(responses.calls) == 0


@responses.activate
def test_fhir_server_below_an_allowlisted_base_is_allowed() -> None:
    responses.get(f"{BASE}/tenant-a/MedicationRequest?patient=p1&status=active", json=searchset(MEDICATION))

    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}, fhirServer=f"{BASE}/tenant-a/"), SETTINGS)

    assert outcome.missing == ()


@responses.activate
def test_without_allowlist_only_loopback_fhir_servers_are_contacted() -> None:
    responses.get("http://127.0.0.1:8090/fhir/MedicationRequest?patient=p1&status=active", json=searchset(MEDICATION))
    development = Settings()

    local = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}, fhirServer="http://127.0.0.1:8090/fhir"), development)
    remote = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), development)

    assert local.missing == ()
    assert remote.missing == ("medications",)
    assert len(responses.calls) == 1


@responses.activate
def test_unresolvable_template_token_leaves_the_key_missing() -> None:
    templates = {"encounter": "Encounter/{{context.encounterId}}"}

    outcome = complete_prefetch(templates, hook_request({}), SETTINGS)

    assert outcome.missing == ("encounter",)
    assert len(responses.calls) == 0


@responses.activate
def test_access_token_is_not_logged_on_failure(caplog: pytest.LogCaptureFixture) -> None:
    responses.get(MEDICATIONS_URL, status=401)
    caplog.set_level(logging.DEBUG)

    complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)

    assert "medications" in caplog.text
    assert TOKEN not in caplog.text
