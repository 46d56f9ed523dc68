"""CORS on every endpoint, preflight included (SPEC-NOTES 2.7 S13, section 10 point 1)."""

import pytest

from tests.api import hook_request

ENDPOINTS = ["/cds-services", "/cds-services/myositis-patient-view", "/cds-services/myositis-order-sign/feedback",
             "/healthz", "/readyz"]
SANDBOX = "https://sandbox.cds-hooks.org"


def preflight(client, path, origin=SANDBOX):
    return client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })


@pytest.mark.parametrize("path", ENDPOINTS)
def test_preflight_allows_authorization_and_content_type(client, path):
    response = preflight(client, path)
    assert response.status_code == 204
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_needs_no_authorization_header(client):
    response = preflight(client, "/cds-services/myositis-order-select")
    assert response.status_code == 204


def test_discovery_response_carries_the_allow_origin_header(client):
    assert client.get("/cds-services", headers={"Origin": SANDBOX}).headers["Access-Control-Allow-Origin"] == "*"


def test_service_response_carries_the_allow_origin_header(client):
    response = client.post("/cds-services/myositis-patient-view", json=hook_request("patient-view"),
                           headers={"Origin": SANDBOX})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_error_responses_carry_the_allow_origin_header(client):
    response = client.post("/cds-services/nope", json={}, headers={"Origin": SANDBOX})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_configured_origins_are_echoed_and_others_get_no_allow_origin(make_app):
    client = make_app(cors_origins=(SANDBOX, "https://ehr.example.org")).test_client()
    allowed = client.get("/cds-services", headers={"Origin": SANDBOX})
    assert allowed.headers["Access-Control-Allow-Origin"] == SANDBOX
    assert "Origin" in allowed.headers["Vary"]
    refused = preflight(client, "/cds-services", origin="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in refused.headers
