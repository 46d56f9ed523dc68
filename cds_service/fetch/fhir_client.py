"""Fetch prefetch keys the CDS client did not supply, from the client's `fhirServer`.

CDS Hooks 2.0 section "Prefetch" (SPEC-NOTES.md 2.4): the service substitutes the template's
tokens, reads the client's FHIR server with `fhirAuthorization.access_token` as a Bearer token,
and follows `next` links of paginated results.

The request names the URL we are asked to contact, so every fetch is an SSRF risk. Defences:
- only `fhirServer` base URLs on an allowlist (none configured: loopback only), `https` required
  outside loopback, environment proxies ignored;
- every fetched URL (including `next` links) must stay under that base URL; redirects are never
  followed;
- bytes and entries bounded across all responses and pages of one hook request (a server answering
  page after page of `{}` took a worker past a gigabyte when the bound was per page), pages per key;
- one wall-clock deadline per hook request: at the deadline a watchdog shuts down every socket the
  request's fetches opened, so a server dripping its headers or body a byte at a time cannot hold a
  thread or a socket past it (connect/read timeouts apply per socket operation and could not).

The access token lives only in the outgoing header: it is never logged, stored or put in errors.
Logs name the prefetch key and the failure reason, never the URL (it carries patient ids).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from cds_service.fetch.allowlist import allowed_base, is_within, normalise_base, plain_segment

if TYPE_CHECKING:
    from cds_service.config import Settings

log = logging.getLogger(__name__)

USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}
_TOKEN = re.compile(r"\{\{(.*?)\}\}")


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of the fallback fetch. Defaults follow SPEC-NOTES.md section 9 (about 1 s per call,
    1-2 s for the whole fallback path). `max_pages` is per key; `max_entries` and `max_bytes` are
    for all keys and pages of one hook request together."""

    connect_timeout: float = 1.0
    read_timeout: float = 1.0
    total_budget: float = 2.0
    max_pages: int = 10
    max_entries: int = 5000
    max_bytes: int = 5_000_000
    max_workers: int = 8

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        return cls(
            connect_timeout=settings.fhir_connect_timeout,
            read_timeout=settings.fhir_read_timeout,
            total_budget=settings.fhir_total_budget,
            max_pages=settings.fhir_max_pages,
            max_entries=settings.fhir_max_entries,
            max_bytes=settings.fhir_max_bytes,
        )


#: How long past the deadline a request waits for its fetch threads to notice their sockets were shut.
JOIN_GRACE_SECONDS = 0.25


class FetchError(Exception):
    """A key could not be fetched; the message is a reason safe to log (no URL, no token)."""


# --- one deadline for every socket of a request ------------------------------------------------


class _Sockets:
    """The sockets opened under one deadline; `cut()` shuts them down (and any opened later), which
    ends a read blocked in another thread at once."""

    def __init__(self) -> None:
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.append(sock)
            if not self._cut:
                return
        _shut(sock)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._open)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


_watched = threading.local()  # .sockets: the _Sockets of the session this thread is using


def _register(sock: Any) -> None:
    sockets = getattr(_watched, "sockets", None)
    if sockets is not None and sock is not None:
        sockets.add(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register(self.sock)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register(self.sock)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections register their socket with the thread's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


@contextmanager
def deadline_session(deadline: float) -> Iterator[requests.Session]:
    """A requests session for this thread whose sockets are all shut down at `deadline`
    (time.monotonic()), and closed when the block ends. No environment proxies or .netrc."""
    sockets = _Sockets()
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), sockets.cut)
    watchdog.daemon = True
    previous = getattr(_watched, "sockets", None)
    _watched.sockets = sockets
    session = requests.Session()
    session.trust_env = False
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    watchdog.start()
    try:
        yield session
    finally:
        watchdog.cancel()
        watchdog.join()
        _watched.sockets = previous
        session.close()


@dataclass
class _Allowance:
    """What the fetches of one hook request may still read, shared by its threads."""

    bytes_left: int
    entries_left: int
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes_left -= count
            if self.bytes_left < 0:
                raise FetchError("responses of this request too large")

    def take_entries(self, count: int) -> None:
        with self._lock:
            self.entries_left -= count
            if self.entries_left < 0:
                raise FetchError("too many entries")


# --- token substitution ----------------------------------------------------------------------


def _token_values(context: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in context.items():
        if isinstance(value, bool):
            values[f"context.{name}"] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            values[f"context.{name}"] = str(value)
    user = context.get("userId")
    if isinstance(user, str) and user.count("/") == 1:
        resource_type, user_id = user.split("/")
        for token, expected in USER_TOKENS.items():
            if resource_type == expected and user_id:
                values[token] = user_id
    return values


def _safe(value: str) -> str | None:
    """Percent-encode a token value for a URL; None when it could escape its place (empty, dot
    segments), so a hostile context cannot walk the FHIR server's paths."""
    if not value or any(segment in ("", ".", "..") for segment in value.split("/")):
        return None
    return quote(value, safe="/")


def substitute(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with every `{{token}}` replaced, or None if any token cannot be resolved.

    Tokens: root-level primitive `context` fields (`{{context.patientId}}`) and the user ids
    derived from `context.userId`'s type prefix (`{{userPractitionerId}}` ...). Nested paths
    (`{{context.medication.id}}`) are invalid in CDS Hooks 2.0 and unresolvable here.
    """
    values = _token_values(context)
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        value = values.get(match.group(1).strip())
        encoded = _safe(value) if value is not None else None
        if encoded is None:
            unresolved = True
            return ""
        return encoded

    result = _TOKEN.sub(replace, template)
    if unresolved or "{{" in result or "}}" in result:
        return None
    return result


def query_url(base: str, relative: str) -> str | None:
    """Absolute URL of a relative FHIR query under `base`; None for absolute or escaping queries."""
    relative = relative.lstrip("/")
    if not relative or "://" in relative.split("?", 1)[0] or relative.startswith(("/", "\\")):
        return None
    path = relative.split("?", 1)[0]
    if not all(plain_segment(segment) for segment in path.split("/")):
        return None
    return f"{base}/{relative}"


# --- fetching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    base: str
    token: str | None
    limits: FetchLimits
    deadline: float
    allowance: _Allowance


def get_json(
    session: requests.Session,
    url: str,
    headers: Mapping[str, str],
    limits: FetchLimits,
    deadline: float,
    allowance: _Allowance | None = None,
) -> Any:
    """GET a JSON document within the limits: no redirects, at most `limits.max_bytes` (and what
    `allowance` has left), connect/read timeouts and an absolute `deadline` (time.monotonic(); a
    `deadline_session` enforces it on every socket read). Raises FetchError with a loggable reason."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("time budget exhausted")
    try:
        response = session.get(
            url,
            headers=dict(headers),
            timeout=(min(limits.connect_timeout, remaining), min(limits.read_timeout, remaining)),
            allow_redirects=False,
            stream=True,
        )
    except requests.RequestException as error:
        raise _failure(error, deadline, "connection failed") from error
    with response:
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code}")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError("response too large")
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=65536):
                body.extend(chunk)
                if allowance is not None:
                    allowance.take_bytes(len(chunk))
                if len(body) > limits.max_bytes:
                    raise FetchError("response too large")
                if time.monotonic() > deadline:
                    raise FetchError("time budget exhausted")
        except requests.RequestException as error:
            raise _failure(error, deadline, "read failed") from error
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise FetchError("response is not JSON") from error


def _failure(error: requests.RequestException, deadline: float, what: str) -> FetchError:
    if isinstance(error, requests.Timeout):
        return FetchError("timeout")
    if time.monotonic() >= deadline:
        return FetchError("time budget exhausted")
    return FetchError(f"{what} ({type(error).__name__})")


def _get_resource(session: requests.Session, url: str, call: _Call) -> dict[str, Any]:
    if not is_within(url, call.base):
        raise FetchError("URL outside fhirServer")
    headers = {"Accept": "application/fhir+json"}
    if call.token:
        headers["Authorization"] = f"Bearer {call.token}"
    data = get_json(session, url, headers, call.limits, call.deadline, call.allowance)
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FetchError("response is not a FHIR resource")
    if data["resourceType"] == "OperationOutcome":
        raise FetchError("server answered with an OperationOutcome")
    return data


def _next_link(bundle: Mapping[str, Any]) -> str | None:
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return link["url"]
    return None


def _fetch_key(session: requests.Session, url: str, call: _Call) -> dict[str, Any]:
    """One key: a resource, or a search Bundle with the entries of all its pages."""
    first = _get_resource(session, url, call)
    if first["resourceType"] != "Bundle":
        return first
    entries: list[Any] = []
    page: Mapping[str, Any] | None = first
    pages = 0
    while page is not None:
        pages += 1
        raw = page.get("entry", [])
        if not isinstance(raw, list):
            raise FetchError("Bundle.entry is not a list")
        call.allowance.take_entries(len(raw))
        entries.extend(raw)
        following = _next_link(page)
        if following is None:
            break
        if pages >= call.limits.max_pages:
            raise FetchError("too many pages")
        if not is_within(following, call.base):
            raise FetchError("next link outside fhirServer")
        page = _get_resource(session, following, call)
        if page["resourceType"] != "Bundle":
            raise FetchError("next page is not a Bundle")
    merged = {key: value for key, value in first.items() if key not in ("link", "entry")}
    if entries:
        merged["entry"] = entries
    return merged


@dataclass
class FetchReport:
    """What the fallback did for one hook request, for the metrics: each key's result ("fetched",
    "timeout", "failed", "refused": fhirServer not allowed) and the bytes read from the server."""

    results: dict[str, str] = field(default_factory=dict)
    bytes_read: int = 0


def _result(outcome: object) -> str:
    if isinstance(outcome, dict):
        return "fetched"
    if outcome is None or (isinstance(outcome, FetchError) and str(outcome) in ("timeout", "time budget exhausted")):
        return "timeout"
    return "failed"


def fetch_missing(
    templates: Mapping[str, str],
    request: Mapping[str, Any],
    limits: FetchLimits,
    allowlist: tuple[str, ...],
    report: FetchReport | None = None,
) -> dict[str, Any]:
    """Fetch each key's substituted template from the request's `fhirServer`, concurrently.

    Returns the keys that were obtained; any other key is missing (no allowed `fhirServer`,
    unresolvable token, HTTP error, timeout, bound exceeded). Never raises on remote behaviour.
    `report`, when given, receives each key's result and the bytes read.
    """
    report = report if report is not None else FetchReport()
    fhir_server = request.get("fhirServer")
    base = allowed_base(fhir_server, allowlist)
    if base is None:
        if fhir_server is not None:
            readable = normalise_base(fhir_server)
            host = urlsplit(readable).hostname if readable else None
            log.warning("fhirServer host %r not allowed (off allowlist, not https or malformed); %d keys missing",
                        host, len(templates))
            report.results.update(dict.fromkeys(templates, "refused"))
        return {}
    authorization = request.get("fhirAuthorization")
    token = authorization.get("access_token") if isinstance(authorization, Mapping) else None
    token = token if isinstance(token, str) and token else None
    context = request.get("context")
    context = context if isinstance(context, Mapping) else {}
    urls: dict[str, str] = {}
    for key, template in templates.items():
        relative = substitute(template, context) if isinstance(template, str) else None
        url = query_url(base, relative) if relative is not None else None
        if url is None:
            log.warning("prefetch %s: template cannot be resolved from the context", key)
            report.results[key] = "failed"
        else:
            urls[key] = url
    if not urls:
        return {}
    deadline = time.monotonic() + limits.total_budget
    call = _Call(base, token, limits, deadline, _Allowance(limits.max_bytes, limits.max_entries))

    slots = threading.BoundedSemaphore(limits.max_workers)
    outcomes: dict[str, dict[str, Any] | BaseException] = {}

    def run(key: str, url: str) -> None:
        with slots:
            try:
                with deadline_session(deadline) as session:
                    outcomes[key] = _fetch_key(session, url, call)
            except Exception as error:  # noqa: BLE001 - reported per key below
                outcomes[key] = error

    threads = [threading.Thread(target=run, args=item, name="fhir-fetch", daemon=True) for item in urls.items()]
    for thread in threads:
        thread.start()
    # At the deadline every fetch's sockets are shut down, so the threads end within moments of it;
    # joining them (bounded) leaves none running once the request has its answer.
    for thread in threads:
        thread.join(max(0.0, deadline + JOIN_GRACE_SECONDS - time.monotonic()))
    fetched: dict[str, Any] = {}
    report.bytes_read += limits.max_bytes - call.allowance.bytes_left
    for key in urls:
        outcome = outcomes.get(key)
        report.results[key] = _result(outcome)
        if outcome is None:
            log.warning("prefetch %s: time budget exhausted", key)
        elif isinstance(outcome, FetchError):
            log.warning("prefetch %s: %s", key, outcome)
        elif isinstance(outcome, BaseException):
            log.error("prefetch %s: unexpected %s", key, type(outcome).__name__)
        else:
            fetched[key] = outcome
    return fetched
