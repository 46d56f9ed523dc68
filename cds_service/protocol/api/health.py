"""GET /healthz (the process answers) and GET /readyz (and the shared state it depends on answers).

/readyz names each dependency and its backend, so an operator sees at once which one is down:
200 `{"status": "ready", "dependencies": {"store": "postgresql: up", "replayCache": "redis: up"}}`, or
503 with an OperationOutcome that has one issue per dependency that is down. Hook calls go on being
answered while a dependency is down (README "Deployment": what the load balancer should probe).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from cds_service.errors import Issue, error_response
from cds_service.protocol import runtime
from cds_service.storage.dependencies import Unavailable

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    rt = runtime.current()
    checks = {"store": ("feedback store", rt.store)}
    if rt.replay_cache is not None:
        checks["replayCache"] = ("replay cache", rt.replay_cache)
    states: dict[str, str] = {}
    down: dict[str, str] = {}
    for key, (label, dependency) in checks.items():
        try:
            dependency.ping()
            states[key] = f"{dependency.backend}: up"
        except (Unavailable, OSError) as error:
            log.warning("readyz: %s (%s) down: %s", label, dependency.backend, error)
            down[key] = f"{label} ({dependency.backend})"
    if down:
        return error_response(503, f"not ready: unreachable: {', '.join(down.values())}",
                              details=[Issue(f"the {name} is not reachable", key) for key, name in down.items()])
    return jsonify({"status": "ready", "dependencies": states})
