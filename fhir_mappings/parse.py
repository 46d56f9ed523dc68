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
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Any, NamedTuple

from fhir_mappings.concepts import Allergy, Antibody, Drug, Lab, MyositisSubtype, Qualitative
from fhir_mappings.conditions import map_condition, resolve_subtype, unreadable_diagnosis
from fhir_mappings.dosage import PROBLEM, needs_body_size
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
    newest_first,
)
from fhir_mappings.immunizations import map_allergy, map_drug_allergy, map_immunization, map_ordered_vaccine
from fhir_mappings.investigations import RESOURCE_TYPES as INVESTIGATION_TYPES
from fhir_mappings.investigations import map_investigation
from fhir_mappings.medications import map_medication_request, order_text, relative_reference, statement_as_request
from fhir_mappings.numbers import measured
from fhir_mappings.observations import CodedConcept, ObservationOutcome, map_observation, read_code
from fhir_mappings.on_demand import OnDemandFacts
from fhir_mappings.patient import childbearing_potential, map_patient
from fhir_mappings.read import as_list, mapping, string
from fhir_mappings.validation import conformance_problems
from fhir_mappings.valuesets import BODY_HEIGHT, BODY_WEIGHT, ObservationConcept

log = logging.getLogger(__name__)

#: docs/evidence.md#patient-data: a weight converts mg/kg doses only if this recent (adults / children).
_MAX_BUNDLE_DEPTH = 3
_DRAFT_KEYS = ("draftOrders", "medications")  # medications: the CDS Hooks 1.0 medication-prescribe hook
#: Draft order types read: medication orders, and vaccines being ordered (as Immunization or MedicationRequest).
_DRAFT_TYPES = ("MedicationRequest", "Immunization")
#: `_observation_key`s beyond the concepts: a panel (its components may be any concept), a code that could not
#: be read (its mapping reports it) and a test the service does not read.
_PANEL, _UNREAD, _NOTHING = "(panel)", "(unread)", "(nothing)"
_ANY_CONCEPT = frozenset({_PANEL, _UNREAD})
_BODY_SIZE = frozenset({BODY_WEIGHT, BODY_HEIGHT})
_ANTIBODIES = frozenset(Antibody)


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


class _Entry(NamedTuple):
    resource: Mapping[str, Any]
    is_draft: bool


def build_facts(
    hook: str,
    context: Mapping[str, Any],
    prefetch: Mapping[str, Any],
    now: datetime,
    data_gaps: tuple[str, ...] = (),
    incomplete: tuple[str, ...] = (),
    *,
    on_demand: bool = True,
    compared: Mapping[Lab | Antibody, Collection[Drug]] | None = None,
) -> ClinicalFacts:
    """The facts of one hook call at `now` (see the module docstring); never raises on content.

    `on_demand`: each fact is mapped when first read (`fhir_mappings.on_demand`), so a call maps only
    what its applicable recommendations read; False maps everything first (the reference the
    equivalence tests compare with). `compared`: the results some check compares with a limit, each with the drugs
    it is compared for; only theirs reported beyond a bound, and only while one of those drugs is ordered, are
    `unreadable` items (None: every result's, whatever is ordered)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    source = _FactSource(hook, mapping(context), mapping(prefetch), now, tuple(data_gaps), tuple(incomplete),
                         on_demand=on_demand, compared=compared)
    if on_demand:
        return OnDemandFacts(source=source)
    return ClinicalFacts(**{f.name: getattr(source, f.name) for f in fields(ClinicalFacts)})


class _FactSource:
    """The fields of one call's `ClinicalFacts`, each mapped from the resources when first asked for.

    The resources are collected and grouped by type once, when the source is made, and the Observations
    indexed by what their code is about. Short cuts leave unread resources unmapped and give the value the
    full mapping gives: without a coded myositis (and `on_demand`) there is no subtype for antibodies to
    refine (they never create one), so they are not read for it; the results of one concept, the body
    weight and height, and the compared results of the notice come from the Observations coded as such
    (and the panels, whose components may be anything), not from every laboratory result.
    """

    def __init__(self, hook: str, context: Mapping[str, Any], prefetch: Mapping[str, Any], now: datetime,
                 data_gaps: tuple[str, ...], incomplete: tuple[str, ...], *, on_demand: bool,
                 compared: Mapping[Lab | Antibody, Collection[Drug]] | None) -> None:
        self.hook, self.now, self.data_gaps, self.incomplete = hook, now, data_gaps, incomplete
        self._context = context
        self._on_demand = on_demand
        self._tally = _Tally()
        self._by_type = _entries(context, prefetch, self._tally)
        self._drafts = [e for t in _DRAFT_TYPES for e in self._by_type.get(t, ()) if e.is_draft]
        self._compared = compared
        self._observation_outcomes: dict[int, ObservationOutcome | None] = {}
        self._results_by_concept: dict[Lab | Antibody, tuple[LabResult, ...]] = {}

    def _take(self, *resource_types: str) -> list[_Entry]:
        """The entries of these types, handed to the one mapping that reads them."""
        return [e for t in resource_types for e in self._by_type.pop(t, ())]

    @cached_property
    def _chosen_patient(self) -> Mapping[str, Any] | None:
        return _chosen_patient(self._by_type.get("Patient", []), self._context)

    @cached_property
    def _demographics(self) -> PatientInfo:
        chosen = self._chosen_patient
        self._tally.ignored += len(self._take("Patient")) - (1 if chosen is not None else 0)
        return _patient(chosen, self._context, self.now.date(), self._tally)

    @cached_property
    def conditions(self) -> tuple[ConditionFact, ...]:
        return _conditions(self._take("Condition"), self._demographics.birth_date, self._tally)

    @cached_property
    def patient(self) -> PatientInfo:
        return replace(self._demographics,
                       childbearing_potential=childbearing_potential(self._demographics, self.conditions))

    @cached_property
    def _observation_index(self) -> list[tuple[_Entry, ObservationConcept, CodedConcept | None]]:
        """Each Observation with what its code is about (`_observation_key`) and its code, in the order sent."""
        index = []
        for entry in self._take("Observation"):
            code = _read_code(entry.resource)
            index.append((entry, _observation_key(code, entry.resource), code))
        return index

    @cached_property
    def _positions(self) -> dict[ObservationConcept, list[int]]:
        """The index's positions by what the Observation is about, in the order sent."""
        grouped: dict[ObservationConcept, list[int]] = {}
        for position, (_, key, _) in enumerate(self._observation_index):
            grouped.setdefault(key, []).append(position)
        return grouped

    def _positions_of(self, keys: Collection[ObservationConcept]) -> list[int]:
        """The positions of the Observations about these keys, in the order sent."""
        return sorted(position for key in keys for position in self._positions.get(key, ()))

    def _observation(self, position: int) -> ObservationOutcome | None:
        """The mapping of the Observation at `position` of the index, made once (and counted once)."""
        if position not in self._observation_outcomes:
            entry, _, code = self._observation_index[position]
            self._observation_outcomes[position] = _observation(entry, code, self._tally)
        return self._observation_outcomes[position]

    def _results(self, concepts: Collection[ObservationConcept] | None) -> list[LabResult]:
        """The results of these concepts (None: of all), in the order sent; only the Observations coded as one
        of them, and the panels, are mapped."""
        if concepts is not None and not concepts:
            return []  # the results of no concept: no Observation need be read
        found: list[LabResult] = []
        positions = (range(len(self._observation_index)) if concepts is None
                     else self._positions_of({*concepts, *_ANY_CONCEPT}))
        for position in positions:
            outcome = self._observation(position)
            if outcome is not None:
                found.extend(r for r in outcome.results if concepts is None or r.concept in concepts)
        return found

    @cached_property
    def results(self) -> tuple[LabResult, ...]:
        return tuple(self._results(None))

    def results_of(self, concept: Lab | Antibody) -> tuple[LabResult, ...]:
        """`ClinicalFacts.results_of`, mapping only this concept's Observations (and the panels)."""
        if concept not in self._results_by_concept:
            self._results_by_concept[concept] = newest_first(self._results({concept}))
        return self._results_by_concept[concept]

    @cached_property
    def _body_size(self) -> tuple[Measurement | None, Measurement | None]:
        weights: list[Measurement] = []
        heights: list[Measurement] = []
        for position in self._positions_of(_BODY_SIZE):
            outcome = self._observation(position)
            if outcome is not None and outcome.weight_kg is not None:
                weights.append(outcome.weight_kg)
            if outcome is not None and outcome.height_cm is not None:
                heights.append(outcome.height_cm)
        return _latest(weights), _latest(heights)

    @property
    def weight_kg(self) -> Measurement | None:
        return self._body_size[0]

    @property
    def height_cm(self) -> Measurement | None:
        return self._body_size[1]

    @cached_property
    def myositis(self) -> MyositisSubtype | None:
        if self._on_demand and not any(isinstance(c.concept, MyositisSubtype) for c in self.conditions):
            return None
        positives = [r.concept for r in self._results(_ANTIBODIES) if r.interpretation is Qualitative.POSITIVE]
        return resolve_subtype(self.conditions, positives, self._demographics.birth_date,
                               self._demographics.age_years)

    @cached_property
    def medications(self) -> tuple[MedicationOrder, ...]:
        statements = [_Entry(statement_as_request(e.resource), False) for e in self._take("MedicationStatement")
                      if not e.is_draft]
        orders = self._take("MedicationRequest") + statements
        # Weights and heights are mapped only for a dose per kg or per m2 (no other dose reads them).
        sized = any(needs_body_size(e.resource.get("dosageInstruction")) for e in orders)
        dosing_weight = _dosing_weight(self.weight_kg, self._demographics, self.now) if sized else None
        bsa = _bsa(dosing_weight, self.height_cm) if sized else None
        return _medications(orders, self._take("Medication"), self._context, self.now.date(), dosing_weight, bsa,
                            self._tally)

    @cached_property
    def unreadable(self) -> tuple[Unreadable, ...]:
        """Items whose needed fact could not be read: found while the medications and diagnoses are mapped,
        and the results of the compared concepts reported beyond a bound (the notice reads them on every call,
        so the results of a concept compared for a drug on the current regimen are mapped)."""
        _ = self.medications, self.conditions  # mapping them collects their unreadable items
        return (*self._tally.unreadable, *_beyond_bounds(self._results(self._compared_now())))

    def _compared_now(self) -> frozenset[Lab | Antibody] | None:
        """The compared results whose drugs are on the current regimen (None: every result)."""
        if self._compared is None:
            return None
        ordered = {m.drug for m in self.medications if m.is_current}
        return frozenset(lab for lab, drugs in self._compared.items() if not ordered.isdisjoint(drugs))

    @cached_property
    def _allergies(self) -> tuple[frozenset[Allergy], frozenset[Drug]]:
        return _allergies(self._take("AllergyIntolerance"), self._tally)

    @property
    def allergies(self) -> frozenset[Allergy]:
        return self._allergies[0]

    @property
    def drug_allergies(self) -> frozenset[Drug]:
        return self._allergies[1]

    @cached_property
    def immunizations(self) -> tuple[ImmunizationFact, ...]:
        ordered = _ordered_vaccines(self._drafts, self._tally)
        recorded = [e for e in self._take("Immunization") if not e.is_draft]
        return _immunizations(recorded, self._tally) + ordered

    @cached_property
    def investigations(self) -> tuple[InvestigationFact, ...]:
        return _investigations(self._take(*INVESTIGATION_TYPES), self._tally)

    @cached_property
    def report(self) -> ParseReport:
        """What the mapping understood, could not read or skipped: maps everything first. The Patient
        and the draft orders are checked against R4 here, for the report only (no rule reads it)."""
        for name in ("patient", "results", "weight_kg", "myositis", "medications", "allergies", "immunizations",
                     "investigations"):
            getattr(self, name)
        if self._chosen_patient is not None and conformance_problems(self._chosen_patient):
            self._tally.notes["Patient not valid R4: read from raw fields"] += 1
        for entry in self._drafts:
            if entry.resource["resourceType"] == "MedicationRequest" and conformance_problems(entry.resource):
                self._tally.notes["draft MedicationRequest not valid R4: read from raw fields"] += 1
        for resource_type, rest in self._by_type.items():
            self._tally.ignored += len(rest)
            if resource_type == "OperationOutcome":
                self._tally.notes["OperationOutcome in a Bundle ignored"] += len(rest)
        return self._tally.report()


# --- collecting resources --------------------------------------------------------------------


def _entries(context: Mapping[str, Any], prefetch: Mapping[str, Any], tally: _Tally) -> dict[str, list[_Entry]]:
    """Every resource of the prefetch and the draft orders, once each (a draft wins over its record),
    by resource type, in the order sent."""
    by_type: dict[str, list[_Entry]] = {}
    draft_ids: set[tuple[str, str]] = set()
    for key in _DRAFT_KEYS:
        for resource in _resources(context.get(key), tally, 0):
            resource_type = resource["resourceType"]
            if resource_type not in _DRAFT_TYPES:
                tally.ignored += 1
                continue
            identity = _identity(resource)
            if resource_type == "MedicationRequest" and identity[1]:
                draft_ids.add(identity)
            by_type.setdefault(resource_type, []).append(_Entry(resource, True))
    seen: set[tuple[str, str]] = set()
    for value in prefetch.values():
        for resource in _resources(value, tally, 0):
            identity = _identity(resource)
            if identity in draft_ids or identity in seen:
                continue
            if identity[1]:
                seen.add(identity)
            by_type.setdefault(identity[0], []).append(_Entry(resource, False))
    return by_type


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
        resource = entry["resource"]
        if isinstance(resource, dict) and isinstance(kind := resource.get("resourceType"), str) and kind != "Bundle":
            yield resource  # the common entry, without a generator per resource
        else:
            yield from _resources(resource, tally, depth + 1)


def _observation_key(code: CodedConcept | None, resource: Mapping[str, Any]) -> ObservationConcept:
    """What an Observation's code is about (`read_code`; None when it could not be read); `_PANEL` when it names
    nothing but the resource has components, `_UNREAD` when the code could not be read (its mapping then reports
    it), `_NOTHING` otherwise."""
    if code is None:
        return _UNREAD
    if code[1] is not None:
        return code[1]
    return _PANEL if "component" in resource else _NOTHING


def _read_code(resource: Mapping[str, Any]) -> CodedConcept | None:
    """`read_code`, None for a code it cannot read (the Observation's mapping then reports it)."""
    try:
        return read_code(resource)
    except Exception:  # noqa: BLE001 - content of any shape must never fail the request
        return None


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


def _chosen_patient(entries: list[_Entry], context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The context's Patient, else the first one sent."""
    patient_id = string(context.get("patientId"))
    chosen = next((e.resource for e in entries if string(e.resource.get("id")) == patient_id), None)
    return entries[0].resource if chosen is None and entries else chosen


def _patient(chosen: Mapping[str, Any] | None, context: Mapping[str, Any], today: date, tally: _Tally) -> PatientInfo:
    patient_id = string(context.get("patientId"))
    resource_id = string(chosen.get("id")) if chosen is not None else None
    reference = f"Patient/{patient_id or resource_id}" if (patient_id or resource_id) else None
    if chosen is None:
        return PatientInfo(reference=reference)
    info = _guarded(tally, "Patient", map_patient, chosen, reference, today)
    if info is _FAILED:
        return PatientInfo(reference=reference)
    tally.recognised += 1
    return info


def _observation(entry: _Entry, code: CodedConcept | None, tally: _Tally) -> ObservationOutcome | None:
    """One Observation's mapping (`code`: its code, read already), counted; None when it could not be read or is
    not recognised."""
    outcome = _guarded(tally, "Observation", map_observation, entry.resource, code)
    if outcome is _FAILED:
        return None
    if not outcome.recognised:
        tally.ignored += 1
        return None
    if outcome.uninterpretable:
        tally.uninterpretable += 1
        tally.notes["Observation value not interpretable"] += 1
    else:
        tally.recognised += 1
    return outcome


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
