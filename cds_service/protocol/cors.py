"""CORS for browser-based CDS clients such as the public sandbox (SPEC-NOTES 2.7 S13).

Preflight `OPTIONS` requests are answered here, before any other `before_request` hook, so they
never require authentication: install this before the authentication hook.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, request

ALLOW_HEADERS = "Authorization, Content-Type"
ALLOW_METHODS = "GET, POST, OPTIONS"
MAX_AGE_SECONDS = "86400"


def install(app: Flask, origins: Sequence[str]) -> None:
    allow_any = "*" in origins
    allowed = frozenset(origins)

    def allowed_origin() -> str | None:
        if allow_any:
            return "*"
        origin = request.headers.get("Origin")
        return origin if origin in allowed else None

    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS":
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE_SECONDS
        return response

    @app.after_request
    def add_origin(response: Response) -> Response:
        origin = allowed_origin()
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
        if not allow_any:
            response.vary.add("Origin")
        return response
