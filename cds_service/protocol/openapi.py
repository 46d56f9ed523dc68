"""GET /openapi.json: an OpenAPI 3.1 description of the HTTP surface, built from the JSON Schemas
the service validates with (`cds_service/protocol/schemas/`), so the two cannot drift apart.

Each schema's `$defs` become components of their own (`Request_context`, ...) and its `$ref`s
are rewritten to point at them, so tools that do not follow a schema's `$id` (most OpenAPI
tooling, schemathesis) resolve every reference inside this one document.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import Flask, Response, jsonify

from cds_service.protocol.validation import load_schema
from hooks.services import SERVICES

#: Component name of each schema file.
COMPONENTS = {"request": "HookRequest", "response": "CardsResponse", "discovery": "Discovery", "feedback": "Feedback"}

#: Every non-2xx answer is a FHIR OperationOutcome (CDS Hooks 3.0 ballot, "Returning OperationOutcome").
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "id": {"type": "string", "description": "the correlation id of a 500, also in the service log"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code", "diagnostics"],
                "properties": {
                    "severity": {"enum": ["fatal", "error"]},
                    "code": {"type": "string"},
                    "details": {"type": "object", "properties": {"text": {"type": "string"}}},
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _rewrite(node: Any, component: str) -> Any:
    """Copy of a schema with `#/$defs/x` refs pointing at `#/components/schemas/<component>_x`."""
    if isinstance(node, Mapping):
        copy = {}
        for key, value in node.items():
            if key in ("$schema", "$id", "$defs"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                value = f"#/components/schemas/{component}_{value.removeprefix('#/$defs/')}"
            copy[key] = _rewrite(value, component)
        return copy
    if isinstance(node, list):
        return [_rewrite(item, component) for item in node]
    return node


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for name, component in COMPONENTS.items():
        schema = load_schema(name)
        schemas[component] = _rewrite(schema, component)
        for definition, body in schema.get("$defs", {}).items():
            schemas[f"{component}_{definition}"] = _rewrite(body, component)
    return schemas


def _json(component: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


def _errors(*statuses: int) -> dict[str, Any]:
    reasons = {
        400: "Malformed JSON or a body that does not match the schema (for feedback: also any value that can never be "
             "stored; do not resend it)",
        404: "Unknown service",
        412: "Required FHIR data could not be obtained (CDS_PREFETCH_FAILURE=412)",
        408: "Body not received within CDS_BODY_READ_TIMEOUT (myositis-cds serve); the connection is closed",
        413: "Body larger than CDS_MAX_BODY_BYTES (with Content-Length or chunked)",
        415: "Content-Type is not JSON",
        503: "The feedback store is unreachable (nothing was stored), the worker is at capacity (CDS_MAX_IN_FLIGHT), "
             "the replay cache cannot check the token (CDS_REPLAY_CACHE_FAILURE=closed), or too many large bodies are "
             "being received at once; resend after Retry-After seconds",
    }
    return {str(status): {"description": reasons[status], "content": _json("Error")} for status in statuses}


UNAUTHORIZED = {"401": {"description": "Missing or invalid client JWT (only when trusted issuers are configured); empty body"}}


@cache
def document() -> dict[str, Any]:
    service_ids = [service.id for service in SERVICES]
    service_id = {"name": "service_id", "in": "path", "required": True, "schema": {"type": "string", "enum": service_ids}}
    secured = [{"cdsClientJwt": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "myositis-cds",
            "version": "0.1.0",
            "description": "CDS Hooks 2.0 service: treatment decision support for idiopathic inflammatory myopathy.",
        },
        "paths": {
            "/cds-services": {
                "get": {
                    "summary": "Discovery",
                    "security": secured,
                    "responses": {"200": {"description": "The CDS services", "content": _json("Discovery")}, **UNAUTHORIZED},
                }
            },
            "/cds-services/{service_id}": {
                "post": {
                    "summary": "Call a CDS service",
                    "security": secured,
                    "parameters": [service_id],
                    "requestBody": {"required": True, "content": _json("HookRequest")},
                    "responses": {
                        "200": {"description": "Cards", "content": _json("CardsResponse")},
                        **UNAUTHORIZED,
                        **_errors(400, 404, 408, 412, 413, 415, 503),
                    },
                }
            },
            "/cds-services/{service_id}/feedback": {
                "post": {
                    "summary": "Feedback on cards",
                    "security": secured,
                    "parameters": [service_id],
                    "requestBody": {"required": True, "content": _json("Feedback")},
                    "responses": {
                        "200": {"description": "Stored", "content": {"application/json": {"schema": {"type": "object"}}}},
                        **UNAUTHORIZED,
                        **_errors(400, 404, 408, 413, 415, 503),
                    },
                }
            },
            "/healthz": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "Up"}}}},
            "/readyz": {
                "get": {
                    "summary": "Readiness",
                    "security": [],
                    "responses": {
                        "200": {"description": "Ready: every dependency answers (named with its backend)"},
                        "503": {"description": "A dependency is unreachable: one issue names each", "content": _json("Error")},
                    },
                }
            },
        },
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "cdsClientJwt": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "CDS Hooks client JWT (ES384/RS384 ...), aud = the endpoint URL",
                }
            },
        },
    }


def install(app: Flask) -> None:
    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(document())
