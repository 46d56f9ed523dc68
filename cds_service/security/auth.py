"""Authentication of CDS clients by the JWT they present (CDS Hooks 2.0 "Trusting CDS Clients",
SPEC-NOTES.md 2.7 and the validation steps of the cds-hooks.org best practices).

Trusted clients come from the JSON file named by CDS_TRUSTED_ISSUERS::

    {"issuers": [{"iss": "https://ehr.example.org", "jwks_url": "https://ehr.example.org/jwks.json"},
                 {"iss": "https://sandbox.cds-hooks.org", "jwks": {"keys": [...]},
                  "jku": ["https://sandbox.cds-hooks.org/.well-known/jwks.json"]}],
     "tenants": ["2ddd6c3a-..."]}

With issuers configured every request except CORS preflights and the public paths needs
`Authorization: Bearer <JWT>` where:
- the header's `alg` is asymmetric (ES*, RS*, PS*; never `none` or HS*), `typ` is JWT, `kid` names
  a key of the issuer's JWK Set (embedded, or fetched from `jwks_url`/an allowed `jku`, cached and
  refreshed on an unknown kid), and `jku`, when present, is on the issuer's allowlist;
- `iss` is trusted, `aud` is the public URL of the endpoint called, `exp`/`iat`/`nbf` hold with
  60 s leeway, the token lives at most an hour, `tenant` is trusted when tenants are configured;
- `jti` was not seen before (kept until the token expires).
Any failure is 401 with an OperationOutcome saying only "authentication required"; the reason is logged (with iss, kid and jti, never the
token). With no issuers configured the service is open (development only, see `check_bind`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt
from flask import Flask, Response, g, request

from cds_service import metrics
from cds_service.client_profiles import PROFILES
from cds_service.config import METRICS_PATH, SMART_APP_PATH, ConfigurationError
from cds_service.errors import error_response
from cds_service.fetch import allowlist, fhir_client
from cds_service.security.replay_cache import MemoryReplayCache, ReplayCache, ReplayCacheUnavailable

if TYPE_CHECKING:
    from cds_service.config import Settings

log = logging.getLogger(__name__)

#: Accepted signature algorithms with the key type (and EC curve) each needs.
ALGORITHMS: Mapping[str, tuple[str, str | None]] = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
}
LEEWAY_SECONDS = 60
#: Longest accepted token lifetime (exp - iat); best practice keeps jti "no more than an hour".
MAX_LIFETIME_SECONDS = 3600
JWKS_TTL_SECONDS = 3600
#: An unknown kid refreshes a fetched JWK Set at most this often, so forged kids cannot flood the issuer.
JWKS_MIN_REFRESH_SECONDS = 60
JWKS_LIMITS = fhir_client.FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_budget=4.0, max_bytes=1_000_000)
#: Seconds a client refused for an unreachable replay cache is asked to wait (the cache's outage memory).
REPLAY_RETRY_AFTER_SECONDS = 5
#: Paths that never need a token: health probes and the API description.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json"})


class AuthError(Exception):
    """A token was rejected; the message is the reason, safe to log, and `reason` a short code for
    the metrics (a bounded set: "expired", "replay", "untrusted-issuer", ...)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- trusted issuers ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedIssuer:
    iss: str
    jwks: Mapping[str, Any] | None = None
    jwks_url: str | None = None
    #: `jku` header values accepted from this issuer (its jwks_url is always accepted).
    jku: frozenset[str] = frozenset()
    #: The client profile that shapes this issuer's cards (None: CDS_CLIENT_PROFILE).
    profile: str | None = None
    #: URL prefixes of links this site allows (None: CDS_CLIENT_ALLOWED_LINKS).
    allowed_links: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Trust:
    issuers: Mapping[str, TrustedIssuer]
    #: Accepted `tenant` claims; None: tenants are not checked.
    tenants: frozenset[str] | None = None


def _key_url(url: Any, where: str) -> str:
    if not isinstance(url, str) or allowlist.normalise_base(url) is None:
        raise ValueError(f"trusted issuers: {where} must be an http(s) URL")
    host = urlsplit(url).hostname or ""
    if not url.lower().startswith("https://") and not allowlist.is_loopback_host(host):
        raise ValueError(f"trusted issuers: {where} must use https outside loopback")
    return url


def _check_jwks(jwks: Any, where: str) -> Mapping[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list) or not keys:
        raise ValueError(f"trusted issuers: {where} needs a non-empty 'keys' list")
    for key in keys:
        if not isinstance(key, Mapping) or key.get("kty") not in ("EC", "RSA") or not isinstance(key.get("kid"), str):
            raise ValueError(f"trusted issuers: {where}: every key needs a kid and kty EC or RSA")
    return jwks


_ISSUER_MEMBERS = frozenset({"iss", "jwks", "jwks_url", "jku", "profile", "allowed_links"})


def parse_trust(document: Any) -> Trust:
    """Validate a trusted-issuers document; ValueError names the first problem (at start-up)."""
    if not isinstance(document, Mapping) or set(document) - {"issuers", "tenants"}:
        raise ValueError("trusted issuers: expected an object with 'issuers' and optional 'tenants'")
    entries = document.get("issuers")
    if not isinstance(entries, list) or not entries:
        raise ValueError("trusted issuers: 'issuers' must be a non-empty list")
    issuers: dict[str, TrustedIssuer] = {}
    for index, entry in enumerate(entries):
        where = f"issuers[{index}]"
        if not isinstance(entry, Mapping) or set(entry) - _ISSUER_MEMBERS:
            raise ValueError(f"trusted issuers: {where} allows only {', '.join(sorted(_ISSUER_MEMBERS))}")
        iss = entry.get("iss")
        if not isinstance(iss, str) or not iss or iss in issuers:
            raise ValueError(f"trusted issuers: {where}.iss must be a unique non-empty string")
        if ("jwks" in entry) == ("jwks_url" in entry):
            raise ValueError(f"trusted issuers: {where} needs exactly one of jwks, jwks_url")
        jwks = _check_jwks(entry["jwks"], f"{where}.jwks") if "jwks" in entry else None
        jwks_url = _key_url(entry["jwks_url"], f"{where}.jwks_url") if "jwks_url" in entry else None
        jku = entry.get("jku", [])
        if not isinstance(jku, list):
            raise ValueError(f"trusted issuers: {where}.jku must be a list of URLs")
        allowed = {_key_url(url, f"{where}.jku") for url in jku} | ({jwks_url} if jwks_url else set())
        profile = entry.get("profile")
        if profile is not None and profile not in PROFILES:
            raise ValueError(f"trusted issuers: {where}.profile must be one of {', '.join(PROFILES)}")
        links = entry.get("allowed_links")
        if links is not None and (not isinstance(links, list) or not all(isinstance(u, str) and u for u in links)):
            raise ValueError(f"trusted issuers: {where}.allowed_links must be a list of URL prefixes")
        issuers[iss] = TrustedIssuer(iss=iss, jwks=jwks, jwks_url=jwks_url, jku=frozenset(allowed), profile=profile,
                                     allowed_links=tuple(links) if links is not None else None)
    tenants = document.get("tenants")
    if tenants is not None and (not isinstance(tenants, list) or not all(isinstance(t, str) for t in tenants)):
        raise ValueError("trusted issuers: 'tenants' must be a list of strings")
    return Trust(issuers=issuers, tenants=frozenset(tenants) if tenants is not None else None)


def load_trust(path: str) -> Trust:
    """The trusted issuers file (CDS_TRUSTED_ISSUERS); a defect stops start-up naming the variable."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            return parse_trust(json.load(handle))
    except OSError as error:
        raise ConfigurationError("CDS_TRUSTED_ISSUERS", path, f"cannot read the file: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ConfigurationError("CDS_TRUSTED_ISSUERS", path, f"not valid JSON: {error}") from None
    except ValueError as error:  # a defect parse_trust names
        raise ConfigurationError("CDS_TRUSTED_ISSUERS", path, str(error)) from None


# --- keys -----------------------------------------------------------------------------------


def fetch_jwks(url: str) -> Any:
    """GET a JWK Set with the same bounds as FHIR fetches (no redirects, size limit, one deadline
    for the whole fetch however slowly the server answers)."""
    deadline = time.monotonic() + JWKS_LIMITS.total_budget
    with fhir_client.deadline_session(deadline) as session:
        return fhir_client.get_json(session, url, {"Accept": "application/json"}, JWKS_LIMITS, deadline)


def _by_kid(jwks: Any) -> dict[str, Mapping[str, Any]]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        return {}
    return {key["kid"]: key for key in keys if isinstance(key, Mapping) and isinstance(key.get("kid"), str)}


@dataclass
class KeyStore:
    """The public keys of each issuer: embedded, or fetched from a URL and cached."""

    fetch: Callable[[str], Any] = fetch_jwks
    clock: Callable[[], float] = time.monotonic
    _cache: dict[str, tuple[float, dict[str, Mapping[str, Any]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def find(self, issuer: TrustedIssuer, kid: str, jku: str | None) -> Mapping[str, Any] | None:
        if issuer.jwks is not None:
            return _by_kid(issuer.jwks).get(kid)
        url = jku or issuer.jwks_url
        assert url is not None  # parse_trust: jwks or jwks_url
        with self._lock:
            fetched_at, keys = self._cache.get(url, (float("-inf"), {}))
            age = self.clock() - fetched_at
            if age > JWKS_TTL_SECONDS or (kid not in keys and age > JWKS_MIN_REFRESH_SECONDS):
                try:
                    keys = _by_kid(self.fetch(url))
                    self._cache[url] = (self.clock(), keys)
                except fhir_client.FetchError as error:
                    log.warning("JWK Set of %s not fetched: %s", issuer.iss, error)
            return keys.get(kid)


def _verification_key(jwk: Mapping[str, Any], alg: str) -> jwt.PyJWK:
    kty, curve = ALGORITHMS[alg]
    if jwk.get("kty") != kty or (curve and jwk.get("crv") != curve):
        raise AuthError(f"key {jwk.get('kid')!r} does not fit alg {alg}", "key-mismatch")
    if jwk.get("alg") not in (None, alg):
        raise AuthError(f"key {jwk.get('kid')!r} is for alg {jwk.get('alg')!r}, token says {alg}", "key-mismatch")
    if jwk.get("use") not in (None, "sig"):
        raise AuthError(f"key {jwk.get('kid')!r} is not a signing key", "key-mismatch")
    try:
        return jwt.PyJWK(dict(jwk), algorithm=alg)
    except jwt.PyJWTError as error:
        raise AuthError(f"key {jwk.get('kid')!r} unusable ({type(error).__name__})", "key-mismatch") from None


# --- verification ---------------------------------------------------------------------------

_DECODE_REASONS: tuple[tuple[type[Exception], str, str], ...] = (
    (jwt.ExpiredSignatureError, "expired", "expired"),
    (jwt.ImmatureSignatureError, "not yet valid (iat or nbf in the future)", "not-yet-valid"),
    (jwt.InvalidAudienceError, "aud is not this endpoint", "audience"),
    (jwt.InvalidIssuerError, "iss mismatch", "untrusted-issuer"),
    (jwt.MissingRequiredClaimError, "a required claim is missing", "claims"),
    (jwt.InvalidSignatureError, "signature does not verify", "signature"),
)


@dataclass
class Verifier:
    trust: Trust
    keys: KeyStore = field(default_factory=KeyStore)
    replay: ReplayCache = field(default_factory=MemoryReplayCache)

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        """The token's claims if it is valid for a request to `audience`; AuthError otherwise."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("malformed token", "malformed") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise AuthError(f"alg {str(alg)[:20]!r} not accepted", "algorithm")
        if not isinstance(header.get("typ"), str) or header["typ"].upper() != "JWT":
            raise AuthError("typ is not JWT", "malformed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("no kid", "unknown-key")
        iss = unverified.get("iss")
        issuer = self.trust.issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise AuthError(f"untrusted iss {str(iss)[:100]!r}", "untrusted-issuer")
        jku = header.get("jku")
        if jku is not None and (not isinstance(jku, str) or jku not in issuer.jku):
            raise AuthError(f"jku {str(jku)[:200]!r} not allowed for {iss}", "jku")
        jwk = self.keys.find(issuer, kid, jku)
        if jwk is None:
            raise AuthError(f"unknown kid {kid[:100]!r} for {iss}", "unknown-key")
        try:
            claims = jwt.decode(
                token,
                _verification_key(jwk, alg),
                algorithms=[alg],
                audience=audience,
                issuer=iss,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as error:
            reason, code = next(((text, code) for kind, text, code in _DECODE_REASONS if isinstance(error, kind)),
                                (type(error).__name__, "invalid"))
            raise AuthError(f"{reason} (iss {iss}, kid {kid[:100]!r})", code) from None
        return self._check_claims(claims, iss)

    def _check_claims(self, claims: dict[str, Any], iss: str) -> dict[str, Any]:
        exp, iat, jti, tenant = claims["exp"], claims["iat"], claims["jti"], claims.get("tenant")
        if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in (exp, iat)):
            raise AuthError(f"exp and iat must be numbers (iss {iss})", "claims")
        if exp - iat > MAX_LIFETIME_SECONDS:
            raise AuthError(f"lifetime {exp - iat}s exceeds {MAX_LIFETIME_SECONDS}s (iss {iss})", "lifetime")
        if self.trust.tenants is not None and (not isinstance(tenant, str) or tenant not in self.trust.tenants):
            raise AuthError(f"untrusted tenant (iss {iss})", "tenant")
        if not isinstance(jti, str) or not jti:
            raise AuthError(f"jti is not a string (iss {iss})", "claims")
        if not self.replay.first_use(f"{iss} {jti}", float(exp) + LEEWAY_SECONDS):
            raise AuthError(f"replayed jti {jti[:100]!r} (iss {iss})", "replay")
        return claims


# --- Flask ----------------------------------------------------------------------------------


def endpoint_url(public_base_url: str | None) -> str:
    """The URL the client called, which its `aud` must equal: the configured public base URL (for
    deployments behind a proxy) plus the request path, else the request URL without query."""
    if public_base_url:
        return public_base_url.rstrip("/") + request.path
    return request.base_url


def _unauthorized() -> Response:
    """401 with an OperationOutcome that says no more than "authentication required": the reason is
    in the log only, so a probing client learns nothing about which check failed."""
    response = error_response(401, "authentication required")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def install(app: Flask, settings: Settings, verifier: Verifier | None = None,
            replay: ReplayCache | None = None) -> None:
    """Require a valid client JWT on every request but preflights and PUBLIC_PATHS, when trusted
    issuers are configured (or a verifier is given); otherwise log that the service is open. Without a
    verifier, tokens' ids are checked against `replay`: the app's replay cache, built from
    CDS_REPLAY_CACHE_URL by the caller (`protocol.runtime`), so security never imports the protocol layer."""
    if verifier is None:
        if not settings.trusted_issuers:
            log.warning(
                "OPEN DEVELOPMENT MODE: no trusted issuers (CDS_TRUSTED_ISSUERS), requests are not authenticated"
            )
            return
        verifier = Verifier(load_trust(settings.trusted_issuers), replay=replay)
    active = verifier
    log.info("JWT authentication on; trusted issuers: %s", ", ".join(sorted(active.trust.issuers)))
    if not settings.public_base_url:
        log.warning("CDS_PUBLIC_BASE_URL unset: JWT aud is checked against the request's own Host and scheme")

    # With its own token (CDS_METRICS_TOKEN) the metrics endpoint is guarded by that, not by a client JWT.
    open_paths = PUBLIC_PATHS | ({METRICS_PATH} if settings.metrics_token else frozenset())
    # The timeline app's static files and parameters (no patient data): a browser has no client JWT.
    open_prefix = SMART_APP_PATH if settings.smart_app else None

    @app.before_request
    def authenticate() -> Response | None:
        if request.method == "OPTIONS" or request.path in open_paths:
            return None
        if open_prefix and request.method == "GET" and request.path.startswith(open_prefix):
            return None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            log.warning("401 %s %s: no bearer token", request.method, request.path)
            metrics.JWT_REJECTIONS.labels("missing-token").inc()
            return _unauthorized()
        try:
            claims = active.verify(token.strip(), endpoint_url(settings.public_base_url))
        except AuthError as error:
            log.warning("401 %s %s: %s", request.method, request.path, error)
            metrics.JWT_REJECTIONS.labels(error.reason).inc()
            return _unauthorized()
        except ReplayCacheUnavailable as error:
            # 503, not 401: the token is not invalid and was not used; a 401 would tell the EHR its credentials are
            # wrong. It may be sent again once the replay cache answers (README "Deployment").
            log.error("503 %s %s: %s", request.method, request.path, error)
            response = error_response(503, "cannot check the token for replay now: the replay cache is unavailable; "
                                           "retry later")
            response.headers["Retry-After"] = str(REPLAY_RETRY_AFTER_SECONDS)
            return response
        g.cds_client = {"iss": claims["iss"], "tenant": claims.get("tenant"), "jti": claims["jti"]}
        g.cds_issuer = active.trust.issuers[claims["iss"]]
        return None


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to serve unauthenticated on a non-loopback address unless explicitly allowed."""
    if settings.trusted_issuers or settings.allow_open_nonlocal or allowlist.is_loopback_host(host):
        return
    raise SystemExit(
        f"refusing to bind {host} in open development mode: configure CDS_TRUSTED_ISSUERS, "
        "or set CDS_ALLOW_OPEN_NONLOCAL=1 to serve unauthenticated anyway"
    )
