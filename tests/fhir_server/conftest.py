"""A real FHIR R4 server for the fallback integration tests: `server.mjs` (Medplum's FhirRouter over
an in-memory repository) started once per session on a free loopback port, with a bearer token it
requires and a small default page size so searches come back in several pages."""

from __future__ import annotations

import json
import secrets
import selectors
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 3
START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class FhirServer:
    base: str
    token: str

    def put(self, *resources: Mapping[str, Any]) -> None:
        """Store resources under their own ids."""
        for resource in resources:
            response = requests.put(
                f"{self.base}/{resource['resourceType']}/{resource['id']}",
                json=resource,
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/fhir+json"},
                timeout=10,
            )
            response.raise_for_status()


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise RuntimeError(f"FHIR server did not start within {timeout} s")
    return process.stdout.readline()


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed; the FHIR-server integration tests need Node 20+")
    if not (HERE / "node_modules" / "@medplum" / "fhir-router").is_dir():
        pytest.skip("FHIR test server not installed: run `npm ci` in tests/fhir_server (`make test` does)")
    token = secrets.token_urlsafe(16)
    log_path = tmp_path_factory.mktemp("fhir-server") / "stderr.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["node", "server.mjs", "--port", "0", "--token", token, "--page-size", str(PAGE_SIZE)],
            cwd=HERE, stdout=subprocess.PIPE, stderr=log, text=True,
        )
    try:
        line = _first_line(process, START_TIMEOUT_SECONDS)
        if not line:
            raise RuntimeError(f"FHIR server exited: {log_path.read_text()}")
        yield FhirServer(base=json.loads(line)["base"], token=token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
