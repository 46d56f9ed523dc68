"""FHIR in: a hook request's context and (completed) prefetch to `ClinicalFacts`.

Interface:

    build_facts(hook: str, context: Mapping, prefetch: Mapping[str, Any], now: datetime,
                data_gaps: tuple[str, ...] = (), incomplete: tuple[str, ...] = ()) -> ClinicalFacts

`prefetch` values are FHIR resources or Bundles (or None = known empty), under any key: resources are
classified by `resourceType`. `context.draftOrders` is a Bundle (with or without `type`); its
MedicationRequests become draft orders, selected when listed in `context.selections` (all of them
when the hook sends no selections, as order-sign does). Never raises on resource content: what
cannot be read is skipped and counted in `ClinicalFacts.report` (counts and resource types only, no
patient data).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from fhir_mappings.concepts import Allergy, Antibody, Drug, Qualitative
from fhir_mappings.conditions import map_condition, resolve_subtype, unreadable_diagnosis
from fhir_mappings.dosage import PROBLEM
from fhir_mappings.facts import (
    CURRENT_INTENTS,
    CURRENT_STATUSES,
    WEIGHT_LOOKBACK_DAYS_ADULT,
    WEIGHT_LOOKBACK_DAYS_CHILD,
    ClinicalFacts,
    ConditionFact,
    ImmunizationFact,
    InvestigationFact,
    LabResult,
    Measurement,
    MedicationOrder,
    ParseReport,
    PatientInfo,
    Unreadable,
    UnreadableReason,
    mosteller_bsa_m2,
)
from fhir_mappings.immunizations import map_allergy, map_drug_allergy, map_immunization, map_ordered_vaccine
from fhir_mappings.investigations import RESOURCE_TYPES as INVESTIGATION_TYPES
from fhir_mappings.investigations import map_investigation
from fhir_mappings.medications import map_medication_request, order_text, relative_reference, statement_as_request
from fhir_mappings.numbers import measured
from fhir_mappings.observations import map_observation
from fhir_mappings.patient import childbearing_potential, map_patient
from fhir_mappings.read import as_list, mapping, string
from fhir_mappings.validation import conformance_problems

log = logging.getLogger(__name__)

#: docs/evidence.md#patient-data: a weight converts mg/kg doses only if this recent (adults / children).
_MAX_BUNDLE_DEPTH = 3
_DRAFT_KEYS = ("draftOrders", "medications")  # medications: the CDS Hooks 1.0 medication-prescribe hook
#: Draft order types read: medication orders, and vaccines being ordered (as Immunization or MedicationRequest).
_DRAFT_TYPES = frozenset({"MedicationRequest", "Immunization"})


@dataclass
class _Tally:
    """Per-request counters; notes are short fixed phrases with counts, never resource content."""

    recognised: int = 0
    uninterpretable: int = 0
    skipped: int = 0
    ignored: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    unreadable: list[Unreadable] = field(default_factory=list)

    def report(self) -> ParseReport:
        notes = tuple(f"{note} (x{n})" if n > 1 else note for note, n in sorted(self.notes.items()))
        return ParseReport(self.recognised, self.uninterpretable, self.skipped, notes, self.ignored)


@dataclass(frozen=True)
class _Entry:
    resource: Mapping[str, Any]
    is_draft: bool


def build_facts(
    hook: str,
    context: Mapping[str, Any],
    prefetch: Mapping[str, Any],
    now: datetime,
    data_gaps: tuple[str, ...] = (),
    incomplete: tuple[str, ...] = (),
) -> ClinicalFacts:
    """The facts of one hook call at `now` (see the module docstring); never raises on content."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    today = now.date()
    tally = _Tally()
    context = mapping(context)
    entries = _entries(context, mapping(prefetch), tally)
    by_type: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_type.setdefault(str(entry.resource["resourceType"]), []).append(entry)

    patient = _patient(by_type.pop("Patient", []), context, today, tally)
    results, weight, height = _observations(by_type.pop("Observation", []), tally)
    conditions = _conditions(by_type.pop("Condition", []), patient.birth_date, tally)
    patient = replace(patient, childbearing_potential=childbearing_potential(patient, conditions))
    positives = [r.concept for r in results
                 if isinstance(r.concept, Antibody) and r.interpretation is Qualitative.POSITIVE]
    myositis = resolve_subtype(conditions, positives, patient.birth_date, patient.age_years)
    dosing_weight = _dosing_weight(weight, patient, now)
    ordered_vaccines = _ordered_vaccines(
        [e for t in ("MedicationRequest", "Immunization") for e in by_type.get(t, []) if e.is_draft], tally)
    statements = [_Entry(statement_as_request(e.resource), False) for e in by_type.pop("MedicationStatement", [])
                  if not e.is_draft]
    medications = _medications(
        by_type.pop("MedicationRequest", []) + statements, by_type.pop("Medication", []), context, today,
        dosing_weight, _bsa(dosing_weight, height), tally,
    )
    allergies, drug_allergies = _allergies(by_type.pop("AllergyIntolerance", []), tally)
    immunizations = _immunizations([e for e in by_type.pop("Immunization", []) if not e.is_draft], tally)
    immunizations += ordered_vaccines
    investigations = _investigations([e for t in INVESTIGATION_TYPES for e in by_type.pop(t, [])], tally)
    for resource_type, rest in by_type.items():
        tally.ignored += len(rest)
        if resource_type == "OperationOutcome":
            tally.notes["OperationOutcome in a Bundle ignored"] += len(rest)

    return ClinicalFacts(
        now=now,
        hook=hook,
        patient=patient,
        myositis=myositis,
        conditions=conditions,
        medications=medications,
        results=results,
        weight_kg=weight,
        height_cm=height,
        allergies=allergies,
        drug_allergies=drug_allergies,
        immunizations=immunizations,
        investigations=investigations,
        data_gaps=tuple(data_gaps),
        incomplete=tuple(incomplete),
        unreadable=(*tally.unreadable, *_beyond_bounds(results)),
        report=tally.report(),
    )


# --- collecting resources --------------------------------------------------------------------


def _entries(context: Mapping[str, Any], prefetch: Mapping[str, Any], tally: _Tally) -> list[_Entry]:
    """Every resource of the prefetch and the draft orders, once each (a draft wins over its record)."""
    drafts = [_Entry(r, True) for key in _DRAFT_KEYS for r in _resources(context.get(key), tally, 0)]
    draft_ids = {_identity(e.resource) for e in drafts
                 if e.resource.get("resourceType") == "MedicationRequest" and _identity(e.resource)[1]}
    seen: set[tuple[str, str]] = set()
    entries = [e for e in drafts if e.resource.get("resourceType") in _DRAFT_TYPES]
    tally.ignored += len(drafts) - len(entries)
    for value in prefetch.values():
        for resource in _resources(value, tally, 0):
            identity = _identity(resource)
            if identity in draft_ids or identity in seen:
                continue
            if identity[1]:
                seen.add(identity)
            entries.append(_Entry(resource, False))
    return entries


def _identity(resource: Mapping[str, Any]) -> tuple[str, str]:
    return str(resource.get("resourceType")), string(resource.get("id")) or ""


def _resources(value: Any, tally: _Tally, depth: int) -> Iterator[Mapping[str, Any]]:
    """Resources of a prefetch value: a resource, a Bundle (entries, nested Bundles) or a list."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            yield from _resources(item, tally, depth + 1)
        return
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        tally.skipped += 1
        tally.notes["unreadable entry skipped (not a resource)"] += 1
        return
    if value["resourceType"] != "Bundle":
        yield value
        return
    if depth >= _MAX_BUNDLE_DEPTH:
        tally.skipped += 1
        tally.notes["Bundle nested too deeply skipped"] += 1
        return
    for entry in as_list(value.get("entry")):
        entry = mapping(entry)
        if "resource" not in entry:
            tally.skipped += 1
            tally.notes["Bundle entry without a resource skipped"] += 1
            continue
        yield from _resources(entry["resource"], tally, depth + 1)


_FAILED = object()


def _guarded(tally: _Tally, resource_type: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one resource's mapping; a resource whose content breaks it is skipped (returns _FAILED)."""
    try:
        return call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - content of any shape must never fail the request
        log.warning("skipped a %s that could not be read (%s)", resource_type, type(error).__name__)
        tally.skipped += 1
        tally.notes[f"{resource_type} could not be read"] += 1
        return _FAILED


# --- per resource type -----------------------------------------------------------------------


def _patient(entries: list[_Entry], context: Mapping[str, Any], today: date, tally: _Tally) -> PatientInfo:
    patient_id = string(context.get("patientId"))
    chosen = next((e.resource for e in entries if string(e.resource.get("id")) == patient_id), None)
    if chosen is None and entries:
        chosen = entries[0].resource
    tally.ignored += len(entries) - (1 if chosen is not None else 0)
    resource_id = string(chosen.get("id")) if chosen is not None else None
    reference = f"Patient/{patient_id or resource_id}" if (patient_id or resource_id) else None
    if chosen is None:
        return PatientInfo(reference=reference)
    problems = conformance_problems(chosen)
    if problems:
        tally.notes["Patient not valid R4: read from raw fields"] += 1
    info = _guarded(tally, "Patient", map_patient, chosen, reference, today)
    if info is _FAILED:
        return PatientInfo(reference=reference)
    tally.recognised += 1
    return info


def _observations(
    entries: list[_Entry], tally: _Tally
) -> tuple[tuple[LabResult, ...], Measurement | None, Measurement | None]:
    results: list[LabResult] = []
    weights: list[Measurement] = []
    heights: list[Measurement] = []
    for entry in entries:
        outcome = _guarded(tally, "Observation", map_observation, entry.resource)
        if outcome is _FAILED:
            continue
        if not outcome.recognised:
            tally.ignored += 1
            continue
        if outcome.uninterpretable:
            tally.uninterpretable += 1
            tally.notes["Observation value not interpretable"] += 1
        else:
            tally.recognised += 1
        results.extend(outcome.results)
        if outcome.weight_kg is not None:
            weights.append(outcome.weight_kg)
        if outcome.height_cm is not None:
            heights.append(outcome.height_cm)
    return tuple(results), _latest(weights), _latest(heights)


def _latest(measurements: list[Measurement]) -> Measurement | None:
    dated = [m for m in measurements if m.when is not None]
    if dated:
        return max(dated, key=lambda m: m.when)  # type: ignore[arg-type, return-value]
    return measurements[-1] if measurements else None


def _conditions(entries: list[_Entry], birth_date: date | None, tally: _Tally) -> tuple[ConditionFact, ...]:
    facts: list[ConditionFact] = []
    for entry in entries:
        outcome = _guarded(tally, "Condition", map_condition, entry.resource, birth_date)
        if outcome is _FAILED:
            continue
        if not outcome.recognised:
            tally.ignored += 1
            unreadable = unreadable_diagnosis(entry.resource)
            if unreadable is not None:
                tally.unreadable.append(unreadable)
            continue
        tally.recognised += 1
        if outcome.dropped:
            tally.notes[f"Condition not counted ({outcome.dropped})"] += 1
        facts.extend(outcome.facts)
    return tuple(facts)


def _dosing_weight(weight: Measurement | None, patient: PatientInfo, now: datetime) -> float | None:
    """The weight that may convert mg/kg doses: recent enough for the patient's age group."""
    if weight is None or weight.when is None:
        return None
    child = patient.age_years is not None and patient.age_years < 18
    lookback = WEIGHT_LOOKBACK_DAYS_CHILD if child else WEIGHT_LOOKBACK_DAYS_ADULT
    return weight.value if now - weight.when <= timedelta(days=lookback) else None


def _bsa(weight_kg: float | None, height: Measurement | None) -> float | None:
    """Mosteller BSA for mg/m2 doses, from the dosing weight (recent enough) and the latest height."""
    if weight_kg is None or height is None:
        return None
    return mosteller_bsa_m2(height.value, weight_kg)


def _medications(
    entries: list[_Entry],
    medication_entries: list[_Entry],
    context: Mapping[str, Any],
    today: date,
    weight_kg: float | None,
    bsa_m2: float | None,
    tally: _Tally,
) -> tuple[MedicationOrder, ...]:
    medications = {f"Medication/{e.resource.get('id')}": e.resource for e in medication_entries}
    selections_value = context.get("selections")
    selections = (frozenset(relative_reference(s) for s in selections_value if isinstance(s, str))
                  if isinstance(selections_value, list) else None)
    orders: list[MedicationOrder] = []
    for entry in entries:
        if entry.is_draft:
            problems = conformance_problems(entry.resource)
            if problems:
                tally.notes["draft MedicationRequest not valid R4: read from raw fields"] += 1
        outcome = _guarded(
            tally, "MedicationRequest", map_medication_request, entry.resource, medications=medications,
            today=today, weight_kg=weight_kg, bsa_m2=bsa_m2, is_draft=entry.is_draft, selections=selections,
        )
        if outcome is _FAILED:
            continue
        for note in outcome.notes:
            tally.notes[note] += 1
        if outcome.unresolved is not None and _current_or_draft(entry):
            tally.unreadable.append(Unreadable(
                UnreadableReason.MEDICATION, order_text(entry.resource), f"{outcome.unresolved} was not available",
                is_draft=entry.is_draft))
        if not outcome.recognised:
            tally.ignored += 1
            continue
        tally.unreadable.extend(
            Unreadable(UnreadableReason.DOSE, order_text(entry.resource, o.display),
                       o.dose_problem.removeprefix(PROBLEM), drug=o.drug, is_draft=o.is_draft)
            for o in outcome.orders if o.dose_problem and not o.strength_conflict and o.is_current)
        if any(o.dose_problem for o in outcome.orders):
            tally.uninterpretable += 1
            tally.notes["MedicationRequest dose not interpretable"] += 1
        else:
            tally.recognised += 1
        orders.extend(outcome.orders)
    tally.ignored += len(medication_entries)
    return tuple(orders)


def _current_or_draft(entry: _Entry) -> bool:
    """A draft, or an order on the current regimen by its status and intent."""
    resource = entry.resource
    return entry.is_draft or (string(resource.get("status")) in CURRENT_STATUSES
                              and (string(resource.get("intent")) or "order") in CURRENT_INTENTS)


def _beyond_bounds(results: tuple[LabResult, ...]) -> tuple[Unreadable, ...]:
    """The latest result of each concept when it was reported beyond a bound (">60"): its number is not known."""
    latest: dict[Any, LabResult] = {}
    for result in results:
        held = latest.get(result.concept)
        if held is None or (result.when is not None and (held.when is None or result.when > held.when)):
            latest[result.concept] = result
    return tuple(Unreadable(UnreadableReason.COMPARATOR, r.describe(), f"reported as {r.comparator}{measured(r.value)}",
                            lab=r.concept, bound=(r.comparator, r.value))
                 for r in latest.values() if r.comparator and r.value is not None)


def _allergies(entries: list[_Entry], tally: _Tally) -> tuple[frozenset[Allergy], frozenset[Drug]]:
    """Allergy concepts (sulfonamide ...) and the guideline drugs named by active allergies."""
    found: set[Allergy] = set()
    drugs: set[Drug] = set()
    for entry in entries:
        mapped = _guarded(tally, "AllergyIntolerance", _allergy_and_drugs, entry.resource)
        if mapped is _FAILED:
            continue
        concepts, named = mapped
        if concepts is None and named is None:
            tally.ignored += 1
            continue
        tally.recognised += 1
        found |= concepts or frozenset()
        drugs |= named or frozenset()
    return frozenset(found), frozenset(drugs)


def _allergy_and_drugs(resource: Mapping[str, Any]) -> tuple[frozenset[Allergy] | None, frozenset[Drug] | None]:
    return map_allergy(resource), map_drug_allergy(resource)


def _immunizations(entries: list[_Entry], tally: _Tally) -> tuple[ImmunizationFact, ...]:
    facts: list[ImmunizationFact] = []
    for entry in entries:
        mapped = _guarded(tally, "Immunization", map_immunization, entry.resource)
        if mapped is _FAILED:
            continue
        if mapped:
            tally.recognised += 1
            facts.extend(mapped)
        else:
            tally.ignored += 1
    return tuple(facts)


def _investigations(entries: list[_Entry], tally: _Tally) -> tuple[InvestigationFact, ...]:
    facts: list[InvestigationFact] = []
    for entry in entries:
        mapped = _guarded(tally, str(entry.resource["resourceType"]), map_investigation, entry.resource)
        if mapped is _FAILED:
            continue
        if mapped is None:
            tally.ignored += 1
            continue
        tally.recognised += 1
        facts.extend(mapped)
    return tuple(facts)


def _ordered_vaccines(drafts: list[_Entry], tally: _Tally) -> tuple[ImmunizationFact, ...]:
    """Vaccines in the draft orders (a draft Immunization, or a MedicationRequest naming a vaccine)."""
    facts: list[ImmunizationFact] = []
    for entry in drafts:
        resource_id = string(entry.resource.get("id"))
        reference = f"{entry.resource['resourceType']}/{resource_id}" if resource_id else None
        mapped = _guarded(tally, str(entry.resource["resourceType"]), map_ordered_vaccine, entry.resource, reference)
        if mapped is _FAILED:
            continue
        if entry.resource["resourceType"] == "Immunization":
            tally.recognised += 1 if mapped else 0
            tally.ignored += 0 if mapped else 1
        facts.extend(mapped)
    return tuple(facts)
