"""Load shedding in process (cds_service/protocol/load_shedding.py); under the deployed server in
tests/serving/test_overload.py."""

from __future__ import annotations

import json
import threading

import pytest

from cds_service.config import Settings
from cds_service.protocol.load_shedding import LoadShedder


class Busy:
    """A WSGI app whose hook calls wait until released; probes answer at once."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].startswith("/cds-services/"):
            self.entered.set()
            self.release.wait(10)
        start_response("200 OK", [])
        return [b"{}"]


def call(shedder: LoadShedder, path: str) -> tuple[str, dict[str, str], bytes]:
    answer: dict = {}
    body = shedder({"PATH_INFO": path}, lambda status, headers: answer.update(status=status, headers=dict(headers)))
    return answer["status"], answer["headers"], b"".join(body)


@pytest.fixture
def busy_worker():
    """A shedder admitting one request, with one hook call in flight."""
    app = Busy()
    shedder = LoadShedder(app, limit=1)
    first = threading.Thread(target=call, args=(shedder, "/cds-services/myositis-patient-view"))
    first.start()
    assert app.entered.wait(10)
    yield shedder
    app.release.set()
    first.join(10)


def test_a_request_beyond_the_limit_is_shed_at_once_with_retry_after(busy_worker):
    status, headers, body = call(busy_worker, "/cds-services/myositis-patient-view")
    assert status.startswith("503")
    assert headers["Retry-After"] == "1"
    assert json.loads(body)["issue"][0]["code"] == "transient"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_and_metrics_are_never_shed(busy_worker, path):
    assert call(busy_worker, path)[0] == "200 OK"


def test_a_request_is_admitted_again_once_the_one_in_flight_is_answered():
    app = Busy()
    app.release.set()
    shedder = LoadShedder(app, limit=1)
    for _ in range(3):
        assert call(shedder, "/cds-services/myositis-patient-view")[0] == "200 OK"


@pytest.mark.parametrize("name", ["CDS_MAX_IN_FLIGHT", "CDS_CARD_QUEUE_SIZE"])
def test_the_bounds_must_be_positive_integers(name):
    assert Settings.from_env({name: "7"})
    for wrong in ("0", "-1", "many"):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: wrong})
