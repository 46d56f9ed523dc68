"""The deployed server (`myositis-cds serve`, gevent workers) against hostile clients, on loopback:
slow headers (slowloris), slow bodies, oversized and chunked bodies. Each test is bounded in time and
in the number of sockets it opens."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.hostile_fhir_server import DRIPPING_BODY, hostile_server
from tests.serving.served import Served, served

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "patient-view-dm-prednisone.json"
PATIENT_VIEW = "/cds-services/myositis-patient-view"
HEADER_TIMEOUT_S = 2
BODY_TIMEOUT_S = 2
MAX_BODY = 1_000_000
FETCH_BUDGET_S = 3.0  # generous: the stub FHIR server runs in this (busy) test process
SLOW_SOCKETS = 50
#: The issue's bound for a normal call while slow sockets are open, for every one of several calls
#: (a call takes about 20 ms, so a loaded 2-core machine leaves ample margin; sync workers took 29 s).
ANSWER_WITHIN_S = 1.0
CALLS = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("served"), CDS_HEADER_READ_TIMEOUT=str(HEADER_TIMEOUT_S),
                CDS_BODY_READ_TIMEOUT=str(BODY_TIMEOUT_S), CDS_MAX_BODY_BYTES=str(MAX_BODY),
                CDS_FHIR_TOTAL_BUDGET=str(FETCH_BUDGET_S)) as running:
        yield running


def hook_call(server: Served, body: bytes | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("POST", PATIENT_VIEW, body=body or FIXTURE.read_bytes(),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


class Slowloris:
    """SLOW_SOCKETS connections sending a never-ending request head a byte every `interval` seconds;
    a connection the server closes is opened again, so the count stays up. Stops within a second
    of `stop()` and by itself after `limit_s`."""

    def __init__(self, server: Served, *, body: bool = False, interval: float = 0.5, limit_s: float = 30.0) -> None:
        self.server, self.body, self.interval, self.limit_s = server, body, interval, limit_s
        self.closed_by_server = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket:
        sock = socket.create_connection((self.server.host, self.server.port), timeout=1)
        if self.body:  # a complete head, then a body that never arrives
            sock.sendall(f"POST {PATIENT_VIEW} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         f"Content-Length: 100000\r\n\r\n".encode())
        else:
            sock.sendall(f"POST {PATIENT_VIEW} HTTP/1.1\r\n".encode())
        return sock

    def _run(self) -> None:
        sockets = [self._open() for _ in range(SLOW_SOCKETS)]
        ends = time.monotonic() + self.limit_s
        try:
            while not self._stop.is_set() and time.monotonic() < ends:
                for index, sock in enumerate(sockets):
                    try:
                        sock.sendall(b"{" if self.body else b"X")
                    except OSError:
                        self.closed_by_server += 1
                        sock.close()
                        sockets[index] = self._open()
                self._stop.wait(self.interval)
        finally:
            for sock in sockets:
                sock.close()

    def __enter__(self) -> Slowloris:
        self._thread.start()
        time.sleep(1.0)  # all sockets open and dripping
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.mark.parametrize("slow_part", ["headers", "body"])
def test_with_50_slow_sockets_open_a_hook_call_is_answered_within_a_second(server: Served, slow_part: str) -> None:
    with Slowloris(server, body=slow_part == "body"):
        calls = [hook_call(server) for _ in range(CALLS)]

    assert {status for status, _ in calls} == {200}
    assert max(seconds for _, seconds in calls) < ANSWER_WITHIN_S, calls


def test_a_request_head_dripping_past_the_header_timeout_is_closed(server: Served) -> None:
    with socket.create_connection((server.host, server.port), timeout=HEADER_TIMEOUT_S + 5) as sock:
        started = time.monotonic()
        sock.sendall(b"POST / HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - started < HEADER_TIMEOUT_S + 4:
            try:
                sock.sendall(b"X")
                sock.settimeout(0.3)
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break

        assert closed
        assert time.monotonic() - started < HEADER_TIMEOUT_S + 3


def test_a_body_dripping_past_the_body_timeout_is_answered_408(server: Served) -> None:
    with socket.create_connection((server.host, server.port), timeout=BODY_TIMEOUT_S + 5) as sock:
        started = time.monotonic()
        sock.sendall(f"POST {PATIENT_VIEW} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 1000\r\n\r\n{{".encode())
        answer = b""
        while b"\r\n\r\n" not in answer and time.monotonic() - started < BODY_TIMEOUT_S + 4:
            try:
                sock.sendall(b" ")
                sock.settimeout(0.3)
                answer += sock.recv(4096)
            except TimeoutError:
                continue

    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < BODY_TIMEOUT_S + 3


def test_an_oversized_body_with_content_length_gives_urllib_the_413(server: Served) -> None:
    request = urllib.request.Request(f"{server.base}{PATIENT_VIEW}", data=b" " * (3 * MAX_BODY),
                                     headers={"Content-Type": "application/json"}, method="POST")

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)

    assert answer.value.code == 413
    assert json.loads(answer.value.read())["issue"][0]["code"] == "too-long"


@pytest.mark.parametrize("padding", [b"x", b" "], ids=["garbage", "json-whitespace"])
def test_an_oversized_chunked_body_is_413(server: Served, padding: bytes) -> None:
    body = FIXTURE.read_bytes() + padding * (2 * MAX_BODY)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("POST", PATIENT_VIEW, body=chunks(), encode_chunked=True,
                           headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["issue"][0]["diagnostics"].startswith("request body larger than")
    finally:
        connection.close()


def test_a_chunked_body_within_the_limit_is_answered(server: Served) -> None:
    body = FIXTURE.read_bytes()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("POST", PATIENT_VIEW, body=iter([body[:1000], body[1000:]]), encode_chunked=True,
                           headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["cards"]
    finally:
        connection.close()


def without_prefetch(fhir_server: str) -> bytes:
    body = json.loads(FIXTURE.read_bytes())
    body.pop("prefetch")
    return json.dumps({**body, "fhirServer": fhir_server}).encode()


def test_prefetch_is_fetched_from_the_fhir_server_by_the_gevent_workers(server: Served) -> None:
    prefetch = json.loads(FIXTURE.read_bytes())["prefetch"]
    resources = [entry["resource"] for value in prefetch.values() if value and value["resourceType"] == "Bundle"
                 for entry in value.get("entry", [])]

    def answer(sock: socket.socket, request: bytes) -> None:
        """A FHIR server holding the fixture's record: a read of its Patient, or a searchset of one type."""
        resource_type = request.split(b" ", 2)[1].decode().split("/fhir/", 1)[1].split("?")[0].split("/")[0]
        found = prefetch["patient"] if resource_type == "Patient" else {
            "resourceType": "Bundle", "type": "searchset",
            "entry": [{"resource": r} for r in resources if r["resourceType"] == resource_type]}
        payload = json.dumps(found).encode()
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: "
                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)

    with hostile_server(answer) as base:
        status, _ = hook_call(server, without_prefetch(base))

    assert status == 200


def test_a_dripping_fhir_server_costs_a_gevent_worker_no_more_than_the_fetch_budget(server: Served) -> None:
    with hostile_server(DRIPPING_BODY) as base:
        status, seconds = hook_call(server, without_prefetch(base))

    assert status == 412
    assert seconds < FETCH_BUDGET_S + 1.5
