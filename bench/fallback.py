"""The FHIR-server fallback path: the request carries no prefetch, the service searches the
client's fhirServer for every key. The server is the tests' in-memory FHIR server
(`tests/fhir_server/server.mjs`, Medplum), loaded with the typical record.

That server's searches are slow (a linear scan per search, `_sort` far slower), so each call also
times the same six queries sent straight to the server, concurrently as the service sends them:
the difference is what the service adds to the server's own time.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.inprocess import Endpoint, WsgiApp, checked_cards
from bench.stats import summary
from bench.workloads import PATIENT_ID, Workload
from hooks.services import PREFETCH
from tests.fhir_server import launch


def unavailable() -> str | None:
    """Why the fallback benchmark cannot run here, or None."""
    return launch.missing()


@contextmanager
def fhir_server(token: str, log_path: Path) -> Iterator[str]:
    """The in-memory FHIR server on a free loopback port; yields its base URL."""
    with log_path.open("w") as log:
        try:
            process, base = launch.start(log, token=token)
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {log_path.read_text()}") from None
    try:
        yield base
    finally:
        launch.stop(process)


def load(base: str, token: str, resources: Sequence[Mapping[str, Any]]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    with httpx.Client(timeout=10) as client:
        for resource in resources:
            client.put(f"{base}/{resource['resourceType']}/{resource['id']}", json=resource, headers=headers).raise_for_status()


def without_prefetch(body: Mapping[str, Any], base: str, token: str) -> dict[str, Any]:
    request = {key: value for key, value in body.items() if key != "prefetch"}
    request["fhirServer"] = base
    request["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                    "scope": "user/*.read", "subject": "myositis-cds-bench"}
    return request


def _direct_ms(base: str, token: str) -> float:
    """Wall time of the prefetch queries sent straight to the server, all at once, on new
    connections as the service opens them (a pooled one may have been closed by the server)."""
    urls = [f"{base}/{template.replace('{{context.patientId}}', PATIENT_ID)}" for template in PREFETCH.values()]
    started = time.perf_counter()
    with httpx.Client(timeout=120) as client, ThreadPoolExecutor(max_workers=len(urls)) as pool:
        for response in pool.map(lambda url: client.get(url, headers={"Authorization": f"Bearer {token}"}), urls):
            response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def run(service: WsgiApp, workload: Workload, resources: Sequence[Mapping[str, Any]], *, calls: int,
        log_dir: Path) -> dict[str, Any]:
    """Latency of `calls` patient-view calls answered from the FHIR server, the server's own time
    for the same queries, and whether the cards equal those of the record sent as prefetch."""
    token = secrets.token_urlsafe(16)
    with fhir_server(token, log_dir / "fhir-server.log") as base:
        load(base, token, resources)
        inline = checked_cards(Endpoint(service, workload.service_id, json.dumps(workload.body).encode()).call())
        endpoint = Endpoint(service, workload.service_id,
                            json.dumps(without_prefetch(workload.body, base, token)).encode())
        fetched = checked_cards(endpoint.call())
        service_ms, server_ms = [], []
        for _ in range(calls):
            server_ms.append(_direct_ms(base, token))
            call = endpoint.call()
            if call.status != 200:
                raise RuntimeError(f"fallback call answered {call.status}: {call.body[:300]!r}")
            service_ms.append(call.wall_ms)
    return {"resources_on_server": len(resources), "latency": summary(service_ms),
            "fhir_server_alone": summary(server_ms),
            "added_by_service": summary([ours - theirs for ours, theirs in zip(service_ms, server_ms)]),
            "cards_fetched": fetched, "cards_prefetch": inline,
            "same_cards": sorted(fetched) == sorted(inline)}
