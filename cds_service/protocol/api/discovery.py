"""GET /cds-services: the discovery document, generated from `hooks.services.SERVICES`."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from hooks.services import SERVICES

blueprint = Blueprint("discovery", __name__)


def discovery_document() -> dict:
    return {"services": [service.discovery() for service in SERVICES]}


@blueprint.get("/cds-services")
def discovery() -> Response:
    return jsonify(discovery_document())
