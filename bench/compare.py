"""`python -m bench.compare REV`: the service's thread CPU time on this working tree against commit REV, by turns.

A change that makes the service a tenth faster is hard to see in `make bench` on a shared VM, whose speed drifts
by tens of percent within minutes (issue 27). The thread CPU time of the same calls, taken from the two trees in
turn, moves much less with other processes. Each round runs one subprocess per tree (REV is checked out in a
temporary git worktree); each makes the app with a store that keeps nothing and calls it through WSGI with the
same request bodies (this tree's workloads, written to files once), a full garbage collection before each call
as in `bench.inprocess`, and reports the median of `--calls` calls after 5 warm-up calls. Printed per workload:
the lowest and highest median of the rounds for each tree and the change of their middle values.

The subprocess runs this file as a script with the tree first on PYTHONPATH: it imports only the service
(`create_app`, `Settings`) from that tree and werkzeug, so REV needs no `bench.compare` of its own.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

WARM_UP_CALLS = 5
#: Large enough for any workload here (the service's default is 5 MB).
MAX_BODY_BYTES = 32 * 1024 * 1024


class _KeepsNothing:
    """A store that keeps nothing, whatever the tree's store interface: every method answers an empty list."""

    backend = "none"

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: []


def measure(bodies: Path, calls: int) -> dict[str, float]:
    """Median thread CPU milliseconds per workload of `bodies` (manifest.json and one file per body), on the
    service importable here."""
    from werkzeug.test import EnvironBuilder

    from cds_service.config import Settings
    from cds_service.protocol.app import create_app

    manifest = json.loads((bodies / "manifest.json").read_text(encoding="utf-8"))
    now = datetime.fromisoformat(manifest["now"])
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(feedback_db=str(Path(work) / "unused.sqlite3"), max_body_bytes=MAX_BODY_BYTES,
                            strict_rules=True)
        app = create_app(settings, clock=lambda: now, store=_KeepsNothing())
        medians = {}
        for workload in manifest["workloads"]:
            body = (bodies / workload["file"]).read_bytes()
            environ = EnvironBuilder(path=f"/cds-services/{workload['service']}", method="POST", data=body,
                                     content_type="application/json", base_url="http://127.0.0.1:8080").get_environ()
            samples = [_cpu_ms(app, environ, body) for _ in range(WARM_UP_CALLS + calls)][WARM_UP_CALLS:]
            medians[workload["name"]] = round(statistics.median(samples), 3)
    return medians


def _cpu_ms(app: Any, environ: dict[str, Any], body: bytes) -> float:
    statuses: list[str] = []
    gc.collect()
    started = time.thread_time_ns()
    result = app({**environ, "wsgi.input": io.BytesIO(body)}, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    elapsed = (time.thread_time_ns() - started) / 1e6
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[0]}")
    return elapsed


def write_bodies(directory: Path) -> None:
    from bench.workloads import NOW, general_patient_view, sized_workload, small_patient_view, typical_workloads

    chosen = {"patient-view 420 KiB": typical_workloads()[0], "patient-view 198 KiB": small_patient_view(),
              "patient-view 10 resources": sized_workload(10), "patient-view 420 KiB general": general_patient_view()}
    entries = []
    for index, (name, workload) in enumerate(chosen.items()):
        (directory / f"{index}.json").write_bytes(json.dumps(workload.body).encode())
        entries.append({"name": name, "service": workload.service_id, "file": f"{index}.json"})
    (directory / "manifest.json").write_text(json.dumps({"now": NOW.isoformat(), "workloads": entries}),
                                              encoding="utf-8")


def _run(tree: Path, bodies: Path, calls: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", str(bodies), "--calls",
                           str(calls)], env=env, cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results: dict[str, list[dict[str, float]]]) -> str:
    (this, these), (rev, others) = results.items()
    lines = [f"thread CPU ms per call, median of each round (lowest-highest over {len(these)} rounds)",
             f"{'workload':28} {rev:>18} {this:>18}   change"]
    for name in these[0]:
        old, new = [r[name] for r in others], [r[name] for r in these]
        change = (statistics.median(new) / statistics.median(old) - 1) * 100
        lines.append(f"{name:28} {min(old):8.2f}-{max(old):<8.2f} {min(new):8.2f}-{max(new):<8.2f}  {change:+6.1f} %")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", nargs="?", help="the commit to compare this working tree with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=150)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.calls)))
        return 0
    if not args.rev:
        parser.error("give the commit to compare with")
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                               check=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="myositis-compare-") as scratch:
        bodies, tree = Path(scratch) / "bodies", Path(scratch) / "tree"
        bodies.mkdir()
        write_bodies(bodies)
        subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(tree), args.rev], cwd=root, check=True)
        try:
            results: dict[str, list[dict[str, float]]] = {"this tree": [], args.rev: []}
            for _ in range(args.rounds):
                results["this tree"].append(_run(root, bodies, args.calls))
                results[args.rev].append(_run(tree, bodies, args.calls))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=root, check=False)
    print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
