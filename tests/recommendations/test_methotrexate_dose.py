"""methotrexate-dose: once-weekly schedule, adult weekly dose limits."""

from dataclasses import replace

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Condition, Drug, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_dose import RECOMMENDATION
from tests.factories import condition, dose, facts, order

PARAMS = RECOMMENDATION.defaults()
WEEKLY = 1 / 7


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def mtx(mg, per_day=WEEKLY, **kwargs):
    return order(Drug.METHOTREXATE, mg, per_day, **kwargs)


def daily_draft(mg=7.5):
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="105585", display="Methotrexate 2.5 MG Oral Tablet",
        dose_value=mg, dose_unit="mg", frequency=1, period=1, period_unit="d", text=f"{mg} mg daily",
    )
    return mtx(mg, 1.0, draft=True, ref="MedicationRequest/mtx-daily", resource=resource)


# --- schedule ----------------------------------------------------------------------------------
def test_daily_methotrexate_is_critical():
    finding = run(facts(medications=(mtx(7.5, 1.0),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "ONCE WEEKLY" in finding.summary


def test_twice_weekly_methotrexate_is_critical():
    assert run(facts(medications=(mtx(5, 2 / 7),))).indicator is Indicator.CRITICAL


def test_once_weekly_15_mg_is_silent():
    assert run(facts(medications=(mtx(15),))) is None


def test_daily_low_dose_oral_methotrexate_with_a_cancer_diagnosis_stays_critical():
    finding = run(facts(conditions=(condition(Condition.CANCER),), medications=(mtx(7.5, 1.0),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "verify the oncology indication" in finding.detail


def test_daily_intravenous_methotrexate_with_a_cancer_diagnosis_is_a_warning_to_confirm():
    iv = mtx(7.5, 1.0, route=Route.INTRAVENOUS)
    finding = run(facts(conditions=(condition(Condition.CANCER),), medications=(iv,)))
    assert finding.indicator is Indicator.WARNING
    assert "oncology protocol" in finding.detail


def test_daily_oral_methotrexate_above_the_low_dose_limit_with_cancer_is_a_warning_to_confirm():
    finding = run(facts(conditions=(condition(Condition.CANCER),), medications=(mtx(50, 1.0),)))
    assert finding.indicator is Indicator.WARNING


def test_daily_draft_gets_a_recommended_update_to_once_weekly_same_dose():
    draft = daily_draft(7.5)
    finding = run(facts(hook="order-select", medications=(draft,)))
    [suggestion] = finding.suggestions
    action = suggestion.actions[0]
    dosage = action.resource["dosageInstruction"][0]
    assert suggestion.is_recommended and action.type == "update"
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 7.5
    assert action.resource["id"] == draft.resource["id"]


def test_daily_methotrexate_fires_for_a_patient_without_myositis():
    f = facts(myositis=None, medications=(mtx(10, 1.0),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.CRITICAL


def test_daily_methotrexate_in_a_child_is_critical():
    assert run(facts(age=10, medications=(mtx(2.5, 1.0),))).indicator is Indicator.CRITICAL


def test_weekly_update_keeps_the_bounds_and_drops_the_daily_timing_code():
    draft = daily_draft(7.5)
    timing = draft.resource["dosageInstruction"][0]["timing"]
    timing["repeat"]["boundsDuration"] = {"value": 12, "unit": "wk", "system": "http://unitsofmeasure.org", "code": "wk"}
    timing["code"] = {"text": "QD"}
    [suggestion] = run(facts(hook="order-select", medications=(draft,))).suggestions
    updated = suggestion.actions[0].resource["dosageInstruction"][0]["timing"]
    assert updated == {"repeat": {"boundsDuration": timing["repeat"]["boundsDuration"],
                                  "frequency": 1, "period": 1, "periodUnit": "wk"}}



def test_weekly_update_replaces_a_take_daily_patient_instruction():
    draft = daily_draft(7.5)
    draft.resource["dosageInstruction"][0]["patientInstruction"] = "take daily"
    [suggestion] = run(facts(hook="order-select", medications=(draft,))).suggestions
    [dosage] = suggestion.actions[0].resource["dosageInstruction"]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert "daily" not in dosage["patientInstruction"].lower() and "daily" not in dosage["text"].lower()
    assert "ONCE WEEKLY" in dosage["patientInstruction"]

# --- adult weekly dose -------------------------------------------------------------------------
def test_25_mg_weekly_is_silent():
    assert run(facts(medications=(mtx(25),))) is None


def test_just_above_25_mg_weekly_warns():
    assert run(facts(medications=(mtx(27.5),))).indicator is Indicator.WARNING


def test_30_mg_weekly_warns():
    assert run(facts(medications=(mtx(30),))).indicator is Indicator.WARNING


def test_above_30_mg_weekly_is_critical():
    assert run(facts(medications=(mtx(32.5),))).indicator is Indicator.CRITICAL


def test_range_dose_uses_the_high_end():
    ranged = replace(mtx(20), dose=dose(20, WEEKLY, high=27.5))
    assert run(facts(medications=(ranged,))).indicator is Indicator.WARNING


def test_adult_limits_do_not_apply_to_children():
    assert run(facts(age=15, medications=(mtx(35),))) is None


def test_high_weekly_dose_with_cancer_is_capped_at_warning():
    finding = run(facts(conditions=(condition(Condition.CANCER),), medications=(mtx(40),)))
    assert finding.indicator is Indicator.WARNING


# --- hooks -------------------------------------------------------------------------------------
def test_order_select_fires_about_the_methotrexate_draft():
    [result_] = evaluate((RECOMMENDATION,), facts(hook="order-select", medications=(daily_draft(),)), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/mtx-daily",)


def test_order_select_of_another_drug_does_not_repeat_the_methotrexate_card():
    meds = (mtx(7.5, 1.0), order(Drug.FOLIC_ACID, 1, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds), {}, strict=True) == []
