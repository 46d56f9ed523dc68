"""Criteria shared by several recommendations, named once (docs/evidence.md#patient-data)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

from fhir_mappings.concepts import (
    ORAL_PREDNISONE_LIKE,
    PREDNISONE_EQUIVALENCE,
    SYSTEMIC_GLUCOCORTICOIDS,
    Analyte,
    Antibody,
    Condition,
    Drug,
    Investigation,
    Lab,
    MyositisSubtype,
    Qualitative,
    Route,
)
from fhir_mappings.facts import (
    WEIGHT_LOOKBACK_DAYS_ADULT,
    WEIGHT_LOOKBACK_DAYS_CHILD,
    ClinicalFacts,
    ConditionFact,
    LabResult,
    MedicationOrder,
    is_below,
    mosteller_bsa_m2,
)
from fhir_mappings.numbers import num


def maintenance_glucocorticoids(facts: ClinicalFacts, *, include_drafts: bool = True) -> tuple[MedicationOrder, ...]:
    """Current systemic glucocorticoid orders other than IV pulses and as-needed doses."""
    orders = facts.current(SYSTEMIC_GLUCOCORTICOIDS) if include_drafts else facts.on_record(SYSTEMIC_GLUCOCORTICOIDS)
    return tuple(m for m in orders if m.route is not Route.INTRAVENOUS and not m.is_as_needed)


def prednisone_equivalent_mg_per_day(facts: ClinicalFacts, *, include_drafts: bool = True) -> float:
    """Sum of the high-end prednisone-equivalent daily doses of the maintenance glucocorticoids.

    A draft order that replaces an order of the same drug on record counts once (the larger).
    Orders whose dose could not be interpreted contribute nothing.
    """
    orders = maintenance_glucocorticoids(facts, include_drafts=include_drafts)
    drafted = {m.drug for m in orders if m.is_draft}
    by_drug: dict[str, float] = {}
    for order in orders:
        mg = order.prednisone_equivalent_mg_per_day
        if mg is None:
            continue
        key = order.drug.value if order.drug in drafted else f"{order.drug.value}:{id(order)}"
        by_drug[key] = max(by_drug.get(key, 0.0), mg)
    return sum(by_drug.values())


def oral_glucocorticoid_orders(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    """Current scheduled systemic glucocorticoid orders taken by mouth, drafts included: prednisone and
    prednisolone (tablets or liquid) also with no route stated (they have no other systemic form), the
    others (methylprednisolone, dexamethasone, hydrocortisone) only with an oral route or dose form, so
    that an IV pulse sent without a route is not read as an oral dose."""
    return tuple(
        m for m in facts.current(SYSTEMIC_GLUCOCORTICOIDS)
        if not m.is_as_needed
        and (m.route is Route.ORAL or (m.route is None and m.drug in ORAL_PREDNISONE_LIKE))
    )


def oral_prednisone_orders(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    """Current scheduled prednisone/prednisolone orders given by mouth (or with no route stated),
    drafts included; as-needed orders are not a daily dose."""
    return tuple(m for m in facts.current(ORAL_PREDNISONE_LIKE) if m.route in (Route.ORAL, None) and not m.is_as_needed)


Interval = tuple[date, date]


def covered_intervals(orders: tuple[MedicationOrder, ...], until: date) -> list[Interval]:
    """The periods [start, stop) before `until` during which at least one of the orders with a start
    date was being taken, merged so that none overlap or touch, in date order."""
    spans = sorted(
        (o.start, min(o.end, until) if o.end else until) for o in orders if o.start is not None
    )
    merged: list[Interval] = []
    for start, stop in spans:
        if stop <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def intersect_intervals(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """The periods covered by both merged, ordered interval lists."""
    both: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start, stop = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < stop:
            both.append((start, stop))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return both


def total_days(intervals: list[Interval]) -> int:
    return sum((stop - start).days for start, stop in intervals)


def covered_days(orders: tuple[MedicationOrder, ...], until: date) -> int:
    """Cumulative medication duration (CMS eCQM): days covered by the orders on record, gaps not
    counted, overlaps counted once."""
    return total_days(covered_intervals(tuple(o for o in orders if not o.is_draft), until))


def glucocorticoid_days(facts: ClinicalFacts) -> int:
    """Days of systemic glucocorticoid exposure so far (cumulative, on record)."""
    return covered_days(facts.history(SYSTEMIC_GLUCOCORTICOIDS), facts.today)


def describe(order: MedicationOrder) -> str:
    """One line for a card's facts list: drug, dose, start, and whether it is a draft."""
    dose = order.dose.text if order.dose else (order.dose_problem or "dose not stated")
    since = f" since {order.start.isoformat()}" if order.start and not order.is_draft else ""
    draft = " (draft order)" if order.is_draft else ""
    return f"{order.display}: {dose}{since}{draft}"


#: How a card names each subtype (the enum values are identifiers: "antisynthetase-syndrome").
SUBTYPE_NAMES: dict[MyositisSubtype, str] = {
    MyositisSubtype.INCLUSION_BODY_MYOSITIS: "inclusion body myositis",
    MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING: "immune-mediated necrotizing myopathy",
    MyositisSubtype.ANTISYNTHETASE: "antisynthetase syndrome",
    MyositisSubtype.JUVENILE_DERMATOMYOSITIS: "juvenile dermatomyositis",
    MyositisSubtype.DERMATOMYOSITIS: "dermatomyositis",
    MyositisSubtype.POLYMYOSITIS: "polymyositis",
    MyositisSubtype.UNSPECIFIED: "inflammatory myopathy",
}


def myositis_onset(facts: ClinicalFacts) -> date | None:
    """The earliest onset of a myositis Condition (its recorded date when no onset is given), or None."""
    return min((c.onset for c in facts.conditions if isinstance(c.concept, MyositisSubtype) and c.onset), default=None)


def diagnosis_fact(facts: ClinicalFacts, unnamed: str = "Diagnosis: inflammatory myopathy") -> str:
    """The myositis diagnosis as a line of a card's facts list (`unnamed` when no subtype is coded)."""
    return f"Diagnosis: {SUBTYPE_NAMES[facts.myositis]}" if facts.myositis else unnamed


def days_ago(facts: ClinicalFacts, days: int) -> date:
    return facts.today - timedelta(days=days)


#: A re-order of a drug whose course was current, or ended at most this many days before, continues that course
#: (a renewal, issue 21): it gets monitoring, not start-of-therapy checks. A renewal is written about when the
#: previous supply runs out; a month's gap (one monthly supply missed or recorded late) still continues the
#: course, a longer one is a new start with its start checks (a short burst two months earlier does not make a
#: new course a renewal).
RENEWAL_GAP_DAYS = 30


def course_start(facts: ClinicalFacts, order: MedicationOrder, gap_days: int = RENEWAL_GAP_DAYS) -> date | None:
    """When the course `order` belongs to began: its own start (today for a draft), or earlier, through the
    orders of the same drug on record that were current, or ended within `gap_days`, when the next began."""
    begins = facts.today if order.is_draft or order.start is None else order.start
    earlier = [m for m in facts.history({order.drug}) if m is not order and m.start is not None]
    changed = True
    while changed:
        changed = False
        for other in earlier:
            if other.start is None or other.start >= begins:
                continue
            ended = None if other.is_current else other.end
            if other.is_current or (ended is not None and (begins - ended).days <= gap_days):
                begins, changed = other.start, True
    return begins if order.is_draft or order.start is not None else None


def is_new_treatment(order: MedicationOrder, facts: ClinicalFacts, recent_days: int) -> bool:
    """A draft, or an order on record started within `recent_days`: treatment being given anew, renewals
    included (each rituximab cycle is its own order and needs its own checks; `is_start` leaves renewals out)."""
    return order.is_draft or (order.start is not None and order.start >= days_ago(facts, recent_days))


def is_start(facts: ClinicalFacts, order: MedicationOrder, recent_days: int) -> bool:
    """Start of therapy: a draft, or an order started within `recent_days`, that does not continue a course of
    the same drug (a renewal of a current or recently ended course is not a start)."""
    if not order.is_draft and (order.start is None or order.start < days_ago(facts, recent_days)):
        return False
    own = facts.today if order.is_draft else order.start
    return course_start(facts, order) == own


def draft_references(orders: tuple[MedicationOrder, ...]) -> tuple[str, ...]:
    """The draft orders among `orders`, as the references a Finding's `about_drafts` carries."""
    return tuple(m.reference or m.display for m in orders if m.is_draft)


def recent_weight_kg(facts: ClinicalFacts) -> float | None:
    """The latest body weight if recent enough for weight-based dosing (docs/evidence.md#patient-data: 90 days,
    30 for children), else None so that the card says "weight needed" instead of using a stale one."""
    return dosing_weight_kg(facts, WEIGHT_LOOKBACK_DAYS_CHILD if facts.is_child else WEIGHT_LOOKBACK_DAYS_ADULT)


def weight_fact(facts: ClinicalFacts, weight_kg: float) -> str:
    """A dosing weight as a line of a card's facts list, with the date it was measured."""
    when = facts.weight_kg.when if facts.weight_kg is not None else None
    return f"Weight: {num(weight_kg)} kg" + (f" on {when.date().isoformat()}" if when else "")


def dosing_bsa_m2(facts: ClinicalFacts) -> float | None:
    """Body surface area (Mosteller) from the latest height and a weight recent enough for dosing
    (`recent_weight_kg`), or None."""
    weight = recent_weight_kg(facts)
    if weight is None or facts.height_cm is None or facts.height_cm.value <= 0:
        return None
    return mosteller_bsa_m2(facts.height_cm.value, weight)


def mg_per_kg_per_day(facts: ClinicalFacts, order: MedicationOrder) -> float | None:
    """High-end daily dose per kg of body weight, or None when dose or weight is unknown."""
    weight = recent_weight_kg(facts)
    if order.dose is None or weight is None:
        return None
    return order.dose.mg_per_day_high / weight


def planned_prednisone_equivalent_mg_per_day(facts: ClinicalFacts, *, low_end: bool = False) -> float:
    """Prednisone-equivalent mg/day of the regimen once the drafts are signed.

    Unlike `prednisone_equivalent_mg_per_day` (which keeps the larger of a draft and the order on
    record it may replace), a draft here replaces the orders on record of the same drug, so a draft
    that lowers the dose is seen as lower. High end of range doses, or the low end with `low_end`
    (for under-dosing cards). Without drafts both give the dose on record.
    """
    current = maintenance_glucocorticoids(facts)
    drafted = {m.drug for m in current if m.is_draft}
    total = 0.0
    for order in current:
        factor = PREDNISONE_EQUIVALENCE.get(order.drug)
        if factor is None or order.dose is None or (order.drug in drafted and not order.is_draft):
            continue
        total += (order.dose.mg_per_day_low if low_end else order.dose.mg_per_day_high) * factor
    return total


def dose_in_steps(target_mg: float, step_mg: float, *, at_least_mg: float,
                  at_most_mg: float | None = None) -> float | None:
    """A dose to suggest: `target_mg` rounded down to a multiple of `step_mg` (tablet or syringe steps),
    then capped at `at_most_mg`; None when that falls below `at_least_mg` (out of the recommended range)."""
    mg = step_mg * math.floor(target_mg / step_mg)
    if at_most_mg is not None:
        mg = min(mg, at_most_mg)
    return mg if mg >= at_least_mg else None


def dosing_weight_kg(facts: ClinicalFacts, max_age_days: int) -> float | None:
    """The latest weight if measured within `max_age_days` (docs/evidence.md#patient-data: 90 days, 30 for children).

    An undated weight is not used: a card that needs mg/kg then says "weight needed".
    """
    weight = facts.weight_kg
    if weight is None or weight.when is None or weight.value <= 0:
        return None
    if (facts.now - weight.when).days > max_age_days:
        return None
    return weight.value


LUNG_INVOLVEMENT = (Condition.INTERSTITIAL_LUNG_DISEASE, Condition.RESPIRATORY_INVOLVEMENT)


def lung_involvement(facts: ClinicalFacts) -> tuple[ConditionFact, ...]:
    """ILD coded, or myositis "with respiratory involvement" (ICD-10-CM M33.x1), read as possible ILD:
    the ILD rules (methotrexate caution, combination therapy, ILD assessment) treat both alike."""
    return facts.conditions_of(*LUNG_INVOLVEMENT)


def is_juvenile_myositis(facts: ClinicalFacts) -> bool:
    """Juvenile dermatomyositis coded, or inflammatory myopathy in a patient under 18 (docs/evidence.md#patient-data)."""
    return facts.myositis is MyositisSubtype.JUVENILE_DERMATOMYOSITIS or (
        facts.has_active_myositis and facts.is_child
    )


def days_at_or_above(facts: ClinicalFacts, min_mg_per_day: float) -> int:
    """Cumulative days on record (gaps not counted) of non-IV glucocorticoid orders that each
    reached `min_mg_per_day` prednisone-equivalent."""
    orders = tuple(
        m
        for m in facts.history(SYSTEMIC_GLUCOCORTICOIDS)
        if m.route is not Route.INTRAVENOUS and (m.prednisone_equivalent_mg_per_day or 0.0) >= min_mg_per_day
    )
    return covered_days(orders, facts.today)


def remaining_course_days(order: MedicationOrder, today: date) -> int | None:
    """Days an order still runs from `today` (a draft from today); None when it is open-ended."""
    start = today if order.is_draft or order.start is None else order.start
    ends: list[date] = []
    if order.end is not None:
        ends.append(order.end)
    if order.dose is not None and order.dose.course_days is not None:
        ends.append(start + timedelta(days=order.dose.course_days))
    if not ends:
        return None
    return max(0, (min(ends) - today).days)


def is_open_ended_daily_course(order: MedicationOrder) -> bool:
    """A daily (or more frequent) order with neither a number of administrations, a course length nor an
    end date: read literally it never stops, which is wrong for a pulse or an IVIG course (1-5 days)."""
    dose = order.dose
    if dose is None or dose.as_needed or order.end is not None:
        return False
    if dose.administration_count is not None or dose.course_days is not None:
        return False
    return dose.administrations_per_day >= 1


def sustained_glucocorticoid(facts: ClinicalFacts, min_mg_per_day: float, min_days: int) -> bool:
    """Prednisone-equivalent >= `min_mg_per_day` now (drafts included) for >= `min_days`, actual or planned.

    Planned: days already taken at that dose plus what the current orders at that dose still have to
    run; an order without an end date or bounded course is open-ended and counts as planned long enough.
    """
    if prednisone_equivalent_mg_per_day(facts) < min_mg_per_day:
        return False
    current = maintenance_glucocorticoids(facts)
    high = [m for m in current if (m.prednisone_equivalent_mg_per_day or 0.0) >= min_mg_per_day] or list(current)
    ahead = [remaining_course_days(m, facts.today) for m in high]
    if any(days is None for days in ahead):
        return True
    return days_at_or_above(facts, min_mg_per_day) + max(ahead, default=0) >= min_days


def cumulative_prednisone_equivalent_mg(facts: ClinicalFacts, window_days: int) -> float:
    """Prednisone-equivalent mg taken in the last `window_days` (orders on record).

    Oral orders count their daily dose over the days covered in the window; IV orders count only
    when bounded (administration count or course length), so an open IV pulse order is not
    mistaken for daily dosing.
    """
    window_start = facts.today - timedelta(days=window_days)
    total = 0.0
    for order in facts.history(SYSTEMIC_GLUCOCORTICOIDS):
        factor = PREDNISONE_EQUIVALENCE[order.drug]
        if order.dose is None or order.start is None or order.dose.as_needed:
            continue
        if order.route is Route.INTRAVENOUS:
            if order.start < window_start:
                continue
            if order.dose.administration_count is not None:
                total += order.dose.mg_per_administration_high * order.dose.administration_count * factor
            elif order.dose.course_days is not None:
                total += order.dose.mg_per_day_high * order.dose.course_days * factor
            continue
        stop = min(order.end, facts.today) if order.end else facts.today
        days = (stop - max(order.start, window_start)).days
        if days > 0:
            total += order.dose.mg_per_day_high * days * factor
    return total


_CREATININE_MG_DL_PER_UNIT = {"mg/dl": 1.0, "umol/l": 1 / 88.4, "µmol/l": 1 / 88.4, "μmol/l": 1 / 88.4}


def ckd_epi_2021(creatinine_mg_dl: float, age_years: float, female: bool) -> float:
    """eGFR (mL/min/1.73 m²) by the race-free CKD-EPI 2021 creatinine equation, adults only."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr = 142 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age_years
    return egfr * 1.012 if female else egfr


class EgfrReading(NamedTuple):
    """An eGFR in mL/min/1.73 m², the text that shows where it came from, and when it was measured."""

    value: float
    text: str
    when: datetime | None
    #: A reported eGFR's comparator (">" for ">60"): `value` is then a bound.
    comparator: str | None = None

    def below(self, limit: float) -> bool | None:
        """Whether the eGFR is below `limit`; None when a reported bound does not decide (">60" against 90)."""
        return is_below(self.value, self.comparator, limit)


#: Default age limit (days) of a laboratory value read as current: the BSR/BHPR 2017 stable-phase
#: monitoring interval; rules expose their own window parameter (docs/evidence.md#result-windows).
RESULT_WINDOW_DAYS = 90


def measured_within(facts: ClinicalFacts, result: LabResult | None, window_days: int | None) -> bool:
    """True when `result` was measured within `window_days` before now; an undated result is never
    current (its age is unknown). `window_days=None` accepts any result, dated or not (the last on record)."""
    if result is None:
        return False
    if window_days is None:
        return True
    return result.when is not None and (facts.now - result.when).days <= window_days


def recent_value(facts: ClinicalFacts, concept: Lab | Antibody, window_days: int | None) -> LabResult | None:
    """The newest numeric result of `concept` if measured within `window_days`, else None.

    The one way rules read a current laboratory value: a three-year-old lymphocyte count is history,
    not "lymphopenia", so an older result is not presented as current."""
    newest = next((r for r in facts.results_of(concept) if r.value is not None), None)
    return newest if measured_within(facts, newest, window_days) else None


#: Units in which a cell count is read as 10^9/L (10^3/µL is the same quantity).
PER_NANOLITRE_UNITS = frozenset({"10*9/l", "10^9/l", "x10e9/l", "g/l", "10*3/ul", "10^3/ul", "k/ul", "x10e3/ul"})


def _blood_count_reading(result: LabResult, lower_limits: Mapping[Analyte, float]) -> Qualitative:
    """The lab's own reading (flag or range); without one, a white-cell or platelet count in 10^9/L against
    the configured lower limit; else unknown."""
    if result.interpretation is not Qualitative.UNKNOWN:
        return result.interpretation
    limit = lower_limits.get(result.analyte) if result.analyte is not None else None
    if limit is None or result.value is None or (result.unit or "").lower() not in PER_NANOLITRE_UNITS:
        return Qualitative.UNKNOWN
    return Qualitative.NEGATIVE if result.value >= limit else Qualitative.POSITIVE


def recent_normal_blood_count(facts: ClinicalFacts, window_days: int,
                              lower_limits: Mapping[Analyte, float] | None = None) -> tuple[LabResult, ...]:
    """The blood-count results of the last `window_days` read as normal, when none is abnormal, else ().

    A result is read by the lab's flag or range, else (white cells, platelets) by `lower_limits`. When some
    results cannot be read at all (a haemoglobin sent without range or flag), the counts are still normal if
    the white cells and platelets were read as normal; otherwise a count whose normality cannot be read is
    not "normal"."""
    recent = [r for r in facts.results_of(Lab.BLOOD_COUNT)
              if measured_within(facts, r, window_days) and (r.value is not None or r.interpretation is not Qualitative.UNKNOWN)]
    readings = [(r, _blood_count_reading(r, lower_limits or {})) for r in recent]
    if not readings or any(q is Qualitative.POSITIVE for _, q in readings):
        return ()
    normal = tuple(r for r, q in readings if q is Qualitative.NEGATIVE)
    if len(normal) == len(readings):
        return normal
    return normal if {Analyte.WBC, Analyte.PLATELETS} <= {r.analyte for r in normal} else ()


#: Enzyme activity units read as U/L; a value in another unit (µkat/L) is not converted.
ENZYME_UNITS = frozenset({"u/l", "iu/l", "[iu]/l", "units/l"})


def recent_enzyme(facts: ClinicalFacts, lab: Lab, window_days: int | None) -> LabResult | None:
    """The newest numeric result of an enzyme (ALT, AST, CK, GGT) if measured within `window_days` and
    reported in U/L, else None."""
    result = recent_value(facts, lab, window_days)
    return result if result is not None and (result.unit or "").lower() in ENZYME_UNITS else None


def upper_limit(result: LabResult, default: float) -> float:
    """The laboratory's upper reference limit sent with the result, else `default` (same unit)."""
    return result.reference_high or default


#: Bedside Schwartz (CKiD 2009) is validated from 1 year; a height older than this is not used for it.
SCHWARTZ_MIN_AGE_YEARS = 1
SCHWARTZ_HEIGHT_MAX_DAYS = 365


def bedside_schwartz(creatinine_mg_dl: float, height_cm: float) -> float:
    """eGFR (mL/min/1.73 m²) of a child by the bedside Schwartz equation (Schwartz et al., J Am Soc Nephrol
    2009;20:629-637): 0.413 x height (cm) / serum creatinine (mg/dL)."""
    return 0.413 * height_cm / creatinine_mg_dl


def _computed_egfr(facts: ClinicalFacts, creatinine: LabResult) -> EgfrReading | None:
    """eGFR from a serum creatinine: CKD-EPI 2021 for adults with a known sex, bedside Schwartz for children
    from 1 year with a height measured within a year; None when neither applies."""
    factor = _CREATININE_MG_DL_PER_UNIT.get((creatinine.unit or "").lower())
    if factor is None or creatinine.value is None or creatinine.value <= 0:
        return None
    mg_dl = creatinine.value * factor
    if facts.is_adult and facts.patient.sex in ("female", "male"):
        value = ckd_epi_2021(mg_dl, facts.patient.age_years, facts.patient.sex == "female")
        return EgfrReading(value, f"eGFR {num(value, 0)} mL/min/1.73 m² (CKD-EPI 2021 from {creatinine.describe()})",
                           creatinine.when)
    height = facts.height_cm
    if (facts.is_child and facts.patient.age_years >= SCHWARTZ_MIN_AGE_YEARS and height is not None
            and height.when is not None and (facts.now - height.when).days <= SCHWARTZ_HEIGHT_MAX_DAYS):
        value = bedside_schwartz(mg_dl, height.value)
        return EgfrReading(value, f"eGFR {num(value, 0)} mL/min/1.73 m² (bedside Schwartz from "
                           f"{creatinine.describe()} and height {num(height.value)} cm)", creatinine.when)
    return None


def latest_egfr(facts: ClinicalFacts, window_days: int | None = RESULT_WINDOW_DAYS) -> EgfrReading | None:
    """The eGFR measured within `window_days` (None: the last on record), with the text that shows where
    it came from, or None.

    A reported eGFR is used unless a newer serum creatinine exists; then the eGFR is computed from it
    (`_computed_egfr`: CKD-EPI 2021 for adults with a known sex, bedside Schwartz for children with a
    recent height; a creatinine in mg/dL or µmol/L).
    """
    reported = recent_value(facts, Lab.EGFR, window_days)
    creatinine = recent_value(facts, Lab.CREATININE, window_days)
    newer_creatinine = creatinine is not None and (
        reported is None or (creatinine.when is not None and (reported.when is None or creatinine.when > reported.when))
    )
    computed = _computed_egfr(facts, creatinine) if newer_creatinine else None
    if computed is not None:
        return computed
    if reported is not None:
        return EgfrReading(reported.value, reported.describe(), reported.when, reported.comparator)
    return None


def data_gap(facts: ClinicalFacts, resource_type: str, prefetch_key: str) -> bool:
    """True when a resource type could not be obtained, or only in part (named by type or by prefetch
    key), so a card must ask the clinician to verify instead of asserting that something is absent."""
    unknown = (*facts.data_gaps, *facts.incomplete)
    return resource_type in unknown or prefetch_key in unknown


#: Agents the 2023 ACR/CHEST SARD-ILD treatment guideline lists for first-line ILD treatment or for
#: combination therapy of rapidly progressive ILD (methotrexate is not among them).
ILD_DIRECTED_AGENTS = frozenset(
    {
        Drug.MYCOPHENOLATE_MOFETIL,
        Drug.MYCOPHENOLIC_ACID,
        Drug.AZATHIOPRINE,
        Drug.TACROLIMUS,
        Drug.CICLOSPORIN,
        Drug.CYCLOPHOSPHAMIDE,
        Drug.RITUXIMAB,
        Drug.IVIG,
    }
)


def on_ild_combination_therapy(facts: ClinicalFacts) -> bool:
    """A systemic glucocorticoid with an ILD-directed agent, or two ILD-directed agents (drafts included)."""
    agents = {m.drug for m in facts.current(ILD_DIRECTED_AGENTS)}
    return len(agents) >= 2 or (bool(agents) and bool(facts.current(SYSTEMIC_GLUCOCORTICOIDS)))


def latest_lung_function_test(facts: ClinicalFacts) -> tuple[date | None, str] | None:
    """Date and description of the newest lung function test: a result, or a test done or ordered
    (Procedure, DiagnosticReport, ServiceRequest); undated ones rank last. None when there is none."""
    tests = [(r.when.date() if r.when else None, r.describe()) for r in facts.results_of(Lab.LUNG_FUNCTION)]
    tests += [(i.when, i.describe()) for i in facts.investigations_of(Investigation.LUNG_FUNCTION_TEST)]
    return max(tests, key=lambda t: t[0] or date.min, default=None)
