"""The trusted-issuers file, JWK Sets fetched by URL (cached, refreshed on an unknown kid) and the
jti replay cache's time to live."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from cds_service.security import auth
from tests.security.jwt_helpers import (
    REPO,
    RSA_ISSUER,
    RSA_JKU,
    RSA_KID,
    SERVICE_URL,
    claims,
    ec_public_jwk,
    rs384,
    rsa_public_jwk,
    trust_document,
)

JWKS_URL = "https://rsa-ehr.example.org/.well-known/jwks.json"


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def url_trust(**extra: Any) -> auth.Trust:
    return auth.parse_trust({"issuers": [{"iss": RSA_ISSUER, "jwks_url": JWKS_URL, **extra}]})


def test_shipped_example_trusts_the_cds_hooks_sandbox_key() -> None:
    """The sandbox signs with kid 44823f3d-... (ES384, P-384) and names its jku (SPEC-NOTES.md 2.7)."""
    trust = auth.load_trust(str(REPO / "config" / "trusted-issuers.example.json"))
    sandbox = trust.issuers["https://sandbox.cds-hooks.org"]
    (key,) = sandbox.jwks["keys"]

    assert (key["kid"], key["alg"], key["crv"]) == ("44823f3d-0b01-4a6c-a80e-b9d3e8a7226f", "ES384", "P-384")
    assert "https://sandbox.cds-hooks.org/.well-known/jwks.json" in sandbox.jku


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"issuers": []},
        {"issuers": [{"iss": "https://a.org"}]},
        {"issuers": [{"iss": "https://a.org", "jwks_url": "https://a.org/k", "jwks": {"keys": [{}]}}]},
        {"issuers": [{"iss": "https://a.org", "jwks_url": "http://a.org/jwks"}]},
        {"issuers": [{"iss": "https://a.org", "jwks_uri": "https://a.org/jwks"}]},
        {"issuers": [{"iss": "https://a.org", "jwks": {"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}}]},
        {"issuers": [{"iss": "https://a.org", "jwks_url": "https://a.org/k", "jku": ["http://a.org/k"]}]},
        {"issuers": [{"iss": "https://a.org", "jwks_url": "https://a.org/k"}], "tenants": "t1"},
        {"issuers": [{"iss": "https://a.org", "jwks_url": "https://a.org/k"},
                     {"iss": "https://a.org", "jwks_url": "https://a.org/k2"}]},
    ],
    ids=["no-issuers", "empty-issuers", "no-keys", "both-key-sources", "http-jwks-url", "misspelt-member",
         "symmetric-key", "http-jku", "tenants-not-a-list", "duplicate-iss"],
)
def test_invalid_trust_documents_are_rejected_at_start_up(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        auth.parse_trust(document)


@responses.activate
def test_jwks_url_is_fetched_once_and_cached() -> None:
    responses.get(JWKS_URL, json={"keys": [rsa_public_jwk()]})
    verifier = auth.Verifier(url_trust())

    for _ in range(3):
        verifier.verify(rs384(), SERVICE_URL)

    assert len(responses.calls) == 1


@responses.activate
def test_unknown_kid_refreshes_the_jwks_to_pick_up_a_rotated_key() -> None:
    responses.get(JWKS_URL, json={"keys": [rsa_public_jwk("old-key")]})
    clock = FakeClock()
    verifier = auth.Verifier(url_trust(), keys=auth.KeyStore(clock=clock))
    verifier.verify(rs384(kid="old-key"), SERVICE_URL)
    responses.replace(responses.GET, JWKS_URL, json={"keys": [rsa_public_jwk("old-key"), rsa_public_jwk()]})
    clock.now += auth.JWKS_MIN_REFRESH_SECONDS + 1

    assert verifier.verify(rs384(), SERVICE_URL)["iss"] == RSA_ISSUER
    assert len(responses.calls) == 2


@responses.activate
def test_unknown_kids_do_not_refetch_the_jwks_more_than_once_a_minute() -> None:
    responses.get(JWKS_URL, json={"keys": [rsa_public_jwk()]})
    verifier = auth.Verifier(url_trust(), keys=auth.KeyStore(clock=FakeClock()))
    verifier.verify(rs384(), SERVICE_URL)

    for attempt in range(5):
        with pytest.raises(auth.AuthError, match="unknown kid"):
            verifier.verify(rs384(kid=f"forged-{attempt}"), SERVICE_URL)

    assert len(responses.calls) == 1


@responses.activate
def test_allowed_jku_is_where_the_keys_are_fetched() -> None:
    responses.get(RSA_JKU, json={"keys": [rsa_public_jwk()]})
    verifier = auth.Verifier(url_trust(jku=[RSA_JKU]))

    verifier.verify(rs384(jku=RSA_JKU), SERVICE_URL)

    assert [call.request.url for call in responses.calls] == [RSA_JKU]


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 302, "headers": {"Location": "https://x.net/k"}},
                                     {"body": "not json"}])
@responses.activate
def test_unreachable_jwks_rejects_the_token(failure: dict[str, Any]) -> None:
    responses.get(JWKS_URL, **failure)
    verifier = auth.Verifier(url_trust())

    with pytest.raises(auth.AuthError, match="unknown kid"):
        verifier.verify(rs384(), SERVICE_URL)
    assert len(responses.calls) == 1


def test_verified_claims_are_returned() -> None:
    verifier = auth.Verifier(auth.parse_trust(trust_document()))
    token_claims = claims(iss=RSA_ISSUER, tenant="t-1")

    assert verifier.verify(rs384(token_claims), SERVICE_URL) == token_claims


def test_es384_key_cannot_verify_an_rs384_kid_mix_up() -> None:
    trust = auth.parse_trust({"issuers": [{"iss": RSA_ISSUER, "jwks": {"keys": [{**ec_public_jwk(), "kid": RSA_KID}]}}]})

    with pytest.raises(auth.AuthError, match="does not fit"):
        auth.Verifier(trust).verify(rs384(), SERVICE_URL)
