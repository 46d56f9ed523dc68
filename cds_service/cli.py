"""`myositis-cds`: serve the service, evaluate a hook request offline, print the catalog or the feedback report."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from cds_service import catalog, client_profiles, feedback_report, log_format
from cds_service.config import Settings
from cds_service.dependencies import redact, scheme, sqlite_path
from cds_service.evaluation import evaluate
from cds_service.prefetch import complete_prefetch
from cds_service.runtime import load_rules
from cds_service.store import StoreUnavailable, open_store
from cds_service.validation import SchemaViolation, check, validators
from hooks import registry
from hooks.services import SERVICES, Service

EXIT_INVALID_REQUEST = 2
EXIT_STORE_UNAVAILABLE = 3


# --- serve ------------------------------------------------------------------------------------
def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Run under gunicorn (production WSGI server). The app is created once in the master
    (`preload_app`) so a broken configuration stops start-up instead of every worker."""
    from gunicorn.app.base import BaseApplication

    # Every worker counts its own metrics; prometheus_client adds them up from files in this directory,
    # and it must be set before prometheus_client is imported (by the app below).
    metrics_dir = _fresh_metrics_dir()
    from prometheus_client import multiprocess

    from cds_service.app import create_app
    from cds_service.auth import check_bind

    check_bind(host, settings)  # open development mode stays on loopback unless told otherwise
    log_format.configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    # The start-up objects (registry, terminology, schemas) live as long as the process: keep them out
    # of the workers' garbage collections, which otherwise pause requests for tens of milliseconds,
    # and leave their memory pages shared with the forked workers.
    gc.freeze()

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", "-")
            # The access log format leaves out the query string and headers (no identifiers in logs).
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms')
            self.cfg.set("child_exit", lambda _server, worker: multiprocess.mark_process_dead(worker.pid, metrics_dir))
            if settings.log_format == "json":
                self.cfg.set("logger_class", log_format.JsonGunicornLogger)

        def load(self) -> Callable[..., Any]:
            return app

    Server().run()


def _fresh_metrics_dir() -> str:
    """The multiprocess metrics directory (PROMETHEUS_MULTIPROC_DIR, else a new temporary one),
    emptied: counts of an earlier run must not be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="myositis-cds-metrics-")
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


# --- evaluate ---------------------------------------------------------------------------------
def service_for(request: Mapping[str, Any]) -> Service:
    hook = request["hook"]
    for service in SERVICES:
        if service.hook == hook:
            return service
    raise SchemaViolation("$.hook", f"no service answers hook {hook!r}")


def evaluate_offline(request: Any, settings: Settings, now: datetime) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Cards for a hook request without network access: only the prefetch in the request is used
    (fhirServer is ignored); keys it lacks are returned and stated on the cards as not checked. The
    cards are shaped by the default client profile (`CDS_CLIENT_PROFILE`), as the service would."""
    all_validators = validators()
    check(all_validators.request, request)
    service = service_for(request)
    offline = {key: value for key, value in request.items() if key not in ("fhirServer", "fhirAuthorization")}
    outcome = complete_prefetch(service.prefetch, offline, settings)
    result = evaluate(
        service, request, outcome.data, outcome.missing, load_rules(settings), now=now,
        selection_behavior=settings.selection_behavior,
    )
    response = client_profiles.shape(
        result.response, client_profiles.PROFILES[settings.client_profile], settings.client_allowed_links
    )
    check(all_validators.response, response)
    return response, outcome.missing


def render_text(response: Mapping[str, Any]) -> str:
    """Cards the way an EHR shows them: indicator and summary, detail, suggestions."""
    cards = response["cards"]
    if not cards:
        return "No cards: nothing to suggest for this request.\n"
    blocks = []
    for card in cards:
        lines = [f"[{card['indicator'].upper()}] {card['summary']}", f"  Source: {card['source']['label']}"]
        lines.append(textwrap.indent(card.get("detail", ""), "  | ", predicate=lambda _line: True))
        for suggestion in card.get("suggestions", ()):
            mark = "*" if suggestion.get("isRecommended") else "-"
            lines.append(f"  {mark} {suggestion['label']}" + (" (recommended)" if suggestion.get("isRecommended") else ""))
            lines += [f"      {action['type']}: {action['description']}" for action in suggestion["actions"]]
        for link in card.get("links", ()):
            lines.append(f"  link: {link['label']} <{link['url']}>")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def run_evaluate(path: str, output_format: str, now: datetime, settings: Settings, out: TextIO, err: TextIO) -> int:
    try:
        request = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read {path}: {error}", file=err)
        return EXIT_INVALID_REQUEST
    try:
        response, missing = evaluate_offline(request, settings, now)
    except SchemaViolation as violation:
        print(f"invalid hook request: {violation}", file=err)
        return EXIT_INVALID_REQUEST
    if missing:
        print(f"note: no prefetch for {', '.join(missing)}; cards say what was not checked", file=err)
    out.write(json.dumps(response, indent=2) + "\n" if output_format == "json" else render_text(response))
    return 0


# --- report -----------------------------------------------------------------------------------
def run_report(since: datetime | None, output_format: str, settings: Settings, out: TextIO, err: TextIO) -> int:
    """The feedback report of the configured store (`CDS_STORE_URL`, else `CDS_FEEDBACK_DB`), either backend."""
    if scheme(settings.store) == "sqlite" and not sqlite_path(settings.store).exists():
        print(f"no feedback store at {sqlite_path(settings.store)} (CDS_STORE_URL or CDS_FEEDBACK_DB)", file=err)
        return EXIT_INVALID_REQUEST
    hook_of_service = {service.id: service.hook for service in SERVICES}
    store = open_store(settings.store)
    try:
        report = feedback_report.build(store.issued_cards(since), store.feedback(), hook_of_service, since)
    except StoreUnavailable as error:
        print(f"cannot read the feedback store {redact(settings.store)}: {error}", file=err)
        return EXIT_STORE_UNAVAILABLE
    finally:
        store.close()
    out.write(feedback_report.RENDERERS[output_format](report))
    return 0


# --- command line -----------------------------------------------------------------------------
def _timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="myositis-cds", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    serve_ = commands.add_parser("serve", help="run the CDS Hooks service (gunicorn)")
    serve_.add_argument("--host", default="127.0.0.1")
    serve_.add_argument("--port", type=int, default=8080)
    serve_.add_argument("--workers", type=int, default=2)

    evaluate_ = commands.add_parser("evaluate", help="print the cards for a hook request file (offline)")
    evaluate_.add_argument("request", metavar="REQUEST.json")
    evaluate_.add_argument("--format", choices=("text", "json"), default="text")
    evaluate_.add_argument("--now", type=_timestamp, help="evaluation time, ISO 8601 (default: now)")
    evaluate_.add_argument("--profile", choices=tuple(client_profiles.PROFILES),
                           help="shape the cards for this EHR (default: CDS_CLIENT_PROFILE, else generic)")

    catalog_ = commands.add_parser("catalog", help="print every recommendation with its parameters")
    catalog_.add_argument("--format", choices=("text", "markdown", "toml"), default="text",
                          help="toml: the rule settings file with every parameter's default and source")

    report_ = commands.add_parser("report", help="feedback per recommendation and hook, for clinical governance")
    report_.add_argument("--since", type=_timestamp, help="only cards issued from this date or time (ISO 8601, UTC)")
    report_.add_argument("--format", choices=tuple(feedback_report.RENDERERS), default="text")
    return root


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = parser().parse_args(argv)
    if args.command == "catalog":
        render = {"markdown": catalog.markdown, "toml": catalog.settings_toml}.get(args.format, catalog.text)
        out.write(render(registry.all_recommendations()))
        return 0
    settings = Settings.from_env()
    if getattr(args, "profile", None):
        settings = dataclasses.replace(settings, client_profile=args.profile)
    if args.command == "serve":
        serve(args.host, args.port, args.workers, settings)
        return 0
    if args.command == "report":
        return run_report(args.since, args.format, settings, out, err)
    now = args.now or datetime.now(timezone.utc)
    return run_evaluate(args.request, args.format, now, settings, out, err)


if __name__ == "__main__":
    sys.exit(main())
