"""The service as a user installs it: a wheel built from this tree, installed with the service lock
only (no test extras) into a new virtualenv outside the repository."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What the wheel is built from: the packaged sources and the files pyproject.toml names.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "cds_service", "hooks", "fhir_mappings")
INSTALL_TIMEOUT_S = 600


@dataclass(frozen=True)
class Installed:
    venv: Path

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "myositis-cds"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}")


def build_and_install(workdir: Path, lock: Path = ROOT / "requirements" / "service.txt") -> Installed:
    """Build the wheel from a clean copy of its sources (no stale build/ directory can leak into it),
    then install the lock with its hashes and the wheel without resolving anything again."""
    sources = workdir / "sources"
    for name in WHEEL_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, sources / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            sources.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, sources / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(workdir / "dist"), str(sources)])
    venv = workdir / "venv"
    _run([sys.executable, "-m", "venv", "--clear", str(venv)])
    installed = Installed(venv)
    _run([str(installed.python), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(lock)])
    wheel = next((workdir / "dist").glob("myositis_cds-*.whl"))
    _run([str(installed.python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)])
    return installed


def clean_environment(**overrides: str) -> dict[str, str]:
    """The caller's environment without the service's settings or a Python path into this tree."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("CDS_") and key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment.update(overrides)
    return environment


def interrupt(process: subprocess.Popen[bytes], timeout: float = 20.0) -> int:
    """Ctrl-C as a terminal sends it (to the whole process group); the exit status."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
