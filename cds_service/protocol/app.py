"""The Flask application factory.

`create_app` validates everything that can be wrong before the first request (settings, the
recommendation registry, rule parameters, JSON Schemas, the store) so a broken deployment fails
at start-up, not on a patient's chart.
"""

from __future__ import annotations

import logging

from flask import Flask

from cds_service import errors, metrics
from cds_service.config import Settings
from cds_service.protocol import cors, openapi, runtime
from cds_service.protocol.api import demo, discovery, feedback, health, services, smart_app
from cds_service.protocol.load_shedding import LoadShedder
from cds_service.protocol.request_body import Deadline, WholeBody, no_deadline
from cds_service.security import auth
from cds_service.storage.store import Store
from hooks.services import SERVICES

BLUEPRINTS = (discovery.blueprint, services.blueprint, feedback.blueprint, health.blueprint)


def create_app(
    settings: Settings | None = None, *, clock: runtime.Clock | None = None, store: Store | None = None,
    read_deadline: Deadline = no_deadline,
) -> Flask:
    """The WSGI app. `clock` and `store` replace the server clock and the SQLite store (tests);
    `read_deadline` interrupts a request body that takes longer than CDS_BODY_READ_TIMEOUT (the
    gevent server of `myositis-cds serve` passes one; see `cds_service.protocol.request_body`)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    state = app.extensions[runtime.EXTENSION] = runtime.build(settings, clock, store)
    for name in ("cds_service", "hooks", "fhir_mappings"):
        logging.getLogger(name).setLevel(settings.log_level)
    cors.install(app, settings.cors_origins)
    # Before authentication, so refused requests are timed and counted too.
    metrics.install(app, frozenset(service.id for service in SERVICES), settings.metrics_token)
    auth.install(app, settings, replay=state.replay_cache)  # after CORS: preflights never need a token
    errors.install(app)
    openapi.install(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.wsgi_app = WholeBody(  # type: ignore[method-assign]
        LoadShedder(app.wsgi_app, settings.max_in_flight), settings.max_body_bytes,
        timeout_s=settings.body_read_timeout, deadline=read_deadline,
    )
    if settings.demo_page_on:
        app.register_blueprint(demo.blueprint)
    if settings.smart_app:
        app.register_blueprint(smart_app.blueprint)
    return app
