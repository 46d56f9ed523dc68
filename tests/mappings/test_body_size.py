"""Body size from the mapped weight and height: BSA (Mosteller) and ideal body weight (Devine)."""

import pytest

from tests.fhir_builders import observation, patient
from tests.mappings.conftest import facts_of

FIVE_FEET_TEN = 177.8  # cm


def body(sex, birth="1970-05-01", height_cm=FIVE_FEET_TEN, weight_kg=90):
    return facts_of(observation("8302-2", height_cm, "cm"), observation("29463-7", weight_kg, "kg"),
                    person=patient(birth, sex))


@pytest.mark.parametrize(("sex", "kg"), [("male", 73.0), ("female", 68.5)])
def test_ideal_body_weight_by_devine(sex, kg):
    assert body(sex).ideal_body_weight_kg == pytest.approx(kg)


def test_ideal_body_weight_needs_a_height():
    facts = facts_of(observation("29463-7", 90, "kg"), person=patient("1970-05-01", "male"))
    assert facts.ideal_body_weight_kg is None


def test_ideal_body_weight_is_not_given_for_children():
    assert body("male", birth="2015-01-01").ideal_body_weight_kg is None


def test_ideal_body_weight_needs_male_or_female():
    assert body("unknown").ideal_body_weight_kg is None


def test_body_surface_area_by_mosteller():
    assert body("male", height_cm=180, weight_kg=80).bsa_m2 == pytest.approx(2.0)
