"""Service instances as a hospital runs them: `myositis-cds serve` processes on loopback ports,
configured only by environment, each in its own process group so a test can SIGKILL one whole
instance (gunicorn master and workers) as a crashed host would die."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import requests

from tests.servers.local import free_port

COMMAND = Path(sys.executable).parent / "myositis-cds"
START_TIMEOUT_SECONDS = 60


class Instance:
    def __init__(self, name: str, directory: Path, environment: Mapping[str, str], workers: int = 1) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        directory.mkdir(parents=True, exist_ok=True)
        self.log = directory / f"{name}.log"
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory / f"{name}-metrics"), **environment}
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [str(COMMAND), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"instance {self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"instance {self.name} did not answer within {START_TIMEOUT_SECONDS} s")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: no shutdown code runs."""
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=10)

    def stop(self) -> None:
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")
