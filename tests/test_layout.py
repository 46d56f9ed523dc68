"""The layout of `cds_service/` is its architecture: parts by concern, imports flowing one way.

Every `import` counts, at module level, inside a function (the lazy imports of the launcher and the
server) or under TYPE_CHECKING: a circle through any of them is still a circle for a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cds_service"

#: The parts of cds_service, top to bottom: each may import only parts listed after it.
LAYERS = (
    "launcher", "command_line", "knowledge", "server", "protocol", "security", "storage", "metrics", "fetch",
    "config", "errors", "client_profiles",
)
#: config checks settings with these, which import nothing from cds_service (so no circle can pass through them).
CONFIG_LEAVES = frozenset({"cds_service.storage.dependencies", "cds_service.fetch.allowlist"})


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(name: str) -> Iterator[str]:
    """The cds_service modules `name` imports, anywhere in its file."""
    known = modules()
    for node in ast.walk(ast.parse(known[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                       for alias in node.names]
        else:
            continue
        yield from (target for target in targets if target in known and target != name)


@cache
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imported(name)) for name in modules()}


def part(name: str) -> str:
    return name.split(".")[1] if "." in name else name


def test_every_part_of_cds_service_is_a_known_layer():
    assert {part(name) for name in modules() if name != "cds_service"} == set(LAYERS)


def test_cds_service_holds_at_most_15_entries():
    entries = [entry for entry in PACKAGE.iterdir() if entry.name != "__pycache__"]
    assert len(entries) <= 15, sorted(entry.name for entry in entries)


@pytest.mark.parametrize("package", sorted(entry.name for entry in PACKAGE.iterdir() if (entry / "__init__.py").exists()))
def test_every_subpackage_says_what_it_owns_and_may_import(package):
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring and "import" in docstring, f"cds_service/{package}/__init__.py"


def test_no_import_circle_between_modules():
    edges, seen, done, path = graph(), set(), set(), []

    def visit(name: str) -> None:
        seen.add(name)
        path.append(name)
        for target in sorted(edges[name]):
            assert target not in path, " -> ".join(path[path.index(target):] + [target])
            if target not in seen:
                visit(target)
        path.pop()
        done.add(name)

    for name in sorted(edges):
        if name not in done:
            visit(name)


def test_each_part_imports_only_parts_below_it():
    upward = [
        f"{name} -> {target}" for name, targets in graph().items() for target in sorted(targets)
        if part(name) != part(target) and LAYERS.index(part(name)) > LAYERS.index(part(target))
        and not (part(name) == "config" and target in CONFIG_LEAVES)
    ]
    assert upward == []


@pytest.mark.parametrize("leaf", sorted(CONFIG_LEAVES))
def test_what_config_imports_from_above_it_imports_nothing_from_cds_service(leaf):
    assert graph()[leaf] == frozenset()
