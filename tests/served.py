"""`myositis-cds serve` as a real process on a free loopback port, for tests of the deployed server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(log_dir: Path, env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """The base URL of a running server (stdout and stderr in log_dir/serve.out, serve.err); the
    server is stopped when the block ends."""
    port = free_port()
    command = Path(sys.executable).with_name("myositis-cds")
    with (log_dir / "serve.out").open("wb") as out, (log_dir / "serve.err").open("wb") as err:
        server = subprocess.Popen([str(command), "serve", "--port", str(port), "--workers", str(workers)],
                                  stdout=out, stderr=err, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, (log_dir / "serve.err").read_text()
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
