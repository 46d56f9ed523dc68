"""FHIR-server fallback against a real FHIR server (Medplum, in memory): the service completes a
prefetch the client left out by searching the client's fhirServer with its access token."""

from __future__ import annotations

import copy
from typing import Any

from cds_service.config import Settings
from cds_service.fetch.prefetch import complete_prefetch
from hooks.services import OPTIONAL_PREFETCH
from tests.api import error_expressions, fixture, post_hook
from tests.fhir_server.conftest import PAGE_SIZE, FhirServer

NEW_DM = "requests/patient-view-new-dm-prednisone-alone.json"


def load_prefetch_into(server: FhirServer, request: dict[str, Any]) -> None:
    for value in request["prefetch"].values():
        if value is None:
            continue
        if value["resourceType"] == "Bundle":
            server.put(*(entry["resource"] for entry in value.get("entry", [])))
        else:
            server.put(value)


def without_prefetch(request: dict[str, Any], server: FhirServer, token: str) -> dict[str, Any]:
    body = copy.deepcopy(request)
    del body["prefetch"]
    body["fhirServer"] = server.base
    body["fhirAuthorization"] = {
        "access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": "user/*.read", "subject": "myositis-cds",
    }
    return body


def topics(response: dict[str, Any]) -> set[str]:
    return {card["source"]["topic"]["code"] for card in response["cards"]}


def test_omitted_prefetch_gives_the_same_cards_as_prefetch_sent(fhir_server: FhirServer, client) -> None:
    request = fixture(NEW_DM)
    load_prefetch_into(fhir_server, request)

    inline = post_hook(client, "myositis-patient-view", request)
    fetched = post_hook(client, "myositis-patient-view", without_prefetch(request, fhir_server, fhir_server.token))

    assert topics(inline)
    assert topics(fetched) == topics(inline)


def test_wrong_access_token_gives_412_naming_the_missing_required_keys(fhir_server: FhirServer, client) -> None:
    request = fixture(NEW_DM)
    load_prefetch_into(fhir_server, request)

    response = client.post("/cds-services/myositis-patient-view",
                           json=without_prefetch(request, fhir_server, "not-the-token"))

    assert response.status_code == 412
    required = {key for key in request["prefetch"] if key not in OPTIONAL_PREFETCH}
    assert set(error_expressions(response)) == {f"prefetch.{key}" for key in required}


def test_search_pages_are_followed_to_the_last(fhir_server: FhirServer) -> None:
    patient = "paging-1"
    observations = [
        {"resourceType": "Observation", "id": f"paging-obs-{n}", "status": "final",
         "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}]},
         "subject": {"reference": f"Patient/{patient}"}, "valueQuantity": {"value": 100 + n, "unit": "U/L"}}
        for n in range(2 * PAGE_SIZE + 1)
    ]
    fhir_server.put({"resourceType": "Patient", "id": patient}, *observations)
    request = without_prefetch({"prefetch": {}, "context": {"patientId": patient}}, fhir_server, fhir_server.token)

    outcome = complete_prefetch({"ck": "Observation?patient={{context.patientId}}"}, request, Settings())

    assert outcome.missing == ()
    assert sorted(entry["resource"]["id"] for entry in outcome.data["ck"]["entry"]) == sorted(o["id"] for o in observations)
