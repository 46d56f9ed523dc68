"""In-process service time against the floor, side by side, by direct WSGI calls.

Each iteration calls the service and the floor with the same body bytes, rotating which goes
first, so both see the same machine (other processes, CPU frequency, caches). A full garbage
collection runs before every timed call: in one process the apps would otherwise pay for each
other's garbage (a collection triggered by one call's allocations scans what the others left).
The in-process figures therefore leave out the garbage-collection debt carried between requests;
the HTTP figures include it. Wall time is what
the EHR waits for; thread CPU time is also kept because it does not count time lost to other
processes on a shared machine (it does count the service's own disk waits as not-CPU, so the two
together separate computing from waiting).
"""

from __future__ import annotations

import gc
import io
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.stats import summary
from bench.workloads import Workload
from cds_service.protocol.validation import check, validators

WsgiApp = Callable[..., Iterable[bytes]]


@dataclass(frozen=True)
class Call:
    status: int
    body: bytes
    wall_ms: float
    cpu_ms: float


class Endpoint:
    """One POST target of a WSGI app with a fixed body; every call gets a fresh environ."""

    def __init__(self, app: WsgiApp, service_id: str, body: bytes) -> None:
        self._app = app
        self._body = body
        self._environ = EnvironBuilder(
            path=f"/cds-services/{service_id}", method="POST", data=body, content_type="application/json",
            base_url="http://127.0.0.1:8080", environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).get_environ()

    def call(self) -> Call:
        environ = {**self._environ, "wsgi.input": io.BytesIO(self._body)}
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            statuses.append(status)

        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        result = self._app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        cpu, wall = time.thread_time_ns() - cpu, time.perf_counter_ns() - wall
        return Call(int(statuses[0].split()[0]), body, wall / 1e6, cpu / 1e6)


def checked_cards(call: Call) -> list[str]:
    """The recommendation ids of a valid 200 cards response (raises otherwise: a benchmark of
    error responses would measure nothing)."""
    if call.status != 200:
        raise RuntimeError(f"service answered {call.status}: {call.body[:300]!r}")
    response = json.loads(call.body)
    check(validators().response, response)
    return [card["source"]["topic"]["code"] for card in response["cards"]]


def side_by_side(apps: Mapping[str, WsgiApp], workload: Workload, *, budget_s: float,
                 min_n: int = 15, max_n: int = 400, warmup: int = 3) -> dict[str, Any]:
    """Interleaved calls of every app (the first is the service, whose cards are checked; one
    named "floor" is the baseline) on one workload, within a time budget."""
    body = json.dumps(workload.body).encode()
    endpoints = {name: Endpoint(app, workload.service_id, body) for name, app in apps.items()}
    cards = checked_cards(next(iter(endpoints.values())).call())
    for _ in range(warmup):
        for endpoint in endpoints.values():
            endpoint.call()
    samples: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in endpoints}
    order = list(endpoints)
    started = time.perf_counter()
    n = 0
    while n < max_n and (n < min_n or time.perf_counter() - started < budget_s):
        for name in order[n % len(order):] + order[:n % len(order)]:  # rotate who goes first
            gc.collect()  # each call pays for the garbage it makes, not for the previous call's
            call = endpoints[name].call()
            if call.status != 200:
                raise RuntimeError(f"{name} answered {call.status} on {workload.name}")
            samples[name]["wall"].append(call.wall_ms)
            samples[name]["cpu"].append(call.cpu_ms)
        n += 1
    return _result(workload, body, cards, samples)


def _result(workload: Workload, body: bytes, cards: list[str], samples: Mapping[str, Mapping[str, list[float]]]) -> dict[str, Any]:
    result: dict[str, Any] = {"workload": workload.name, "resources": workload.resources,
                              "prefetch_entries": workload.prefetch_entries, "body_bytes": len(body), "cards": cards}
    floor_wall, floor_cpu = summary(samples["floor"]["wall"]), summary(samples["floor"]["cpu"])
    for name, kinds in samples.items():
        wall, cpu = summary(kinds["wall"]), summary(kinds["cpu"])
        result[name] = {"wall": wall, "cpu": cpu}
        if name != "floor":
            result[name]["ratio"] = {
                "median": round(wall["median_ms"] / floor_wall["median_ms"], 2),
                "p99": round(wall["p99_ms"] / floor_wall["p99_ms"], 2),
                "median_cpu": round(cpu["median_ms"] / floor_cpu["median_ms"], 2),
            }
    return result
