"""Start and stop the SMART App Launcher (`upstream/`, vendored unmodified; see PROVENANCE.md) in front
of a FHIR server, and build its launch codes. Used by the timeline app's browser tests (issue 26).

Only the launcher's back end runs (ts-node, no React build): it serves SMART discovery, the
authorization and token endpoints (EHR launch and standalone launch, PKCE) and proxies the FHIR server.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import IO

from tests.fhir_server.launch import first_line, stop

UPSTREAM = Path(__file__).resolve().parent / "upstream"
START_TIMEOUT_SECONDS = 60  # ts-node compiles the back end at start
_READY = re.compile(r"SMART launcher available at (http://[\d.]+:\d+)")

#: Launch types and PKCE modes by their index in the launcher's codec (src/isomorphic/codec.ts).
PROVIDER_EHR, PATIENT_STANDALONE = 0, 3
PKCE_ALWAYS = 2

__all__ = ["launch_code", "missing", "start", "stop"]


def missing() -> str | None:
    """Why the launcher cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed; the SMART launcher needs Node 16+"
    if not (UPSTREAM / "node_modules" / ".bin" / "ts-node").exists():
        return "SMART launcher not installed: `make tests/smart_launcher/upstream/node_modules/.package-lock.json`"
    if not (UPSTREAM / "private-key.pem").exists():
        return "SMART launcher has no key pair (private-key.pem): its make target creates one"
    return None


def launch_code(launch_type: int, patient: str, provider: str = "") -> str:
    """The launcher's launch parameters (base64url JSON array): public client, PKCE required, login and
    authorisation screens skipped, no encounter (its automatic encounter pick drops the base path)."""
    params = [launch_type, patient, provider, "NONE", 1, 1, 0, "", "", "", "", "", "", "", 0, PKCE_ALWAYS, ""]
    return base64.urlsafe_b64encode(json.dumps(params).encode()).decode().rstrip("=")


def start(log: IO[str], fhir_base: str, *, timeout: float = START_TIMEOUT_SECONDS) -> tuple[subprocess.Popen[str], str]:
    """The running launcher and its origin (loopback, a free port), proxying `fhir_base` as its R4 server."""
    env = {**os.environ, "NODE_ENV": "production", "PORT": "0", "HOST": "127.0.0.1",
           "SECRET": secrets.token_urlsafe(16), "FHIR_SERVER_R4": fhir_base, "FHIR_SERVER_R3": "", "FHIR_SERVER_R2": ""}
    command = ["node_modules/.bin/ts-node", "--skipProject", "--transpile-only", "backend/index.ts"]
    process = subprocess.Popen(command, cwd=UPSTREAM, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = first_line(process, timeout)
        ready = _READY.search(line)
        if not ready:
            raise RuntimeError(f"SMART launcher did not start: {line!r}")
        return process, ready.group(1)
    except BaseException:
        stop(process)
        raise
