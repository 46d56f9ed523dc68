"""The timeline app as it is used: the SMART App Launcher (playing the EHR's authorization server) in
front of the tests' FHIR server, the service (serving /app/ and the hooks) in a thread, and chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests import browser as browsers
from tests.fhir_server import launch as fhir_launch
from tests.smart_launcher import launch as launcher_launch

WAIT_SECONDS = 30


@dataclass(frozen=True)
class Stack:
    fhir_base: str  # the FHIR server itself (no token), where the tests put the record
    launcher: str  # the launcher's origin; its R4 FHIR proxy is {launcher}/v/r4/fhir
    service: str  # the service's origin

    @property
    def launch_url(self) -> str:
        return f"{self.service}/app/launch.html"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    browsers.require(fhir_launch.missing() or launcher_launch.missing())
    logs = tmp_path_factory.mktemp("timeline-app")
    with (logs / "fhir-server.log").open("w") as log:
        fhir_process, fhir_base = fhir_launch.start(log)
    try:
        with (logs / "launcher.log").open("w") as log:
            launcher_process, launcher = launcher_launch.start(log, fhir_base)
        try:
            with _service(logs) as service:
                yield Stack(fhir_base, launcher, service)
        finally:
            launcher_launch.stop(launcher_process)
    finally:
        fhir_launch.stop(fhir_process)


@contextmanager
def _service(directory: Path) -> Iterator[str]:
    """The service on a free loopback port, configured with its own /app/launch.html as the app's URL."""
    wsgi = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: wsgi["app"](environ, start), threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    wsgi["app"] = create_app(Settings(feedback_db=str(directory / "feedback.sqlite3"), strict_rules=True,
                                      fhir_read_timeout=10.0, fhir_total_budget=WAIT_SECONDS,
                                      smart_app_url=f"{origin}/app/launch.html"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with browsers.chromium(WAIT_SECONDS) as chrome:
        yield chrome
