"""A paged prefetch is never read as the whole record (issue 11): a Bundle with a `next` link or a
`total` above its matches is completed through fhirServer, or else its key is reported incomplete."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from cds_service.fetch.prefetch import complete_prefetch, is_partial
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

PREDNISONE = {"resourceType": "MedicationRequest", "id": "m2", "status": "active"}


def with_total(bundle: dict[str, Any], total: int) -> dict[str, Any]:
    return {**bundle, "total": total}


@pytest.mark.parametrize("bundle, partial", [
    (searchset(MEDICATION), False),
    (with_total(searchset(MEDICATION), 1), False),
    (with_total(searchset(MEDICATION), 350), True),
    (searchset(MEDICATION, next_url=f"{BASE}/MedicationRequest?page=2"), True),
    (with_total({"resourceType": "Bundle", "type": "searchset", "entry": [
        {"resource": MEDICATION, "search": {"mode": "match"}},
        {"resource": PATIENT, "search": {"mode": "include"}}]}, 2), True),  # includes are not matches
    (PATIENT, False),
])
def test_a_bundle_is_partial_when_it_has_a_next_link_or_a_total_above_its_matches(bundle, partial):
    assert is_partial(bundle) is partial


@responses.activate
def test_a_paged_prefetch_is_completed_through_the_fhir_server() -> None:
    responses.get(MEDICATIONS_URL, json=with_total(searchset(MEDICATION, PREDNISONE), 2))
    sent = {"patient": PATIENT, "medications": with_total(searchset(MEDICATION), 2)}

    outcome = complete_prefetch(TEMPLATES, hook_request(sent), SETTINGS)

    assert [e["resource"]["id"] for e in outcome.data["medications"]["entry"]] == ["m1", "m2"]
    assert (outcome.missing, outcome.incomplete) == ((), ())


@responses.activate
def test_a_paged_prefetch_that_cannot_be_completed_is_used_and_reported_incomplete() -> None:
    responses.get(MEDICATIONS_URL, status=503)
    sent = {"patient": PATIENT, "medications": searchset(MEDICATION, next_url=f"{BASE}/MedicationRequest?page=2")}

    outcome = complete_prefetch(TEMPLATES, hook_request(sent), SETTINGS)

    assert outcome.data["medications"]["entry"][0]["resource"] == MEDICATION
    assert (outcome.missing, outcome.incomplete) == ((), ("medications",))


def test_without_a_fhir_server_a_paged_prefetch_is_reported_incomplete() -> None:
    request = hook_request({"patient": PATIENT, "medications": with_total(searchset(MEDICATION), 350)})
    del request["fhirServer"], request["fhirAuthorization"]

    outcome = complete_prefetch(TEMPLATES, request, SETTINGS)

    assert outcome.incomplete == ("medications",) and "medications" in outcome.data


@responses.activate
def test_a_fetched_result_that_is_still_partial_stays_incomplete() -> None:
    responses.get(MEDICATIONS_URL, json=with_total(searchset(MEDICATION), 350))
    outcome = complete_prefetch(TEMPLATES, hook_request({"patient": PATIENT}), SETTINGS)
    assert (outcome.missing, outcome.incomplete) == ((), ("medications",))
