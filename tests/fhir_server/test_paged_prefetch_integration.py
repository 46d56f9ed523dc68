"""A paged medication prefetch against a real FHIR server (issue 11): the EHR sends the first page
only (`total` above its entries, a `next` link); the service completes it from fhirServer, or, when
it cannot, reads what it got without asserting an absence."""

from __future__ import annotations

from typing import Any

from tests.api import hook_request, post_hook
from tests.fhir_builders import condition, medication_request, observation, patient
from tests.fhir_server.conftest import FhirServer
from tests.fhir_server.test_fallback_integration import topics

PATIENT_ID = "paged-meds-1"


def record() -> list[dict[str, Any]]:
    subject = {"subject": {"reference": f"Patient/{PATIENT_ID}"}}
    others = [medication_request(text="Acetaminophen 325 MG Oral Tablet", dose=650, authored_on=f"2026-10-{day:02d}",
                                 id=f"paged-other-{day}", **subject) for day in range(10, 15)]
    return [
        {**patient(), "id": PATIENT_ID},
        {**condition("396230008", display="Dermatomyositis", onset="2026-09-01", id="paged-dm"), **subject},
        {**observation("29463-7", 70, "kg", date="2026-11-10", id="paged-weight"), **subject},
        {**medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=40, authored_on="2026-11-01",
                              id="paged-prednisone"), **subject},
        *others,
        {**medication_request("198335", display="Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet", dose=1,
                              unit="{tbl}", authored_on="2026-01-05", id="paged-cotrimoxazole"), **subject},
    ]


def first_page_only(server: FhirServer, token: str) -> dict[str, Any]:
    """The request an EHR sends when it prefetches one page: prednisone and two newer-first others of
    seven orders; the cotrimoxazole (PJP prophylaxis) is on a later page."""
    resources = record()
    body = hook_request("patient-view", resources, patient_id=PATIENT_ID)
    medications = body["prefetch"]["medications"]
    medications["entry"] = medications["entry"][:3]
    medications["total"] = 7
    medications["link"] = [{"relation": "next", "url": f"{server.base}/MedicationRequest?patient={PATIENT_ID}&page=2"}]
    body["fhirServer"] = server.base
    body["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                 "scope": "user/*.read", "subject": "myositis-cds"}
    return body


def test_a_first_page_is_completed_from_the_fhir_server_and_the_prophylaxis_found(fhir_server: FhirServer, client):
    fhir_server.put(*record())
    response = post_hook(client, "myositis-patient-view", first_page_only(fhir_server, fhir_server.token))
    assert "pjp-prophylaxis" not in topics(response)
    assert "steroid-sparing-agent" in topics(response)


def test_a_first_page_that_cannot_be_completed_asks_to_verify_the_prophylaxis(fhir_server: FhirServer, client):
    fhir_server.put(*record())
    response = post_hook(client, "myositis-patient-view", first_page_only(fhir_server, "not-the-token"))
    [card] = [c for c in response["cards"] if c["source"]["topic"]["code"] == "pjp-prophylaxis"]
    assert card["summary"].startswith("Verify in the full record: ") and "suggestions" not in card
