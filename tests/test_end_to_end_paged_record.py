"""A paged medication list through the HTTP API (issue 11): what is in it counts, what is not in it
is not read as absent."""

from tests.api import hook_request, post_hook
from tests.fhir_builders import condition, medication_request, patient

PATIENT_VIEW = "myositis-patient-view"


def prednisone_40():
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=40, authored_on="2026-11-01")


def paged_cards(client, *, total=None, next_link=False):
    body = hook_request("patient-view", [patient(), condition("396230008", onset="2026-01-10"), prednisone_40()])
    medications = body["prefetch"]["medications"]
    if total is not None:
        medications["total"] = total
    if next_link:
        medications["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir/MedicationRequest?page=2"}]
    return {card["source"]["topic"]["code"]: card for card in post_hook(client, PATIENT_VIEW, body)["cards"]}


def test_a_complete_list_without_prophylaxis_states_it_and_offers_the_order(client):
    card = paged_cards(client)["pjp-prophylaxis"]
    assert card["summary"] == "High-dose glucocorticoid without Pneumocystis (PJP) prophylaxis"
    assert card["suggestions"]


def test_a_list_with_total_above_its_entries_asks_to_verify_and_offers_no_order(client):
    card = paged_cards(client, total=350)["pjp-prophylaxis"]
    assert card["summary"].startswith("Verify in the full record: ")
    assert "suggestions" not in card
    assert "**Not verified:** the MedicationRequest records were not all available" in card["detail"]
    assert "**Partly checked:** only part of MedicationRequest was received" in card["detail"]


def test_a_list_with_a_next_link_asks_to_verify(client):
    assert paged_cards(client, next_link=True)["pjp-prophylaxis"]["summary"].startswith("Verify in the full record")


def test_what_a_partial_list_holds_still_counts(client):
    card = paged_cards(client, total=350)["pjp-prophylaxis"]  # fires on the prednisone of the first page
    assert any("Prednisone" in line for line in card["detail"].splitlines())
