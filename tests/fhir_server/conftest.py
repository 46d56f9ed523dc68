"""A real FHIR R4 server for the fallback integration tests: `server.mjs` (Medplum's FhirRouter over
an in-memory repository) started once per session on a free loopback port, with a bearer token it
requires and a small default page size so searches come back in several pages."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.fhir_server import launch

PAGE_SIZE = 3


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


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    reason = launch.missing()
    if reason:
        pytest.skip(reason)
    token = secrets.token_urlsafe(16)
    log_path = tmp_path_factory.mktemp("fhir-server") / "stderr.log"
    with log_path.open("w") as log:
        try:
            process, base = launch.start(log, token=token, page_size=PAGE_SIZE)
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {log_path.read_text()}") from None
    try:
        yield FhirServer(base=base, token=token)
    finally:
        launch.stop(process)
