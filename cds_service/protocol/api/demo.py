"""GET /demo: a page that plays the EHR (issue 15), for sandbox testing and interoperability demos.

Static files only: the page calls the service through its public CDS Hooks endpoints (discovery,
hook calls without prefetch so that the service fetches from `fhirServer`, feedback), and reads and
writes the FHIR server named in its `fhirServer` query parameter as an EHR would. Registered by the
app factory in open development mode only (`Settings.demo_page_on`). The Content-Security-Policy
keeps scripts, styles and images to this origin: no CDN, no inline script.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from cds_service.protocol.api.static_pages import serve_statically

PAGE = Path(__file__).resolve().parent.parent / "demo_page"

blueprint = Blueprint("demo", __name__)
serve_statically(blueprint, frame_ancestors="'none'")


@blueprint.get("/demo")
def page() -> Response:
    return send_from_directory(PAGE, "index.html")


@blueprint.get("/demo/<any('demo.js', 'demo.css'):name>")
def asset(name: str) -> Response:
    return send_from_directory(PAGE, name)
