"""Property-based tests of the HTTP surface from its own OpenAPI document (schemathesis): whatever
is sent, valid or not, no 5xx, and every answer matches the documented status codes, content types
and schemas (the ValidatingClient also checks 4xx bodies are the JSON error shape)."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cds_service.openapi import document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 15}
#: (method, path, generation mode); negative data only where there is input to get wrong.
CASES = [
    (method.upper(), path, mode)
    for path, operations in document()["paths"].items()
    for method, operation in operations.items()
    for mode in EXAMPLES
    if mode is GenerationMode.POSITIVE or "requestBody" in operation or "parameters" in operation
]


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Flask) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)


def test_openapi_document_is_served_and_built_from_the_json_schemas(fuzz_app: Flask) -> None:
    served = fuzz_app.test_client().get("/openapi.json").get_json()

    assert served == document()
    assert served["components"]["schemas"]["HookRequest"]["required"] == ["hook", "hookInstance", "context"]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_api_conforms_to_its_openapi_document(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    conforms()
