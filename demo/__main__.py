"""`make demo` (python -m demo): the tests' FHIR server with the demo patients, and the service.

Starts the in-memory FHIR server on loopback, loads fixtures/demo/ (dates moved to today), starts
`myositis-cds serve` on loopback in open development mode with `fhirServer` access to it, prints
the demo page's URL and waits; Ctrl-C stops both. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests

from demo import patients
from tests.fhir_server import launch

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30


def service_environment(fhir_base: str, feedback_db: str, app_url: str | None = None) -> dict[str, str]:
    """Open development mode (no trusted issuers), the FHIR server allowlisted, and fetch budgets
    that suit the in-memory server (its searches take a second or two); with `app_url`, the cards
    about the course link to the timeline app there."""
    env = {key: value for key, value in os.environ.items() if key != "CDS_TRUSTED_ISSUERS"}
    env.update({
        "CDS_FHIR_ALLOWLIST": fhir_base,
        "CDS_FEEDBACK_DB": feedback_db,
        "CDS_FHIR_READ_TIMEOUT": "10",
        "CDS_FHIR_TOTAL_BUDGET": "20",
        "CDS_DEMO_PAGE": "true",
    })
    if app_url:
        env["CDS_SMART_APP_URL"] = app_url
    return env


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the service exited at start-up (see its log above)")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the service did not answer within {READY_TIMEOUT_SECONDS} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="service port (default %(default)s)")
    parser.add_argument("--fhir-port", type=int, default=0, help="FHIR server port (default: a free one)")
    args = parser.parse_args(argv)
    reason = launch.missing()
    if reason:
        print(f"make demo: {reason}", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="myositis-cds-demo-"))
    with (workdir / "fhir-server.log").open("w") as log:
        fhir_process, fhir_base = launch.start(log, port=args.fhir_port)
    service = None
    try:
        today = date.today()
        for name, bundle in patients.bundles().items():
            count = patients.load(fhir_base, None, patients.moved_to(bundle, today))
            print(f"loaded {name}: {count} resources")
        url = f"http://{HOST}:{args.port}"
        service = subprocess.Popen(
            [sys.executable, "-m", "cds_service.launcher", "serve", "--host", HOST, "--port", str(args.port)],
            cwd=ROOT, env=service_environment(fhir_base, str(workdir / "feedback.sqlite3"), f"{url}/app/launch.html"),
        )
        wait_until_ready(url, service)
        print(f"\nFHIR server: {fhir_base}\nDemo page:   {url}/demo?fhirServer={fhir_base}\n"
              f"Timeline:    from a card's link, or {url}/app/launch.html?fhirServiceUrl={fhir_base}&patientId=demo-new-dm\n"
              f"Feedback is stored in {workdir / 'feedback.sqlite3'}. Ctrl-C stops both.\n", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        service.wait()
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if service is not None and service.poll() is None:
            service.send_signal(signal.SIGINT)
            try:
                service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                service.kill()
        launch.stop(fhir_process)


if __name__ == "__main__":
    sys.exit(main())
