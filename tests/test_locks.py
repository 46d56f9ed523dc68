"""The lock files (requirements/*.txt) are what every install uses: they must match pyproject.toml."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)


def _lock_tool():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "requirements" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOCK = _lock_tool()


def pins(lock_name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock_name).read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def project() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize("lock_name", list(LOCK.LOCKS))
def test_each_lock_was_made_from_the_current_pyproject(lock_name):
    recorded = LOCK.recorded_digest(ROOT / "requirements" / lock_name)
    assert recorded == LOCK.pyproject_digest(), f"requirements/{lock_name} is stale: run `make lock`"


def test_the_digest_changes_when_a_dependency_range_changes(tmp_path):
    changed = tmp_path / "pyproject.toml"
    changed.write_text(PYPROJECT.read_text(encoding="utf-8").replace('"flask>=3.0,<4"', '"flask>=3.1,<4"'))
    assert LOCK.pyproject_digest(changed) != LOCK.pyproject_digest()


@pytest.mark.parametrize("lock_name", list(LOCK.LOCKS))
def test_every_declared_dependency_is_pinned_within_its_range(lock_name):
    requirements = list(project()["dependencies"])
    for extra in LOCK.LOCKS[lock_name]:
        requirements += project()["optional-dependencies"][extra]
    pinned = pins(lock_name)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements/{lock_name}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{requirement.name}=={pinned[name]} in requirements/{lock_name} is outside {requirement.specifier}")


@pytest.mark.parametrize("lock_name", ["test.txt", "bench.txt"])
def test_tests_and_benchmark_run_the_versions_a_user_installs(lock_name):
    service, extended = pins("service.txt"), pins(lock_name)
    assert {name: extended.get(name) for name in service} == service


def test_every_pin_carries_hashes():
    for lock_name in LOCK.LOCKS:
        text = (ROOT / "requirements" / lock_name).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        unhashed = [block.split()[0] for block in blocks if PIN.match(block) and "--hash=sha256:" not in block]
        assert unhashed == [], f"requirements/{lock_name}: no hash for {unhashed}"


def test_gunicorn_is_installed_with_what_its_gevent_worker_imports():
    assert "gunicorn[gevent]" in "".join(project()["dependencies"]).replace(" ", "")
    assert "packaging" in pins("service.txt")
