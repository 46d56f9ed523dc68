"""The security settings wired into the real application, its configuration and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service.command_line import cli
from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests.security.jwt_helpers import PUBLIC_BASE, claims, es384, trust_document


@pytest.fixture
def secured_client(tmp_path: Path):
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    settings = Settings(feedback_db=str(tmp_path / "cds.sqlite3"), trusted_issuers=str(issuers),
                        public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / "replay.sqlite3"))
    return create_app(settings).test_client()


def test_discovery_needs_a_token_for_this_endpoint(secured_client) -> None:
    assert secured_client.get("/cds-services").status_code == 401
    token = es384(claims(aud=f"{PUBLIC_BASE}/cds-services"))
    assert secured_client.get("/cds-services", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_service_call_without_a_token_is_401_before_the_body_is_read(secured_client) -> None:
    response = secured_client.post("/cds-services/myositis-patient-view", data="not json", content_type="text/plain")

    assert response.status_code == 401
    assert "not json" not in response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_replayed_token_is_rejected_by_the_app(secured_client) -> None:
    headers = {"Authorization": f"Bearer {es384(claims(aud=f'{PUBLIC_BASE}/cds-services'))}"}

    assert secured_client.get("/cds-services", headers=headers).status_code == 200
    assert secured_client.get("/cds-services", headers=headers).status_code == 401


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_probes_and_api_description_stay_open(secured_client, path: str) -> None:
    assert secured_client.get(path).status_code == 200


def test_cors_preflight_stays_open(secured_client) -> None:
    response = secured_client.options("/cds-services/myositis-patient-view", headers={
        "Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})

    assert response.status_code == 204


def test_unreadable_trusted_issuers_file_stops_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "issuers.json"
    broken.write_text(json.dumps({"issuers": [{"iss": "https://a.org", "jwks_url": "http://a.org/jwks"}]}))

    with pytest.raises(ValueError, match="https"):
        create_app(Settings(feedback_db=str(tmp_path / "cds.sqlite3"), trusted_issuers=str(broken),
                            jti_replay_db=str(tmp_path / "replay.sqlite3")))


@pytest.mark.parametrize("entry", ["http://fhir.example.org/r4", "https://user:pw@fhir.example.org", "fhir.example.org"])
def test_bad_fhir_allowlist_stops_start_up(entry: str) -> None:
    with pytest.raises(ValueError, match="CDS_FHIR_ALLOWLIST"):
        Settings.from_env({"CDS_FHIR_ALLOWLIST": f"https://ok.example.org,{entry}"})


def _must_not_start(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("serve went on to build the app instead of refusing the address")


def test_serve_refuses_a_public_address_in_open_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDS_TRUSTED_ISSUERS", raising=False)
    monkeypatch.delenv("CDS_ALLOW_OPEN_NONLOCAL", raising=False)
    monkeypatch.setattr("cds_service.protocol.app.create_app", _must_not_start)

    with pytest.raises(SystemExit, match="refusing to bind 0.0.0.0"):
        cli.main(["serve", "--host", "0.0.0.0", "--port", "0"])
