"""What the shared-state backends have in common: URLs that select them, the error they raise when
their server or file cannot be reached, and a short memory of an outage.

A backend is chosen by URL (`sqlite:///var/x.sqlite3`, `postgresql://user:pw@db/cds`,
`redis://cache:6379/0`). URLs are only ever logged through `redact`: a password never reaches a log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

STORE_SCHEMES = ("sqlite", "postgresql", "postgres")
REPLAY_CACHE_SCHEMES = ("sqlite", "redis", "rediss")


class Unavailable(Exception):
    """A shared dependency (store, replay cache) cannot be reached. The message names the
    dependency and the error type only: driver messages can quote SQL parameters or hosts' details."""

    def __init__(self, dependency: str, error: BaseException | str) -> None:
        reason = error if isinstance(error, str) else type(error).__name__
        super().__init__(f"{dependency} unavailable: {reason}")


def scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def sqlite_path(url: str, *, create_directory: bool = False) -> Path:
    """The file of a `sqlite:///relative/path` or `sqlite:////absolute/path` URL (SQLAlchemy's
    convention); its directory is created when missing only for a caller that will write there."""
    if scheme(url) != "sqlite" or not url.lower().startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise ValueError(f"expected sqlite:///path, got {redact(url)!r}")
    path = Path(url[len("sqlite:///"):])
    if create_directory:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def redact(url: str) -> str:
    """The URL with its password (if any) replaced by `***`, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


class OutageMemory:
    """After a failure, calls fail at once for `cooldown_seconds` instead of each waiting for a
    connection timeout: during an outage a hook call must not be slowed by a record it cannot write.
    A health probe (`ping`) ignores it, so recovery is noticed as soon as the server is back."""

    def __init__(self, cooldown_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def recent(self) -> bool:
        """True while a failure is fresh: the caller should fail without trying."""
        return self._clock() < self._until

    def failed(self) -> None:
        with self._lock:
            self._until = self._clock() + self._cooldown

    def recovered(self) -> None:
        with self._lock:
            self._until = 0.0
