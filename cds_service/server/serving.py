"""`myositis-cds serve`: gunicorn with gevent workers, each worker warm before it takes traffic.

The serving model (issue 16). Sync workers read a request on the worker itself: 50 sockets sending
their headers a byte a second took the service down for more than 95 s. Here each connection is a
greenlet of a gevent worker, so a slow client costs a socket and a few KiB, not a worker:
- headers (and an idle keep-alive connection) get CDS_HEADER_READ_TIMEOUT seconds in all
  (gunicorn's keep-alive timeout, which its gevent worker applies to reading each request's head);
- the body is read whole by `cds_service.protocol.request_body.WholeBody` within CDS_BODY_READ_TIMEOUT
  seconds (a `gevent.Timeout` interrupts the read) and CDS_MAX_BODY_BYTES, before Flask sees it;
- the hook call itself runs on the worker's CPU as before; blocking calls (SQLite, whose feedback
  commit still precedes the answer) block the worker for their duration, as with sync workers.

gevent's monkey patching must precede the import of `socket`, `ssl` and `threading` users
(requests, urllib3): `cds_service.launcher` (the `myositis-cds` command) patches before it imports
the command line; started otherwise, gunicorn's gevent worker patches each worker after the fork.

Warm-up: the app is built once in the master (`preload_app`) and every hook is called once there
with a bundled request before the workers fork (lazy imports, schema and regular-expression
compilation, model construction: shared by the workers), then once more in each worker before it
accepts connections (what a process makes for itself: its store connection, per-process caches),
so a fresh worker answers its first call of each hook near warm speed (first calls took 6 to 20
times the warm median). The warm-up requests are copies of this
repository's fixtures (fixtures/requests/patient-view-dm-prednisone.json,
order-select-methotrexate.json, order-sign-methotrexate.json); their issued cards are not recorded, and
a store that is down does not keep a worker from starting.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import inspect
import json
import logging
import math
import os
import pkgutil
import signal
import tempfile
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask

from cds_service.config import Settings
from cds_service.protocol import runtime
from cds_service.protocol.request_body import BodyTimeout
from cds_service.server import log_format, logs
from cds_service.storage.dependencies import Unavailable

log = logging.getLogger(__name__)

#: Connections one worker holds at once (slow clients included); bodies being read share a memory budget.
WORKER_CONNECTIONS = 512
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'  # no query string or headers: no identifiers


def gevent_deadline(seconds: float) -> AbstractContextManager[object]:
    """Interrupts the block with BodyTimeout after `seconds` (at its next cooperative wait)."""
    import gevent

    return gevent.Timeout(seconds, BodyTimeout)


class _DiscardingRecorder:
    """Keeps nothing: the warm-up's cards are not clinical events."""

    def submit(self, cards: Any) -> None:
        return None


#: Packages whose reference tables (terminology, products, value sets) are loaded on first use.
TABLE_PACKAGES = ("fhir_mappings", "hooks")


def load_tables(package_names: tuple[str, ...] = TABLE_PACKAGES) -> list[str]:
    """Call every zero-argument cached function of the packages' modules: the tables they read once
    from JSON on first use (a warm-up request touches only the tables its own codes need; the
    others cost the first patient who needs them tens of milliseconds). Returns their names."""
    loaded = []
    for package_name in package_names:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            module = importlib.import_module(module_info.name)
            for name, value in vars(module).items():
                if (callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", None) == module.__name__
                        and not inspect.signature(value).parameters):
                    value()
                    loaded.append(f"{module.__name__}.{name}")
    return loaded


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def load_fhir_models(resource_types: Iterable[str]) -> list[str]:
    """Import the fhir.resources models of these resource types and of every element type they
    contain (Address, Identifier, Meta, ...): fhir.resources imports an element type's module, and
    pydantic builds its validator, the first time a resource with that element is validated, which
    cost the first call with a richer Patient or order about 30 ms. Returns the models' names."""
    from fhir.resources.R4B import get_fhir_model_class

    loaded: set[type] = set()
    waiting = [get_fhir_model_class(resource_type) for resource_type in resource_types]
    while waiting:
        model = waiting.pop()
        if model in loaded:
            continue
        loaded.add(model)
        for field in model.model_fields.values():
            waiting += [kind.get_model_klass() for kind in _types_in(field.annotation)
                        if isinstance(kind, type) and hasattr(kind, "get_model_klass")]
    return sorted(model.__name__ for model in loaded)


def _resource_types(requests: Iterable[Mapping[str, Any]]) -> set[str]:
    """The resource types a service's prefetch templates ask for, and those of the draft orders."""
    from hooks.services import SERVICES

    types = {template.split("?", 1)[0].split("/", 1)[0] for service in SERVICES for template in service.prefetch.values()}
    for request in requests:
        drafts = request.get("context", {}).get("draftOrders", {})
        types |= {entry["resource"]["resourceType"] for entry in drafts.get("entry", [])}
    return types


def warm_up(app: Flask) -> dict[str, float]:
    """Load the reference tables and FHIR models, then call each hook once through the pipeline (body
    parse, schema, prefetch, mapping, rules, cards, response) and the WSGI stack once; return the
    milliseconds each call took. Raises if anything fails: a deployment that cannot answer its own bundled requests
    must not start."""
    from cds_service.protocol.api import services
    from hooks.services import SERVICES

    load_tables()
    requests = {service.hook: json.loads(resources.files("cds_service.server").joinpath("warmup", f"{service.hook}.json")
                                         .read_bytes()) for service in SERVICES}
    load_fhir_models(_resource_types(requests.values()))

    deployed = app.extensions[runtime.EXTENSION]
    app.extensions[runtime.EXTENSION] = dataclasses.replace(deployed, card_recorder=_DiscardingRecorder(),
                                                            finding_recorder=_DiscardingRecorder())
    timings: dict[str, float] = {}
    try:
        for service in SERVICES:
            body = json.dumps(requests[service.hook])
            started = time.perf_counter()
            with app.test_request_context(f"/cds-services/{service.id}", method="POST", data=body,
                                          content_type="application/json"):
                services.call_service(service.id)
            timings[service.hook] = round((time.perf_counter() - started) * 1000, 1)
        if app.test_client().get("/healthz").status_code != 200:
            raise RuntimeError("warm-up: /healthz did not answer 200")
    finally:
        app.extensions[runtime.EXTENSION] = deployed
    return timings


def _logger_class(log_format_name: str) -> type:
    """gunicorn's logger: JSON lines (`CDS_LOG_FORMAT=json`, where JSON escapes control characters), or
    text with control characters escaped (the access log's path is decoded)."""
    if log_format_name == "json":
        return log_format.JsonGunicornLogger
    from gunicorn.glogging import Logger

    class EscapingLogger(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                logs.install(handler)

    return EscapingLogger


def fresh_metrics_dir() -> str:
    """The multiprocess metrics directory (PROMETHEUS_MULTIPROC_DIR, else a new temporary one),
    emptied: counts of an earlier run must not be added to this one's. Every worker counts its own
    metrics in files there; it must be set before prometheus_client is first imported."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="myositis-cds-metrics-")
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Run the service under gunicorn with gevent workers (see the module docstring)."""
    from gunicorn.app.base import BaseApplication

    metrics_dir = fresh_metrics_dir()
    from prometheus_client import multiprocess

    from cds_service.protocol.app import create_app
    from cds_service.security.auth import check_bind

    check_bind(host, settings)  # open development mode stays on loopback unless told otherwise
    log_format.configure(settings.log_level, settings.log_format)
    if settings.log_format == "text":
        for handler in logging.getLogger().handlers:
            logs.install(handler)
    app = create_app(settings, read_deadline=gevent_deadline)
    log.info("warm-up calls, ms: %s", json.dumps(warm_up(app)))
    fresh_metrics_dir()  # the warm-up calls are not traffic: the workers start counting from zero
    # The start-up objects (registry, terminology, schemas, what the warm-up built) live as long as
    # the process: keep them out of the workers' garbage collections, which otherwise pause requests
    # for tens of milliseconds, and leave their memory pages shared with the forked workers.
    gc.freeze()
    logger_class = _logger_class(settings.log_format)

    def warm_worker(worker: Any) -> None:
        """Again in each worker before it accepts: what a process makes for itself after the fork
        (its store connection, gevent's hub and sockets, per-process caches) is made here. A store that
        is down does not stop the worker (issue 19): it answers hook calls, and /readyz names the store."""
        # Ctrl-C in a terminal reaches the whole process group: only the master acts on it and stops
        # the workers gracefully (gunicorn's quick stop exits a gevent worker from a greenlet, which
        # prints a traceback for every worker).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            app.extensions[runtime.EXTENSION].store.ping()
        except Unavailable as error:
            log.error("worker %s starts without its store: %s", worker.pid, error)
        log.info("worker %s warm-up calls, ms: %s", worker.pid, json.dumps(warm_up(app)))

    def graceful_on_interrupt(arbiter: Any) -> None:
        """Ctrl-C stops the workers as SIGTERM does (each finishes its requests and records) instead
        of gunicorn's quick stop."""
        arbiter.handle_int = arbiter.handle_term

    def drain_worker(_server: Any, worker: Any) -> None:
        """At an orderly stop: write the queued issued-card and finding records first (for a bounded time)."""
        deployed = app.extensions[runtime.EXTENSION]
        for recorder in (deployed.card_recorder, deployed.finding_recorder):
            if not recorder.flush(recorder.drain_seconds):
                log.error("worker %s stops with %d records not written (store unavailable)", worker.pid,
                          recorder.pending())

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gevent")
            self.cfg.set("worker_connections", WORKER_CONNECTIONS)
            self.cfg.set("keepalive", max(1, math.ceil(settings.header_read_timeout)))  # whole seconds
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", "-")
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            self.cfg.set("logger_class", logger_class)
            self.cfg.set("control_socket_disable", True)  # no run-time control socket in the home directory
            self.cfg.set("child_exit", lambda _server, worker: multiprocess.mark_process_dead(worker.pid, metrics_dir))
            self.cfg.set("post_worker_init", warm_worker)
            self.cfg.set("on_starting", graceful_on_interrupt)
            self.cfg.set("worker_exit", drain_worker)

        def load(self) -> Callable[..., Any]:
            return app

    Server().run()
