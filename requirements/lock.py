"""Regenerates the lock files of this directory from pyproject.toml (`make lock`).

Each lock pins every package, with the hashes of all its published files, for one install:
`service.txt` is what `make serve` and the installed wheel run on; `test.txt` and `bench.txt` add the
`test` and `bench` extras on top, constrained to the service's pins, so the tests run the versions a
user installs. The first line of each lock records a digest of the dependency ranges it was made
from; a test fails when pyproject.toml has changed since (`tests/test_locks.py`).

Usage: python requirements/lock.py UV   (UV: the path of the uv executable)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYPROJECT = HERE.parent / "pyproject.toml"
#: Lock file name -> the pyproject extras it adds to the service's dependencies.
LOCKS: dict[str, tuple[str, ...]] = {"service.txt": (), "test.txt": ("test",), "bench.txt": ("bench",)}
DIGEST_PREFIX = "# pyproject-digest: "
PYTHON_VERSION = "3.11"


def pyproject_digest(pyproject: Path = PYPROJECT) -> str:
    """A digest of everything in pyproject.toml that decides a lock's contents."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    decisive = {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", ())),
        "optional-dependencies": {name: sorted(reqs) for name, reqs in project.get("optional-dependencies", {}).items()},
        "python-version": PYTHON_VERSION,
    }
    return "sha256:" + hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    first = lock.read_text(encoding="utf-8").partition("\n")[0]
    return first.removeprefix(DIGEST_PREFIX) if first.startswith(DIGEST_PREFIX) else None


def compile_lock(uv: str, name: str, extras: tuple[str, ...]) -> None:
    command = [uv, "pip", "compile", str(PYPROJECT), "--quiet", "--generate-hashes", "--universal",
               "--python-version", PYTHON_VERSION, "--custom-compile-command", "make lock", "-o", str(HERE / name)]
    for extra in extras:
        command += ["--extra", extra]
    if extras:
        command += ["--constraint", str(HERE / "service.txt")]
    subprocess.run(command, check=True)
    lock = HERE / name
    lock.write_text(f"{DIGEST_PREFIX}{pyproject_digest()}\n" + lock.read_text(encoding="utf-8"), encoding="utf-8")


def main(uv: str) -> int:
    for name, extras in LOCKS.items():  # service.txt first: the others are constrained by it
        compile_lock(uv, name, extras)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
