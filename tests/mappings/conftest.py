"""Shared helpers of the mapping tests: a fixed clock and a one-call `facts(...)` over FHIR dicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from fhir_mappings.parse import build_facts
from fhir_mappings.valuesets import LAB_CODES_ENV, configured_lab_codes
from tests.factories import NOW
from tests.fhir_builders import bundle, patient


def facts_of(*resources: dict[str, Any], hook: str = "patient-view", context: dict[str, Any] | None = None,
             person: dict[str, Any] | None = None):
    """ClinicalFacts of the resources sent as one prefetch Bundle, with `person` (default: a woman
    born 1970-05-01) as the Patient."""
    prefetch = {"patient": person or patient(), "records": bundle(*resources)}
    return build_facts(hook, {"patientId": "example", **(context or {})}, prefetch, NOW)


@pytest.fixture
def lab_codes(tmp_path, monkeypatch) -> Iterator[Any]:
    """Install a site lab-code list (CDS_LAB_CODES) for one test: `lab_codes({"anti-jo-1": [...]})`."""

    def install(codes: dict[str, list[str]]) -> None:
        path = tmp_path / "lab-codes.json"
        path.write_text(json.dumps(codes), encoding="utf-8")
        monkeypatch.setenv(LAB_CODES_ENV, str(path))
        configured_lab_codes.cache_clear()

    yield install
    monkeypatch.delenv(LAB_CODES_ENV, raising=False)
    configured_lab_codes.cache_clear()
