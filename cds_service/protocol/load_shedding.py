"""Load shedding: each worker admits at most CDS_MAX_IN_FLIGHT requests at once; beyond that it answers
503 with Retry-After at once, rather than queueing work whose answer would arrive after the EHR has given
up (EHRs wait 0.5 to 2 s for a hook call).

Under gevent workers a hook call runs on the CPU without yielding, so requests wait for it as greenlets
ready to run, invisible to the application. On admission a request therefore yields once (`time.sleep(0)`,
gevent's cooperative yield once monkey-patched; a no-op between threads): every request that has already
arrived reaches the admission check and is counted before the admitted ones compute. An admitted call
then waits for at most CDS_MAX_IN_FLIGHT - 1 others, and a worker holds at most that many requests'
data at once, which bounds its memory (README "Deployment").

Health probes and metrics are never shed: they are cheap, and an overloaded instance is still alive.
Counted in `cds_requests_arrived_total` and `cds_requests_shed_total` (the shed share is their ratio).
The check runs after `WholeBody` has read the body, so a client that has been shed may resend at once on
the same connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from cds_service import metrics
from cds_service.errors import operation_outcome

#: Paths answered whatever the load.
NEVER_SHED = frozenset({"/healthz", "/readyz", "/metrics"})
#: Seconds a shed client is asked to wait.
RETRY_AFTER_SECONDS = 1

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LoadShedder:
    def __init__(self, app: WsgiApp, limit: int) -> None:
        self._app = app
        self._limit = limit
        self._in_flight = 0
        self._lock = threading.Lock()
        self._shed_body = orjson.dumps(operation_outcome(
            503, "the service is at capacity; retry shortly (or continue without its cards)"))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in NEVER_SHED:
            return self._app(environ, start_response)
        metrics.REQUESTS_ARRIVED.inc()
        with self._lock:
            admitted = self._in_flight < self._limit
            if admitted:
                self._in_flight += 1
        if not admitted:
            metrics.REQUESTS_SHED.inc()
            start_response("503 Service Unavailable", [
                ("Content-Type", "application/json"), ("Content-Length", str(len(self._shed_body))),
                ("Retry-After", str(RETRY_AFTER_SECONDS))])
            return [self._shed_body]
        try:
            time.sleep(0)  # let the requests that have already arrived be counted (module docstring)
            return self._app(environ, start_response)
        finally:
            with self._lock:
                self._in_flight -= 1
