"""`python -m bench.scaleout` (`make bench-scaleout`): hook calls against 1 instance and against 2
instances on this machine, both recording issued cards in one PostgreSQL server (README "Deployment").

Each instance is `myositis-cds serve --workers 1` on a loopback port with `CDS_STORE_URL` naming the
shared server (started for the run in a temporary directory, like the tests'). The load generator
(asyncio + httpx, on the same cores) runs a fixed number of clients that each send the next of the three
typical hook calls as soon as the previous one is answered, spread over the instances in turn as a
load balancer would; after a warm-up, a bounded run measures throughput and latency. Afterwards the
cards recorded in PostgreSQL are counted against the cards answered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.http_load import REQUEST_TIMEOUT_S
from bench.stats import summary
from bench.workloads import typical_workloads
from tests.servers.instances import Instance
from tests.servers.local import PostgresServer

RESULTS = Path(__file__).resolve().parent / "results"
CLIENTS = 8
MAX_REQUESTS = 20_000


async def _saturate(bases: list[str], targets: list[tuple[str, bytes]], duration_s: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    cards = 0
    sent = 0
    clients = [httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) for base in bases]
    started = time.perf_counter()
    stop = started + duration_s

    async def worker() -> None:
        nonlocal sent, cards
        while time.perf_counter() < stop and sent < MAX_REQUESTS:
            client = clients[sent % len(clients)]
            path, body = targets[sent % len(targets)]
            sent += 1
            began = time.perf_counter()
            try:
                response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
            except httpx.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                continue
            if response.status_code != 200:
                errors[f"HTTP {response.status_code}"] = errors.get(f"HTTP {response.status_code}", 0) + 1
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            cards += len(response.json()["cards"])

    try:
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    finally:
        for client in clients:
            await client.aclose()
    elapsed = time.perf_counter() - started
    return {"instances": len(bases), "sent": sent, "ok": len(latencies), "errors": errors,
            "throughput_per_s": round(len(latencies) / elapsed, 1), "cards_answered": cards,
            "latency": summary(latencies) if latencies else None}


def _recorded_cards(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM issued_card").fetchone()[0]


def measure(instances: int, server: PostgresServer, work: Path, seconds: float) -> dict[str, Any]:
    url = server.new_database()
    targets = [(f"/cds-services/{w.service_id}", json.dumps(w.body).encode()) for w in typical_workloads()]
    started = [Instance(f"i{instances}-{n}", work, {"CDS_STORE_URL": url}) for n in range(instances)]
    try:
        bases = [instance.url for instance in started]
        asyncio.run(_saturate(bases, targets, min(3.0, seconds)))  # warm-up
        before = _recorded_cards(url)
        result = asyncio.run(_saturate(bases, targets, seconds))
        result["cards_recorded"] = _recorded_cards(url) - before
    finally:
        for instance in started:
            instance.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per configuration")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="myositis-cds-scaleout-"))
    postgres_dir = Path(tempfile.mkdtemp(prefix="myositis-cds-scaleout-pg-"))  # its own: handed to the postgres user
    server = PostgresServer(postgres_dir)
    server.start()
    try:
        load_before = os.getloadavg()
        runs = [measure(n, server, work, args.seconds) for n in (1, 2)]
        results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cores": os.cpu_count(),
                   "load_average_before": [round(x, 2) for x in load_before], "clients": CLIENTS,
                   "seconds": args.seconds, "runs": runs,
                   "speedup": round(runs[1]["throughput_per_s"] / runs[0]["throughput_per_s"], 2)}
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(postgres_dir, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaleout.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| instances | requests/s | median ms | p95 ms | errors | cards answered | cards recorded |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        latency = run["latency"] or {}
        print(f"| {run['instances']} | {run['throughput_per_s']} | {latency.get('median_ms')} | {latency.get('p95_ms')} "
              f"| {sum(run['errors'].values())} | {run['cards_answered']} | {run['cards_recorded']} |")
    print(f"2 instances / 1 instance: {results['speedup']}x ({results['cores']} cores, load average before "
          f"{results['load_average_before']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
