"""Shared helpers in hooks.criteria and hooks.lab_orders that several recommendations use."""

from dataclasses import replace
from datetime import timedelta

import pytest

from fhir_mappings.concepts import Drug, Lab, MyositisSubtype, Qualitative
from fhir_mappings.facts import Measurement
from hooks.criteria import (
    covered_days,
    covered_intervals,
    diagnosis_fact,
    dose_in_steps,
    intersect_intervals,
    recent_weight_kg,
)
from hooks.lab_orders import latest_dated, satisfying
from tests.factories import NOW, facts, order, result


@pytest.mark.parametrize(("target", "step", "low", "cap", "expected"), [
    (72.0, 5, 35.0, 60, 60),      # 1 mg/kg of 72 kg capped at 60
    (58.0, 5, 29.0, 60, 55),      # rounded down to 5 mg
    (22.0, 5, 21.0, None, 20),    # rounded below the range -> 20 < 21
    (30.4, 2.5, 22.8, None, 30.0),
])
def test_dose_in_steps(target, step, low, cap, expected):
    got = dose_in_steps(target, step, at_least_mg=low, at_most_mg=cap)
    assert got == (expected if expected >= low else None)


def test_dose_below_the_range_is_none():
    assert dose_in_steps(9.0, 5, at_least_mg=6.0) is None


def test_covered_days_counts_overlaps_once_and_ignores_drafts():
    first = order(Drug.PREDNISONE, 10, days=30)
    overlapping = order(Drug.PREDNISONE, 5, days=10)
    draft = order(Drug.PREDNISONE, 20, draft=True)
    today = NOW.date()
    assert covered_days((first, overlapping, replace(draft, start=today - timedelta(days=50))), today) == 30
    assert covered_intervals((first, overlapping), today) == [(today - timedelta(days=30), today)]


def test_covered_intervals_keep_gaps_apart_and_merge_touching_orders():
    today = NOW.date()
    early = replace(order(Drug.PREDNISONE, 10, days=60), end=today - timedelta(days=50))
    touching = replace(order(Drug.PREDNISONE, 10, days=50), end=today - timedelta(days=40))
    late = order(Drug.PREDNISONE, 10, days=20)
    assert covered_intervals((late, touching, early), today) == [
        (today - timedelta(days=60), today - timedelta(days=40)), (today - timedelta(days=20), today)]


def test_intersect_intervals_keeps_only_the_common_days():
    today = NOW.date()
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    assert intersect_intervals([(day(60), day(40)), (day(20), today)], [(day(50), day(10))]) == [
        (day(50), day(40)), (day(20), day(10))]


@pytest.mark.parametrize("subtype", list(MyositisSubtype))
def test_diagnosis_fact_names_every_subtype_in_words_not_by_its_identifier(subtype):
    name = diagnosis_fact(facts(myositis=subtype)).removeprefix("Diagnosis: ")
    assert name and name.replace("immune-mediated", "immune mediated").replace(" ", "-") == subtype.value or (
        subtype is MyositisSubtype.UNSPECIFIED and name == "inflammatory myopathy")


def test_diagnosis_fact_names_antisynthetase_syndrome_as_clinicians_write_it():
    assert diagnosis_fact(facts(myositis=MyositisSubtype.ANTISYNTHETASE)) == "Diagnosis: antisynthetase syndrome"


def test_diagnosis_fact_without_a_coded_subtype():
    assert diagnosis_fact(facts(myositis=None)) == "Diagnosis: inflammatory myopathy"
    assert diagnosis_fact(facts(myositis=None), "Juvenile inflammatory myopathy") == "Juvenile inflammatory myopathy"


def test_recent_weight_kg_ignores_a_non_positive_weight():
    assert recent_weight_kg(facts(weight_kg=70)) == 70
    assert recent_weight_kg(facts(weight_kg=0)) is None


def test_recent_weight_kg_ignores_an_adult_weight_older_than_90_days():
    stale = replace(facts(), weight_kg=Measurement(70, NOW - timedelta(days=91)))
    assert recent_weight_kg(stale) is None
    assert recent_weight_kg(replace(stale, weight_kg=Measurement(70, NOW - timedelta(days=90)))) == 70


def test_recent_weight_kg_ignores_a_child_weight_older_than_30_days():
    child = replace(facts(age=10), weight_kg=Measurement(30, NOW - timedelta(days=31)))
    assert recent_weight_kg(child) is None


def test_an_egfr_shows_creatinine_was_done():
    assert satisfying(Lab.CREATININE) == (Lab.CREATININE, Lab.EGFR)
    assert satisfying(Lab.ALBUMIN) == (Lab.ALBUMIN,)
    f = facts(results=(result(Lab.EGFR, value=80, days_ago=3), result(Lab.CREATININE, value=1.0, days_ago=20)))
    assert latest_dated(f, Lab.CREATININE).concept is Lab.EGFR


def test_reading_of_a_lab():
    f = facts(results=(result(Lab.HBSAG, interpretation=Qualitative.NEGATIVE),
                       result(Lab.HBSAG, interpretation=Qualitative.POSITIVE)))
    assert f.reading(Lab.HBSAG) is Qualitative.POSITIVE
    assert f.reading(Lab.ANTI_HBC) is Qualitative.UNKNOWN
