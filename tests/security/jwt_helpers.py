"""Keys and token minting for the JWT tests: the CDS Hooks 2.0 spec's example ES384 key (S12) and
an RSA key generated per test session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REPO = Path(__file__).resolve().parents[2]
PUBLIC_BASE = "https://cds.example.org"
SERVICE_URL = f"{PUBLIC_BASE}/cds-services/myositis-patient-view"
EC_ISSUER = "https://ehr.example.org"
RSA_ISSUER = "https://rsa-ehr.example.org/fhir"
RSA_KID = "rsa-test-key"
RSA_JKU = "https://rsa-ehr.example.org/jwks"


def _spec_private_jwk() -> dict[str, Any]:
    """The spec's example private JWK (kid example-kid); embedded so tests need no shared folder."""
    return {
        "kty": "EC", "use": "sig", "crv": "P-384", "kid": "example-kid", "alg": "ES384",
        "d": "SeFXUXda8UomZ8GFUl7HH_Oi15rIbfMcsWj9ecIsDR8kLbqsEz2CGNgwy_IcILxy",
        "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
        "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI",
    }


EC_KID = _spec_private_jwk()["kid"]


def ec_private_key() -> Any:
    return jwt.PyJWK(_spec_private_jwk()).key


def ec_public_jwk() -> dict[str, Any]:
    return {k: v for k, v in _spec_private_jwk().items() if k != "d"}


@cache
def rsa_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa_public_jwk(kid: str = RSA_KID) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_private_key().public_key()))
    return {**jwk, "kid": kid, "use": "sig"}


def trust_document() -> dict[str, Any]:
    return {
        "issuers": [
            {"iss": EC_ISSUER, "jwks": {"keys": [ec_public_jwk()]}, "jku": ["https://ehr.example.org/jwks.json"]},
            {"iss": RSA_ISSUER, "jwks": {"keys": [rsa_public_jwk()]}},
        ]
    }


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    payload = {"iss": EC_ISSUER, "aud": SERVICE_URL, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def es384(payload: dict[str, Any] | None = None, **header: Any) -> str:
    headers = {"typ": "JWT", "kid": EC_KID, **header}
    return jwt.encode(payload or claims(), ec_private_key(), algorithm="ES384", headers=headers)


def rs384(payload: dict[str, Any] | None = None, **header: Any) -> str:
    headers = {"typ": "JWT", "kid": RSA_KID, **header}
    return jwt.encode(payload or claims(iss=RSA_ISSUER), rsa_private_key(), algorithm="RS384", headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def es384_signed_anything(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A correct ES384 signature by the spec's example key over any header and payload JSON."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA384).sign(signing_input.encode(), ec_private_key())
    return f"{signing_input}.{_b64(signature)}"


def hand_signed(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT refuses to make: `alg: none` (secret None) or HMAC-SHA256 with any secret."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"
