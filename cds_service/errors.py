"""Error responses: JSON naming the problem, with a FHIR OperationOutcome (CDS Hooks 3.0-ballot
S3b L815-849 asks for one on every non-2xx status), and handlers so that no input and no defect
produces an HTML page or a stack trace.

Body: `{"error": "<message>", "operationOutcome": {...}}` plus any extra members (e.g. `path`,
`correlationId`, `missingPrefetch`).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: FHIR IssueType per HTTP status (http://hl7.org/fhir/issue-type).
_ISSUE_TYPE = {
    400: "invalid",
    404: "not-found",
    405: "not-supported",
    408: "timeout",
    412: "incomplete",
    413: "too-long",
    415: "not-supported",
    500: "exception",
    503: "transient",
}


class ApiError(Exception):
    """Raised by a view to answer with an error response."""

    def __init__(self, status: int, message: str, /, *, expression: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.expression = expression
        self.extra = extra


def operation_outcome(status: int, message: str, expression: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "severity": "fatal" if status >= 500 else "error",
        "code": _ISSUE_TYPE.get(status, "processing"),
        "diagnostics": message,
    }
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def error_response(status: int, message: str, /, *, expression: str | None = None, **extra: Any) -> Response:
    body = {"error": message, **extra, "operationOutcome": operation_outcome(status, message, expression)}
    response = jsonify(body)
    response.status_code = status
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, expression=error.expression, **error.extra)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, error.description or error.name)
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _unexpected(error: Exception) -> Response:
    """500 with a correlation id; the log carries the id, exception type and code location only,
    never the exception message (it may quote patient data)."""
    correlation_id = str(uuid.uuid4())
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s correlation_id=%s\n%s", type(error).__name__, correlation_id, frames)
    return error_response(
        500, f"internal error; quote correlation id {correlation_id} when reporting it", correlationId=correlation_id
    )


def install(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
