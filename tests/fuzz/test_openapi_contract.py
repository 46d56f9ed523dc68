"""Property-based tests of the HTTP surface from its own OpenAPI document (schemathesis): whatever
is sent, valid or not, no 5xx, and every answer matches the documented status codes, content types
and schemas (the ValidatingClient also checks 4xx bodies are the JSON error shape)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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

from cds_service.protocol.openapi import COMPONENTS, document
from cds_service.protocol.validation import load_schema

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


def test_openapi_document_is_served(fuzz_app: Flask) -> None:
    assert fuzz_app.test_client().get("/openapi.json").get_json() == document()


@pytest.mark.parametrize(("name", "component"), list(COMPONENTS.items()))
def test_openapi_components_are_the_json_schemas_the_service_validates_with(name: str, component: str) -> None:
    schema = load_schema(name)
    built = document()["components"]["schemas"]

    assert built[component].get("required") == schema.get("required")
    assert built[component].get("properties", {}).keys() == schema.get("properties", {}).keys()
    assert {f"{component}_{definition}" for definition in schema.get("$defs", {})} <= built.keys()


def test_every_reference_in_the_openapi_document_resolves() -> None:
    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    schemas = document()["components"]["schemas"]
    found = set(refs(document()))
    assert found
    assert {ref for ref in found if ref.removeprefix("#/components/schemas/") not in schemas} == set()


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
