"""Which FHIR server base URLs the service may contact (`CDS_FHIR_ALLOWLIST`), in one spelling.

Both the settings (an allowlist entry is checked at start-up) and the FHIR client (every `fhirServer`
and every URL fetched under it) use these rules, so they live here, importing nothing from
`cds_service`: `config` and `fetch.fhir_client` both import this module and neither imports the other
for it. A base is compared in its normalised form: lower-case scheme and host, default port dropped, no
trailing slash, and path segments that could hide a separator or a dot segment in any percent-encoding
refused; `https` is required outside loopback.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _plain(url: str) -> bool:
    """ASCII without spaces, control characters or backslashes: the characters on which URL
    parsers (urllib.parse here, urllib3 when fetching) are known to disagree about the host."""
    return url.isascii() and not any(char <= " " or char in "\\\x7f" for char in url)


def normalise_base(url: str) -> str | None:
    """`scheme://host[:port]/path` without a trailing slash, lower-case scheme and host, default
    port dropped; None for anything that is not a plain http(s) URL (user info, query, fragment)."""
    if not isinstance(url, str) or not _plain(url.strip()):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    if not all(plain_segment(segment) for segment in path.split("/")):
        return None
    return f"{scheme}://{host}{path}"


#: Percent-decoding rounds before a path segment counts as hostile (each server along the way may decode once).
_DECODING_ROUNDS = 3


def plain_segment(segment: str) -> bool:
    """Whether a path segment is neither a dot segment nor hides a separator, in any spelling.

    Servers and clients decode `%2e` (requests does before sending), some decode `%2f` and `%5c`,
    and some decode twice; what is compared with the allowlist must be what the server will walk.
    """
    for _ in range(_DECODING_ROUNDS):
        if segment in (".", "..") or "/" in segment or "\\" in segment:
            return False
        decoded = unquote(segment)
        if decoded == segment:
            return True
        segment = decoded
    return False


def check_allowlist_entry(url: str) -> str:
    """Normalise one CDS_FHIR_ALLOWLIST entry; raise ValueError at start-up for a bad one."""
    base = normalise_base(url)
    if base is None:
        raise ValueError("not an http(s) base URL")
    if base.startswith("http://") and not is_loopback_host(urlsplit(base).hostname or ""):
        raise ValueError("https is required outside loopback")
    return base


def _under(url: str, base: str) -> bool:
    return url == base or url.startswith(base + "/")


def is_within(url: str, base: str) -> bool:
    """Whether an absolute URL (query ignored) lies under the normalised base URL."""
    if not _plain(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.fragment:
        return False
    location = normalise_base(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    return location is not None and _under(location, base)


def allowed_base(fhir_server: Any, allowlist: tuple[str, ...]) -> str | None:
    """The normalised `fhirServer` if we may contact it, else None.

    Allowed: under an allowlisted base URL; with no allowlist, any loopback URL (development).
    `https` is required outside loopback either way.
    """
    base = normalise_base(fhir_server)
    if base is None:
        return None
    loopback = is_loopback_host(urlsplit(base).hostname or "")
    if base.startswith("http://") and not loopback:
        return None
    if not allowlist:
        return base if loopback else None
    entries = (normalise_base(entry) for entry in allowlist)
    return base if any(entry is not None and _under(base, entry) for entry in entries) else None
