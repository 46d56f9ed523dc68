"""Dosage -> Dose in mg: amounts, schedules, and the doses that must be reported, never guessed."""

import pytest

from fhir_mappings.dosage import DoseContext, read_dose
from tests.fhir_builders import dosage, quantity

NO_CONTEXT = DoseContext()
TABLET_20_MG = DoseContext(mg_per_unit=20)


def dose_of(*dosages, context=NO_CONTEXT):
    dose, problem = read_dose(list(dosages), context)
    assert problem is None, problem
    return dose


def problem_of(*dosages, context=NO_CONTEXT):
    dose, problem = read_dose(list(dosages), context)
    assert dose is None
    return problem


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "mg"), [(20, "mg", 20), (1, "g", 1000), (500, "ug", 0.5),
                                                   (500, "mcg", 0.5), (20, "MG", 20)])
def test_mass_units_convert_to_mg(value, unit, mg):
    assert dose_of(dosage(value, unit)).mg_per_administration_high == pytest.approx(mg)


def test_tablets_are_multiplied_by_the_product_strength():
    assert dose_of(dosage(3, "{tbl}"), context=TABLET_20_MG).mg_per_day_high == 60


def test_tablets_of_unknown_strength_are_not_interpretable():
    assert problem_of(dosage(3, "{tbl}")) == "dose not interpretable: dose in '{tbl}' of a product of unknown strength"


def test_millilitres_are_multiplied_by_the_concentration():
    assert dose_of(dosage(5, "mL"), context=DoseContext(mg_per_ml=3)).mg_per_administration_high == 15


def test_mg_per_kg_uses_the_weight():
    assert dose_of(dosage(1, "mg/kg"), context=DoseContext(weight_kg=70)).mg_per_day_high == 70


def test_mg_per_kg_without_a_weight_is_not_interpretable():
    assert "without a recent weight" in problem_of(dosage(1, "mg/kg"))


def test_g_per_kg_course_of_ivig_converts_to_mg():
    assert dose_of(dosage(1, "g/kg"), context=DoseContext(weight_kg=60)).mg_per_administration_high == 60_000


def test_mg_per_square_metre_uses_the_body_surface_area():
    assert dose_of(dosage(15, "mg/m2", period_unit="wk"), context=DoseContext(bsa_m2=1.2)).mg_per_week_high == 18


def test_an_unknown_unit_is_named_in_the_problem():
    assert problem_of(dosage(2, "puff")) == "dose not interpretable: unit 'puff'"


def test_a_dose_without_a_unit_is_not_interpretable():
    assert problem_of(dosage(20, None)) == "dose not interpretable: dose without a unit"


def test_a_range_keeps_both_ends():
    dose = dose_of(dosage(dose_range=(40, 60)))
    assert (dose.mg_per_day_low, dose.mg_per_day_high) == (40, 60)


def test_a_range_in_tablets_uses_the_strength_for_both_ends():
    dose = dose_of(dosage(unit="{tbl}", dose_range=(1, 2)), context=TABLET_20_MG)
    assert (dose.mg_per_administration_low, dose.mg_per_administration_high) == (20, 40)


def test_no_dose_at_all_is_neither_a_dose_nor_a_problem():
    assert read_dose([dosage(None)], NO_CONTEXT) == (None, None)


# --- schedules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("repeat", "per_week"), [
    ({"frequency": 1, "period": 1, "period_unit": "d"}, 7),
    ({"frequency": 2, "period": 1, "period_unit": "d"}, 14),
    ({"frequency": 1, "period": 1, "period_unit": "wk"}, 1),
    ({"frequency": 1, "period": 2, "period_unit": "wk"}, 0.5),
    ({"frequency": 1, "period": 8, "period_unit": "h"}, 21),
    ({"frequency": 1, "period": 2, "period_unit": "d"}, 3.5),
    ({"frequency": 1, "period": 1, "period_unit": "mo"}, 7 / 30.4375),
])
def test_timing_repeat_gives_administrations_per_week(repeat, per_week):
    assert dose_of(dosage(10, **repeat)).administrations_per_day * 7 == pytest.approx(per_week)


@pytest.mark.parametrize(("code", "per_day"), [("QD", 1), ("BID", 2), ("TID", 3), ("QID", 4), ("QOD", 0.5),
                                               ("WK", 1 / 7), ("Q4H", 6), ("Q12H", 2), ("AM", 1)])
def test_timing_codes_give_administrations_per_day(code, per_day):
    given = dosage(10, frequency=None, period=None, period_unit=None, timing_code=code)
    assert dose_of(given).administrations_per_day == pytest.approx(per_day)


def test_an_unknown_timing_code_is_not_interpretable():
    given = dosage(10, frequency=None, period=None, period_unit=None, timing_code="SOMETIMES")
    assert problem_of(given) == "dose not interpretable: timing code 'SOMETIMES'"


def test_days_of_the_week_on_a_daily_period_count_per_week():
    dose = dose_of(dosage(15, dayOfWeek=["mon", "thu"]))
    assert dose.administrations_per_day * 7 == pytest.approx(2)


def test_once_weekly_on_a_named_day():
    dose = dose_of(dosage(15, period_unit="wk", dayOfWeek=["fri"]))
    assert not dose.more_often_than_weekly


def test_a_frequency_range_uses_the_higher_frequency():
    assert dose_of(dosage(10, frequencyMax=3)).administrations_per_day == 3


def test_an_unknown_period_unit_is_not_interpretable():
    assert problem_of(dosage(10, period_unit="fortnight")) == "dose not interpretable: period unit 'fortnight'"


def test_a_dose_without_a_schedule_is_not_interpretable():
    given = dosage(10, frequency=None, period=None, period_unit=None)
    assert problem_of(given) == "dose not interpretable: no schedule"


def test_a_frequency_without_a_period_is_not_interpretable():
    assert problem_of(dosage(10, period=None, period_unit=None)) == "dose not interpretable: frequency without a period"


def test_as_needed_with_a_schedule_is_a_dose_marked_as_needed():
    assert dose_of(dosage(10, as_needed=True)).as_needed


def test_as_needed_without_a_schedule_is_not_interpretable():
    given = dosage(10, frequency=None, period=None, period_unit=None, as_needed=True)
    assert problem_of(given) == "dose not interpretable: as-needed dose without a schedule"


def test_a_single_dose_is_not_more_often_than_weekly():
    dose = dose_of(dosage(1000, frequency=None, period=None, period_unit=None, count=1))
    assert (dose.administration_count, dose.more_often_than_weekly) == (1, False)


def test_bounds_duration_gives_the_course_length():
    dose = dose_of(dosage(1, "g", count=3, boundsDuration={"value": 3, "unit": "days", "code": "d"}))
    assert (dose.course_days, dose.administration_count) == (3, 3)


def test_concurrent_instructions_add_up():
    morning, evening = dosage(10, timing_code=None), dosage(5)
    assert dose_of(morning, evening).mg_per_day_high == 15


def test_a_sequential_taper_reads_the_step_of_today():
    two_weeks = {"boundsDuration": {"value": 14, "unit": "d", "code": "d"}}
    first = {**dosage(60, **two_weeks), "sequence": 1}
    second = {**dosage(40, **two_weeks), "sequence": 2}
    dose, _ = read_dose([first, second], DoseContext(elapsed_days=20))
    assert dose.mg_per_day_high == 40


@pytest.mark.parametrize(("given", "text"), [
    (dosage(15, period_unit="wk"), "15 mg once weekly"),
    (dosage(20, frequency=2), "20 mg twice daily"),
    (dosage(1, "g"), "1 g (1000 mg) once daily"),
    (dosage(10, period=2), "10 mg every other day"),
    (dosage(dose_range=(40, 60)), "40 mg to 60 mg once daily"),
])
def test_dose_text_is_short_and_human(given, text):
    assert dose_of(given).text == text


def test_dose_text_of_tablets_shows_the_mg():
    assert dose_of(dosage(3, "{tbl}"), context=TABLET_20_MG).text == "3 tablets (60 mg) once daily"


def test_dose_and_rate_sent_as_an_object_with_a_string_value_is_read():
    given = {"doseAndRate": {"doseQuantity": quantity("20", "mg")}, "timing": {"code": {"coding": [{"code": "BID"}]}}}
    assert dose_of(given).mg_per_day_high == 40


@pytest.mark.parametrize(("text", "per_week"), [("BID", 14), ("Once weekly", 1), ("Daily", 7),
                                                ("every other day", 3.5)])
def test_timing_code_given_as_exact_text(text, per_week):
    given = {**dosage(10, frequency=None, period=None, period_unit=None), "timing": {"code": {"text": text}}}
    assert dose_of(given).administrations_per_day * 7 == pytest.approx(per_week)


def test_timing_text_that_is_not_an_abbreviation_is_not_interpretable():
    given = {**dosage(10, frequency=None, period=None, period_unit=None),
             "timing": {"code": {"text": "take as directed"}}}
    assert problem_of(given) == "dose not interpretable: timing code 'take as directed'"


def test_times_of_day_without_a_frequency_count_per_day():
    given = dosage(5, frequency=None, period=1, period_unit="d", timeOfDay=["08:00:00", "20:00:00"])
    assert dose_of(given).administrations_per_day == 2


def test_a_range_without_its_low_end_uses_the_high_end_for_both():
    given = dosage(20)
    given["doseAndRate"] = [{"doseRange": {"high": quantity(40, "mg")}}]
    dose = dose_of(given)
    assert (dose.mg_per_administration_low, dose.mg_per_administration_high) == (40, 40)


def test_a_range_with_low_above_high_is_not_interpretable():
    assert problem_of(dosage(dose_range=(60, 40))) == "dose not interpretable: dose range low above high"


def test_a_period_without_a_unit_is_not_interpretable():
    assert problem_of(dosage(10, period_unit=None)) == "dose not interpretable: period without a unit"
