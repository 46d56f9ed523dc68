"""Derive `ig-constraints.json` from the CPG STU2 and CRMI IG sources (run by hand, not by the tests).

    python tests/conformance/extract_ig_constraints.py ../shared/fhir-ig > tests/conformance/ig-constraints.json

The IG packages are not on the registries this project reaches, so the constraints its export test
checks are read from the IG sources (both CC0, HL7): the CRMI StructureDefinitions' differentials
(JSON) and the CPG STU2 profiles' FSH (a small subset of FSH: cardinality, `=` on a CodeableConcept,
`extension contains ... named ...`, nested paths by indentation; flags, caret rules, `only` and
bindings are not constraints an instance can break here and are skipped). Each profile records its
source file; `extensions` lists every extension URL the IGs' alias files name.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

CPG_SOURCE = ("HL7 FHIR Clinical Practice Guidelines IG STU2, git tag 2.0.0 of HL7/cqf-recommendations "
              "(commit c91a79d595148eb0274409c4f1b79126d2202d39), CC0 1.0")
CRMI_SOURCE = "HL7 Canonical Resource Management Infrastructure IG, HL7/crmi-ig commit cedddaa40cb2038451ed87d0bd79260ccbb095bb, CC0"
CRMI_PROFILES = ("shareableplandefinition", "publishableplandefinition", "shareablevalueset", "publishablevalueset",
                 "computablevalueset", "expandedvalueset")
CPG_PROFILES = ("artifact-profiles/cpg-computable-plandefinition.fsh", "domain-profiles/cpg-recommendationdefinition.fsh")
_CPG_BASE = "http://hl7.org/fhir/uv/cpg/StructureDefinition/"
_CARDINALITY = re.compile(r"(\d+)\.\.(\d+|\*)")
_SLICE = re.compile(r"(\$[\w-]+) named (\w+) (\d+)\.\.(\d+|\*)")


def aliases(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^Alias: (\$[\w.-]+) = (\S+)", path.read_text(), re.MULTILINE))


# --- CRMI: StructureDefinition differentials --------------------------------------------------------


def crmi_profile(path: Path) -> dict[str, Any]:
    definition = json.loads(path.read_text())
    elements = []
    for element in definition["differential"]["element"]:
        rule: dict[str, Any] = {"id": element["id"]}
        if "min" in element and "." in element["id"]:
            rule["min"], rule["max"] = element["min"], element["max"]
        if element.get("sliceName"):
            rule["url"] = element["type"][0]["profile"][0]
        invariants = [{"key": c["key"], "severity": c["severity"], "human": c["human"], "expression": c["expression"]}
                      for c in element.get("constraint", ())]
        if invariants:
            rule["invariants"] = invariants
        if len(rule) > 1:
            elements.append(rule)
    return {"resourceType": definition["type"], "source": f"crmi/input/profiles/{path.name}", "elements": elements}


# --- CPG: FSH profiles ------------------------------------------------------------------------------


def _rules(text: str) -> list[tuple[str, str]]:
    """(full element path, rule text) of each `*` rule, continuation lines joined, nesting resolved."""
    lines: list[tuple[int, str]] = []
    for raw in text.splitlines():
        if raw.lstrip().startswith("*"):
            indent = len(raw) - len(raw.lstrip())
            lines.append((indent, raw.strip()[1:].strip()))
        elif raw.strip() and lines and not raw.strip().startswith("//") and ":" not in raw.split()[0]:
            indent, rule = lines[-1]
            lines[-1] = (indent, f"{rule} {raw.strip()}")
    out, stack = [], []
    for indent, rule in lines:
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = rule.split()[0]
        full = ".".join([*(p for _, p in stack), path])
        out.append((full, rule[len(path):].strip()))
        stack.append((indent, path))
    return out


def cpg_profile(path: Path, alias: dict[str, str]) -> tuple[str, dict[str, Any]]:
    text = path.read_text()
    header = dict(re.findall(r"^(Profile|Parent|Id): (\S+)", text, re.MULTILINE))
    elements: list[dict[str, Any]] = []
    for element, rule in _rules(text):
        element_id = f"PlanDefinition.{element}"
        if rule.startswith("contains"):
            for extension, name, low, high in _SLICE.findall(rule):
                elements.append({"id": f"{element_id}:{name}", "url": alias[extension], "min": int(low), "max": high})
        elif rule.startswith("= $"):
            system, code = rule[2:].split("#")
            elements.append({"id": element_id, "pattern": {"coding": [{"system": alias[system], "code": code}]}})
        elif match := _CARDINALITY.match(rule):
            elements.append({"id": element_id, "min": int(match[1]), "max": match[2]})
    profile = {"resourceType": "PlanDefinition", "source": f"cpg-2.0.0/input/fsh/profiles/{path.parent.name}/{path.name}",
               "name": header["Profile"], "parent": header["Parent"], "elements": elements}
    return _CPG_BASE + header["Id"], profile


def extract(root: Path) -> dict[str, Any]:
    cpg, crmi = root / "cpg-2.0.0" / "input" / "fsh", root / "crmi" / "input"
    cpg_alias = aliases(cpg / "aliases.fsh")
    profiles: dict[str, Any] = {}
    for name in CRMI_PROFILES:
        path = crmi / "profiles" / f"StructureDefinition-crmi-{name}.json"
        profiles[json.loads(path.read_text())["url"]] = crmi_profile(path)
    names = {}
    for relative in CPG_PROFILES:
        url, profile = cpg_profile(cpg / "profiles" / relative, cpg_alias)
        names[profile.pop("name")] = url
        profiles[url] = profile
    for profile in profiles.values():  # the CPG parent by its canonical URL (None: a FHIR core resource)
        if "parent" in profile:
            profile["parent"] = names.get(profile["parent"])
    known = {url for alias_map in (cpg_alias, aliases(crmi / "fsh" / "aliases.fsh"))
             for url in alias_map.values() if "/StructureDefinition/" in url}
    return {
        "provenance": {"cpg": CPG_SOURCE, "crmi": CRMI_SOURCE,
                       "generated_by": "tests/conformance/extract_ig_constraints.py from ../shared/fhir-ig"},
        "profiles": profiles,
        "extensions": sorted(known),
    }


if __name__ == "__main__":
    json.dump(extract(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
