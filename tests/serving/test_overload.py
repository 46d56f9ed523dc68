"""The deployed server (`myositis-cds serve`, one gevent worker) under more load than it can serve, and
after it: requests beyond CDS_MAX_IN_FLIGHT are shed at once (503, Retry-After) instead of queueing, the
shed share is in /metrics, and traffic leaves no open files behind (one store connection per worker).
Bounded: a few seconds of load, loopback only. Numbers (p99, shed share) are printed, not asserted as
performance: `make bench` measures performance."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.serving.served import Served, served, worker_pid

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "patient-view-dm-prednisone.json"
PATIENT_VIEW = "/cds-services/myositis-patient-view"
IN_FLIGHT = 4
LOAD_SECONDS = 3.0
#: The load's rate as a multiple of the capacity measured just before it (sequential calls).
OVERLOAD = 3.0
CLIENT_THREADS = 48
CONCURRENT_CALLS = 100


class Client(threading.local):
    """One keep-alive connection per client thread."""

    def __init__(self, server: Served) -> None:
        self.server = server
        self.connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> int:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        try:
            self.connection.request("POST", PATIENT_VIEW, body=body, headers={"Content-Type": "application/json"})
            response = self.connection.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise


def metric(server: Served, name: str) -> float:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")
               or line.startswith(name + "{"))


@pytest.fixture
def shedding_server(tmp_path: Path) -> Iterator[Served]:
    with served(tmp_path, workers=1, CDS_MAX_IN_FLIGHT=str(IN_FLIGHT)) as running:
        yield running


def test_beyond_its_capacity_a_worker_sheds_at_once_instead_of_queueing(shedding_server, capsys):
    body = FIXTURE.read_bytes()
    client = Client(shedding_server)
    started = time.perf_counter()
    for _ in range(10):
        assert client.post(body) == 200
    capacity = 10 / (time.perf_counter() - started)
    rate = OVERLOAD * capacity
    count = int(rate * LOAD_SECONDS)
    results: list[tuple[int, float]] = []
    t0 = time.perf_counter() + 0.2

    def call(n: int) -> None:
        scheduled = t0 + n / rate
        time.sleep(max(0.0, scheduled - time.perf_counter()))
        status = client.post(body)
        results.append((status, time.perf_counter() - scheduled))  # from when it was due: client delay counts too

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(call, range(count)))

    statuses = [status for status, _ in results]
    answered = sorted(latency for status, latency in results if status == 200)
    shed = statuses.count(503)
    assert set(statuses) <= {200, 503} and len(statuses) == count
    p99 = answered[int(0.99 * (len(answered) - 1))]
    with capsys.disabled():
        print(f"\noverload: capacity {capacity:.0f}/s, offered {rate:.0f}/s for {LOAD_SECONDS:g} s ({count} calls), "
              f"in flight <= {IN_FLIGHT}: shed {shed / count:.0%}, answered p50 "
              f"{statistics.median(answered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    assert shed > 0
    assert metric(shedding_server, "cds_requests_shed_total") == shed
    assert metric(shedding_server, "cds_requests_arrived_total") >= count
    # A queue would grow for the whole load: at 3 times the capacity its last calls wait 2/3 of the load's length.
    assert p99 < LOAD_SECONDS / 3


def test_probes_are_answered_whatever_the_load(shedding_server):
    body = FIXTURE.read_bytes()
    client = Client(shedding_server)
    stop = time.monotonic() + 2.0

    def hammer(_: int) -> None:
        while time.monotonic() < stop:
            client.post(body)

    with ThreadPoolExecutor(16) as pool:
        pool.map(hammer, range(16))
        connection = http.client.HTTPConnection(shedding_server.host, shedding_server.port, timeout=30)
        for path in ("/healthz", "/readyz", "/metrics") * 3:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, path
        connection.close()


def open_files(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def test_concurrent_hook_calls_leave_no_open_files_behind(tmp_path: Path):
    with served(tmp_path, workers=1, CDS_MAX_IN_FLIGHT=str(CONCURRENT_CALLS)) as server:
        pid = worker_pid(server)
        body = FIXTURE.read_bytes()
        Client(server).post(body)  # the store and its connection in use once
        before = open_files(pid)
        barrier = threading.Barrier(CONCURRENT_CALLS)

        def call(_: int) -> int:
            connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
            barrier.wait()
            connection.request("POST", PATIENT_VIEW, body=body, headers={"Content-Type": "application/json"})
            status = connection.getresponse().status
            connection.close()
            return status

        with ThreadPoolExecutor(CONCURRENT_CALLS) as pool:
            assert set(pool.map(call, range(CONCURRENT_CALLS))) == {200}
        deadline = time.monotonic() + 5  # the server closes its side of the sockets
        while open_files(pid) > before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert open_files(pid) <= before
