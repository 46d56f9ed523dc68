"""Terminology coverage of a set of FHIR resources: which codes the service recognises, as which
concept, and which it does not (`myositis-cds coverage`, issue 11).

Per resource type and code system: the recognised codes with their concept and count, and the most
frequent unrecognised ones; for MedicationRequests of recognised drugs also the dose shapes (value
with a unit, value without a unit, a range, no dose) and whether the dose could be read. Only codes,
their displays as coded, concepts and counts are kept: no identifiers, dates, values or free text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fhir_mappings.concepts import Antibody, Condition, Drug, Lab, MyositisSubtype, Vaccine
from fhir_mappings.conditions import unreadable_diagnosis
from fhir_mappings.dosage import PROBLEM
from fhir_mappings.facts import UnreadableReason
from fhir_mappings.medications import map_medication_request, relative_reference, statement_as_request
from fhir_mappings.observations import map_observation
from fhir_mappings.products import product
from fhir_mappings.read import as_list, codings, mapping, string, texts
from fhir_mappings.systems import RXNORM, canonical
from fhir_mappings.units import unit_keys
from fhir_mappings.valuesets import (
    BODY_HEIGHT,
    BODY_WEIGHT,
    allergy_concepts,
    allergy_drugs,
    condition_concepts,
    drug_for_ingredient_code,
    drugs_named,
    observation_concept,
    vaccine_concepts,
)

#: Resource type -> the element that holds its code.
CODED = {
    "Condition": "code",
    "Observation": "code",
    "MedicationRequest": "medicationCodeableConcept",
    "MedicationStatement": "medicationCodeableConcept",
    "Medication": "code",
    "Immunization": "vaccineCode",
    "AllergyIntolerance": "code",
}
NOT_RECOGNISED = ""
BY_NAME = " (by name only)"
#: The pseudo-system under which codings-free (text-only) allergies are counted.
TEXT_ONLY = "(text only)"
#: Resource type -> every concept the service can recognise in it (to list those never seen).
CONCEPTS: dict[str, frozenset[str]] = {
    "Condition": frozenset(c.value for c in (*Condition, *MyositisSubtype)) - {Condition.PREGNANCY_PLANNED.value},
    "Observation": frozenset(c.value for c in (*Lab, *Antibody)) | {BODY_WEIGHT, BODY_HEIGHT},
    "MedicationRequest": frozenset(d.value for d in Drug),
    "Immunization": frozenset(v.value for v in Vaccine),
}
_MAX_DEPTH = 6


@dataclass
class Coverage:
    """Counts only: (resource type, system) -> (code, display) -> concept ("" = not recognised)."""

    resources: Counter[str] = field(default_factory=Counter)
    codes: dict[tuple[str, str], Counter[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(Counter))
    dose_shapes: Counter[str] = field(default_factory=Counter)
    dose_outcomes: Counter[str] = field(default_factory=Counter)
    #: (reason, what could not be read) of items whose needed fact could not be read (`ClinicalFacts.unreadable`).
    unreadable: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Medication references of orders naming nothing else, and the Medications present: a reference is
    #: unreadable only if its Medication is nowhere in the files (it may come after the order).
    medication_references: Counter[str] = field(default_factory=Counter)
    medications: set[str] = field(default_factory=set)

    def add(self, resource: Mapping[str, Any], today: date) -> None:
        resource_type = string(resource.get("resourceType")) or "unknown"
        self.resources[resource_type] += 1
        self._unreadable(resource_type, resource)
        element = CODED.get(resource_type)
        if element is None:
            return
        coded = list(codings(resource.get(element)))
        for system, code, display in coded:
            concept = _concept(resource_type, canonical(system), code, display)
            self.codes[(resource_type, canonical(system) or "(no system)")][(code, display or "", concept)] += 1
        if not coded and resource_type == "AllergyIntolerance":
            # A text-only allergy ("Sulpha") is read by its text: counted, the text itself not kept.
            concept = _allergy_by_name(texts(resource.get(element)))
            self.codes[(resource_type, TEXT_ONLY)][("", "", concept)] += 1
        if resource_type == "MedicationRequest":
            self._dose(resource, today)
        elif resource_type == "MedicationStatement":
            self._dose(statement_as_request(resource), today)

    def _unreadable(self, resource_type: str, resource: Mapping[str, Any]) -> None:
        if resource_type == "Medication" and string(resource.get("id")):
            self.medications.add(f"Medication/{resource['id']}")
        elif resource_type == "Condition":
            item = unreadable_diagnosis(resource)
            if item is not None:
                self.unreadable[(item.reason.value, item.problem)] += 1  # the systems only, no text
        elif resource_type == "Observation":
            for result in map_observation(resource).results:
                if result.comparator and result.value is not None:
                    self.unreadable[(UnreadableReason.COMPARATOR.value, f"{result.concept} reported as "
                                                                        f"'{result.comparator}' a bound")] += 1

    def _dose(self, resource: Mapping[str, Any], today: date) -> None:
        outcome = map_medication_request(resource, medications={}, today=today, weight_kg=None, bsa_m2=None,
                                         is_draft=False, selections=None)
        if outcome.unresolved is not None:
            self.medication_references[relative_reference(outcome.unresolved)] += 1
        for order in outcome.orders[:1]:
            if order.dose_problem and not order.strength_conflict:
                self.unreadable[(UnreadableReason.DOSE.value, order.dose_problem.removeprefix(PROBLEM))] += 1
        if not outcome.orders:
            return
        self.dose_shapes[_shape(resource)] += 1
        for order in outcome.orders[:1]:
            self.dose_outcomes["read" if order.dose else (order.dose_problem or "no dose stated")] += 1


def _concept(resource_type: str, system: str, code: str, display: str | None) -> str:
    """The concept one coding maps to on its own ("" when none)."""
    if resource_type == "Condition":
        found = condition_concepts(system, code)
        return ", ".join(c.value for c in found) if found else NOT_RECOGNISED
    if resource_type == "Observation":
        concept = observation_concept([(system, code)], [])
        return str(concept) if concept is not None else NOT_RECOGNISED
    if resource_type == "Immunization":
        return ", ".join(sorted(vaccine_concepts([code], []))) if system.endswith("cvx") else NOT_RECOGNISED
    if resource_type == "AllergyIntolerance":
        found = sorted(allergy_concepts([(system, code)], [])) + sorted(allergy_drugs([(system, code)], []))
        return ", ".join(found) if found else _allergy_by_name([display or ""])
    if system == RXNORM:
        item = product(code)
        if item is not None:
            return ", ".join(d.value for d in item.drugs)
        drug = drug_for_ingredient_code(code)
        if drug is not None:
            return drug.value
    named = drugs_named(display or "")
    return ", ".join(d.value for d in named) + BY_NAME if named else NOT_RECOGNISED


def _allergy_by_name(names: list[str]) -> str:
    """The allergy and drug concepts named in an allergy's text or display, marked as read by name."""
    found = sorted(allergy_concepts([], names)) + sorted(allergy_drugs([], names))
    return ", ".join(found) + BY_NAME if found else NOT_RECOGNISED


def _shape(resource: Mapping[str, Any]) -> str:
    """How the first dose of an order is written (value and unit presence only, never the value)."""
    for dosage in as_list(resource.get("dosageInstruction")):
        for item in as_list(mapping(dosage).get("doseAndRate")):
            item = mapping(item)
            if item.get("doseRange") is not None:
                return "doseRange"
            quantity = mapping(item.get("doseQuantity"))
            if quantity:
                if quantity.get("value") is None:
                    return "doseQuantity without value"
                return "doseQuantity with unit" if unit_keys(quantity) else "doseQuantity without unit"
    return "no dose" if not as_list(resource.get("dosageInstruction")) else "dosage without dose"


def resources_in(value: Any, depth: int = 0) -> Iterable[Mapping[str, Any]]:
    """Every FHIR resource in a JSON document: a resource, a Bundle's entries (nested Bundles too), a
    hook request's prefetch and draft orders, or any object holding them."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from resources_in(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if value.get("resourceType") == "Bundle":
        for entry in as_list(value.get("entry")):
            yield from resources_in(mapping(entry).get("resource"), depth + 1)
    elif isinstance(value.get("resourceType"), str):
        yield value
    else:
        for item in value.values():
            yield from resources_in(item, depth + 1)



def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def as_json(coverage: Coverage, top: int) -> dict[str, Any]:
    """The report as data: per resource type and system, recognised codes and the `top` most frequent
    unrecognised ones, with counts; the dose shapes and outcomes of recognised drug orders."""
    systems: list[dict[str, Any]] = []
    for (resource_type, system), counts in sorted(coverage.codes.items()):
        recognised = sorted(((c, d, k, n) for (c, d, k), n in counts.items() if k), key=lambda x: (-x[3], x[0]))
        missed = sorted(((c, d, n) for (c, d, k), n in counts.items() if not k), key=lambda x: (-x[2], x[0]))
        total = sum(counts.values())
        systems.append({
            "resourceType": resource_type, "system": system, "codings": total,
            "recognisedCodings": sum(n for *_, n in recognised),
            "recognised": [{"code": c, "display": d, "concept": k, "count": n} for c, d, k, n in recognised],
            "unrecognisedCodes": len(missed),
            "topUnrecognised": [{"code": c, "display": d, "count": n} for c, d, n in missed[:top]],
        })
    return {
        "resources": dict(sorted(coverage.resources.items())),
        "systems": systems,
        "conceptsNeverRecognised": _never_seen(coverage),
        "doseShapes": dict(coverage.dose_shapes.most_common()),
        "doseOutcomes": dict(coverage.dose_outcomes.most_common()),
        "unreadable": _unreadable_by_reason(coverage),
    }


def _unreadable_by_reason(coverage: Coverage) -> dict[str, dict[str, int]]:
    """Per reason (dose, medication, code-system, comparator; each listed, even when none), what could not be
    read and how often."""
    counts = Counter(coverage.unreadable)
    missing = sum(n for ref, n in coverage.medication_references.items() if ref not in coverage.medications)
    if missing:
        counts[(UnreadableReason.MEDICATION.value, "Medication referenced but in none of the files")] += missing
    by_reason: dict[str, dict[str, int]] = {reason.value: {} for reason in UnreadableReason}
    for (reason, problem), count in counts.most_common():
        by_reason[reason][problem] = count
    return dict(sorted(by_reason.items()))


def _never_seen(coverage: Coverage) -> dict[str, list[str]]:
    """Per resource type present in the data, the concepts no coding of it was recognised as (read
    from codes: a concept recognised by name only counts as not seen)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for (resource_type, _), counts in coverage.codes.items():
        for _, _, concept in counts:
            if concept and not concept.endswith(BY_NAME):
                seen["MedicationRequest" if resource_type == "Medication" else resource_type].update(concept.split(", "))
    return {t: sorted(concepts - seen[t]) for t, concepts in CONCEPTS.items() if coverage.resources[t]}


def as_text(coverage: Coverage, top: int) -> str:
    data = as_json(coverage, top)
    lines = ["Resources: " + (", ".join(f"{t} {n}" for t, n in data["resources"].items()) or "none")]
    for entry in data["systems"]:
        lines += ["", f"{entry['resourceType']} - {entry['system']}: {entry['codings']} codings, "
                      f"{entry['recognisedCodings']} recognised ({_percent(entry['recognisedCodings'], entry['codings'])})"]
        lines += [f"  + {r['code']} {r['display']} -> {r['concept']} ({r['count']})" for r in entry["recognised"]]
        if entry["topUnrecognised"]:
            lines.append(f"  not recognised: {entry['unrecognisedCodes']} codes; most frequent:")
            lines += [f"  - {u['code']} {u['display']} ({u['count']})" for u in entry["topUnrecognised"]]
    for resource_type, concepts in data["conceptsNeverRecognised"].items():
        lines += ["", f"{resource_type}: no code recognised as " + (", ".join(concepts) or "-")]
    if data["doseShapes"]:
        lines += ["", "Dose shapes of recognised drug orders:"]
        lines += [f"  {shape}: {n}" for shape, n in data["doseShapes"].items()]
        lines += ["Dose read:"] + [f"  {outcome}: {n}" for outcome, n in data["doseOutcomes"].items()]
    if any(data["unreadable"].values()) or data["resources"]:
        lines += ["", "Unreadable items by reason (a fact a rule needs could not be read):"]
        for reason, problems in data["unreadable"].items():
            lines.append(f"  {reason}: {sum(problems.values())}")
            lines += [f"    {problem}: {n}" for problem, n in problems.items()]
    return "\n".join(lines) + "\n"
