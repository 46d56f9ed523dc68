"""The floor: the least a Flask CDS service can do with a hook call.

It reads and parses the same request body the way the service does (same size limit, the same parser,
orjson, with the cyclic garbage collector paused for the call) and answers one constant card, so the
difference to the service is what the service itself adds: schema validation, prefetch checks, FHIR
mapping, recommendations, cards, the issued-card record.

Until the third round of issue 27 the floor parsed with the standard library's `json` (about twice as slow
as orjson on these bodies: 2.3 against 1.2 ms on the 420 KiB patient-view) with the collector running
(which made the 5,000-resource floor 3.5 times slower: 287 against 82 ms). Both flattered the service's
ratios.
"""

from __future__ import annotations

import orjson
from flask import Flask, Response, abort, jsonify, request

from cds_service.protocol.api.services import cyclic_gc_paused

CARD = {
    "uuid": "4e0a3a1d-1c1d-4c4c-9d2a-3f3c3d3e3f40",
    "summary": "Floor: constant card",
    "indicator": "info",
    "source": {"label": "myositis-cds benchmark floor"},
}


def floor_app(max_body_bytes: int) -> Flask:
    app = Flask("bench_floor")
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @app.post("/cds-services/<service_id>")
    def call_service(service_id: str) -> Response:
        raw = request.get_data(cache=False)  # read first, as the service's middleware does
        with cyclic_gc_paused():  # the parsed body is freed in `_answer`, before the collector runs again
            return _answer(raw)

    @app.get("/healthz")
    def healthz() -> Response:  # what the benchmark waits for when it serves the floor over HTTP
        return jsonify({"status": "ok"})

    return app


def _answer(raw: bytes) -> Response:
    body = orjson.loads(raw)
    if not isinstance(body, dict) or "hook" not in body:
        abort(400)
    return jsonify({"cards": [CARD]})
