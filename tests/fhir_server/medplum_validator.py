"""Run `validate.mjs` (Medplum's R4 validator and FHIRPath engine) over resources; see that file for
what each part of a result covers."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fhir_server.launch import HERE

TIMEOUT_SECONDS = 120


def validate(resources: Sequence[Mapping[str, Any]], invariants: Sequence[Sequence[Mapping[str, str]]] = (),
             extensions: Sequence[str] = ()) -> list[dict[str, list[str]]]:
    """One result per resource: {"r4", "invariants", "extensions"}, each a list of errors."""
    payload = {"resources": list(resources), "invariants": [list(i) for i in invariants], "extensions": list(extensions)}
    done = subprocess.run(["node", "validate.mjs"], cwd=HERE, input=json.dumps(payload), capture_output=True,
                          text=True, timeout=TIMEOUT_SECONDS, check=False)
    if done.returncode:
        raise RuntimeError(f"validate.mjs failed: {done.stderr}")
    return json.loads(done.stdout)
