"""Dosage (R4 `dosageInstruction`) -> `Dose` in milligrams, or the reason it cannot be read.

A dose is converted only when both its amount and its schedule are understood: mg/g/mcg, tablets or
capsules x product strength, mL x concentration, mg/kg x the latest weight, mg/m2 x BSA; and a
schedule from `timing.repeat` or `timing.code`. An amount without any unit counts dose units only
when the product's dose form is itself a countable unit (tablet, capsule): EHRs write one tablet as
`doseQuantity {"value": 1}`. Anything else is reported as "dose not interpretable: ..." and never
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fhir_mappings.facts import Dose
from fhir_mappings.numbers import num
from fhir_mappings.read import as_list, codings, date_of, mapping, number, string
from fhir_mappings.records import quick_init
from fhir_mappings.systems import V3_TIMING, canonical
from fhir_mappings.units import COUNT_UNITS, MASS_MG, TIME_DAYS, VOLUME_ML, unit_keys, unit_label

PROBLEM = "dose not interpretable: "

#: timing.code (HL7 v3 GTSAbbreviation and common variants) -> administrations per day.
TIMING_CODES: dict[str, float] = {
    "QD": 1, "DAILY": 1, "AM": 1, "PM": 1, "QAM": 1, "QPM": 1, "BED": 1, "QHS": 1, "HS": 1,
    "BID": 2, "TID": 3, "QID": 4, "QOD": 0.5, "WK": 1 / 7, "QW": 1 / 7, "QWK": 1 / 7, "MO": 1 / TIME_DAYS["mo"],
    "ONCEDAILY": 1, "TWICEDAILY": 2, "THREETIMESDAILY": 3, "FOURTIMESDAILY": 4, "EVERYOTHERDAY": 0.5,
    "WEEKLY": 1 / 7, "ONCEWEEKLY": 1 / 7, "ONCEAWEEK": 1 / 7, "MONTHLY": 1 / TIME_DAYS["mo"],
}
_EVERY = re.compile(r"^Q(\d+(?:\.\d+)?)(H|D|W|WK)$")
_EVERY_DAYS = {"H": 1 / 24, "D": 1.0, "W": 7.0, "WK": 7.0}


@quick_init
@dataclass(frozen=True)
class DoseContext:
    """What a dose may need besides the Dosage: the product's strength and the patient's size."""

    mg_per_unit: float | None = None
    mg_per_ml: float | None = None
    weight_kg: float | None = None
    bsa_m2: float | None = None
    #: Days since the order started (selects the phase of a sequential dosage), None if unknown.
    elapsed_days: float | None = None
    #: The component the mg count in, for a combination product ("trimethoprim"), shown after "mg".
    mg_of: str = ""
    #: "tablet" or "capsule" when the product's dose form is a countable unit, so that a unitless
    #: amount is a number of those units; None otherwise.
    count_form: str | None = None
    #: For a combination product counted by one component: the mg amounts a dose may state (whole product
    #: or component, `products.combination_mg`) -> mg of that component. None: mg are read as written.
    combination_mg: Mapping[float, float] | None = None


class NotInterpretable(Exception):
    """Internal: why a dose could not be read (becomes `dose_problem`)."""


@quick_init
@dataclass(frozen=True)
class _Amount:
    mg_low: float
    mg_high: float
    text: str


def read_dose(dosages: Any, context: DoseContext) -> tuple[Dose | None, str | None]:
    """(dose, None), (None, problem) or (None, None) when the order states no dose at all."""
    instructions = [mapping(d) for d in as_list(dosages) if mapping(d)]
    with_dose = [d for d in instructions if _dose_and_rate(d) is not None]
    if not with_dose:
        return None, None
    try:
        return _combine(_current_phase(with_dose, context), context), None
    except NotInterpretable as problem:
        return None, PROBLEM + str(problem)


def has_unitless_amount(dosages: Any) -> bool:
    """Whether a dose amount of these instructions has a value but no unit (noted in the ParseReport
    when it was read as tablets or capsules)."""
    for dosage in as_list(dosages):
        if any(q.get("value") is not None and not unit_keys(q) for q in _quantities(_dose_and_rate(mapping(dosage)))):
            return True
    return False


def needs_body_size(dosages: Any) -> bool:
    """Whether a dose amount of these instructions is per kg or per m2, so that reading it needs the patient's
    weight (and height): every other dose reads the same without them. Any dose of any instruction counts, so
    that a record whose orders need no body size has its weights and heights left unmapped."""
    for dosage in as_list(dosages):
        for item in as_list(mapping(dosage).get("doseAndRate")):
            if any(map(_per_size_unit, _quantities(item))):
                return True
    return False


def _quantities(dose_and_rate: Any) -> tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]:
    """The dose Quantities of one `doseAndRate` item: `doseQuantity`, `doseRange.low` and `doseRange.high`."""
    item = mapping(dose_and_rate)
    dose_range = mapping(item.get("doseRange"))
    return mapping(item.get("doseQuantity")), mapping(dose_range.get("low")), mapping(dose_range.get("high"))


def _per_size_unit(quantity: Mapping[str, Any]) -> bool:
    # Every per-size unit has a "/": most doses ("mg", "{tbl}") are passed over without reading their unit keys.
    if not any(type(raw) is str and "/" in raw for raw in (quantity.get("code"), quantity.get("unit"))):
        return False
    return any(_PER_SIZE.match(key.replace(" ", "")) for key in unit_keys(quantity))


def _dose_and_rate(dosage: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for item in as_list(dosage.get("doseAndRate")):
        item = mapping(item)
        if item.get("doseQuantity") is not None or item.get("doseRange") is not None:
            return item
    return None


def _current_phase(dosages: list[Mapping[str, Any]], context: DoseContext) -> list[Mapping[str, Any]]:
    """The instructions that apply now: all of them, or the current step of a sequential dosage."""
    sequences = sorted({number(d.get("sequence")) for d in dosages}, key=lambda s: (s is None, s or 0))
    if len(sequences) <= 1:
        return dosages
    elapsed = context.elapsed_days or 0.0
    for sequence in sequences:
        phase = [d for d in dosages if number(d.get("sequence")) == sequence]
        days = max((course_days(mapping(d.get("timing"))) or 0.0) for d in phase)
        if not days or elapsed < days:
            return phase
        elapsed -= days
    return [d for d in dosages if number(d.get("sequence")) == sequences[-1]]


def _combine(dosages: list[Mapping[str, Any]], context: DoseContext) -> Dose:
    """Concurrent instructions (10 mg morning + 5 mg evening) add up into one daily schedule."""
    doses = [_one(d, context) for d in dosages]
    if len(doses) == 1:
        return doses[0]
    per_day = sum(d.administrations_per_day for d in doses)
    if per_day <= 0:
        raise NotInterpretable("no administrations in the schedule")
    low = sum(d.mg_per_day_low for d in doses) / per_day
    high = sum(d.mg_per_day_high for d in doses) / per_day
    return Dose(low, high, per_day, " + ".join(d.text for d in doses),
                as_needed=all(d.as_needed for d in doses))


def _one(dosage: Mapping[str, Any], context: DoseContext) -> Dose:
    item = _dose_and_rate(dosage) or {}
    amount = _amount(item, context)
    timing = mapping(dosage.get("timing"))
    as_needed = bool(dosage.get("asNeededBoolean")) or dosage.get("asNeededCodeableConcept") is not None
    per_day, schedule_text, count = _schedule(timing, as_needed)
    course = course_days(timing)
    text = f"{amount.text} {schedule_text}"
    if course:
        text += f" for {num(course)} days"
    if as_needed:
        text += " as needed"
    return Dose(amount.mg_low, amount.mg_high, per_day, text, administration_count=count,
                course_days=course, as_needed=as_needed)


# --- amount ----------------------------------------------------------------------------------


def _amount(item: Mapping[str, Any], context: DoseContext) -> _Amount:
    if item.get("doseRange") is not None:
        dose_range = mapping(item.get("doseRange"))
        low_q, high_q = mapping(dose_range.get("low")), mapping(dose_range.get("high"))
        low = _quantity_mg(low_q, context) if low_q else None
        high = _quantity_mg(high_q, context) if high_q else None
        if low is None and high is None:
            raise NotInterpretable("dose range without low or high")
        low_mg, low_text = low or high  # type: ignore[misc]
        high_mg, high_text = high or low  # type: ignore[misc]
        if low_mg > high_mg:
            raise NotInterpretable("dose range low above high")
        return _Amount(low_mg, high_mg, f"{low_text} to {high_text}" if low and high else low_text)
    mg, text = _quantity_mg(mapping(item.get("doseQuantity")), context)
    return _Amount(mg, mg, text)


def _quantity_mg(quantity: Mapping[str, Any], context: DoseContext) -> tuple[float, str]:
    """Milligrams of one dose Quantity and a short text of it."""
    value = number(quantity.get("value"))
    if value is None or value < 0:
        raise NotInterpretable("no numeric dose value")
    keys = unit_keys(quantity)
    shown = unit_label(quantity)
    if not keys:
        if context.count_form is None:
            raise NotInterpretable("dose without a unit")
        if context.mg_per_unit is None:
            raise NotInterpretable(f"unitless dose of a {context.count_form} of unknown strength")
        mg = value * context.mg_per_unit
        return mg, f"{value:g} {context.count_form}{'s' if value != 1 else ''} ({mg:g} mg)"
    for key in keys:
        if key in MASS_MG:
            mg = value * MASS_MG[key]
            if context.combination_mg is not None:
                return _combination(mg, context)
            return mg, _shown(value, key, mg)
        if key.lower() in COUNT_UNITS:
            if context.mg_per_unit is None:
                raise NotInterpretable(f"dose in '{shown}' of a product of unknown strength")
            mg = value * context.mg_per_unit
            noun = "tablet" if "tab" in key.lower() or key.lower() in {"{tbl}", "pill", "{pill}"} else "unit"
            of = f" {context.mg_of}" if context.mg_of else ""
            return mg, f"{num(value)} {noun}{'s' if value != 1 else ''} ({num(mg)} mg{of})"
        if key.lower() in VOLUME_ML:
            if context.mg_per_ml is None:
                raise NotInterpretable(f"dose in '{shown}' of a product of unknown concentration")
            mg = value * VOLUME_ML[key.lower()] * context.mg_per_ml
            return mg, f"{num(value)} mL ({num(mg)} mg)"
        per_size = _per_body_size(key, value, context)
        if per_size is not None:
            return per_size
    raise NotInterpretable(f"unit '{shown}'")


def _combination(mg: float, context: DoseContext) -> tuple[float, str]:
    """A mg dose of a combination product: mg of its dosing component only when the amount is a product
    strength, whole ("960 mg" of co-trimoxazole = 800/160 mg) or of the component ("160 mg")."""
    component = (context.combination_mg or {}).get(round(mg, 3))
    if component is None:
        raise NotInterpretable(f"{num(mg)} mg matches no strength of the combination product")
    if abs(component - mg) < 1e-9:
        return mg, f"{num(mg)} mg {context.mg_of}".rstrip()
    return component, f"{num(mg)} mg ({num(component)} mg {context.mg_of})"


_PER_SIZE = re.compile(r"^(?P<mass>mg|g|ug|mcg)/(?P<per>kg|m2|\[m2\]|m\^2|\{m2\}|m²)$", re.IGNORECASE)


def _per_body_size(key: str, value: float, context: DoseContext) -> tuple[float, str] | None:
    match = _PER_SIZE.match(key.replace(" ", ""))
    if match is None:
        return None
    mass = MASS_MG[match.group("mass").lower()]
    if match.group("per").lower() == "kg":
        if context.weight_kg is None:
            raise NotInterpretable(f"{key} dose without a recent weight")
        mg = value * mass * context.weight_kg
        return mg, f"{num(value)} {key} ({num(mg)} mg at {num(context.weight_kg)} kg)"
    if context.bsa_m2 is None:
        raise NotInterpretable(f"{key} dose without height and weight for BSA")
    mg = value * mass * context.bsa_m2
    return mg, f"{num(value)} {key} ({num(mg)} mg at {num(context.bsa_m2)} m2)"


def _shown(value: float, unit: str, mg: float) -> str:
    return f"{num(mg)} mg" if unit == "mg" else f"{num(value)} {unit} ({num(mg)} mg)"


# --- schedule --------------------------------------------------------------------------------


def _schedule(timing: Mapping[str, Any], as_needed: bool) -> tuple[float, str, int | None]:
    """(administrations per day, text, number of administrations if bounded)."""
    repeat = mapping(timing.get("repeat"))
    count = number(repeat.get("count")) or number(repeat.get("countMax"))
    count_int = int(count) if count and count == int(count) else None
    per_day = _repeat_per_day(repeat)
    if per_day is None:
        per_day = _code_per_day(timing.get("code"))
    if per_day is None and count_int == 1:
        return 1.0, "once (single dose)", 1
    if per_day is None:
        if not timing:
            raise NotInterpretable("as-needed dose without a schedule" if as_needed else "no schedule")
        raise NotInterpretable("schedule not understood")
    if per_day <= 0:
        raise NotInterpretable("schedule with no administrations")
    return per_day, schedule_text(per_day), count_int


def _repeat_per_day(repeat: Mapping[str, Any]) -> float | None:
    if not repeat:
        return None
    frequency = number(repeat.get("frequencyMax")) or number(repeat.get("frequency"))
    period = number(repeat.get("period"))
    unit = string(repeat.get("periodUnit"))
    days_of_week = [d for d in as_list(repeat.get("dayOfWeek")) if isinstance(d, str)]
    times = len(as_list(repeat.get("timeOfDay"))) or len(as_list(repeat.get("when")))
    if period is not None and unit is None:
        raise NotInterpretable("period without a unit")
    if period is not None and (unit not in TIME_DAYS or period <= 0):
        raise NotInterpretable(f"period unit '{unit}'" if unit not in TIME_DAYS else "period not positive")
    period_days = period * TIME_DAYS[unit] if period is not None and unit is not None else None
    if days_of_week:
        days = len(set(days_of_week))
        if period_days is not None and period_days >= 7:  # frequency counts per week(s) on those days
            return (frequency or days) / period_days
        return days * (frequency or max(times, 1)) / 7.0
    if period_days is None:
        if frequency is not None:
            raise NotInterpretable("frequency without a period")
        return float(times) if times else None
    return (frequency or max(times, 1)) / period_days


def _code_per_day(code: Any) -> float | None:
    """From timing.code: the coding of the HL7 timing abbreviations wherever it stands among the codings
    (Oracle Health sends its own coding first), else any coding or a text that is exactly one
    abbreviation ("BID", "Once weekly"); a code that none of them reads is not interpretable."""
    if isinstance(code, str):
        candidates = [code]
    else:
        coded = sorted(codings(code), key=lambda c: canonical(c[0]) != V3_TIMING)
        candidates = [c for _, c, _ in coded] + [t for t in [string(mapping(code).get("text"))] if t]
        candidates += [d for _, _, d in coded if d]
    if not candidates:
        return None
    for value in candidates:
        per_day = _abbreviation_per_day(value)
        if per_day is not None:
            return per_day
    raise NotInterpretable(f"timing code '{candidates[0]}'")


def _abbreviation_per_day(value: str) -> float | None:
    key = re.sub(r"[\s.\-]", "", value.upper())
    if key in TIMING_CODES:
        return TIMING_CODES[key]
    match = _EVERY.match(key)
    if match and float(match.group(1)) > 0:
        return 1.0 / (float(match.group(1)) * _EVERY_DAYS[match.group(2)])
    return None


def total_course_days(dosages: Any) -> float | None:
    """Days the whole order lasts by its timing bounds: steps of a sequential dosage add up,
    concurrent instructions last as long as the longest; None if any step is open-ended."""
    instructions = [mapping(d) for d in as_list(dosages) if mapping(d)]
    steps: dict[float | None, list[float]] = {}
    for dosage in instructions:
        days = course_days(mapping(dosage.get("timing")))
        if days is None:
            return None
        steps.setdefault(number(dosage.get("sequence")), []).append(days)
    return sum(max(days) for days in steps.values()) if steps else None


def course_days(timing: Mapping[str, Any]) -> float | None:
    """Days of one instruction's course: boundsDuration, or boundsPeriod start to end inclusive."""
    repeat = mapping(timing.get("repeat"))
    duration = mapping(repeat.get("boundsDuration"))
    if duration:
        value = number(duration.get("value"))
        unit = string(duration.get("code")) or string(duration.get("unit"))
        if value is not None and unit in TIME_DAYS:
            return value * TIME_DAYS[unit]
    period = mapping(repeat.get("boundsPeriod"))
    start, end = date_of(period.get("start")), date_of(period.get("end"))
    if start and end and end >= start:
        return float((end - start).days + 1)
    return None


def schedule_text(per_day: float) -> str:
    """'once daily', 'twice daily', 'once weekly', 'every other day', '3 times weekly' ..."""
    named = {1.0: "once daily", 2.0: "twice daily", 3.0: "three times daily", 4.0: "four times daily"}
    for value, text in named.items():
        if abs(per_day - value) < 1e-9:
            return text
    if per_day > 1:
        return f"{num(per_day)} times daily"
    per_week = per_day * 7
    if abs(per_week - 1) < 1e-9:
        return "once weekly"
    if abs(per_week - round(per_week)) < 1e-9:
        return f"{round(per_week)} times weekly"
    every = 1 / per_day
    if abs(every - 2) < 1e-9:
        return "every other day"
    if abs(every - round(every)) < 1e-6:
        return f"every {round(every)} days"
    return f"{per_week:.2g} times weekly"

