"""`myositis-cds`: serve the service, evaluate a hook request offline, print the catalog, the feedback
report or the terminology coverage of FHIR data, export the recommendations as FHIR knowledge artifacts."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from cds_service import client_profiles, knowledge
from cds_service.command_line import catalog, feedback_report
from cds_service.command_line.coverage_report import run_coverage
from cds_service.config import Settings
from cds_service.fetch.prefetch import complete_prefetch
from cds_service.protocol.evaluation import evaluate
from cds_service.protocol.runtime import load_rules
from cds_service.protocol.validation import SchemaViolation, check, validators
from cds_service.storage.dependencies import redact, scheme, sqlite_path
from cds_service.storage.store import StoreUnavailable, Unreadable
from cds_service.storage.store_factory import open_store
from hooks import registry
from hooks.services import SERVICES, SUPPLEMENTARY_PREFETCH, Service

EXIT_INVALID_REQUEST = 2
EXIT_STORE_UNAVAILABLE = 3


# --- serve ------------------------------------------------------------------------------------
def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Run under gunicorn with gevent workers, warmed before they fork (`cds_service.server.serving`)."""
    from cds_service.server.serving import serve as run_server

    run_server(host, port, workers, settings)


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
        selection_behavior=settings.selection_behavior, incomplete=outcome.incomplete,
    )
    response = client_profiles.shape(
        result.response, client_profiles.PROFILES[settings.client_profile], settings.client_allowed_links
    )
    check(all_validators.response, response)
    return response, outcome.missing


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def terminal_text(markdown: str, bold: bool) -> str:
    """Card detail markdown as a terminal shows it. The cards use three constructs (bold labels,
    `- ` list items, links): bold becomes the terminal's bold (or plain text when the output is not
    a terminal), a link becomes its text with the address in angle brackets, lists stay as written."""
    text = _LINK.sub(r"\1 <\2>", markdown)
    return _BOLD.sub("\033[1m\\1\033[0m" if bold else r"\1", text)


def render_text(response: Mapping[str, Any], bold: bool = False) -> str:
    """Cards the way an EHR shows them: indicator and summary, detail, suggestions."""
    cards = response["cards"]
    if not cards:
        return "No cards: nothing to suggest for this request.\n"
    blocks = []
    for card in cards:
        lines = [f"[{card['indicator'].upper()}] {card['summary']}", f"  Source: {card['source']['label']}"]
        detail = terminal_text(card.get("detail", ""), bold)
        lines.append(textwrap.indent(detail, "  | ", predicate=lambda _line: True))
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
    stated = [key for key in missing if key not in SUPPLEMENTARY_PREFETCH]  # not a gap on the cards either
    if stated:
        print(f"note: no prefetch for {', '.join(stated)}; cards say what was not checked", file=err)
    out.write(json.dumps(response, indent=2) + "\n" if output_format == "json"
              else render_text(response, bold=out.isatty()))
    return 0


# --- report -----------------------------------------------------------------------------------
def now() -> datetime:
    return datetime.now(timezone.utc)


def run_report(since: datetime | None, output_format: str, settings: Settings, out: TextIO, err: TextIO) -> int:
    """The feedback report of the configured store (`CDS_STORE_URL`, else `CDS_FEEDBACK_DB`), either backend."""
    if scheme(settings.store) == "sqlite" and not sqlite_path(settings.store).exists():
        print(f"no feedback store at {sqlite_path(settings.store)} (CDS_STORE_URL or CDS_FEEDBACK_DB)", file=err)
        return EXIT_INVALID_REQUEST
    hook_of_service = {service.id: service.hook for service in SERVICES}
    store = open_store(settings.store)
    unreadable = Unreadable()
    try:
        report = feedback_report.build(store.issued_cards(since, unreadable), store.feedback(unreadable=unreadable),
                                       hook_of_service, since, unreadable.counts,
                                       findings=store.issued_findings(since), snoozes=store.snoozes(now=now()))
    except StoreUnavailable as error:
        print(f"cannot read the feedback store {redact(settings.store)}: {error}", file=err)
        return EXIT_STORE_UNAVAILABLE
    finally:
        store.close()
    if unreadable.total:
        print(f"warning: {unreadable.total} unreadable stored rows skipped (" + ", ".join(
            f"{table}: {count}" for table, count in sorted(unreadable.counts.items())) + ")", file=err)
    out.write(feedback_report.RENDERERS[output_format](report))
    return 0


# --- command line -----------------------------------------------------------------------------
def _timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="myositis-cds", description=__doc__,
                                   epilog="Configuration comes from CDS_* environment variables (README "
                                   "\"Configuration\"); a defect in one is reported with exit status 2.")
    root.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_ = commands.add_parser("serve", help="run the CDS Hooks service (gunicorn)",
                                 description="Run the CDS Hooks service under gunicorn with gevent workers; "
                                 "Ctrl-C or SIGTERM stops it after the requests in progress.")
    serve_.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: %(default)s; another address needs "
                        "CDS_TRUSTED_ISSUERS or CDS_ALLOW_OPEN_NONLOCAL)")
    serve_.add_argument("--port", type=int, default=8080, help="port to listen on (default: %(default)s)")
    serve_.add_argument("--workers", type=int, default=2, help="worker processes (default: %(default)s)")

    evaluate_ = commands.add_parser("evaluate", help="print the cards for a hook request file (offline)",
                                    description="Print the cards the service would answer to a hook request "
                                    "file, using only the prefetch in the file (no network).")
    evaluate_.add_argument("request", metavar="REQUEST.json", help="a CDS Hooks request with its prefetch")
    evaluate_.add_argument("--format", choices=("text", "json"), default="text",
                           help="text: cards as an EHR shows them; json: the hook response (default: %(default)s)")
    evaluate_.add_argument("--now", type=_timestamp, help="evaluation time, ISO 8601 (default: now)")
    evaluate_.add_argument("--profile", choices=tuple(client_profiles.PROFILES),
                           help="shape the cards for this EHR (default: CDS_CLIENT_PROFILE, else generic)")

    catalog_ = commands.add_parser("catalog", help="print every recommendation with its parameters",
                                   description="Print every recommendation with its hooks, trigger, parameters "
                                   "and sources.")
    catalog_.add_argument("--format", choices=("text", "markdown", "toml"), default="text",
                          help="toml: the rule settings file with every parameter's default and source")

    report_ = commands.add_parser("report", help="feedback per recommendation and hook, for clinical governance",
                                  description="Feedback per recommendation and hook from the configured store "
                                  "(CDS_STORE_URL); exit status 2 when there is no store, 3 when it is unreachable.")
    report_.add_argument("--since", type=_timestamp, help="only cards issued from this date or time (ISO 8601, UTC)")
    report_.add_argument("--format", choices=tuple(feedback_report.RENDERERS), default="text",
                         help="output format (default: %(default)s)")
    export_ = commands.add_parser("export", help="write the recommendations, services and value sets as FHIR R4 "
                                  "PlanDefinition and ValueSet resources (HL7 CPG IG style)",
                                  description="Write the recommendations, services and value sets as FHIR R4 "
                                  "PlanDefinition and ValueSet resources, one JSON file each.")
    export_.add_argument("--out", required=True, metavar="DIR", help="directory to write the JSON files into")
    export_.add_argument("--canonical-base", default=knowledge.CANONICAL_BASE,
                         help="base of the canonical URLs (default: %(default)s, a placeholder)")
    coverage_ = commands.add_parser("coverage", help="which codes of FHIR data files are recognised (no patient data)",
                                    description="Count the codes of FHIR data files the service recognises and "
                                    "list the most frequent it does not; prints no patient data.")
    coverage_.add_argument("files", metavar="FILE", nargs="+", help="hook requests, Bundles or NDJSON (.gz allowed)")
    coverage_.add_argument("--format", choices=("text", "json"), default="text",
                           help="output format (default: %(default)s)")
    coverage_.add_argument("--top", type=int, default=10, help="unrecognised codes listed per system (default 10)")
    return root


def package_version() -> str:
    """The installed distribution's version (pyproject.toml's, once installed)."""
    try:
        return importlib.metadata.version("myositis-cds")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def run_export(directory: str, canonical_base: str, out: TextIO) -> int:
    written = knowledge.write(Path(directory), canonical_base.rstrip("/"))
    out.write(f"wrote {len(written)} FHIR resources to {directory}\n")
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a subcommand; a configuration error propagates (`cds_service.launcher` reports it)."""
    args = parser().parse_args(argv)
    if args.command == "catalog":
        render = {"markdown": catalog.markdown, "toml": catalog.settings_toml}.get(args.format, catalog.text)
        out.write(render(registry.all_recommendations()))
        return 0
    if args.command == "export":
        return run_export(args.out, args.canonical_base, out)
    if args.command == "coverage":
        return run_coverage(args.files, args.format, args.top, datetime.now(timezone.utc).date(), out, err)
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
