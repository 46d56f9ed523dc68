"""The headers of the static pages the service serves (the demo page, the SMART app): one policy.

Scripts, styles and images come from this origin only (no CDN, no inline script); the pages connect to
the service and to FHIR servers (https, or loopback in development). What differs per page is who may
frame it, and any header of its own.
"""

from __future__ import annotations

from flask import Blueprint, Response

_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "connect-src 'self' http://127.0.0.1:* http://localhost:* https:; base-uri 'none'; form-action 'none'; "
           "frame-ancestors {frame_ancestors}")


def serve_statically(blueprint: Blueprint, frame_ancestors: str, **headers: str) -> None:
    """Every answer of `blueprint` gets the Content-Security-Policy (framed by `frame_ancestors`),
    nosniff, no-cache, and `headers` (names with underscores for dashes)."""
    policy = _POLICY.format(frame_ancestors=frame_ancestors)

    @blueprint.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        for name, value in headers.items():
            response.headers[name.replace("_", "-")] = value
        return response
