"""The recommendations as FHIR R4 knowledge artifacts (`myositis-cds export`).

Generated from the registry, the services and the terminology files at run time, validated with
the fhir.resources R4B models (the project's R4 models; PlanDefinition and ValueSet are the same in
R4 and R4B), and written one resource per file as `{resourceType}-{id}.json`. The committed copy in
`docs/fhir/` is compared with a fresh export by a test (`make catalog` regenerates it). It reads the
rules and may import only `hooks` and `fhir_mappings`, nothing else of `cds_service`; only
`command_line` imports it.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from cds_service.knowledge.plandefinitions import Release, recommendation_plan, service_plan
from cds_service.knowledge.valuesets import source_extension_definition, valuesets
from hooks.registry import all_recommendations
from hooks.services import SERVICES

#: Placeholder canonical base (the reserved `.example` domain): a publisher passes its own with
#: `--canonical-base`.
CANONICAL_BASE = "https://myositis-cds.example/fhir"
#: The date of this release's artifacts (CRMI Publishable `date`); set with the package version.
RELEASE_DATE = "2026-12-07"


ARTIFACT_TYPES = ("PlanDefinition", "ValueSet", "StructureDefinition")


def artifact_version() -> str:
    try:
        return version("myositis-cds")
    except PackageNotFoundError:  # running from a checkout that was not installed
        return "0.0.0"


def resources(base: str = CANONICAL_BASE) -> list[dict[str, Any]]:
    """Every artifact: service PlanDefinitions, recommendation PlanDefinitions, ValueSets and the
    StructureDefinition of the extension that gives each value set code its source."""
    recommendations = all_recommendations()
    release = Release(artifact_version(), RELEASE_DATE)
    return [
        *(service_plan(base, release, service, recommendations) for service in SERVICES),
        *(recommendation_plan(base, release, r) for r in recommendations),
        *valuesets(base),
        source_extension_definition(base, release.version, release.date),
    ]


def validate(resource: dict[str, Any]) -> None:
    """Raise pydantic.ValidationError when `resource` is not a valid FHIR resource."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def file_name(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}-{resource['id']}.json"


def render(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def files(base: str = CANONICAL_BASE) -> dict[str, str]:
    """File name -> content of the export, every resource validated first."""
    out = {}
    for resource in resources(base):
        validate(resource)
        out[file_name(resource)] = render(resource)
    return out


def write(directory: Path, base: str = CANONICAL_BASE) -> list[str]:
    """Write the export into `directory` (created), removing artifacts of ours that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    contents = files(base)
    for stale in directory.glob("*.json"):
        if stale.name not in contents and stale.name.split("-", 1)[0] in ARTIFACT_TYPES:
            stale.unlink()
    for name, text in contents.items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(contents)
