"""A worker's memory is bounded across concurrent hook calls whose data comes from a fhirServer as large
paged Bundles (issue 24 item 6): at most CDS_MAX_IN_FLIGHT calls hold their body and fetched pages at
once, so many concurrent calls cost little more than CDS_MAX_IN_FLIGHT single ones. Bounded: one worker,
a loopback FHIR server in this process, a few seconds. The figures are printed."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.serving.served import Served, served, worker_pid

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "patient-view-dm-prednisone.json"
PATIENT_VIEW = "/cds-services/myositis-patient-view"
FETCHED_KEYS = ("observations", "laboratory")
PAGES = 10
ENTRIES_PER_PAGE = 240  # 2 keys x 10 pages x 240 = 4,800 entries of about 1 kB: just under the per-call bounds
IN_FLIGHT = 3
CONCURRENT_CALLS = 24


def observation(n: int) -> dict:
    return {"fullUrl": f"urn:uuid:o-{n}", "resource": {
        "resourceType": "Observation", "id": f"o-{n}", "status": "final",
        "subject": {"reference": "Patient/dm-adult-1"}, "effectiveDateTime": "2026-01-01T08:00:00Z",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}], "text": "Creatine kinase " + "x" * 700},
        "valueQuantity": {"value": 100 + n % 50, "unit": "U/L", "system": "http://unitsofmeasure.org", "code": "U/L"}}}


@contextmanager
def paged_fhir_server() -> Iterator[str]:
    """Every search answers PAGES pages of ENTRIES_PER_PAGE Observations, each linking to the next."""
    pages = [[observation(page * ENTRIES_PER_PAGE + n) for n in range(ENTRIES_PER_PAGE)] for page in range(PAGES)]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the library's name
            page = int(self.path.rsplit("page=", 1)[1]) if "page=" in self.path else 0
            bundle = {"resourceType": "Bundle", "type": "searchset", "entry": pages[page]}
            if page + 1 < PAGES:
                path = self.path.split("&page=")[0]
                bundle["link"] = [{"relation": "next", "url": f"http://127.0.0.1:{port}{path}&page={page + 1}"}]
            body = json.dumps(bundle).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/fhir"
    finally:
        server.shutdown()
        server.server_close()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def call(server: Served, body: bytes) -> int:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    connection.request("POST", PATIENT_VIEW, body=body, headers={"Content-Type": "application/json"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_concurrent_calls_with_large_paged_bundles_hold_at_most_the_in_flight_limit_in_memory(tmp_path, capsys):
    with paged_fhir_server() as fhir, served(tmp_path, workers=1, CDS_MAX_IN_FLIGHT=str(IN_FLIGHT),
                                             CDS_FHIR_TOTAL_BUDGET="20", CDS_FHIR_READ_TIMEOUT="10",
                                             CDS_PREFETCH_FAILURE="partial") as server:
        request = json.loads(FIXTURE.read_text())
        for key in FETCHED_KEYS:
            del request["prefetch"][key]
        request["fhirServer"] = fhir
        body = json.dumps(request).encode()
        pid = worker_pid(server)
        at_rest = peak_rss_mib(pid)
        assert call(server, body) == 200
        one_call = peak_rss_mib(pid) - at_rest
        barrier = threading.Barrier(CONCURRENT_CALLS)

        def concurrent(_: int) -> int:
            barrier.wait()
            return call(server, body)

        with ThreadPoolExecutor(CONCURRENT_CALLS) as pool:
            statuses = list(pool.map(concurrent, range(CONCURRENT_CALLS)))
        peak = peak_rss_mib(pid) - at_rest
    with capsys.disabled():
        print(f"\npaged bundles: worker at rest {at_rest:.0f} MiB; peak growth one call {one_call:.0f} MiB, "
              f"{CONCURRENT_CALLS} concurrent (in flight <= {IN_FLIGHT}) {peak:.0f} MiB; "
              f"answered {statuses.count(200)}, shed {statuses.count(503)}")
    assert set(statuses) <= {200, 503} and 200 in statuses
    assert peak <= IN_FLIGHT * one_call + 64  # without the bound: up to CONCURRENT_CALLS calls' data at once
