"""Observation -> body measurement (weight kg, height cm) or `LabResult` (labs and antibodies).

Qualitative results are read as positive / negative / unknown from, in order: valueBoolean,
valueCodeableConcept (SNOMED CT qualifier codes or text), valueString, interpretation codes
(POS/NEG/DET/ND/H/A/N), and a numeric value against the reference range's upper limit. A panel
whose own code is not recognised (a myositis line-blot profile) gives one result per recognised
component. TPMT/NUDT15 results are also read as a metabolizer phenotype from their text, and G6PD
as deficiency found (positive) or not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from fhir_mappings.concepts import Analyte, Antibody, Lab, Metabolizer, Qualitative
from fhir_mappings.facts import LabResult, Measurement
from fhir_mappings.read import as_list, codings, datetime_of, mapping, number, string, texts
from fhir_mappings.records import quick_init
from fhir_mappings.systems import canonical
from fhir_mappings.units import LENGTH_CM, WEIGHT_KG, convert, unit_label
from fhir_mappings.valuesets import BODY_HEIGHT, BODY_WEIGHT, ObservationConcept, load, observation_concept

#: Observations with these statuses carry no usable result.
UNUSABLE_STATUSES = frozenset({"entered-in-error", "cancelled"})
#: Labs read as present/absent (the rest are numeric and keep value and unit only).
QUALITATIVE_LABS = frozenset({Lab.HBSAG, Lab.ANTI_HBC, Lab.HCV_ANTIBODY, Lab.HCG, Lab.IGRA, Lab.HIV, Lab.VZV_IGG})
PHARMACOGENES = frozenset({Lab.TPMT, Lab.NUDT15})
#: Numeric results read as flagged abnormal by the lab (positive) or within its range (negative).
FLAGGED_LABS = frozenset({Lab.BLOOD_COUNT, Lab.TROPONIN_I})
_ABNORMAL_FLAGS = frozenset({"A", "AA", "H", "HH", "HU", "L", "LL", "LU", "<", ">"})
#: Flags that mean a low (deficient) enzyme activity.
_LOW_FLAGS = frozenset({"L", "LL", "LU", "A", "AA"})

_INTERPRETATION = {
    "POS": Qualitative.POSITIVE, "DET": Qualitative.POSITIVE, "A": Qualitative.POSITIVE,
    "AA": Qualitative.POSITIVE, "H": Qualitative.POSITIVE, "HH": Qualitative.POSITIVE,
    "HU": Qualitative.POSITIVE, ">": Qualitative.POSITIVE,
    "NEG": Qualitative.NEGATIVE, "ND": Qualitative.NEGATIVE, "N": Qualitative.NEGATIVE,
    "NR": Qualitative.NEGATIVE,
}
_NEGATIVE_TEXT = re.compile(
    r"^\s*(neg(ative)?|not detected|none detected|undetectable|non[- ]?reactive|not reactive|absent|"
    r"nil|normal|-)(?![\w.+-])", re.I)
_POSITIVE_TEXT = re.compile(
    r"^\s*(pos(itive)?|detected|reactive|present|weak(ly)? positive|strong(ly)? positive|low positive|"
    r"high positive|\+{1,4})(?![\w])", re.I)
_PHENOTYPES = (
    (re.compile(r"\b(poor|deficient|low activity)\b", re.I), Metabolizer.POOR),
    (re.compile(r"\bintermediate\b", re.I), Metabolizer.INTERMEDIATE),
    (re.compile(r"\b(normal|extensive|rapid|ultrarapid|wild[- ]?type|\*1/\*1)\b", re.I), Metabolizer.NORMAL),
    (re.compile(r"\b(indeterminate|possible|uncertain)\b", re.I), Metabolizer.INDETERMINATE),
)
#: Lymphocyte counts in 10^9/L (= 10*3/uL) from the units labs send.
_LYMPHOCYTES_PER_NL = {"10*9/l": 1.0, "10^9/l": 1.0, "10*3/ul": 1.0, "10^3/ul": 1.0, "k/ul": 1.0,
                       "x10e3/ul": 1.0, "/ul": 0.001, "/mm3": 0.001, "cells/ul": 0.001, "{cells}/ul": 0.001}


@quick_init
@dataclass(frozen=True)
class ObservationOutcome:
    """What one Observation gave: a result, a weight or height, or nothing (not recognised)."""

    results: tuple[LabResult, ...] = ()
    weight_kg: Measurement | None = None
    height_cm: Measurement | None = None
    recognised: bool = False
    #: Recognised but its value could not be read (unit unknown, no value or reading).
    uninterpretable: bool = False


@cache
def _qualitative_codes() -> Mapping[tuple[str, str], Qualitative]:
    return {(e["system"], e["code"]): Qualitative(e["reading"]) for e in load("observations.json")["qualitative"]}


def qualitative_readings() -> dict[str, str]:
    """`system|code` of coded qualitative results -> their reading ("positive", "negative"...), for the
    timeline app, which shows antibody and pregnancy test results as the service reads them."""
    return {f"{system}|{code}": str(reading) for (system, code), reading in _qualitative_codes().items()}


def when(resource: Mapping[str, Any]) -> datetime | None:
    moment = datetime_of(resource.get("effectiveDateTime"))  # the usual field, read before the others are gathered
    if moment is not None:
        return moment
    period = mapping(resource.get("effectivePeriod"))
    for value in (resource.get("effectiveInstant"), period.get("end"), period.get("start"), resource.get("issued")):
        moment = datetime_of(value)
        if moment is not None:
            return moment
    return None


#: The (system, code) pairs of an Observation's code and the concept they (or its test name) stand for.
CodedConcept = tuple[list[tuple[str, str]], ObservationConcept | None]


def _coded_concept(code: Any) -> CodedConcept:
    coded = [(s, c) for s, c, _ in codings(code)]
    return coded, observation_concept(coded, texts(code))


def read_code(resource: Mapping[str, Any]) -> CodedConcept:
    """An Observation's codes and what they stand for: a result's concept, body weight or height, or None (a
    panel or an unrecognised test). Only an Observation coded as a concept gives `map_observation` a result of
    it, a weight or a height (a panel's components give results of their own codes), so the facts can map one
    concept's Observations without mapping every result; `map_observation` takes the code read here."""
    return _coded_concept(resource.get("code"))


def map_observation(resource: Mapping[str, Any], code: CodedConcept | None = None) -> ObservationOutcome:
    """One Observation; `code`: its `read_code`, when read already."""
    if string(resource.get("status")) in UNUSABLE_STATUSES:
        return ObservationOutcome()
    coded, concept = read_code(resource) if code is None else code
    moment = when(resource)
    if concept is None:
        return _panel(resource, moment)
    quantity = mapping(resource.get("valueQuantity"))
    if concept in (BODY_WEIGHT, BODY_HEIGHT):
        value = convert(quantity, WEIGHT_KG if concept == BODY_WEIGHT else LENGTH_CM)
        if value is None or value <= 0:
            return ObservationOutcome(recognised=True, uninterpretable=True)
        measurement = Measurement(value, moment)
        if concept == BODY_WEIGHT:
            return ObservationOutcome(weight_kg=measurement, recognised=True)
        return ObservationOutcome(height_cm=measurement, recognised=True)
    if not isinstance(concept, (Lab, Antibody)):
        return ObservationOutcome()
    result = _lab_result(concept, resource, moment, coded[0][1] if coded else "")
    return ObservationOutcome(results=(result,), recognised=True, uninterpretable=not _readable(result))


def _panel(resource: Mapping[str, Any], moment: datetime | None) -> ObservationOutcome:
    """A panel (a myositis line-blot profile) whose components are the results, each with its code."""
    results = []
    for component in as_list(resource.get("component")):
        component = mapping(component)
        coded, concept = _coded_concept(component.get("code"))
        if isinstance(concept, (Lab, Antibody)):
            results.append(_lab_result(concept, component, moment, coded[0][1] if coded else ""))
    if not results:
        return ObservationOutcome()
    return ObservationOutcome(results=tuple(results), recognised=True,
                              uninterpretable=not any(_readable(r) for r in results))


def _readable(result: LabResult) -> bool:
    return result.value is not None or result.interpretation is not Qualitative.UNKNOWN or (
        result.phenotype not in (None, Metabolizer.INDETERMINATE) or bool(result.text))


def _lab_result(concept: Lab | Antibody, resource: Mapping[str, Any], moment: datetime | None,
                code: str) -> LabResult:
    quantity = mapping(resource.get("valueQuantity"))
    value = number(quantity.get("value"))
    unit = unit_label(quantity) or None
    if value is None:
        value = number(resource.get("valueInteger"))
    if concept is Lab.LYMPHOCYTES and value is not None and unit is not None:
        factor = _LYMPHOCYTES_PER_NL.get(unit.lower().replace(" ", ""))
        value, unit = (value * factor, "10*9/L") if factor is not None else (value, unit)
    text = _value_text(resource)
    if concept is Lab.G6PD:
        interpretation = _deficiency(resource, value, text)
    elif isinstance(concept, Antibody) or concept in QUALITATIVE_LABS:
        interpretation = _reading(resource, value)
    elif concept in FLAGGED_LABS:
        interpretation = _flagged(resource, value)
    else:
        interpretation = Qualitative.UNKNOWN
    return LabResult(
        concept=concept,
        when=moment,
        code=code,
        value=value,
        unit=unit,
        text=text,
        interpretation=interpretation,
        phenotype=_phenotype(resource, text) if concept in PHARMACOGENES else None,
        reference_high=_reference_bound(resource, "high") if "referenceRange" in resource else None,
        comparator=string(quantity.get("comparator")) if value is not None else None,
        analyte=_analytes().get(code) if concept in _MEASURED_ANALYTES else None,
    )


#: Results whose code names which measurement they are (`LabResult.analyte`).
_MEASURED_ANALYTES = frozenset({Lab.BLOOD_COUNT, Lab.LUNG_FUNCTION})


@cache
def _analytes() -> Mapping[str, Analyte]:
    """LOINC code -> analyte (white cells, platelets, FVC % predicted), from the shipped terminology."""
    table = load("observations.json")["analytes"]
    return {code: analyte for analyte in Analyte for code in table[analyte.value]}


def _reference_bound(resource: Mapping[str, Any], bound: str) -> float | None:
    """The first `referenceRange.<bound>` value ("low" or "high"; ranges are in the result's unit)."""
    for reference in as_list(resource.get("referenceRange")):
        value = number(mapping(mapping(reference).get(bound)).get("value"))
        if value is not None:
            return value
    return None


def _value_text(resource: Mapping[str, Any]) -> str | None:
    text = string(resource.get("valueString"))
    if text:
        return text
    concept = resource.get("valueCodeableConcept")
    return None if concept is None else next(texts(concept), None)


def _reading(resource: Mapping[str, Any], value: float | None) -> Qualitative:
    if isinstance(resource.get("valueBoolean"), bool):
        return Qualitative.POSITIVE if resource["valueBoolean"] else Qualitative.NEGATIVE
    value_concept = resource.get("valueCodeableConcept")
    for system, code, _ in codings(value_concept):
        found = _qualitative_codes().get((canonical(system), code))
        if found is not None:
            return found
    for text in [*texts(value_concept), string(resource.get("valueString")) or ""]:
        if _NEGATIVE_TEXT.match(text):
            return Qualitative.NEGATIVE
        if _POSITIVE_TEXT.match(text):
            return Qualitative.POSITIVE
    for interpretation in as_list(resource.get("interpretation")):
        for _, code, _ in codings(interpretation):
            if code.upper() in _INTERPRETATION:
                return _INTERPRETATION[code.upper()]
    high = _reference_bound(resource, "high") if value is not None else None
    if high is not None:
        return Qualitative.POSITIVE if value > high else Qualitative.NEGATIVE
    return Qualitative.UNKNOWN


def _interpretation_flag(resource: Mapping[str, Any], abnormal: frozenset[str]) -> Qualitative | None:
    """Positive for the first interpretation code in `abnormal`, negative for N (normal), else None."""
    for interpretation in as_list(resource.get("interpretation")):
        for _, code, _ in codings(interpretation):
            if code.upper() in abnormal:
                return Qualitative.POSITIVE
            if code.upper() == "N":
                return Qualitative.NEGATIVE
    return None


def _flagged(resource: Mapping[str, Any], value: float | None) -> Qualitative:
    """Abnormal (positive) or normal (negative) by the lab's own interpretation flag, else by its reference
    range; unknown without either, since ranges differ by laboratory, age and sex."""
    flag = _interpretation_flag(resource, _ABNORMAL_FLAGS)
    if flag is not None:
        return flag
    if value is not None:
        for reference in as_list(resource.get("referenceRange")):
            low = number(mapping(mapping(reference).get("low")).get("value"))
            high = number(mapping(mapping(reference).get("high")).get("value"))
            if low is not None or high is not None:
                outside = (low is not None and value < low) or (high is not None and value > high)
                return Qualitative.POSITIVE if outside else Qualitative.NEGATIVE
    return Qualitative.UNKNOWN


def _deficiency(resource: Mapping[str, Any], value: float | None, text: str | None) -> Qualitative:
    """G6PD read as deficiency found (positive) or not (negative), from the lab's own flags and range:
    text "deficient"/"normal", interpretation L/LL/A (low, abnormal) or N, value below the range."""
    if text and re.search(r"\bdeficien", text, re.I):
        return Qualitative.POSITIVE
    if text and re.search(r"\bnormal\b", text, re.I):
        return Qualitative.NEGATIVE
    flag = _interpretation_flag(resource, _LOW_FLAGS)
    if flag is not None:
        return flag
    low = _reference_bound(resource, "low") if value is not None else None
    if low is not None:
        return Qualitative.POSITIVE if value < low else Qualitative.NEGATIVE
    return Qualitative.UNKNOWN


def _phenotype(resource: Mapping[str, Any], text: str | None) -> Metabolizer | None:
    candidates = [text or "", *(t for i in as_list(resource.get("interpretation")) for t in texts(i))]
    for candidate in candidates:
        for pattern, phenotype in _PHENOTYPES:
            if pattern.search(candidate):
                return phenotype
    return None
