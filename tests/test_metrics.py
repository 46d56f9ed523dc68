"""GET /metrics: Prometheus text format, bounded labels without patient data, guarded like the other
endpoints or by its own token, and correct across several gunicorn workers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests.api import UnreachableStore, ValidatingClient, fixture
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document
from tests.serving.served import served

PATIENT_VIEW = "/cds-services/myositis-patient-view"
REQUEST = "requests/patient-view-dm-prednisone.json"


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Sample values of metric `name`, keyed by their sorted labels."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples if sample.name == name
    }


def value(client, name: str, **labels: str) -> float:
    return samples(client.get("/metrics").get_data(as_text=True), name).get(tuple(sorted(labels.items())), 0.0)


def test_metrics_are_served_in_the_prometheus_text_format(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert list(text_string_to_metric_families(response.get_data(as_text=True)))


def test_hook_calls_are_counted_by_route_service_and_status(client):
    labels = {"route": "/cds-services/<service_id>", "service": "myositis-patient-view", "status": "200"}
    before = value(client, "cds_http_requests_total", **labels)
    client.post(PATIENT_VIEW, json=fixture(REQUEST))
    assert value(client, "cds_http_requests_total", **labels) == before + 1


def test_hook_latency_is_a_histogram_per_service(client):
    labels = {"route": "/cds-services/<service_id>", "service": "myositis-patient-view"}
    before = value(client, "cds_http_request_duration_seconds_count", **labels)
    client.post(PATIENT_VIEW, json=fixture(REQUEST))
    assert value(client, "cds_http_request_duration_seconds_count", **labels) == before + 1
    assert value(client, "cds_http_request_duration_seconds_bucket", **labels, le="+Inf") == before + 1


def test_an_unknown_service_id_is_one_bounded_label(client):
    labels = {"route": "/cds-services/<service_id>", "service": "unknown", "status": "404"}
    before = value(client, "cds_http_requests_total", **labels)
    client.post("/cds-services/made-up-1", json={})
    client.post("/cds-services/made-up-2", json={})
    assert value(client, "cds_http_requests_total", **labels) == before + 2


def test_cards_are_counted_by_recommendation_and_indicator(client):
    before = value(client, "cds_cards_total", recommendation="steroid-sparing-agent", indicator="warning")
    client.post(PATIENT_VIEW, json=fixture(REQUEST))
    assert value(client, "cds_cards_total", recommendation="steroid-sparing-agent", indicator="warning") == before + 1


def test_feedback_is_counted_by_outcome(client):
    before = value(client, "cds_feedback_items_total", outcome="accepted")
    client.post(f"{PATIENT_VIEW}/feedback", json=fixture("feedback/spec-accepted.json"))
    assert value(client, "cds_feedback_items_total", outcome="accepted") == before + 1


def test_cards_whose_record_does_not_fit_the_queue_while_the_store_is_down_are_counted(make_app):
    client = make_app(store=UnreachableStore(), card_queue_size=1).test_client()
    before = value(client, "cds_issued_cards_not_recorded_total")
    cards = client.post(PATIENT_VIEW, json=fixture(REQUEST)).get_json()["cards"]
    assert len(cards) > 1
    assert value(client, "cds_issued_cards_not_recorded_total") == before + len(cards) - 1


def test_no_patient_data_or_hook_instance_reaches_a_label(client):
    request = fixture(REQUEST)
    client.post(PATIENT_VIEW, json=request)
    text = client.get("/metrics").get_data(as_text=True)
    assert request["context"]["patientId"] not in text
    assert request["hookInstance"] not in text


# --- guarded like the other endpoints, or by its own token ---------------------------------
def secured(tmp_path: Path, **changes) -> ValidatingClient:
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    settings = Settings(feedback_db=str(tmp_path / "cds.sqlite3"), trusted_issuers=str(issuers),
                        public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / "replay.sqlite3"), **changes)
    app = create_app(settings)
    app.test_client_class = ValidatingClient
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_with_trusted_issuers_metrics_need_a_client_jwt(tmp_path):
    client = secured(tmp_path)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(es384(claims(aud=f"{PUBLIC_BASE}/metrics")))).status_code == 200


def test_with_a_metrics_token_metrics_need_that_token_and_no_jwt(tmp_path):
    client = secured(tmp_path, metrics_token="scraper-secret")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer("wrong")).status_code == 401
    assert client.get("/metrics", headers=bearer("scraper-secret")).status_code == 200


def test_the_metrics_token_opens_nothing_else(tmp_path):
    client = secured(tmp_path, metrics_token="scraper-secret")
    assert client.get("/cds-services", headers=bearer("scraper-secret")).status_code == 401


@pytest.mark.parametrize("token, reason", [
    (None, "missing-token"),
    ("not.a.jwt", "malformed"),
    ("expired", "expired"),
])
def test_jwt_rejections_are_counted_by_reason(tmp_path, token, reason):
    client = secured(tmp_path, metrics_token="scraper-secret")
    if token == "expired":
        now = int(time.time())
        token = es384(claims(aud=f"{PUBLIC_BASE}/cds-services", iat=now - 900, exp=now - 600))

    def rejections() -> float:
        text = client.get("/metrics", headers=bearer("scraper-secret")).get_data(as_text=True)
        return samples(text, "cds_jwt_rejections_total").get((("reason", reason),), 0.0)

    before = rejections()
    assert client.get("/cds-services", headers=bearer(token) if token else {}).status_code == 401
    assert rejections() == before + 1


def test_importing_the_command_line_does_not_import_the_metrics_library():
    # `serve` must set PROMETHEUS_MULTIPROC_DIR before prometheus_client is first imported.
    code = "import sys, cds_service.command_line.cli; print('prometheus_client' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- several gunicorn workers -----------------------------------------------------------------
def test_counts_add_up_across_gunicorn_workers(tmp_path):
    """Two workers, 30 calls: every scrape, whichever worker answers it, reports all 30."""
    with served(tmp_path, workers=2, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "m")) as server:
        base = server.base
        for _ in range(30):
            assert requests.get(f"{base}/cds-services", timeout=5).status_code == 200
        labels = (("route", "/cds-services"), ("service", ""), ("status", "200"))
        counts = [samples(requests.get(f"{base}/metrics", timeout=5).text, "cds_http_requests_total").get(labels)
                  for _ in range(10)]
    assert counts == [30.0] * 10


def test_unreadable_items_are_counted_by_reason_and_named_on_one_notice_card(client):
    request = fixture(REQUEST)
    dose = request["prefetch"]["medications"]["entry"][0]["resource"]["dosageInstruction"][0]["doseAndRate"][0]
    dose["doseQuantity"] = {"value": 2, "unit": "puff"}
    before = value(client, "cds_unreadable_items_total", reason="dose")
    response = client.post(PATIENT_VIEW, json=request)
    assert value(client, "cds_unreadable_items_total", reason="dose") == before + 1
    notices = [c for c in response.get_json()["cards"] if c["source"]["topic"]["code"] == "unreadable-data"]
    assert len(notices) == 1 and notices[0]["indicator"] == "info" and "suggestions" not in notices[0]
    assert "its dose could not be read (unit 'puff')" in notices[0]["detail"]
    assert value(client, "cds_cards_total", recommendation="unreadable-data", indicator="info") >= 1


def test_a_record_read_completely_counts_nothing_unreadable_and_gets_no_notice(client):
    before = {r: value(client, "cds_unreadable_items_total", reason=r) for r in ("dose", "medication")}
    response = client.post(PATIENT_VIEW, json=fixture(REQUEST))
    assert {r: value(client, "cds_unreadable_items_total", reason=r) for r in before} == before
    assert all(c["source"]["topic"]["code"] != "unreadable-data" for c in response.get_json()["cards"])


def test_a_draft_being_signed_whose_dose_cannot_be_read_gets_a_warning_notice(client):
    request = fixture("requests/order-sign-methotrexate.json")
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["timing"] = {"code": {"coding": [{"system": "urn:oid:1.2.3", "code": "7"}]}}
    response = client.post("/cds-services/myositis-order-sign", json=request)
    (notice,) = [c for c in response.get_json()["cards"] if c["source"]["topic"]["code"] == "unreadable-data"]
    assert notice["indicator"] == "warning"
    assert notice["summary"] == "Not checked: a draft order being signed could not be read"
    assert "- The methotrexate dose not checked for 'Methotrexate 2.5 MG Oral Tablet, Methotrexate 15 mg" in notice["detail"]
