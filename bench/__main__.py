"""`python -m bench`: profile, in-process service vs floor, growth, HTTP load, fallback, memory.

Writes bench/results/results.json, growth.png and profile-*.txt, and prints the table.
`--quick` runs every part briefly (a smoke test of the benchmark itself, not figures to quote).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import deployed, fallback, http_load
from bench.floor import floor_app
from bench.inprocess import side_by_side
from bench.plot import growth_plot
from bench.profiling import profile
from bench.report import table, targets
from bench.workloads import (
    NOW,
    SEED,
    TYPICAL,
    Workload,
    general_patient_view,
    record,
    sized_workload,
    small_patient_view,
    typical_workloads,
)
from cds_service.config import Settings
from cds_service.protocol.app import create_app

RESULTS = Path(__file__).resolve().parent / "results"
GROWTH_SIZES = (10, 100, 1000, 5000, 10000)
#: Large enough for the 10,000-resource record (~21 MB); the service's default limit is 5 MB.
BENCH_MAX_BODY_BYTES = 32 * 1024 * 1024
HTTP_RATE = 200.0
SATURATION_CLIENTS = 8


class NullStore:
    """A store that keeps nothing: the service's own computing without the SQLite record. Every
    method of `cds_service.storage.store.Store` answers "nothing" (a missing one would make each
    call raise, be caught and logged, which is not what the figure is meant to leave out)."""

    backend = "none"

    def record_cards(self, cards: Any) -> None:
        return None

    def record_findings(self, findings: Any) -> None:
        return None

    def record_feedback(self, service_id: str, items: Any, received_at: datetime) -> int:
        return 0

    def add_snoozes(self, snoozes: Any) -> None:
        return None

    def feedback(self, service_id: str | None = None, unreadable: Any = None) -> list[Any]:
        return []

    def issued_cards(self, since: datetime | None = None, unreadable: Any = None) -> list[Any]:
        return []

    def issued_findings(self, since: datetime | None = None) -> list[Any]:
        return []

    def card_findings(self, card_uuid: str) -> list[Any]:
        return []

    def card_feedback(self, card_uuid: str) -> list[Any]:
        return []

    def snoozes(self, patient_key: str | None = None, now: datetime | None = None) -> list[Any]:
        return []

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit, "loadavg_start": os.getloadavg()}


def apps(settings: Settings) -> dict[str, Any]:
    """Service as deployed, service without the store, and the floor; all with the same settings."""
    return {
        "service": create_app(settings, clock=lambda: NOW),
        "service_nostore": create_app(settings, clock=lambda: NOW, store=NullStore()),
        "floor": floor_app(settings.max_body_bytes),
    }


def growth_exponent(rows: list[dict[str, Any]]) -> float:
    """Slope of log(CPU time) against log(size) between the two largest records (1 = linear):
    the marginal cost where it matters, unmasked by the fixed cost of small requests. CPU time,
    so that other processes on a shared machine do not inflate one size."""
    small, large = rows[-2], rows[-1]
    return round(math.log(large["service"]["cpu"]["median_ms"] / small["service"]["cpu"]["median_ms"])
                 / math.log(large["resources"] / small["resources"]), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (checks the benchmark, not the service)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-fallback", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    quick = args.quick
    # Seconds per in-process workload (typical, growth), per HTTP run, and fallback calls.
    typical_s, growth_s, http_seconds, fallback_calls = (1.0, 1.0, 3.0, 2) if quick else (15.0, 10.0, 20.0, 12)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="myositis-bench-"))
    settings = Settings(feedback_db=str(work / "feedback.sqlite3"), max_body_bytes=BENCH_MAX_BODY_BYTES,
                        strict_rules=True)
    results: dict[str, Any] = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "quick": quick, "seed": SEED, "machine": machine(),
                               "settings": {"max_body_bytes": BENCH_MAX_BODY_BYTES, "strict_rules": True}}
    started = time.perf_counter()
    typical = typical_workloads()
    in_process = apps(settings)

    print("profiling ...", file=sys.stderr)
    results["profile"] = [
        profile(in_process["service"], typical[0], calls=5 if quick else 30, out=args.out / "profile-patient-view.txt"),
        profile(in_process["service"], sized_workload(5000), calls=2 if quick else 5,
                out=args.out / "profile-patient-view-5000.txt"),
    ]

    print("in-process, typical requests ...", file=sys.stderr)
    results["typical"] = [side_by_side(in_process, w, budget_s=typical_s, min_n=5 if quick else 30)
                          for w in (*typical, small_patient_view(), general_patient_view())]

    print("in-process, growth ...", file=sys.stderr)
    growth = [side_by_side(in_process, sized_workload(n), budget_s=growth_s,
                           min_n=(3 if n > 5000 else 5) if quick or n >= 5000 else 15)
              for n in GROWTH_SIZES]
    results["growth"] = growth
    results["growth_exponent"] = growth_exponent(growth)
    growth_plot(growth, 100.0, args.out / "growth.png",
                f"myositis-cds patient-view, in process, {results['machine']['cores']} cores, "
                f"Python {results['machine']['python']}")

    if args.skip_http:
        results["http"] = {"skipped": "--skip-http"}
    else:
        print(f"HTTP load, {http_seconds:g} s at {HTTP_RATE:g}/s then saturation ...", file=sys.stderr)
        targets_http = [http_load.Target(f"/cds-services/{w.service_id}", json.dumps(w.body).encode()) for w in typical]
        results["http"] = http_load.run(
            targets_http, workers=os.cpu_count() or 2, rate=HTTP_RATE, duration_s=http_seconds,
            saturation_clients=SATURATION_CLIENTS, log_dir=work,
            env={"CDS_FEEDBACK_DB": str(work / "serve.sqlite3")},
        )
        results["http"]["mix"] = [w.name for w in typical]
        print("deployed mode: latency against the floor, JWT, cold start, capacity ...", file=sys.stderr)
        small = small_patient_view()
        serve_env = {"CDS_FEEDBACK_DB": str(work / "deployed.sqlite3"), "CDS_JTI_REPLAY_DB": str(work / "replay.sqlite3")}
        results["deployed"] = {
            "latency": deployed.latency(targets_http[0], workers=os.cpu_count() or 2, rounds=2 if quick else 5,
                                        calls=10 if quick else 40, log_dir=work, env=serve_env),
            "latency_small": deployed.latency(
                http_load.Target(f"/cds-services/{small.service_id}", json.dumps(small.body).encode()),
                workers=os.cpu_count() or 2, rounds=2 if quick else 5, calls=10 if quick else 40, log_dir=work,
                env=serve_env),
            "cold_start": deployed.cold_start(list(zip((w.name for w in typical), targets_http)),
                                              rounds=1 if quick else 3, warm_calls=5 if quick else 20, log_dir=work,
                                              env=serve_env),
            "capacity": deployed.capacity(targets_http, workers=os.cpu_count() or 2, clients=SATURATION_CLIENTS,
                                          duration_s=http_seconds, slices=2 if quick else 10, log_dir=work,
                                          env=serve_env),
        }

    reason = "--skip-fallback" if args.skip_fallback else fallback.unavailable()
    if reason:
        results["fallback"] = {"skipped": reason}
    else:
        print("fallback path (FHIR server) ...", file=sys.stderr)
        patient_view: Workload = typical[0]
        # The test server takes seconds per search; give the fetch room so what is measured is a
        # completed fallback, not the 412 of an exhausted budget (the defaults are 1 s / 2 s).
        slow_server = dataclasses.replace(settings, fhir_connect_timeout=5.0, fhir_read_timeout=60.0,
                                          fhir_total_budget=120.0)
        results["fallback"] = fallback.run(create_app(slow_server, clock=lambda: NOW), patient_view,
                                           record(TYPICAL), calls=fallback_calls, log_dir=work)
        results["fallback"]["settings"] = {"fhir_read_timeout": 60.0, "fhir_total_budget": 120.0}

    results["machine"]["loadavg_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults: {args.out / 'results.json'}, plot: {args.out / 'growth.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
