"""The demo: its patients tell the story the README promises, and /demo is served only where it may be."""

from datetime import date

import pytest

from cds_service.config import Settings
from demo import patients
from demo.__main__ import service_environment
from tests.api import hook_request, post_hook
from tests.factories import NOW

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
DEMO = patients.bundles()


def _draft(rxcui: str, display: str, dose: float, frequency: int, period_unit: str) -> dict:
    """A draft order as the demo page builds it (its subject is set by `_cards`)."""
    return {
        "resourceType": "MedicationRequest", "id": "draft-1", "status": "draft", "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rxcui, "display": display}], "text": display},
        "dosageInstruction": [{"timing": {"repeat": {"frequency": frequency, "period": 1, "periodUnit": period_unit}},
                               "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg",
                                                                 "system": "http://unitsofmeasure.org", "code": "mg"}}]}],
    }


def _cards(client, name: str, hook: str, drafts=()) -> dict[str, dict]:
    bundle = patients.moved_to(DEMO[name], NOW.date())
    resources = list(patients.resources(bundle))
    patient_id = resources[0]["id"]
    body = hook_request(hook, resources, drafts=[dict(d, subject={"reference": f"Patient/{patient_id}"}) for d in drafts],
                        patient_id=patient_id)
    response = post_hook(client, f"myositis-{hook}", body)
    return {card["source"]["topic"]["code"]: card for card in response["cards"]}


def test_there_are_six_demo_patients_each_a_bundle_led_by_its_patient():
    assert len(DEMO) == 6
    for bundle in DEMO.values():
        assert next(patients.resources(bundle))["resourceType"] == "Patient"


def test_new_dermatomyositis_on_prednisone_alone_gets_the_steroid_sparing_card(client):
    assert "steroid-sparing-agent" in _cards(client, "new-dermatomyositis", "patient-view")


def test_anti_hmgcr_myopathy_on_a_statin_gets_the_stop_statin_card(client):
    assert "statin-anti-hmgcr" in _cards(client, "hmgcr-statin", "patient-view")


def test_methotrexate_ordered_in_pregnancy_gets_the_critical_draft_order_safety_card(client):
    methotrexate = _draft("105585", "Methotrexate 2.5 MG Oral Tablet", 15, 1, "wk")
    card = _cards(client, "pregnant-methotrexate", "order-sign", [methotrexate])["draft-order-safety"]
    assert card["indicator"] == "critical" and "pregnancy" in card["summary"]


def test_too_much_prednisone_for_the_child_with_juvenile_dm_gets_a_dose_change(client):
    prednisone = _draft("312615", "Prednisone 20 MG Oral Tablet", 80, 1, "d")
    card = _cards(client, "juvenile-dermatomyositis", "order-select", [prednisone])["draft-order-safety"]
    (action,) = card["suggestions"][0]["actions"]
    assert action["type"] == "update" and action["resource"]["id"] == "draft-1"


def test_antisynthetase_syndrome_with_ild_gets_combination_therapy_from_the_outset(client):
    card = _cards(client, "antisynthetase-ild", "patient-view")["steroid-sparing-agent"]
    assert "interstitial lung disease" in card["detail"]


def test_the_well_treated_patient_gets_no_cards(client):
    assert _cards(client, "well-treated", "patient-view") == {}


def test_moving_a_bundle_keeps_ages_and_durations():
    bundle = {"resourceType": "Bundle", "timestamp": "2026-11-20T09:00:00Z", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "2017-06-10"}},
        {"resource": {"resourceType": "Observation", "id": "o", "effectiveDateTime": "2026-11-15T10:30:00Z",
                      "valueString": "2026-01-01 is not a date field"}}]}
    moved = patients.moved_to(bundle, date(2027, 1, 19))  # 60 days later
    patient, observation = patients.resources(moved)
    assert patient["birthDate"] == "2017-08-09"
    assert observation["effectiveDateTime"] == "2027-01-14T10:30:00Z"
    assert observation["valueString"] == "2026-01-01 is not a date field"


@pytest.fixture
def page_client(make_app):
    """A client for the page's HTML, CSS and JS (the API tests' client checks that answers are JSON)."""

    def build(**changes):
        app = make_app(**changes)
        app.test_client_class = None
        return app.test_client()

    return build


def test_demo_page_and_its_assets_are_served_in_open_development_mode(page_client):
    client = page_client()
    page = client.get("/demo")
    assert page.status_code == 200 and b"/demo/demo.js" in page.data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/demo/demo.js").status_code == 200
    assert client.get("/demo/demo.css").status_code == 200
    assert client.get("/demo/server.py").status_code == 404


def test_demo_page_sources_nothing_from_other_origins(page_client):
    page = page_client().get("/demo").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page


def test_demo_page_can_be_turned_off(page_client):
    assert page_client(demo_page=False).get("/demo").status_code == 404


def test_demo_page_is_never_on_when_clients_must_authenticate():
    assert Settings(trusted_issuers="issuers.json").demo_page_on is False
    assert Settings().demo_page_on is True


@pytest.mark.parametrize("value, on", [("false", False), ("true", True)])
def test_demo_page_setting_is_read_from_the_environment(value, on):
    assert Settings.from_env({"CDS_DEMO_PAGE": value}).demo_page is on


def test_invalid_demo_page_setting_stops_start_up():
    with pytest.raises(ValueError, match="CDS_DEMO_PAGE"):
        Settings.from_env({"CDS_DEMO_PAGE": "maybe"})


def test_make_demo_runs_the_service_open_with_the_fhir_server_allowlisted(monkeypatch):
    monkeypatch.setenv("CDS_TRUSTED_ISSUERS", "issuers.json")
    env = service_environment("http://127.0.0.1:4000/fhir", "/tmp/demo.sqlite3")
    settings = Settings.from_env(env)
    assert settings.demo_page_on and settings.fhir_allowlist == ("http://127.0.0.1:4000/fhir",)
    assert settings.feedback_db == "/tmp/demo.sqlite3"
