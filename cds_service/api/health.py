"""GET /healthz (the process answers) and GET /readyz (and its store is reachable)."""

from __future__ import annotations

import logging
import sqlite3

from flask import Blueprint, Response, jsonify

from cds_service import runtime
from cds_service.errors import error_response

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    try:
        runtime.current().store.ping()
    except (sqlite3.Error, OSError) as error:
        log.warning("store not reachable: %s", type(error).__name__)
        return error_response(503, "not ready: the feedback store is not reachable")
    return jsonify({"status": "ready"})
