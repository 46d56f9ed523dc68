"""R4 conformance check of a resource with fhir.resources (R4B models), for the parse report.

The mappings always read the fields they need from the raw JSON (EHRs send resources that are not
quite valid R4: the CDS Hooks sandbox sends MedicationRequest.category as an object, some drafts
lack `intent`), so validation never decides what is read; it tells what did not conform. It costs
~0.3 ms per resource, so `parse` validates the few resources a clinician is acting on (draft
orders and the Patient), not every Observation of a 5,000-resource record.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

#: Elements required by R4 that the R4B models do not enforce on their own.
REQUIRED: dict[str, tuple[str, ...]] = {
    "MedicationRequest": ("status", "intent", "subject"),
    "ServiceRequest": ("status", "intent", "subject"),
    "Observation": ("status", "code"),
    "Condition": ("subject",),
}


@cache
def _model(resource_type: str) -> Any:
    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError, ImportError, AttributeError):
        return None


def conformance_problems(resource: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of the elements that are not valid R4 (no values, so no patient data), empty if valid."""
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        return ("resourceType",)
    model = _model(resource_type)
    if model is None:
        return (f"unknown resourceType {resource_type}",)
    problems = [f"{name} missing" for name in REQUIRED.get(resource_type, ()) if resource.get(name) is None]
    try:
        model.model_validate(dict(resource))
    except ValidationError as error:
        problems.extend(".".join(str(p) for p in e["loc"]) or e["type"] for e in error.errors())
    except (TypeError, ValueError) as error:
        problems.append(type(error).__name__)
    return tuple(dict.fromkeys(problems))
