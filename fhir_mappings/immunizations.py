"""Immunization -> `ImmunizationFact`s and AllergyIntolerance -> `Allergy` concepts and allergic drugs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir_mappings.concepts import Allergy, Drug
from fhir_mappings.facts import ImmunizationFact
from fhir_mappings.read import as_list, code_of, codings, date_of, first_text, mapping, string, texts
from fhir_mappings.systems import CVX, canonical
from fhir_mappings.valuesets import allergy_concepts, allergy_drugs, vaccine_concepts

INACTIVE_ALLERGY = frozenset({"inactive", "resolved"})
NOT_AN_ALLERGY = frozenset({"refuted", "entered-in-error"})


def map_immunization(resource: Mapping[str, Any]) -> tuple[ImmunizationFact, ...]:
    """The vaccines of a completed Immunization (not-done and entered-in-error give none)."""
    if (string(resource.get("status")) or "completed") != "completed":
        return ()
    vaccine = resource.get("vaccineCode")
    cvx = [code for system, code, _ in codings(vaccine) if canonical(system) == CVX]
    when = date_of(resource.get("occurrenceDateTime")) or date_of(resource.get("recorded"))
    display = first_text(vaccine)
    return tuple(ImmunizationFact(v, when, display) for v in sorted(vaccine_concepts(cvx, texts(vaccine))))


def _substances(resource: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    concepts = [resource.get("code"), *(mapping(r).get("substance") for r in as_list(resource.get("reaction")))]
    return [(system, code) for c in concepts for system, code, _ in codings(c)], [t for c in concepts for t in texts(c)]


def _active(resource: Mapping[str, Any]) -> bool:
    return (code_of(resource.get("verificationStatus")) not in NOT_AN_ALLERGY
            and code_of(resource.get("clinicalStatus")) not in INACTIVE_ALLERGY)


def map_ordered_vaccine(resource: Mapping[str, Any], reference: str | None) -> tuple[ImmunizationFact, ...]:
    """The vaccines of a draft Immunization or MedicationRequest: being ordered now, whatever its status."""
    field = "vaccineCode" if resource.get("resourceType") == "Immunization" else "medicationCodeableConcept"
    vaccine = resource.get(field)
    cvx = [code for system, code, _ in codings(vaccine) if canonical(system) == CVX]
    display = first_text(vaccine)
    return tuple(ImmunizationFact(v, None, display, ordered=True, reference=reference)
                 for v in sorted(vaccine_concepts(cvx, texts(vaccine))))


def map_allergy(resource: Mapping[str, Any]) -> frozenset[Allergy] | None:
    """Allergy concepts of an AllergyIntolerance; None when it names none of them."""
    pairs, names = _substances(resource)
    found = allergy_concepts(pairs, names)
    if not found:
        return None
    return frozenset(Allergy(a) for a in found) if _active(resource) else frozenset()


def map_drug_allergy(resource: Mapping[str, Any]) -> frozenset[Drug] | None:
    """Guideline drugs an AllergyIntolerance names (RxNorm code, drug name or drug class); None when none."""
    pairs, names = _substances(resource)
    found = allergy_drugs(pairs, names)
    if not found:
        return None
    return frozenset(found) if _active(resource) else frozenset()
