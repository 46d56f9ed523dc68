"""Check a resource against the element constraints of the IG profiles it claims (`meta.profile`).

The constraints are `ig-constraints.json`, derived from the CPG STU2 and CRMI sources by
`extract_ig_constraints.py` (with its provenance). Checked here: each element's cardinality in each
instance of its parent, extension slices (selected by their URL) and their cardinality, and
`pattern` values (the recommendation definition's `type` = eca-rule), for the profile and its CPG
parents. The profiles' FHIRPath invariants (`cvs-1`, `evs-1`) are evaluated by the Medplum validator
(tests/fhir_server/validate.mjs), which `invariants` lists for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CONSTRAINTS = json.loads((Path(__file__).resolve().parent / "ig-constraints.json").read_text())
PROFILES: Mapping[str, Mapping[str, Any]] = CONSTRAINTS["profiles"]


def _lineage(url: str) -> Iterator[Mapping[str, Any]]:
    while url:
        profile = PROFILES[url]
        yield profile
        url = profile.get("parent")


def claimed(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The profiles `resource` claims that the constraints cover, with their CPG parents."""
    return [p for url in resource.get("meta", {}).get("profile", ()) if url in PROFILES for p in _lineage(url)]


def _slice_urls(profile: Mapping[str, Any]) -> dict[str, str]:
    return {rule["id"]: rule["url"] for rule in profile["elements"] if "url" in rule}


def _children(node: Any, step: str, slices: Mapping[str, str], prefix: str) -> list[Any]:
    """The values of `step` (`name`, `name:slice` or `value[x]`) in one node."""
    if not isinstance(node, Mapping):
        return []
    name, _, slice_name = step.partition(":")
    if name.endswith("[x]"):
        stem = name[:-3]
        values = [v for key, v in node.items() if key.startswith(stem) and key[len(stem):][:1].isupper()]
    else:
        values = node.get(name, [])
    values = values if isinstance(values, list) else [values]
    if slice_name:
        url = slices[f"{prefix}{step}"]
        values = [v for v in values if isinstance(v, Mapping) and v.get("url") == url]
    return values


def _nodes(resource: Mapping[str, Any], steps: list[str], slices: Mapping[str, str], root: str) -> list[Any]:
    nodes, prefix = [resource], f"{root}."
    for step in steps:
        nodes = [child for node in nodes for child in _children(node, step, slices, prefix)]
        prefix += f"{step}."
    return nodes


def _matches(pattern: Any, value: Any) -> bool:
    """FHIR pattern semantics: every element of the pattern is present in the value (lists: some item)."""
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(_matches(v, value.get(k)) for k, v in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(_matches(p, v) for v in value) for p in pattern)
    return pattern == value


def _rule_errors(resource: Mapping[str, Any], rule: Mapping[str, Any], slices: Mapping[str, str]) -> list[str]:
    root, *steps = rule["id"].split(".")
    if not steps:
        return []
    errors = []
    for parent in _nodes(resource, steps[:-1], slices, root):
        values = _children(parent, steps[-1], slices, ".".join([root, *steps[:-1]]) + ".")
        if "min" in rule and len(values) < rule["min"]:
            errors.append(f"{rule['id']}: {len(values)} present, at least {rule['min']} required")
        if rule.get("max", "*") != "*" and len(values) > int(rule["max"]):
            errors.append(f"{rule['id']}: {len(values)} present, at most {rule['max']} allowed")
        if "pattern" in rule:
            errors += [f"{rule['id']}: does not match the pattern {rule['pattern']}"
                       for value in values if not _matches(rule["pattern"], value)]
    return errors


def errors(resource: Mapping[str, Any]) -> list[str]:
    """Every violation of the element constraints of the profiles `resource` claims."""
    out = []
    for profile in claimed(resource):
        slices = _slice_urls(profile)
        for rule in profile["elements"]:
            out += [f"{profile['source']}: {error}" for error in _rule_errors(resource, rule, slices)]
    return out


def invariants(resource: Mapping[str, Any]) -> list[dict[str, str]]:
    """The FHIRPath invariants of the claimed profiles, each with the element path it applies to."""
    return [{"path": rule["id"], **invariant} for profile in claimed(resource)
            for rule in profile["elements"] for invariant in rule.get("invariants", ())]
