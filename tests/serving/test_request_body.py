"""The whole request body is read within a size and a time bound before the application sees it
(cds_service/protocol/request_body.py): the same 413 for chunked and Content-Length bodies, an oversized body
drained so the client can read the 413, 408 for a body that does not arrive in time."""

from __future__ import annotations

import io
import json
from contextlib import contextmanager
from typing import Any

import pytest

from cds_service.protocol.request_body import BodyTimeout, WholeBody
from tests.api import hook_request
from tests.fhir_builders import patient

PATIENT_VIEW = "/cds-services/myositis-patient-view"
LIMIT = 64 * 1024


@pytest.fixture
def small_client(make_app):
    return make_app(max_body_bytes=LIMIT).test_client()


def valid_body() -> bytes:
    return json.dumps(hook_request("patient-view", [patient()])).encode()


def post_chunked(client, data: bytes):
    return client.post(PATIENT_VIEW, input_stream=io.BytesIO(data),
                       headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"})


def test_a_chunked_body_within_the_limit_is_answered(small_client) -> None:
    response = post_chunked(small_client, valid_body())

    assert response.status_code == 200
    assert "cards" in response.get_json()


@pytest.mark.parametrize("padding", [b"x", b" "], ids=["garbage", "json-whitespace"])
def test_a_chunked_body_over_the_limit_is_413_like_a_declared_one(small_client, padding: bytes) -> None:
    chunked = post_chunked(small_client, valid_body() + padding * (2 * LIMIT))
    declared = small_client.post(PATIENT_VIEW, data=valid_body() + padding * (2 * LIMIT), content_type="application/json")

    assert chunked.status_code == declared.status_code == 413
    assert chunked.get_json()["issue"][0]["code"] == "too-long"


def test_an_oversized_declared_body_is_read_to_its_end_before_the_413() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen["content_length"] = environ["CONTENT_LENGTH"]
        start_response("413 Payload Too Large", [("Content-Type", "application/json")])
        return [b"{}"]

    stream = io.BytesIO(b"x" * (3 * LIMIT))
    headers: list[Any] = []
    WholeBody(app, LIMIT)({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(3 * LIMIT), "wsgi.input": stream},
                          lambda status, hdrs, *exc: headers.extend(hdrs))

    assert stream.tell() == 3 * LIMIT
    assert seen["content_length"] == str(3 * LIMIT)
    assert ("Connection", "close") not in headers


def test_a_body_too_large_to_drain_is_answered_at_once_and_the_connection_closed() -> None:
    stream = io.BytesIO(b"x" * (10 * LIMIT))
    headers: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("413 Payload Too Large", [("Content-Type", "application/json"), ("Connection", "keep-alive")])
        return [b"{}"]

    WholeBody(app, LIMIT)({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(10 * LIMIT), "wsgi.input": stream},
                          lambda status, hdrs, *exc: headers.extend(hdrs))

    assert stream.tell() == 0
    assert ("Connection", "close") in headers and ("Connection", "keep-alive") not in headers


class StalledStream(io.BytesIO):
    """Stands for a client whose body stops arriving: the deadline fires during the read."""

    def read(self, size: int | None = -1) -> bytes:
        raise BodyTimeout


def test_a_body_not_received_in_time_is_408_and_the_connection_closed() -> None:
    @contextmanager
    def deadline(_seconds: float):
        yield

    statuses: list[str] = []
    headers: list[Any] = []
    middleware = WholeBody(lambda e, s: pytest.fail("the application must not see the request"), LIMIT,
                           timeout_s=0.5, deadline=deadline)

    body = middleware({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "100", "wsgi.input": StalledStream()},
                      lambda status, hdrs, *exc: (statuses.append(status), headers.extend(hdrs)))

    assert statuses == ["408 Request Timeout"]
    assert ("Connection", "close") in headers
    assert json.loads(b"".join(body))["issue"][0]["code"] == "timeout"


def test_bodies_beyond_the_buffer_budget_are_refused_with_retry_after() -> None:
    middleware = WholeBody(lambda e, s: pytest.fail("not reached"), LIMIT, buffer_budget=LIMIT)
    middleware._reserve(LIMIT)  # another connection's body is being read
    statuses: list[str] = []
    headers: list[Any] = []

    middleware({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "100", "wsgi.input": io.BytesIO(b"x" * 100)},
               lambda status, hdrs, *exc: (statuses.append(status), headers.extend(hdrs)))

    assert statuses == ["503 Service Unavailable"]
    assert ("Retry-After", "1") in headers


class _Connection(io.BytesIO):
    """A raw connection: the request body, then the client's next request, which must not be read."""

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        if self.tell() > len(b'{"a": 1}'):
            raise AssertionError("read past the declared Content-Length")
        return data


def test_a_declared_body_is_read_to_its_length_and_no_further() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b""]

    connection = _Connection(b'{"a": 1}GET /next HTTP/1.1\r\n')
    WholeBody(app, 1000)({"CONTENT_LENGTH": "8", "wsgi.input": connection}, lambda *args: None)
    assert seen["body"] == b'{"a": 1}'
