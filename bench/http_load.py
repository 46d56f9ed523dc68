"""The production server under load on loopback: `myositis-cds serve` (gunicorn) driven by an
asyncio + httpx load generator, bounded in time and request count.

Runs on the same server:
- fixed rate (open loop): request i is due at start + i / rate whatever happened before; its
  latency counts from when it was due, so a server that falls behind is charged for the queue
  (no coordinated omission); run at the target rate and at half the measured capacity;
- saturation (closed loop): a fixed number of clients each send the next request as soon as the
  previous one is answered; the throughput is the server's capacity with this mix.
Errors are non-200 answers, transport errors and timeouts (no answer within REQUEST_TIMEOUT_S),
and at a fixed rate the requests dropped because they were still queued that long after due.
Then the peak resident memory (VmHWM) of each worker is read from /proc.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.stats import summary

REQUEST_TIMEOUT_S = 10.0
#: Requests in flight at a fixed rate (gunicorn's sync workers queue the rest in the listen backlog).
CONNECTIONS = 32
DROPPED = f"not sent: still queued {REQUEST_TIMEOUT_S:g} s after due"
#: The "not overloaded" fixed rate, as a share of the throughput measured at saturation.
SUSTAINABLE_SHARE = 0.5
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Target:
    path: str  # /cds-services/{id}
    body: bytes


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_command(port: int, workers: int) -> list[str]:
    return [str(Path(sys.executable).with_name("myositis-cds")), "serve", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers)]


def floor_command(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "bench.floor_server", "--port", str(port), "--workers", str(workers)]


@contextmanager
def served(workers: int, log_dir: Path, env: dict[str, str],
           command: Callable[[int, int], list[str]] = service_command, name: str = "serve") -> Iterator[Server]:
    """`myositis-cds serve` (or another `command`) on a free loopback port until the block ends."""
    port = free_port()
    with (log_dir / f"{name}-access.log").open("wb") as out, (log_dir / f"{name}-error.log").open("wb") as err:
        process = subprocess.Popen(command(port, workers), stdout=out, stderr=err, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, workers)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"myositis-cds serve exited with {process.returncode} (see serve-error.log)")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200 and len(worker_pids(process.pid)) >= workers:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"myositis-cds serve did not answer within {START_TIMEOUT_S} s")


def worker_pids(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def memory_kib(pid: int) -> dict[str, int]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"peak_rss_kib": int(fields["VmHWM"].split()[0]), "rss_kib": int(fields["VmRSS"].split()[0])}


@dataclass
class _Tally:
    latencies_ms: list[float]
    errors: dict[str, int]

    def add_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _send(client: httpx.AsyncClient, target: Target, since: float, tally: _Tally) -> None:
    try:
        response = await client.post(target.path, content=target.body, headers={"Content-Type": "application/json"})
    except httpx.HTTPError as error:
        tally.add_error(type(error).__name__)
        return
    if response.status_code != 200:
        tally.add_error(f"HTTP {response.status_code}")
        return
    tally.latencies_ms.append((time.perf_counter() - since) * 1000)


def _client(base: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S,
                             limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections))


async def _fixed_rate(base: str, targets: Sequence[Target], rate: float, duration_s: float, connections: int) -> dict[str, Any]:
    """At most `connections` requests in flight; the others wait their turn in the client (and
    that wait counts in their latency). One still waiting REQUEST_TIMEOUT_S after it was due is
    dropped as an error, which bounds the run when the server cannot keep up."""
    tally = _Tally([], {})
    count = int(rate * duration_s)
    slots = asyncio.Semaphore(connections)
    async with _client(base, connections) as client:

        async def one(target: Target, due: float) -> None:
            async with slots:
                if time.perf_counter() - due > REQUEST_TIMEOUT_S:
                    tally.add_error(DROPPED)
                    return
                await _send(client, target, due, tally)

        started, cpu = time.perf_counter(), time.process_time()
        tasks = []
        for i in range(count):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(targets[i % len(targets)], due)))
        await asyncio.gather(*tasks)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _report(tally, count, elapsed, cpu, {"rate_per_s": rate, "duration_s": duration_s, "connections": connections})


async def _saturation(base: str, targets: Sequence[Target], clients: int, duration_s: float, max_requests: int) -> dict[str, Any]:
    tally = _Tally([], {})
    sent = 0
    async with _client(base, clients) as client:
        started, cpu = time.perf_counter(), time.process_time()
        stop = started + duration_s

        async def worker() -> None:
            nonlocal sent
            while time.perf_counter() < stop and sent < max_requests:
                target = targets[sent % len(targets)]
                sent += 1
                await _send(client, target, time.perf_counter(), tally)

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _report(tally, sent, elapsed, cpu, {"clients": clients, "duration_s": duration_s})


def _report(tally: _Tally, sent: int, elapsed: float, client_cpu_s: float, setup: dict[str, Any]) -> dict[str, Any]:
    """`client_cpu_cores`: the load generator's own CPU use, taken from the cores the server shares."""
    result: dict[str, Any] = {
        **setup,
        "sent": sent,
        "ok": len(tally.latencies_ms),
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "elapsed_s": round(elapsed, 2),
        "throughput_per_s": round(len(tally.latencies_ms) / elapsed, 1),
        "client_cpu_cores": round(client_cpu_s / elapsed, 2),
    }
    if tally.latencies_ms:
        result["latency"] = summary(tally.latencies_ms)
    return result


def run(targets: Sequence[Target], *, workers: int, rate: float, duration_s: float, saturation_clients: int,
        log_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Saturation first (the capacity), then the fixed target rate, then a fixed rate of
    SUSTAINABLE_SHARE of the measured capacity (the latency when the server is not overloaded)."""
    with served(workers, log_dir, env) as server:
        warm = asyncio.run(_saturation(server.base, targets, saturation_clients, min(3.0, duration_s), 10_000))
        saturated = asyncio.run(_saturation(server.base, targets, saturation_clients, duration_s, 100_000))
        fixed = asyncio.run(_fixed_rate(server.base, targets, rate, duration_s, connections=CONNECTIONS))
        sustainable_rate = max(1.0, round(saturated["throughput_per_s"] * SUSTAINABLE_SHARE))
        sustainable = asyncio.run(_fixed_rate(server.base, targets, sustainable_rate, duration_s, connections=CONNECTIONS))
        memory = {str(pid): memory_kib(pid) for pid in worker_pids(server.pid)}
    return {
        "workers": workers,
        "warmup": {"sent": warm["sent"], "errors": warm["errors"]},
        "saturation": saturated,
        "fixed_rate": fixed,
        "sustainable_rate": sustainable,
        "worker_memory": memory,
        "peak_worker_rss_mib": round(max(m["peak_rss_kib"] for m in memory.values()) / 1024, 1) if memory else None,
    }
