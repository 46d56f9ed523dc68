"""Every error status of the HTTP surface: an OperationOutcome naming the problem (CDS Hooks 3.0
ballot; SPEC-NOTES 2.5 C2, C16). The ValidatingClient checks that each error body is an R4 OperationOutcome."""

import json
import logging

import pytest

from tests.api import error_expressions, error_message, fixture, hook_request

PATIENT_VIEW = "/cds-services/myositis-patient-view"
PATIENT_DETAIL = "secret patient detail 1968-05-14"


def test_unknown_service_is_404(client):
    response = client.post("/cds-services/no-such-service", json=hook_request("patient-view"))
    assert response.status_code == 404
    assert "no-such-service" in error_message(response)


def test_feedback_for_an_unknown_service_is_404(client):
    assert client.post("/cds-services/no-such-service/feedback", json={"feedback": []}).status_code == 404


def test_unknown_path_is_json_404(client):
    assert client.get("/nothing-here").status_code == 404


def test_get_on_a_service_is_405_with_allow_header(client):
    response = client.get(PATIENT_VIEW)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_post_on_discovery_is_405(client):
    assert client.post("/cds-services", json={}).status_code == 405


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_that_is_not_json_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(PATIENT_VIEW, data=json.dumps(hook_request("patient-view")), headers=headers)
    assert response.status_code == 415


def test_json_with_charset_and_fhir_json_are_accepted(client):
    body = json.dumps(hook_request("patient-view"))
    for content_type in ("application/json; charset=utf-8", "application/fhir+json"):
        assert client.post(PATIENT_VIEW, data=body, headers={"Content-Type": content_type}).status_code == 200


def test_body_over_the_limit_is_413(make_app):
    client = make_app(max_body_bytes=1000).test_client()
    body = hook_request("patient-view", extension={"padding": "x" * 2000})
    assert client.post(PATIENT_VIEW, json=body).status_code == 413


def test_malformed_json_is_400_naming_the_position(client):
    response = client.post(PATIENT_VIEW, data='{"hook": "patient-view",', content_type="application/json")
    assert response.status_code == 400
    assert "malformed JSON" in error_message(response)
    assert "line 1" in error_message(response)


@pytest.mark.parametrize("text", ["NaN", '{"hook": Infinity}', "\xff\xfe"])
def test_non_standard_json_is_400(client, text):
    response = client.post(PATIENT_VIEW, data=text.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400


def test_body_that_is_not_an_object_is_400(client):
    response = client.post(PATIENT_VIEW, json=["patient-view"])
    assert response.status_code == 400
    assert error_expressions(response) == ["$"]


def test_schema_violation_is_400_naming_the_json_path(client):
    body = hook_request("patient-view")
    del body["context"]["patientId"]
    response = client.post(PATIENT_VIEW, json=body)
    assert response.status_code == 400
    assert error_expressions(response) == ["$.context"]
    assert "'patientId' is a required property" in error_message(response)


def test_missing_hook_instance_is_400(client):
    body = hook_request("patient-view")
    del body["hookInstance"]
    assert client.post(PATIENT_VIEW, json=body).status_code == 400


def test_hook_that_differs_from_the_service_hook_is_400(client):
    response = client.post(PATIENT_VIEW, json=hook_request("order-sign"))
    assert response.status_code == 400
    assert error_expressions(response) == ["$.hook"]
    assert "patient-view" in error_message(response)


def test_unexpected_exception_is_500_with_a_correlation_id_and_no_detail(client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError(PATIENT_DETAIL)

    monkeypatch.setattr("cds_service.protocol.api.services.evaluate", explode)
    response = client.post(PATIENT_VIEW, json=fixture("requests/patient-view-dm-prednisone.json"))
    assert response.status_code == 500
    correlation_id = response.get_json()["id"]
    assert correlation_id in error_message(response)
    assert "secret" not in response.get_data(as_text=True)
    assert correlation_id in caplog.text
    assert "secret" not in caplog.text


def test_errors_are_logged_without_request_content(client, caplog):
    caplog.set_level(logging.INFO)
    body = hook_request("patient-view", patient_id="secret-id-42")
    del body["context"]["userId"]
    assert client.post(PATIENT_VIEW, json=body).status_code == 400
    assert "secret-id-42" not in caplog.text
