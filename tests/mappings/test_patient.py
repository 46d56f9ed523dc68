"""Patient -> age at the evaluation time, sex and the childbearing-potential heuristic."""

import pytest

from tests.fhir_builders import ICD10CM, condition, patient
from tests.mappings.conftest import facts_of


def test_age_is_computed_at_the_evaluation_time():
    assert facts_of(person=patient("2000-11-20")).patient.age_years == pytest.approx(26, abs=0.01)


def test_patient_reference_comes_from_the_context_patient_id():
    assert facts_of().patient.reference == "Patient/example"


def test_missing_birth_date_gives_unknown_age():
    assert facts_of(person=patient(None)).patient.age_years is None


@pytest.mark.parametrize(("birth", "gender", "expected"), [
    ("1990-01-01", "female", True), ("2014-01-01", "female", True), ("2016-01-01", "female", False),
    ("1971-06-01", "female", True), ("1970-01-01", "female", False), ("1990-01-01", "male", False),
    ("1990-01-01", None, False),
])
def test_childbearing_potential_is_female_aged_12_to_55(birth, gender, expected):
    assert facts_of(person=patient(birth, gender)).patient.childbearing_potential is expected


@pytest.mark.parametrize("code", ["Z90.710", "N95.1", "Z78.0"])
def test_hysterectomy_or_menopause_ends_childbearing_potential(code):
    facts = facts_of(condition(code, ICD10CM), person=patient("1980-01-01", "female"))
    assert not facts.patient.childbearing_potential
