"""`myositis-cds serve` in a subprocess on a free loopback port, for tests of the deployed server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Served:
    host: str
    port: int
    pid: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(tmp: Path, workers: int = 2, **env: str) -> Iterator[Served]:
    """The service as deployed (gevent workers, warm-up) until the block ends; stopped by its pid."""
    command = Path(sys.executable).with_name("myositis-cds")
    port = free_port()
    environment = {**os.environ, "CDS_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
                   "CDS_JTI_REPLAY_DB": str(tmp / "replay.sqlite3"), **env}
    environment.pop("CDS_TRUSTED_ISSUERS", None)
    with (tmp / "serve.log").open("wb") as log:
        process = subprocess.Popen([str(command), "serve", "--host", "127.0.0.1", "--port", str(port),
                                    "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process, tmp / "serve.log")
        yield Served("127.0.0.1", port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"myositis-cds serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"myositis-cds serve did not answer within {START_TIMEOUT_S} s")


def worker_pid(server: Served) -> int:
    """The process id of the one worker of a server started with `workers=1`."""
    [child] = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return int(child)
