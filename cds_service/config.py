"""Service configuration: one frozen `Settings`, read once from the environment at start-up.

Every field has a documented default so `make serve` works with no configuration at all. New
fields are added here and in `from_env()`; nothing else reads `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cds_service.client_profiles import PROFILES
from cds_service.fetch.allowlist import check_allowlist_entry
from cds_service.storage.dependencies import REPLAY_CACHE_SCHEMES, STORE_SCHEMES, redact, scheme

SELECTION_BEHAVIORS = ("at-most-one", "any")
PREFETCH_FAILURE_POLICIES = ("412", "partial")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
REPLAY_CACHE_FAILURE_POLICIES = ("closed", "open")

DEFAULT_FEEDBACK_DB = "var/myositis-cds.sqlite3"
DEFAULT_JTI_REPLAY_DB = "var/jwt-replay.sqlite3"
#: Where the Prometheus metrics are served.
METRICS_PATH = "/metrics"
#: Where the timeline app (issue 26) is served: static files and its parameters, no patient data.
SMART_APP_PATH = "/app/"
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024


class ConfigurationError(ValueError):
    """A setting the service cannot start with: one line naming the variable, its value (secrets
    redacted) and what is wrong with it. `myositis-cds` prints it and exits with status 2."""

    def __init__(self, variable: str, value: object, problem: str) -> None:
        self.variable, self.value, self.problem = variable, value, problem
        super().__init__(f"{variable}={value!r}: {problem}")


@dataclass(frozen=True)
class Settings:
    #: Where issued cards and feedback are kept (CDS_STORE_URL): `sqlite:///path` or `postgresql://...`
    #: (README "Deployment"). Empty: the SQLite file `feedback_db`.
    store_url: str = ""
    #: SQLite file of the default store (CDS_FEEDBACK_DB, kept for compatibility; CDS_STORE_URL replaces it).
    feedback_db: str = DEFAULT_FEEDBACK_DB
    #: Largest accepted request body in bytes; larger bodies get 413 (CDS_MAX_BODY_BYTES).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Seconds for receiving a request's headers (and idle keep-alive), and its whole body, under
    #: `myositis-cds serve` (CDS_HEADER_READ_TIMEOUT, CDS_BODY_READ_TIMEOUT); slower clients get 408 or a close.
    header_read_timeout: float = 5.0
    body_read_timeout: float = 10.0
    #: Origins allowed by CORS; "*" allows any (CDS_CORS_ORIGINS, comma separated).
    cors_origins: tuple[str, ...] = ("*",)
    #: Card selectionBehavior when a card has suggestions: "at-most-one" (spec 1.0 clients) or "any" (Epic).
    selection_behavior: str = "at-most-one"
    #: How cards are shaped for the calling EHR when its issuer names no profile (CDS_CLIENT_PROFILE):
    #: "generic" (CDS Hooks 2.0), "epic" or "oracle-health" (cds_service/client_profiles.py).
    client_profile: str = "generic"
    #: URL prefixes of card links the site allows, for profiles that keep only allowed links
    #: (CDS_CLIENT_ALLOWED_LINKS, comma separated); an issuer's own `allowed_links` take precedence.
    client_allowed_links: tuple[str, ...] = ()
    #: TOML file overriding recommendation parameters (CDS_RULE_SETTINGS; see hooks/settings.py).
    rule_settings: str | None = None
    #: What to do when prefetch data cannot be obtained: "412" (spec) or "partial" (cards say what was not checked).
    prefetch_failure: str = "412"
    #: Python logging level (CDS_LOG_LEVEL).
    log_level: str = "INFO"
    #: "text", or "json": one JSON object per line, the server's own lines included (CDS_LOG_FORMAT).
    log_format: str = "text"
    #: Re-raise errors of a recommendation instead of skipping it (CDS_STRICT_RULES; tests set it).
    strict_rules: bool = False
    # --- security and FHIR-server fallback (README "Security", "FHIR server fallback") ---
    #: fhirServer base URLs the service may contact (CDS_FHIR_ALLOWLIST, comma separated); empty: loopback only.
    fhir_allowlist: tuple[str, ...] = ()
    #: Seconds to connect to / wait for each read from the fhirServer (CDS_FHIR_CONNECT_TIMEOUT, CDS_FHIR_READ_TIMEOUT).
    fhir_connect_timeout: float = 1.0
    fhir_read_timeout: float = 1.0
    #: Seconds for fetching all missing prefetch keys together (CDS_FHIR_TOTAL_BUDGET).
    fhir_total_budget: float = 2.0
    #: Pages followed per key (CDS_FHIR_MAX_PAGES); entries and bytes read for all keys and pages of one
    #: hook request together (CDS_FHIR_MAX_ENTRIES, CDS_FHIR_MAX_BYTES).
    fhir_max_pages: int = 10
    fhir_max_entries: int = 5000
    fhir_max_bytes: int = 5_000_000
    #: JSON file of trusted JWT issuers (CDS_TRUSTED_ISSUERS); unset: open development mode, loopback only.
    trusted_issuers: str | None = None
    #: Public base URL of the service as clients see it, for the JWT `aud` check behind a proxy (CDS_PUBLIC_BASE_URL).
    public_base_url: str | None = None
    #: Allow open development mode (no trusted issuers) on a non-loopback address (CDS_ALLOW_OPEN_NONLOCAL).
    allow_open_nonlocal: bool = False
    #: Bearer token a metrics scraper sends to GET /metrics (CDS_METRICS_TOKEN); unset: /metrics is guarded
    #: like every other endpoint (a client JWT when issuers are configured, open in development mode).
    metrics_token: str | None = None
    #: SQLite file of seen JWT ids, shared by the worker processes of one host (CDS_JTI_REPLAY_DB); with a
    #: Redis replay cache, the local cache used while Redis is unreachable.
    jti_replay_db: str = DEFAULT_JTI_REPLAY_DB
    #: Seen JWT ids shared by every instance (CDS_REPLAY_CACHE_URL): `redis://host:6379/0` (or `rediss://`),
    #: or `sqlite:///path`. Empty: the SQLite file `jti_replay_db`.
    replay_cache_url: str = ""
    #: Requests one worker admits at once; more are answered 503 with Retry-After at once (CDS_MAX_IN_FLIGHT;
    #: cds_service/protocol/load_shedding.py). It also bounds a worker's memory (README "Deployment").
    max_in_flight: int = 16
    #: Issued-card records a worker holds while the store is slow or down, before it drops (and counts) more
    #: (CDS_CARD_QUEUE_SIZE; cds_service/storage/card_recorder.py).
    card_queue_size: int = 10_000
    #: When the shared replay cache (Redis) cannot answer (CDS_REPLAY_CACHE_FAILURE): "closed" refuses the token
    #: with 503 and Retry-After; "open" checks it against this host's cache only (README "Deployment": the risk).
    replay_cache_failure: str = "closed"
    #: Serve the demo page at /demo (CDS_DEMO_PAGE); only ever in open development mode (see `demo_page_on`).
    demo_page: bool = True
    #: Secret key of the HMAC that identifies a patient in the store for snoozes (CDS_PATIENT_HASH_KEY, at least
    #: 32 characters, the same on every instance); unset: a generated key beside a SQLite store, snoozes off with
    #: PostgreSQL (cds_service/storage/snooze.py).
    patient_hash_key: str | None = field(default=None, repr=False)
    #: Serve the timeline app, a static SMART on FHIR app, at /app/ (CDS_SMART_APP; issue 26).
    smart_app: bool = True
    #: The app's launch URL as EHRs registered it (CDS_SMART_APP_URL, e.g. https://cds.example.org/app/launch.html);
    #: set: cards about the course (`Recommendation.course`) carry a `smart` link to it. Unset: no link.
    smart_app_url: str | None = None
    #: The client id the EHR gave the app when it was registered (CDS_SMART_APP_CLIENT_ID).
    smart_app_client_id: str = "myositis-timeline"

    def __post_init__(self) -> None:
        def one_of(variable: str, value: str, allowed: tuple[str, ...]) -> None:
            if value not in allowed:
                raise ConfigurationError(variable, value, f"must be one of {', '.join(allowed)}")

        one_of("CDS_SELECTION_BEHAVIOR", self.selection_behavior, SELECTION_BEHAVIORS)
        one_of("CDS_CLIENT_PROFILE", self.client_profile, tuple(PROFILES))
        one_of("CDS_PREFETCH_FAILURE", self.prefetch_failure, PREFETCH_FAILURE_POLICIES)
        one_of("CDS_LOG_LEVEL", self.log_level, LOG_LEVELS)
        one_of("CDS_LOG_FORMAT", self.log_format, LOG_FORMATS)
        positive = {"CDS_MAX_BODY_BYTES": self.max_body_bytes, "CDS_HEADER_READ_TIMEOUT": self.header_read_timeout,
                    "CDS_BODY_READ_TIMEOUT": self.body_read_timeout, "CDS_FHIR_CONNECT_TIMEOUT": self.fhir_connect_timeout,
                    "CDS_FHIR_READ_TIMEOUT": self.fhir_read_timeout, "CDS_FHIR_TOTAL_BUDGET": self.fhir_total_budget,
                    "CDS_FHIR_MAX_PAGES": self.fhir_max_pages, "CDS_FHIR_MAX_ENTRIES": self.fhir_max_entries,
                    "CDS_FHIR_MAX_BYTES": self.fhir_max_bytes, "CDS_MAX_IN_FLIGHT": self.max_in_flight,
                    "CDS_CARD_QUEUE_SIZE": self.card_queue_size}
        for variable, value in positive.items():
            if value <= 0:
                raise ConfigurationError(variable, value, "must be positive")
        if not self.cors_origins:
            raise ConfigurationError("CDS_CORS_ORIGINS", "", "must name at least one origin (or *)")
        for entry in self.fhir_allowlist:
            try:
                check_allowlist_entry(entry)
            except ValueError as error:
                raise ConfigurationError("CDS_FHIR_ALLOWLIST", entry, str(error)) from None
        if self.smart_app_url and (scheme(self.smart_app_url) not in ("http", "https")
                                   or not urlsplit(self.smart_app_url).netloc):
            raise ConfigurationError("CDS_SMART_APP_URL", self.smart_app_url,
                                     "must be an absolute http(s) URL (the app's launch URL)")
        if scheme(self.store) not in STORE_SCHEMES:
            raise ConfigurationError("CDS_STORE_URL", redact(self.store), "must start with sqlite:/// or postgresql://")
        one_of("CDS_REPLAY_CACHE_FAILURE", self.replay_cache_failure, REPLAY_CACHE_FAILURE_POLICIES)
        if self.patient_hash_key is not None and len(self.patient_hash_key) < 32:
            raise ConfigurationError("CDS_PATIENT_HASH_KEY", f"<{len(self.patient_hash_key)} characters>",
                                     "must be at least 32 characters")
        if scheme(self.replay_cache) not in REPLAY_CACHE_SCHEMES:
            raise ConfigurationError("CDS_REPLAY_CACHE_URL", redact(self.replay_cache),
                                     "must start with sqlite:///, redis:// or rediss://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables (unset or empty: the default)."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(name, "").strip() or default

        return cls(
            feedback_db=get("CDS_FEEDBACK_DB", DEFAULT_FEEDBACK_DB),
            max_body_bytes=_integer("CDS_MAX_BODY_BYTES", get("CDS_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))),
            header_read_timeout=_number("CDS_HEADER_READ_TIMEOUT", get("CDS_HEADER_READ_TIMEOUT", "5.0")),
            body_read_timeout=_number("CDS_BODY_READ_TIMEOUT", get("CDS_BODY_READ_TIMEOUT", "10.0")),
            cors_origins=tuple(o.strip() for o in get("CDS_CORS_ORIGINS", "*").split(",") if o.strip()),
            selection_behavior=get("CDS_SELECTION_BEHAVIOR", "at-most-one"),
            client_profile=get("CDS_CLIENT_PROFILE", "generic"),
            client_allowed_links=tuple(u.strip() for u in get("CDS_CLIENT_ALLOWED_LINKS", "").split(",") if u.strip()),
            rule_settings=get("CDS_RULE_SETTINGS", "") or None,
            prefetch_failure=get("CDS_PREFETCH_FAILURE", "412"),
            log_level=get("CDS_LOG_LEVEL", "INFO").upper(),
            log_format=get("CDS_LOG_FORMAT", "text").lower(),
            strict_rules=_boolean("CDS_STRICT_RULES", get("CDS_STRICT_RULES", "false")),
            fhir_allowlist=tuple(u.strip() for u in get("CDS_FHIR_ALLOWLIST", "").split(",") if u.strip()),
            fhir_connect_timeout=_number("CDS_FHIR_CONNECT_TIMEOUT", get("CDS_FHIR_CONNECT_TIMEOUT", "1.0")),
            fhir_read_timeout=_number("CDS_FHIR_READ_TIMEOUT", get("CDS_FHIR_READ_TIMEOUT", "1.0")),
            fhir_total_budget=_number("CDS_FHIR_TOTAL_BUDGET", get("CDS_FHIR_TOTAL_BUDGET", "2.0")),
            fhir_max_pages=_integer("CDS_FHIR_MAX_PAGES", get("CDS_FHIR_MAX_PAGES", "10")),
            fhir_max_entries=_integer("CDS_FHIR_MAX_ENTRIES", get("CDS_FHIR_MAX_ENTRIES", "5000")),
            fhir_max_bytes=_integer("CDS_FHIR_MAX_BYTES", get("CDS_FHIR_MAX_BYTES", "5000000")),
            trusted_issuers=get("CDS_TRUSTED_ISSUERS", "") or None,
            public_base_url=get("CDS_PUBLIC_BASE_URL", "") or None,
            allow_open_nonlocal=_boolean("CDS_ALLOW_OPEN_NONLOCAL", get("CDS_ALLOW_OPEN_NONLOCAL", "false")),
            jti_replay_db=get("CDS_JTI_REPLAY_DB", DEFAULT_JTI_REPLAY_DB),
            store_url=get("CDS_STORE_URL", ""),
            replay_cache_url=get("CDS_REPLAY_CACHE_URL", ""),
            max_in_flight=_integer("CDS_MAX_IN_FLIGHT", get("CDS_MAX_IN_FLIGHT", "16")),
            card_queue_size=_integer("CDS_CARD_QUEUE_SIZE", get("CDS_CARD_QUEUE_SIZE", "10000")),
            replay_cache_failure=get("CDS_REPLAY_CACHE_FAILURE", "closed").lower(),
            metrics_token=get("CDS_METRICS_TOKEN", "") or None,
            demo_page=_boolean("CDS_DEMO_PAGE", get("CDS_DEMO_PAGE", "true")),
            patient_hash_key=get("CDS_PATIENT_HASH_KEY", "") or None,
            smart_app=_boolean("CDS_SMART_APP", get("CDS_SMART_APP", "true")),
            smart_app_url=get("CDS_SMART_APP_URL", "") or None,
            smart_app_client_id=get("CDS_SMART_APP_CLIENT_ID", "myositis-timeline"),
        )

    @property
    def demo_page_on(self) -> bool:
        """The demo page is an EHR simulator without credentials: served in open development mode only."""
        return self.demo_page and not self.trusted_issuers

    @property
    def store(self) -> str:
        """The store's URL: CDS_STORE_URL, else the SQLite file CDS_FEEDBACK_DB."""
        return self.store_url or f"sqlite:///{self.feedback_db}"

    @property
    def replay_cache(self) -> str:
        """The replay cache's URL: CDS_REPLAY_CACHE_URL, else the SQLite file CDS_JTI_REPLAY_DB."""
        return self.replay_cache_url or f"sqlite:///{self.jti_replay_db}"


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(name, value, "must be an integer") from None


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigurationError(name, value, "must be a number") from None


def _boolean(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(name, value, "must be true or false")
