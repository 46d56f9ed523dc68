"""Error responses: the body of every non-2xx answer is a FHIR OperationOutcome (CDS Hooks 3.0
ballot, "Returning OperationOutcome"; CDS Hooks 2.0 leaves error bodies undefined, so 2.0 clients lose
nothing), and handlers so that no input and no defect produces an HTML page or a stack trace.

The message is in `issue[0].diagnostics` (and `details.text`); the JSON path of a schema violation is
in `issue[0].expression`; further issues name each item (e.g. one per missing prefetch key, with
`expression` `prefetch.<key>`). A 500 carries its correlation id as the OperationOutcome's `id`.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: FHIR IssueType per HTTP status (http://hl7.org/fhir/issue-type).
_ISSUE_TYPE = {
    400: "invalid",
    401: "login",
    404: "not-found",
    405: "not-supported",
    408: "timeout",
    412: "incomplete",
    413: "too-long",
    415: "not-supported",
    500: "exception",
    503: "transient",
}


@dataclass(frozen=True)
class Issue:
    """A further issue of an error answer: what, and where (a FHIRPath-like expression)."""

    diagnostics: str
    expression: str | None = None


class ApiError(Exception):
    """Raised by a view to answer with an error response."""

    def __init__(self, status: int, message: str, /, *, expression: str | None = None,
                 details: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.expression = expression
        self.details = tuple(details)


def _issue(status: int, diagnostics: str, expression: str | None, *, text: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "severity": "fatal" if status >= 500 else "error",
        "code": _ISSUE_TYPE.get(status, "processing"),
    }
    if text:
        issue["details"] = {"text": text}
    issue["diagnostics"] = diagnostics
    if expression:
        issue["expression"] = [expression]
    return issue


def operation_outcome(status: int, message: str, expression: str | None = None, details: Sequence[Issue] = (),
                      resource_id: str | None = None) -> dict[str, Any]:
    outcome: dict[str, Any] = {"resourceType": "OperationOutcome"}
    if resource_id:
        outcome["id"] = resource_id
    outcome["issue"] = [_issue(status, message, expression, text=message)] + [
        _issue(status, detail.diagnostics, detail.expression) for detail in details
    ]
    return outcome


def error_response(status: int, message: str, /, *, expression: str | None = None, details: Sequence[Issue] = (),
                   resource_id: str | None = None) -> Response:
    response = jsonify(operation_outcome(status, message, expression, details, resource_id))
    response.status_code = status
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, expression=error.expression, details=error.details)


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
        500, f"internal error; quote correlation id {correlation_id} when reporting it", resource_id=correlation_id
    )


def install(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
