"""Start and stop the in-memory FHIR server (`server.mjs`); used by the tests and by `make demo`."""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
START_TIMEOUT_SECONDS = 30


def missing() -> str | None:
    """Why the server cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed; the FHIR server needs Node 20+"
    if not (HERE / "node_modules" / "@medplum" / "fhir-router").is_dir():
        return "FHIR test server not installed: run `npm ci` in tests/fhir_server (`make test` does)"
    return None


def first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise RuntimeError(f"FHIR server did not start within {timeout} s")
    return process.stdout.readline()


def start(log: IO[str], *, port: int = 0, token: str = "", page_size: int | None = None,
          timeout: float = START_TIMEOUT_SECONDS) -> tuple[subprocess.Popen[str], str]:
    """The running server process and its base URL (loopback; `port` 0 picks a free one)."""
    command = ["node", "server.mjs", "--port", str(port)]
    if token:
        command += ["--token", token]
    if page_size:
        command += ["--page-size", str(page_size)]
    process = subprocess.Popen(command, cwd=HERE, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = first_line(process, timeout)
        if not line:
            raise RuntimeError("FHIR server exited at start")
        return process, json.loads(line)["base"]
    except BaseException:
        stop(process)
        raise


def stop(process: subprocess.Popen[str]) -> None:
    """Terminate the server, killing it when it has not exited within 5 s."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
