"""Client authentication by JWT (SPEC-NOTES.md 2.7; cds-hooks.org best practices): a good ES384 or
RS384 token passes, every listed defect is a 401 whose OperationOutcome says no more than "authentication required"."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.config import Settings
from cds_service.security import auth
from tests.security.jwt_helpers import (
    EC_ISSUER,
    PUBLIC_BASE,
    RSA_ISSUER,
    SERVICE_URL,
    claims,
    ec_private_key,
    es384,
    es384_signed_anything,
    hand_signed,
    rs384,
    trust_document,
)


def make_app(trust: dict[str, Any] | None = None, **settings: Any) -> Flask:
    app = Flask("auth-test")
    verifier = auth.Verifier(auth.parse_trust(trust or trust_document()))
    auth.install(app, Settings(public_base_url=PUBLIC_BASE, **settings), verifier)

    @app.route("/cds-services", methods=["GET", "OPTIONS"])
    @app.route("/cds-services/<service_id>", methods=["POST", "OPTIONS"])
    @app.route("/cds-services/<service_id>/feedback", methods=["POST"])
    def endpoint(service_id: str | None = None) -> dict[str, Any]:
        return {"ok": True}

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return app


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    with make_app().test_client() as test_client:
        yield test_client


def call(client: FlaskClient, token: str | None, path: str = "/cds-services/myositis-patient-view") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    method = client.get if path == "/cds-services" else client.post
    return method(path, headers=headers, json={})


def assert_rejected(response: Any) -> None:
    assert response.status_code == 401
    assert response.get_json() == {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "login", "details": {"text": "authentication required"},
        "diagnostics": "authentication required"}]}


def test_valid_es384_token_is_accepted(client: FlaskClient) -> None:
    assert call(client, es384()).status_code == 200


def test_valid_rs384_token_is_accepted(client: FlaskClient) -> None:
    assert call(client, rs384()).status_code == 200


def test_sandbox_style_token_is_accepted() -> None:
    """Shaped like the CDS Hooks sandbox's: ES384, its iss and jku, 300 s lifetime, no tenant."""
    sandbox = "https://sandbox.cds-hooks.org"
    trust = trust_document()
    trust["issuers"][0] = {**trust["issuers"][0], "iss": sandbox, "jku": [f"{sandbox}/.well-known/jwks.json"]}
    token = es384(claims(iss=sandbox), jku=f"{sandbox}/.well-known/jwks.json")

    with make_app(trust).test_client() as client:
        assert call(client, token).status_code == 200


@pytest.mark.parametrize(
    "path", ["/cds-services", "/cds-services/myositis-patient-view", "/cds-services/myositis-patient-view/feedback"]
)
def test_discovery_service_and_feedback_all_require_a_token(client: FlaskClient, path: str) -> None:
    assert_rejected(call(client, None, path))
    assert call(client, es384(claims(aud=PUBLIC_BASE + path)), path).status_code == 200


def test_preflight_and_health_need_no_token(client: FlaskClient) -> None:
    assert client.options("/cds-services/myositis-patient-view").status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer ", "bearer not-a-jwt", es384()])
def test_missing_or_malformed_authorization_is_rejected(client: FlaskClient, header: str) -> None:
    assert_rejected(client.post("/cds-services/myositis-patient-view", headers={"Authorization": header}, json={}))


def test_alg_none_is_rejected(client: FlaskClient) -> None:
    token = hand_signed({"alg": "none", "typ": "JWT", "kid": "example-kid"}, claims(), secret=None)
    assert_rejected(call(client, token))


def test_hs256_with_a_shared_secret_is_rejected(client: FlaskClient) -> None:
    token = hand_signed({"alg": "HS256", "typ": "JWT", "kid": "example-kid"}, claims(), secret=b"guessable")
    assert_rejected(call(client, token))


def test_hs256_keyed_with_the_public_key_is_rejected(client: FlaskClient) -> None:
    """Algorithm confusion: an HMAC over the issuer's public key, which anyone can compute."""
    public_pem = ec_private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_signed({"alg": "HS256", "typ": "JWT", "kid": "example-kid"}, claims(), secret=public_pem)
    assert_rejected(call(client, token))


@pytest.mark.parametrize(
    "audience",
    [
        SERVICE_URL + "/",
        SERVICE_URL.replace("https://", "http://"),
        f"{PUBLIC_BASE}/cds-services",
        f"{PUBLIC_BASE}/cds-services/another-service",
        "https://attacker.example.net/cds-services/myositis-patient-view",
        None,
    ],
    ids=["trailing-slash", "http-not-https", "discovery-url", "other-service", "other-host", "missing"],
)
def test_audience_other_than_this_endpoint_is_rejected(client: FlaskClient, audience: str | None) -> None:
    assert_rejected(call(client, es384(claims(aud=audience))))


def test_audience_list_containing_this_endpoint_is_accepted(client: FlaskClient) -> None:
    assert call(client, es384(claims(aud=["https://other.example.org", SERVICE_URL]))).status_code == 200


def test_without_public_base_url_the_audience_is_the_request_url() -> None:
    app = Flask("no-proxy")
    auth.install(app, Settings(), auth.Verifier(auth.parse_trust(trust_document())))
    app.post("/cds-services/x")(lambda: {"ok": True})

    with app.test_client() as client:
        assert call(client, es384(claims(aud="http://localhost/cds-services/x")), "/cds-services/x").status_code == 200
        assert_rejected(call(client, es384(claims(aud="https://cds.example.org/cds-services/x")), "/cds-services/x"))


def test_expired_token_is_rejected(client: FlaskClient) -> None:
    now = int(time.time())
    assert_rejected(call(client, es384(claims(iat=now - 400, exp=now - 100))))


def test_expiry_within_the_60_second_leeway_is_tolerated(client: FlaskClient) -> None:
    now = int(time.time())
    assert call(client, es384(claims(iat=now - 300, exp=now - 30))).status_code == 200


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_token_issued_or_valid_only_in_the_future_is_rejected(client: FlaskClient, claim: str) -> None:
    now = int(time.time())
    assert_rejected(call(client, es384(claims(**{claim: now + 300}, exp=now + 600))))


@pytest.mark.parametrize("claim", ["iss", "exp", "iat", "jti"])
def test_token_without_a_required_claim_is_rejected(client: FlaskClient, claim: str) -> None:
    assert_rejected(call(client, es384(claims(**{claim: None}))))


def test_token_living_longer_than_an_hour_is_rejected(client: FlaskClient) -> None:
    now = int(time.time())
    assert_rejected(call(client, es384(claims(iat=now, exp=now + 2 * 3600))))


def test_replayed_jti_is_rejected(client: FlaskClient) -> None:
    token = es384()

    assert call(client, token).status_code == 200
    assert_rejected(call(client, token))


def test_same_jti_from_another_issuer_is_not_a_replay(client: FlaskClient) -> None:
    assert call(client, es384(claims(jti="shared-jti"))).status_code == 200
    assert call(client, rs384(claims(iss=RSA_ISSUER, jti="shared-jti"))).status_code == 200


def test_unknown_kid_is_rejected(client: FlaskClient) -> None:
    assert_rejected(call(client, es384(kid="rotated-away")))


def test_token_signed_by_another_issuers_key_is_rejected(client: FlaskClient) -> None:
    """An RS384 token naming the EC issuer and its kid: the key does not fit the algorithm."""
    assert_rejected(call(client, rs384(claims(iss=EC_ISSUER), kid="example-kid")))


def test_jku_off_the_issuers_allowlist_is_rejected(client: FlaskClient) -> None:
    assert_rejected(call(client, es384(jku="https://attacker.example.net/jwks.json")))


def test_jku_on_the_issuers_allowlist_is_accepted(client: FlaskClient) -> None:
    assert call(client, es384(jku="https://ehr.example.org/jwks.json")).status_code == 200


def test_untrusted_issuer_is_rejected(client: FlaskClient) -> None:
    assert_rejected(call(client, es384(claims(iss="https://attacker.example.net"))))


def test_tampered_token_is_rejected(client: FlaskClient) -> None:
    header, payload, signature = es384().split(".")
    claims_ = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims_["tenant"] = "other-tenant"
    forged = base64.urlsafe_b64encode(json.dumps(claims_).encode()).rstrip(b"=").decode()

    assert_rejected(call(client, f"{header}.{forged}.{signature}"))


@pytest.mark.parametrize("typ", [None, "at+jwt"])
def test_typ_other_than_jwt_is_rejected(client: FlaskClient, typ: str | None) -> None:
    assert_rejected(call(client, es384(typ=typ)))


@pytest.mark.parametrize("tenant", [None, "unknown-tenant"])
def test_untrusted_tenant_is_rejected_when_tenants_are_configured(tenant: str | None) -> None:
    trust = {**trust_document(), "tenants": ["2ddd6c3a-8e9a-44c6-a305-52111ad302a2"]}
    with make_app(trust).test_client() as client:
        assert_rejected(call(client, es384(claims(tenant=tenant))))
        assert call(client, es384(claims(tenant="2ddd6c3a-8e9a-44c6-a305-52111ad302a2"))).status_code == 200


def test_rejection_reason_is_logged_without_the_token(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cds_service.security.auth")
    token = es384(claims(iss="https://attacker.example.net"))

    call(client, token)

    assert "untrusted iss" in caplog.text
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text


def test_without_trusted_issuers_the_service_is_open_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cds_service.security.auth")
    app = Flask("open")
    auth.install(app, Settings())
    app.post("/cds-services/x")(lambda: {"ok": True})

    with app.test_client() as client:
        assert client.post("/cds-services/x", json={}).status_code == 200
    assert "OPEN DEVELOPMENT MODE" in caplog.text


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "cds.example.org", "::"])
def test_open_mode_refuses_a_non_loopback_address(host: str) -> None:
    with pytest.raises(SystemExit):
        auth.check_bind(host, Settings())


@pytest.mark.parametrize(
    ("host", "settings"),
    [
        ("127.0.0.1", Settings()),
        ("localhost", Settings()),
        ("::1", Settings()),
        ("0.0.0.0", Settings(allow_open_nonlocal=True)),
        ("0.0.0.0", Settings(trusted_issuers="config/trusted-issuers.example.json")),
    ],
)
def test_binding_is_allowed_on_loopback_when_told_or_when_authenticated(host: str, settings: Settings) -> None:
    auth.check_bind(host, settings)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
claim_names = st.sampled_from(["iss", "aud", "exp", "iat", "nbf", "jti", "tenant"])
header_names = st.sampled_from(["alg", "typ", "kid", "jku"])


@given(header=st.dictionaries(header_names, json_values), payload=st.dictionaries(claim_names, json_values))
@settings(max_examples=150, deadline=None, database=None)
def test_any_header_and_claims_give_a_clean_rejection_or_acceptance(header: dict[str, Any], payload: dict[str, Any]) -> None:
    """Validly signed tokens whose header and claims hold anything: AuthError or claims, never a crash."""
    verifier = auth.Verifier(auth.parse_trust(trust_document()))
    token = es384_signed_anything({"alg": "ES384", "typ": "JWT", "kid": "example-kid", **header}, {**claims(), **payload})
    try:
        verifier.verify(token, SERVICE_URL)
    except auth.AuthError:
        pass
