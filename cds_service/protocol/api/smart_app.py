"""GET /app/: the myositis timeline, a SMART on FHIR app (issue 26), and its parameters.

Static files only, plus `/app/timeline.json`: the codes, equivalence factors and taper threshold the
rules use (`hooks.timeline`), so that the app draws with the service's numbers. No patient data passes
through here: the app reads the record from the EHR's FHIR server with its own SMART token, held in
the browser's memory, and asks for cards through the public hook endpoint like any client.

The Content-Security-Policy keeps scripts and styles to this origin (the chart and SMART libraries
are served from `smart_app/vendor/`); the app connects to FHIR servers (https, or loopback in
development). Unlike /demo it may be framed: EHRs embed SMART apps.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Blueprint, Response, jsonify, redirect, send_from_directory

from cds_service.config import SMART_APP_PATH
from cds_service.protocol import runtime
from cds_service.protocol.api.static_pages import serve_statically
from hooks import timeline

APP = Path(__file__).resolve().parent.parent / "smart_app"

blueprint = Blueprint("smart_app", __name__)
# EHRs frame SMART apps; the launch URL carries `launch` and `iss`, so no referrer leaves the page.
serve_statically(blueprint, frame_ancestors="'self' https: http://127.0.0.1:* http://localhost:*",
                 Referrer_Policy="no-referrer")


@blueprint.get(SMART_APP_PATH.rstrip("/"))
def root() -> Response:
    return redirect(SMART_APP_PATH, code=308)


@blueprint.get(SMART_APP_PATH)
def page() -> Response:
    return send_from_directory(APP, "index.html")


@blueprint.get(f"{SMART_APP_PATH}timeline.json")
def parameters() -> Response:
    current = runtime.current()
    found = timeline.parameters(current.rules.recommendations, current.rules.settings)
    return jsonify({"client_id": current.settings.smart_app_client_id, **dataclasses.asdict(found)})


@blueprint.get(f"{SMART_APP_PATH}<path:name>")
def asset(name: str) -> Response:
    return send_from_directory(APP, name)  # safe_join: nothing outside smart_app/
