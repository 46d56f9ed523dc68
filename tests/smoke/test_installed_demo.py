"""Smoke test of `make demo` on the runtime-only install: the FHIR server and the service start, the
demo page loads, one hook call through `fhirServer` answers, and Ctrl-C stops both cleanly."""

from __future__ import annotations

import re
import selectors
import subprocess
import time
import uuid
from pathlib import Path

import requests

from demo import patients
from tests.fhir_server import launch
from tests.serving.served import free_port
from tests.smoke.installed import ROOT, Installed, clean_environment, interrupt

START_TIMEOUT_S = 120


def _read_until_ready(process: subprocess.Popen[str]) -> str:
    """The demo's output up to the line naming the demo page."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + START_TIMEOUT_S
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while "Demo page:" not in seen:
            if process.poll() is not None or time.monotonic() > deadline or not selector.select(1):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the demo did not start:\n{seen[-3000:]}")
                continue
            seen += process.stdout.readline()
    return seen


def test_the_demo_starts_serves_its_page_and_a_hook_call_through_the_fhir_server(installed: Installed,
                                                                                 tmp_path: Path):
    assert launch.missing() is None, launch.missing()  # make test installs the FHIR server first
    port = free_port()
    process = subprocess.Popen([str(installed.python), "-m", "demo", "--port", str(port)], cwd=ROOT,
                               env=clean_environment(TMPDIR=str(tmp_path)), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = ""
    try:
        output = _read_until_ready(process)
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
        output += process.stdout.read() if process.stdout else ""
    assert status == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
