"""Smoke test of `make demo` on the runtime-only install: the FHIR server and the service start, the
demo page loads, one hook call through `fhirServer` answers, and Ctrl-C stops both cleanly."""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
from pathlib import Path
from typing import IO

import requests

from demo import patients
from tests.fhir_server import launch
from tests.serving.served import free_port
from tests.smoke.installed import ROOT, Installed, clean_environment, interrupt

START_TIMEOUT_S = 120


class _Output:
    """The demo's output, read line by line by a thread until the pipe closes. (Watching the pipe with
    select and reading it through Python's buffer can leave a line in the buffer that select never
    reports again: the test then waited out its whole timeout.)"""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: list[str] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.append(line)
            if "Demo page:" in line:
                self._ready.set()
        self._ready.set()  # the demo exited

    @property
    def text(self) -> str:
        return "".join(self._lines)

    def until_ready(self, timeout: float) -> str:
        """The output up to the line naming the demo page; fails when it does not come."""
        self._ready.wait(timeout)
        if "Demo page:" not in self.text:
            raise AssertionError(f"the demo did not start:\n{self.text[-3000:]}")
        return self.text

    def rest(self, timeout: float = 10.0) -> str:
        """All of the output, once the demo has exited."""
        self._reader.join(timeout)
        return self.text


def test_the_demo_starts_serves_its_page_and_a_hook_call_through_the_fhir_server(installed: Installed,
                                                                                 tmp_path: Path):
    assert launch.missing() is None, launch.missing()  # make test installs the FHIR server first
    port = free_port()
    process = subprocess.Popen([str(installed.python), "-m", "demo", "--port", str(port)], cwd=ROOT,
                               env=clean_environment(TMPDIR=str(tmp_path)), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert process.stdout is not None
    reader = _Output(process.stdout)
    try:
        output = reader.until_ready(START_TIMEOUT_S)
        fhir_base = re.search(r"FHIR server: (\S+)", output).group(1)
        page_url = re.search(r"Demo page:\s+(\S+)", output).group(1)
        page = requests.get(page_url, timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()

        patient_id = next(resource["id"] for bundle in patients.bundles().values()
                          for resource in patients.resources(bundle) if resource["resourceType"] == "Patient")
        call = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()), "fhirServer": fhir_base,
                "context": {"userId": "Practitioner/demo", "patientId": patient_id}}
        answer = requests.post(f"http://127.0.0.1:{port}/cds-services/myositis-patient-view", json=call, timeout=60)
        assert answer.status_code == 200, answer.text
        assert isinstance(answer.json()["cards"], list)
    finally:
        status = interrupt(process)
    output = reader.rest()
    assert status == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
