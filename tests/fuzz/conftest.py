"""One app for the fuzz tests (module scope: hypothesis runs many examples per test function)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests.api import ValidatingClient


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Strict rules, so a recommendation crashing on odd input is a 500 the fuzzer reports; a short
    fetch budget, so generated loopback fhirServer URLs cannot slow the run."""
    settings = Settings(
        feedback_db=str(tmp_path_factory.mktemp("fuzz") / "cds.sqlite3"),
        strict_rules=True,
        fhir_total_budget=0.2,
        fhir_connect_timeout=0.1,
        fhir_read_timeout=0.1,
    )
    app = create_app(settings)
    app.test_client_class = ValidatingClient
    yield app
