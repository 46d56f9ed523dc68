"""The one interface between FHIR and the guideline rules: typed clinical facts.

`fhir_mappings.parse.build_facts(...)` turns a hook request's context and prefetch into a
`ClinicalFacts`; the recommendations in `hooks` read nothing else. Everything here is immutable
and unit-checked: doses are in mg, weights in kg, heights in cm, and a dose that could not be
understood carries `dose is None` and a `dose_problem` instead of a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from fhir_mappings.concepts import (
    PREDNISONE_EQUIVALENCE,
    Allergy,
    Analyte,
    Antibody,
    Condition,
    Drug,
    Investigation,
    Lab,
    Metabolizer,
    MyositisSubtype,
    Qualitative,
    Route,
    Vaccine,
)
from fhir_mappings.numbers import measured
from fhir_mappings.records import quick_init

CURRENT_STATUSES = frozenset({"active", "on-hold"})
CURRENT_INTENTS = frozenset({"order", "plan", "original-order", "reflex-order", "filler-order", "instance-order"})
#: docs/evidence.md#patient-data: the latest weight converts mg/kg (and mg/m²) doses only if this recent, in days.
WEIGHT_LOOKBACK_DAYS_ADULT = 90
WEIGHT_LOOKBACK_DAYS_CHILD = 30


def mosteller_bsa_m2(height_cm: float, weight_kg: float) -> float:
    """Body surface area by Mosteller: sqrt(height_cm * weight_kg / 3600)."""
    return (height_cm * weight_kg / 3600) ** 0.5


@quick_init
@dataclass(frozen=True)
class Measurement:
    """A quantity in the unit named by the field that holds it, with when it was taken."""

    value: float
    when: datetime | None


@quick_init
@dataclass(frozen=True)
class Dose:
    """A dose schedule normalised to milligrams.

    `administrations_per_day` is fractional for schedules longer than a day (once weekly = 1/7).
    Range doses keep both ends: the high end for safety checks, the low end for under-dosing.
    """

    mg_per_administration_low: float
    mg_per_administration_high: float
    administrations_per_day: float
    text: str
    #: Number of administrations in the order (timing.repeat.count), when bounded.
    administration_count: int | None = None
    #: Length of the course in days (timing.repeat.boundsDuration/boundsPeriod), when bounded.
    course_days: float | None = None
    as_needed: bool = False

    @property
    def mg_per_day_low(self) -> float:
        return self.mg_per_administration_low * self.administrations_per_day

    @property
    def mg_per_day_high(self) -> float:
        return self.mg_per_administration_high * self.administrations_per_day

    @property
    def mg_per_week_low(self) -> float:
        return self.mg_per_day_low * 7

    @property
    def mg_per_week_high(self) -> float:
        return self.mg_per_day_high * 7

    @property
    def more_often_than_weekly(self) -> bool:
        """True for any schedule with more than one administration per 7 days (never a single dose)."""
        if self.administration_count == 1:
            return False
        return self.administrations_per_day * 7 > 1.0001


@quick_init
@dataclass(frozen=True)
class MedicationOrder:
    """One MedicationRequest (on record or a draft order), read by ingredient."""

    drug: Drug
    display: str
    status: str
    intent: str
    #: Relative reference ("MedicationRequest/123") when the resource had an id.
    reference: str | None = None
    rxnorm: str | None = None
    route: Route | None = None
    dose: Dose | None = None
    #: Why `dose` is None ("dose not interpretable: unit 'puff'"), or None when no dose was given.
    dose_problem: str | None = None
    start: date | None = None
    end: date | None = None
    is_draft: bool = False
    is_selected: bool = False
    #: Set when the RxNorm product code and the order's own name state different strengths (then
    #: `dose` is None): the order is ambiguous, not merely unreadable.
    strength_conflict: str | None = None
    #: The order this one renews or changes (`priorPrescription`, "MedicationRequest/123"): not a duplicate of it.
    renews: str | None = None
    #: The resource as it was sent, so a suggestion can update it in its entirety.
    resource: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_current(self) -> bool:
        """On the current regimen: a draft order, or active/on-hold with an order/plan intent."""
        if self.is_draft:
            return True
        return self.status in CURRENT_STATUSES and self.intent in CURRENT_INTENTS

    @property
    def is_as_needed(self) -> bool:
        """Taken as needed (PRN): not a scheduled daily or weekly dose."""
        return self.dose is not None and self.dose.as_needed

    @property
    def prednisone_equivalent_mg_per_day(self) -> float | None:
        """High-end prednisone-equivalent daily dose, or None for non-steroids and unknown doses."""
        factor = PREDNISONE_EQUIVALENCE.get(self.drug)
        if factor is None or self.dose is None:
            return None
        return self.dose.mg_per_day_high * factor

    def days_taken(self, until: date) -> int:
        """Days from start to the end of the order or `until`, whichever is earlier (0 if unknown)."""
        if self.start is None or self.is_draft:
            return 0
        stop = min(self.end, until) if self.end else until
        return max(0, (stop - self.start).days)


@quick_init
@dataclass(frozen=True)
class ConditionFact:
    """A diagnosis mapped to a concept; only active, not refuted/entered-in-error ones are kept."""

    concept: Condition | MyositisSubtype
    code: str
    system: str
    display: str
    onset: date | None = None


@quick_init
@dataclass(frozen=True)
class LabResult:
    """An Observation mapped to a lab or antibody concept."""

    concept: Lab | Antibody
    when: datetime | None
    code: str = ""
    value: float | None = None
    unit: str | None = None
    text: str | None = None
    interpretation: Qualitative = Qualitative.UNKNOWN
    phenotype: Metabolizer | None = None
    #: Upper limit of the laboratory's reference range (`referenceRange.high`), when sent.
    reference_high: float | None = None
    #: `valueQuantity.comparator` ("<", "<=", ">=", ">"): `value` is then a bound, not the result.
    comparator: str | None = None

    def below(self, limit: float) -> bool | None:
        """Whether the value is below `limit`; None when there is no value or its bound does not decide."""
        return None if self.value is None else is_below(self.value, self.comparator, limit)

    def above(self, limit: float) -> bool | None:
        """Whether the value is above `limit`; None when there is no value or its bound does not decide."""
        return None if self.value is None else is_above(self.value, self.comparator, limit)
    #: For a blood count or lung function: which measurement it is (white cells, platelets, FVC % predicted),
    #: when its code says so.
    analyte: Analyte | None = None

    def describe(self) -> str:
        """Short human text of the result, for card details."""
        if self.phenotype is not None:
            shown = f"{self.phenotype.value} metabolizer"
        elif self.value is not None:
            shown = f"{self.comparator or ''}{measured(self.value)} {_readable_unit(self.unit)}".strip()
        elif self.interpretation is not Qualitative.UNKNOWN:
            shown = self.interpretation.value
        else:
            shown = self.text or "result of unknown meaning"
        on = f" on {self.when.date().isoformat()}" if self.when else ""
        return f"{RESULT_NAMES.get(self.concept, self.concept.value)} {shown}{on}"


def newest_first(results: Iterable[LabResult]) -> tuple[LabResult, ...]:
    """`results` newest first, undated last; equally dated ones in the order given."""
    return tuple(sorted(results, key=_recency, reverse=True))


def _recency(result: LabResult) -> tuple[bool, datetime]:
    return result.when is not None, result.when or datetime.min


def is_below(value: float, comparator: str | None, limit: float) -> bool | None:
    """Whether a result is below `limit`, kept honest for a result reported beyond a bound: ">60" is not below 60
    (nor below 45) but cannot be compared with 90 (None); "<15" is below 30 but cannot be compared with 10."""
    if comparator in (">", ">="):
        return False if value >= limit else None
    if comparator == "<":
        return True if value <= limit else None
    if comparator == "<=":
        return True if value < limit else None
    return value < limit


def is_above(value: float, comparator: str | None, limit: float) -> bool | None:
    """Whether a result is above `limit`, the mirror of `is_below`: ">1000" is above 120; "<5" is not above 40."""
    if comparator == ">":
        return True if value >= limit else None
    if comparator == ">=":
        return True if value > limit else None
    if comparator in ("<", "<="):
        return False if value <= limit else None
    return value > limit


#: How a card names a result's test: concept values are identifiers ("creatine-kinase", "anti-hbc"), not text.
RESULT_NAMES: dict[Lab | Antibody, str] = {
    Lab.CREATINE_KINASE: "CK", Lab.ALT: "ALT", Lab.AST: "AST", Lab.EGFR: "eGFR", Lab.HCG: "hCG",
    Lab.HBSAG: "HBsAg", Lab.ANTI_HBC: "anti-HBc", Lab.HCV_ANTIBODY: "HCV antibody", Lab.HBV_DNA: "HBV DNA",
    Lab.HCV_RNA: "HCV RNA", Lab.IGRA: "IGRA", Lab.HIV: "HIV antigen/antibody", Lab.VZV_IGG: "VZV IgG",
    Lab.TROPONIN_I: "troponin I", Lab.IGG: "IgG", Lab.IGM: "IgM", Lab.G6PD: "G6PD", Lab.TPMT: "TPMT",
    Lab.NUDT15: "NUDT15", Lab.BLOOD_COUNT: "blood count", Lab.T_SCORE: "DXA T-score",
    Lab.LUNG_FUNCTION: "lung function", Lab.GGT: "GGT",
    Antibody.JO1: "anti-Jo-1", Antibody.PL7: "anti-PL-7", Antibody.PL12: "anti-PL-12", Antibody.EJ: "anti-EJ",
    Antibody.OJ: "anti-OJ", Antibody.HMGCR: "anti-HMGCR", Antibody.SRP: "anti-SRP", Antibody.MI2: "anti-Mi-2",
    Antibody.MDA5: "anti-MDA5", Antibody.TIF1G: "anti-TIF1-gamma", Antibody.NXP2: "anti-NXP2",
    Antibody.SAE: "anti-SAE", Antibody.RO52: "anti-Ro52", Antibody.RO60: "anti-Ro60",
}


def _readable_unit(unit: str | None) -> str:
    """A UCUM unit as a clinician writes it: UCUM annotations in braces lose their braces and
    underscores ("mL/min/{1.73_m2}" -> "mL/min/1.73 m2")."""
    if not unit:
        return ""
    return unit.replace("{", "").replace("}", "").replace("_", " ")


@quick_init
@dataclass(frozen=True)
class ImmunizationFact:
    vaccine: Vaccine
    when: date | None
    display: str = ""
    #: Being ordered now: a draft Immunization or vaccine MedicationRequest of an order hook.
    ordered: bool = False
    #: Relative reference of the draft order ("Immunization/123"), when `ordered` and it had an id.
    reference: str | None = None


@quick_init
@dataclass(frozen=True)
class InvestigationFact:
    """An imaging or function test from a Procedure, DiagnosticReport or ServiceRequest.

    `done` is False for a test ordered or under way (an active ServiceRequest, a registered report,
    a procedure in progress): it shows the test is in hand, not its result.
    """

    investigation: Investigation
    when: date | None
    done: bool
    source: str
    display: str = ""

    def describe(self) -> str:
        state = "done" if self.done else "ordered"
        on = f" on {self.when.isoformat()}" if self.when else " (undated)"
        return f"{self.display or self.investigation.value} {state}{on} ({self.source})"


@dataclass(frozen=True)
class PatientInfo:
    """Demographics. `reference` ("Patient/123") is used only to build suggested resources."""

    reference: str | None = None
    birth_date: date | None = None
    age_years: float | None = None
    sex: str | None = None
    #: Heuristic of docs/evidence.md#patient-data: female, 12-55, no menopause/hysterectomy code.
    childbearing_potential: bool = False


@dataclass(frozen=True)
class ParseReport:
    """What the mapping understood, could not interpret, or had to skip (counts, no content)."""

    recognised: int = 0
    uninterpretable: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = ()
    #: Readable resources outside the value sets the rules use (a blood-pressure Observation).
    ignored: int = 0


class UnreadableReason(StrEnum):
    """Why a fact that a rule would read could not be read (the label of the /metrics counter)."""

    #: A recognised drug's dose (amount, unit, schedule) could not be converted.
    DOSE = "dose"
    #: The drug of an order could not be identified: its Medication was neither contained, bundled nor fetched.
    MEDICATION = "medication"
    #: A diagnosis coded only as text, or only in code systems the service does not read.
    CODE_SYSTEM = "code-system"
    #: A result reported beyond a bound (">60"): its exact number is not known.
    COMPARATOR = "comparator"


@quick_init
@dataclass(frozen=True)
class Unreadable:
    """One item present in the record whose needed fact could not be read, named as a clinician
    knows it (the order's or the diagnosis's text). Never a reason to assert anything: the rules
    that need the fact stay silent and the notice card (`hooks.unreadable`) says what was not checked."""

    reason: UnreadableReason
    #: The item as a clinician knows it ("Prednisone 20 mg tab, 3 tabs daily").
    item: str
    #: What could not be read, in a few words ("unit 'puff'", "Medication/123 not available").
    problem: str
    #: The guideline drug of an unreadable dose (None: unknown or not a medication).
    drug: Drug | None = None
    #: The laboratory concept of a result beyond a bound, and the bound as reported ((">", 60.0) for ">60").
    lab: Lab | Antibody | None = None
    bound: tuple[str, float] | None = None
    #: The concepts a diagnosis's text names ("dermatomyositis"), read by name only to decide whether to mention it.
    named: tuple[Condition | MyositisSubtype, ...] = ()
    is_draft: bool = False


@dataclass(frozen=True)
class ClinicalFacts:
    """Everything a recommendation may look at, for one hook call at one point in time."""

    now: datetime
    hook: str
    patient: PatientInfo = field(default_factory=PatientInfo)
    myositis: MyositisSubtype | None = None
    conditions: tuple[ConditionFact, ...] = ()
    medications: tuple[MedicationOrder, ...] = ()
    results: tuple[LabResult, ...] = ()
    weight_kg: Measurement | None = None
    height_cm: Measurement | None = None
    allergies: frozenset[Allergy] = frozenset()
    #: Guideline drugs named by an active AllergyIntolerance (RxNorm ingredient code or drug name).
    drug_allergies: frozenset[Drug] = frozenset()
    immunizations: tuple[ImmunizationFact, ...] = ()
    investigations: tuple[InvestigationFact, ...] = ()
    #: Data that could not be obtained (e.g. "AllergyIntolerance"), so cards can say what was not checked.
    data_gaps: tuple[str, ...] = ()
    #: Data obtained only in part (a paged Bundle that could not be completed), by resource type: what
    #: is in it counts, what is not in it is not known to be absent.
    incomplete: tuple[str, ...] = ()
    #: Items present whose needed fact could not be read (a dose, a Medication, a code system, an exact value).
    unreadable: tuple[Unreadable, ...] = ()
    report: ParseReport = field(default_factory=ParseReport)

    @property
    def today(self) -> date:
        return self.now.date()

    # --- diagnoses -------------------------------------------------------------------------
    def has_condition(self, *concepts: Condition | MyositisSubtype) -> bool:
        return any(c.concept in concepts for c in self.conditions)

    def conditions_of(self, *concepts: Condition | MyositisSubtype) -> tuple[ConditionFact, ...]:
        return tuple(c for c in self.conditions if c.concept in concepts)

    @property
    def has_active_myositis(self) -> bool:
        return self.myositis is not None

    # --- medications -----------------------------------------------------------------------
    # Indexes built on first use: rules ask the same questions many times per call, and a large
    # record (thousands of orders and results) must not be scanned once per question.
    @cached_property
    def _current_orders(self) -> tuple[MedicationOrder, ...]:
        return tuple(m for m in self.medications if m.is_current)

    @cached_property
    def _results_by_concept(self) -> Mapping[Lab | Antibody, tuple[LabResult, ...]]:
        grouped: dict[Lab | Antibody, list[LabResult]] = {}
        for r in self.results:
            grouped.setdefault(r.concept, []).append(r)
        return {concept: newest_first(rs) for concept, rs in grouped.items()}

    def current(self, drugs: Iterable[Drug] | None = None) -> tuple[MedicationOrder, ...]:
        """Current regimen (record + drafts), optionally restricted to some drugs."""
        if drugs is None:
            return self._current_orders
        wanted = frozenset(drugs)
        return tuple(m for m in self._current_orders if m.drug in wanted)

    def drafts(self, drugs: Iterable[Drug] | None = None) -> tuple[MedicationOrder, ...]:
        return tuple(m for m in self.current(drugs) if m.is_draft)

    def on_record(self, drugs: Iterable[Drug] | None = None) -> tuple[MedicationOrder, ...]:
        """Current orders on record, without the drafts."""
        return tuple(m for m in self.current(drugs) if not m.is_draft)

    def history(self, drugs: Iterable[Drug]) -> tuple[MedicationOrder, ...]:
        """Every non-draft order of these drugs, current or past."""
        wanted = frozenset(drugs)
        return tuple(m for m in self.medications if not m.is_draft and m.drug in wanted)

    # --- observations ----------------------------------------------------------------------
    def results_of(self, concept: Lab | Antibody) -> tuple[LabResult, ...]:
        """Results of one concept, newest first (undated last)."""
        return self._results_by_concept.get(concept, ())

    def latest(self, concept: Lab | Antibody) -> LabResult | None:
        found = self.results_of(concept)
        return found[0] if found else None

    def reading(self, concept: Lab | Antibody) -> Qualitative:
        """Positive if any result is positive, else negative if any is negative, else unknown."""
        readings = {r.interpretation for r in self.results_of(concept)}
        if Qualitative.POSITIVE in readings:
            return Qualitative.POSITIVE
        if Qualitative.NEGATIVE in readings:
            return Qualitative.NEGATIVE
        return Qualitative.UNKNOWN

    def antibody(self, antibody: Antibody) -> Qualitative:
        """The antibody's `reading`: positive if any result is positive, else negative, else unknown."""
        return self.reading(antibody)

    def positive_antibodies(self, antibodies: Iterable[Antibody]) -> tuple[Antibody, ...]:
        return tuple(a for a in antibodies if self.antibody(a) is Qualitative.POSITIVE)

    def investigations_of(self, *kinds: Investigation) -> tuple[InvestigationFact, ...]:
        """Investigations of these kinds, done or ordered, newest first (undated last)."""
        found = [i for i in self.investigations if i.investigation in kinds]
        return tuple(sorted(found, key=lambda i: (i.when is not None, i.when or date.min), reverse=True))

    # --- body size -------------------------------------------------------------------------
    @property
    def bsa_m2(self) -> float | None:
        """Body surface area by Mosteller from the latest height and weight, whatever their age."""
        if self.weight_kg is None or self.height_cm is None:
            return None
        return mosteller_bsa_m2(self.height_cm.value, self.weight_kg.value)

    @property
    def ideal_body_weight_kg(self) -> float | None:
        """Ideal body weight by Devine, for adults: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch
        of height over 5 feet. None for children, unknown sex or height (the formula is for adults)."""
        base = {"male": 50.0, "female": 45.5}.get(self.patient.sex or "")
        if base is None or self.height_cm is None or not self.is_adult:
            return None
        return base + 2.3 * (self.height_cm.value / 2.54 - 60)

    @property
    def is_adult(self) -> bool:
        return self.patient.age_years is not None and self.patient.age_years >= 18

    @property
    def is_child(self) -> bool:
        return self.patient.age_years is not None and self.patient.age_years < 18
