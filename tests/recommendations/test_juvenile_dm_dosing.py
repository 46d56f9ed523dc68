"""juvenile-dm-dosing (docs/evidence.md#juvenile-dm): JDM prednisolone 1-2 mg/kg/day, methotrexate 15-20 mg/m²/week."""

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Drug, MyositisSubtype
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.juvenile_dm_dosing import RECOMMENDATION
from tests.factories import dose, facts, order

PARAMS = RECOMMENDATION.defaults()
JDM = MyositisSubtype.JUVENILE_DERMATOMYOSITIS
WEEKLY = 1 / 7


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def child(*, medications, hook="patient-view", weight_kg=54, height_cm=150, **kwargs):
    """A 12-year-old with JDM; default BSA 1.5 m² (range 22.5-30 mg/week)."""
    return facts(hook=hook, myositis=JDM, age=12, weight_kg=weight_kg, height_cm=height_cm, medications=medications,
                 **kwargs)


def draft(drug, mg, per_day, ref):
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="0", display=drug.value, dose_value=mg, dose_unit="mg",
        frequency=1, period=7 if per_day < 1 else 1, period_unit="d", text=f"{mg} mg",
    )
    return order(drug, mg, per_day, draft=True, ref=ref, resource=resource)


def dose_of(suggestion):
    return suggestion.actions[0].resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]


# --- methotrexate ------------------------------------------------------------------------------
def test_methotrexate_at_20_mg_per_m2_is_silent():
    assert run(child(medications=(order(Drug.METHOTREXATE, 30, WEEKLY),))) is None


def test_methotrexate_above_20_mg_per_m2_warns():
    finding = run(child(medications=(order(Drug.METHOTREXATE, 32.5, WEEKLY),)))
    assert finding.indicator is Indicator.WARNING
    assert "mg/m²/week is above" in finding.detail


def test_methotrexate_at_the_40_mg_cap_is_silent_for_a_large_child():
    assert run(child(weight_kg=101.25, height_cm=180, medications=(order(Drug.METHOTREXATE, 40, WEEKLY),))) is None


def test_methotrexate_above_the_40_mg_cap_warns_even_within_20_mg_per_m2():
    f = child(weight_kg=101.25, height_cm=180, medications=(order(Drug.METHOTREXATE, 42.5, WEEKLY),))
    finding = run(f)
    assert finding.indicator is Indicator.WARNING
    assert "absolute maximum" in finding.detail


def test_methotrexate_cap_applies_without_a_bsa():
    assert run(child(height_cm=None, medications=(order(Drug.METHOTREXATE, 45, WEEKLY),))).indicator is Indicator.WARNING


def test_methotrexate_draft_below_15_mg_per_m2_is_info():
    meds = (draft(Drug.METHOTREXATE, 20, WEEKLY, "MedicationRequest/mtx"),)
    assert run(child(hook="order-select", medications=meds)).indicator is Indicator.INFO


def test_methotrexate_on_record_below_15_mg_per_m2_is_silent():
    assert run(child(medications=(order(Drug.METHOTREXATE, 20, WEEKLY),))) is None


def test_a_methotrexate_draft_above_the_range_or_without_height_is_left_to_the_draft_order_safety_check():
    meds = (draft(Drug.METHOTREXATE, 35, WEEKLY, "MedicationRequest/mtx"),)
    assert run(child(hook="order-select", medications=meds)) is None
    assert run(child(hook="order-select", height_cm=None, medications=meds)) is None


# --- glucocorticoid ----------------------------------------------------------------------------
def test_prednisolone_at_2_mg_per_kg_is_silent():
    assert run(child(weight_kg=25, medications=(order(Drug.PREDNISOLONE, 50),))) is None


def test_prednisolone_above_2_mg_per_kg_warns():
    assert run(child(weight_kg=20, medications=(order(Drug.PREDNISOLONE, 45),))).indicator is Indicator.WARNING


def test_as_needed_prednisolone_is_not_a_daily_dose_and_stays_silent():
    as_needed = order(Drug.PREDNISOLONE, 45, dose=dose(45, as_needed=True))
    assert run(child(weight_kg=20, medications=(as_needed,))) is None


def test_above_60_mg_warns_and_says_the_cap_is_unverified():
    finding = run(child(weight_kg=40, medications=(order(Drug.PREDNISONE, 70),)))
    assert finding.indicator is Indicator.WARNING
    assert "not found in SHARE" in finding.detail


def test_60_mg_at_1_5_mg_per_kg_is_silent():
    assert run(child(weight_kg=40, medications=(order(Drug.PREDNISONE, 60),))) is None


def test_a_prednisone_draft_above_the_range_or_without_weight_is_left_to_the_draft_order_safety_check():
    meds = (draft(Drug.PREDNISONE, 50, 1, "MedicationRequest/pred"),)
    assert run(child(hook="order-select", weight_kg=20, medications=meds)) is None
    assert run(child(hook="order-select", weight_kg=None, medications=meds)) is None


# --- scope -------------------------------------------------------------------------------------
def test_adult_dermatomyositis_is_silent():
    assert run(facts(weight_kg=20, medications=(order(Drug.PREDNISOLONE, 45),))) is None


def test_juvenile_dermatomyositis_coded_in_a_young_adult_is_checked():
    f = facts(myositis=JDM, age=19, weight_kg=20, medications=(order(Drug.PREDNISOLONE, 45),))
    assert run(f).indicator is Indicator.WARNING


def test_polymyositis_in_a_child_is_checked():
    f = facts(myositis=MyositisSubtype.POLYMYOSITIS, age=10, weight_kg=20, medications=(order(Drug.PREDNISOLONE, 45),))
    assert run(f).indicator is Indicator.WARNING


def test_child_without_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, age=10, weight_kg=20, medications=(order(Drug.PREDNISOLONE, 45),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_order_select_reports_only_the_draft_with_the_problem():
    meds = (draft(Drug.METHOTREXATE, 15, WEEKLY, "MedicationRequest/mtx"), draft(Drug.FOLIC_ACID, 1, 1, "MedicationRequest/fa"))
    [result_] = evaluate((RECOMMENDATION,), child(hook="order-select", medications=meds), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/mtx",)


def test_draft_that_lowers_a_too_high_prednisone_dose_is_silent():
    meds = (order(Drug.PREDNISONE, 50), draft(Drug.PREDNISONE, 40, 1, "MedicationRequest/pred"))
    assert run(child(hook="order-select", weight_kg=20, medications=meds)) is None
