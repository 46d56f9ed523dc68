"""WSGI middleware: the whole request body is read, within a size bound and a time bound, before the
application sees the request.

What it guarantees the application:
- the body is in memory (`wsgi.input` is a BytesIO, `CONTENT_LENGTH` its exact length), whether the
  client sent a `Content-Length` or `Transfer-Encoding: chunked`;
- a body over `max_bytes` reaches the application as an empty body with a `CONTENT_LENGTH` over the
  limit, so the endpoint answers the same 413 for both framings (a chunked body was cut at the limit
  and then parsed before);
- an oversized body is still read and discarded (up to DRAIN_FACTOR times the limit) before the
  413 goes out: a client that sends its whole body before reading (Python's urllib, many others)
  otherwise meets a connection reset instead of the answer. A larger one is answered at once with
  `Connection: close`;
- a body not received within `timeout_s` (a client dripping bytes) is answered 408 and the
  connection closed, so a slow client holds the connection for a bounded time.

The time bound needs a way to interrupt a blocking read: `deadline(seconds)` is a context manager
that raises `BodyTimeout` inside the block when the time is up. Under gevent that is
`gevent.Timeout` (`cds_service.server.serving`); in process (tests, other servers) the default does not
interrupt, and the server's own socket timeouts apply.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson

from cds_service.errors import operation_outcome

CHUNK_BYTES = 64 * 1024
#: The environ key holding the body as bytes, so the application need not copy it out of wsgi.input again.
BODY_KEY = "myositis_cds.body"
#: An oversized body up to this many times the limit is read and discarded so the client sees the 413.
DRAIN_FACTOR = 4

StartResponse = Callable[..., Any]
Deadline = Callable[[float], AbstractContextManager[object]]


class BodyTimeout(Exception):
    """The request body did not arrive within the time bound."""


def no_deadline(_seconds: float) -> AbstractContextManager[object]:
    return nullcontext()


def _read_at_most(stream: Any, limit: int) -> bytes:
    """The stream's bytes up to its end or `limit`, whichever comes first."""
    parts: list[bytes] = []
    total = 0
    while total < limit:
        chunk = stream.read(min(CHUNK_BYTES, limit - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _discard(stream: Any, limit: int) -> tuple[int, bool]:
    """Read and drop up to `limit` bytes; how many were read and whether the stream ended."""
    total = 0
    while total < limit:
        chunk = stream.read(min(CHUNK_BYTES, limit - total))
        if not chunk:
            return total, True
        total += len(chunk)
    return total, False


class WholeBody:
    """See the module docstring. `buffer_budget` bounds the bytes held by bodies being read at the
    same time in one process (concurrent connections under gevent); a request that would exceed it
    is answered 503 with Retry-After rather than risking the process's memory."""

    def __init__(self, app: Callable[..., Iterable[bytes]], max_bytes: int, *, timeout_s: float = 10.0,
                 deadline: Deadline = no_deadline, buffer_budget: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.deadline = deadline
        self.buffer_budget = buffer_budget if buffer_budget is not None else 32 * max_bytes
        self._buffered = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and (not length or length == "0"):
            return self.app(environ, start_response)
        declared = int(length) if length.isdigit() and not chunked else None
        reserve = min(declared if declared is not None else self.max_bytes, self.max_bytes)
        if not self._reserve(reserve):
            return _error(start_response, 503, "the service is receiving too much data at once; retry shortly",
                          [("Retry-After", "1"), ("Connection", "close")])
        try:
            with self.deadline(self.timeout_s):
                if declared is not None and declared > self.max_bytes:
                    ended = declared <= DRAIN_FACTOR * self.max_bytes and _discard(environ["wsgi.input"], declared + 1)[1]
                    return self._too_large(environ, start_response, declared, ended)
                # A declared length is read in one call (the server's reader loops until it has it).
                body = (environ["wsgi.input"].read(declared) if declared is not None
                        else _read_at_most(environ["wsgi.input"], self.max_bytes + 1))
                if len(body) > self.max_bytes:
                    drained, ended = _discard(environ["wsgi.input"], (DRAIN_FACTOR - 1) * self.max_bytes)
                    return self._too_large(environ, start_response, len(body) + drained, ended)
        except BodyTimeout:
            return _error(start_response, 408, f"request body not received within {self.timeout_s:g} s",
                          [("Connection", "close")])
        finally:
            self._release(reserve)
        environ["wsgi.input"] = io.BytesIO(body)
        environ[BODY_KEY] = body
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)

    def _too_large(self, environ: dict[str, Any], start_response: StartResponse, size: int,
                   ended: bool) -> Iterable[bytes]:
        """The application answers (413 from its body reader, or 401/404 first), with an empty body and
        a CONTENT_LENGTH over the limit; the connection is closed when the body was not read to its end."""
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if ended:
            return self.app(environ, start_response)

        def closing(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() != "connection"]
            return start_response(status, kept + [("Connection", "close")], *exc_info)

        return self.app(environ, closing)

    def _reserve(self, size: int) -> bool:
        with self._lock:
            if self._buffered and self._buffered + size > self.buffer_budget:
                return False
            self._buffered += size
            return True

    def _release(self, size: int) -> None:
        with self._lock:
            self._buffered -= size


def _error(start_response: StartResponse, status: int, message: str,
           headers: list[tuple[str, str]]) -> Iterable[bytes]:
    """The service's error shape (an OperationOutcome), answered by the middleware itself
    (errors.error_response needs Flask)."""
    body = orjson.dumps(operation_outcome(status, message))
    reason = {408: "Request Timeout", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body))), *headers])
    return [body]
