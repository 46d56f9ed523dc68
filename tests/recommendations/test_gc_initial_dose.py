"""gc-initial-dose (docs/evidence.md#gc-initial-dose): adult oral prednis(ol)one against 0.5-1 mg/kg/day."""

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Condition, Drug, MyositisSubtype, Route
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.gc_initial_dose import RECOMMENDATION
from tests.factories import condition, dose, facts, order
from tests.fhir_builders import condition as fhir_condition
from tests.fhir_builders import medication_request as fhir_order
from tests.fhir_builders import observation
from tests.mappings.conftest import facts_of

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def prednisone(mg, days=7, **kwargs):
    return order(Drug.PREDNISONE, mg, days=days, **kwargs)


def draft_prednisone(mg):
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="198148", display="Prednisone 50 MG Oral Tablet",
        dose_value=mg, dose_unit="mg", frequency=1, period=1, period_unit="d", text=f"{mg} mg daily",
    )
    return order(Drug.PREDNISONE, mg, draft=True, ref="MedicationRequest/draft-pred", resource=resource)


# --- levels ------------------------------------------------------------------------------------
def test_dose_within_band_is_silent():
    assert run(facts(medications=(prednisone(60),))) is None


def test_exactly_1_mg_per_kg_is_silent():
    assert run(facts(weight_kg=70, medications=(prednisone(70),))) is None


def test_just_above_1_mg_per_kg_warns():
    finding = run(facts(weight_kg=70, medications=(prednisone(71),)))
    assert finding.indicator is Indicator.WARNING


def test_above_80_mg_warns_even_below_1_mg_per_kg():
    finding = run(facts(weight_kg=100, medications=(prednisone(85),)))
    assert finding.indicator is Indicator.WARNING


def test_80_mg_at_0_8_mg_per_kg_is_silent():
    assert run(facts(weight_kg=100, medications=(prednisone(80),))) is None


def test_above_100_mg_is_critical():
    finding = run(facts(weight_kg=120, medications=(prednisone(110),)))
    assert finding.indicator is Indicator.CRITICAL


def test_100_mg_is_a_warning_not_critical():
    finding = run(facts(weight_kg=120, medications=(prednisone(100),)))
    assert finding.indicator is Indicator.WARNING


def test_exactly_half_mg_per_kg_is_silent():
    assert run(facts(weight_kg=70, medications=(prednisone(35),))) is None


def test_below_half_mg_per_kg_in_the_initial_phase_is_info():
    finding = run(facts(weight_kg=70, medications=(prednisone(30),)))
    assert finding.indicator is Indicator.INFO
    assert "below" in finding.summary


def test_prednisolone_counts_like_prednisone():
    finding = run(facts(weight_kg=70, medications=(order(Drug.PREDNISOLONE, 90, days=3),)))
    assert finding.indicator is Indicator.WARNING


# --- initial phase -----------------------------------------------------------------------------
def test_low_dose_after_the_initial_phase_is_silent():
    assert run(facts(weight_kg=70, medications=(prednisone(10, days=120),))) is None


def test_high_dose_on_record_after_the_initial_phase_is_left_to_the_taper_card():
    assert run(facts(weight_kg=70, medications=(prednisone(75, days=60),))) is None


def test_entry_error_is_critical_at_any_time():
    finding = run(facts(weight_kg=70, medications=(prednisone(500, days=60),)))
    assert finding.indicator is Indicator.CRITICAL


def test_high_draft_after_the_initial_phase_warns():
    meds = (prednisone(20, days=90), draft_prednisone(90))
    finding = run(facts(hook="order-select", weight_kg=70, medications=meds))
    assert finding.indicator is Indicator.WARNING
    assert finding.about_drafts == ("MedicationRequest/draft-pred",)


# --- comorbidity and weight ----------------------------------------------------------------------
def test_diabetes_with_more_than_0_75_mg_per_kg_is_info_labelled_expert_opinion():
    f = facts(weight_kg=70, conditions=(condition(Condition.DIABETES),), medications=(prednisone(60),))
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert "Expert opinion" in finding.detail


def test_glaucoma_at_0_75_mg_per_kg_or_less_is_silent():
    f = facts(weight_kg=80, conditions=(condition(Condition.GLAUCOMA),), medications=(prednisone(60),))
    assert run(f) is None


def test_comorbidity_note_is_added_to_a_warning():
    f = facts(weight_kg=70, conditions=(condition(Condition.OSTEOPOROSIS),), medications=(prednisone(90),))
    finding = run(f)
    assert finding.indicator is Indicator.WARNING
    assert "Expert opinion" in finding.detail


def test_missing_weight_in_the_initial_phase_asks_for_a_weight():
    finding = run(facts(weight_kg=None, medications=(prednisone(60),)))
    assert finding.indicator is Indicator.INFO
    assert "weight" in finding.summary.lower()


def test_missing_weight_still_warns_above_80_mg():
    finding = run(facts(weight_kg=None, medications=(prednisone(90),)))
    assert finding.indicator is Indicator.WARNING
    assert "weight" in finding.detail.lower()


def test_weight_older_than_the_lookback_is_not_used():
    params = {**PARAMS, "weight_lookback_days": 5}
    finding = RECOMMENDATION.evaluate(facts(weight_kg=70, medications=(prednisone(60),)), params)
    assert "weight" in finding.summary.lower()


# --- scope -------------------------------------------------------------------------------------
def test_children_are_left_to_the_juvenile_card():
    assert run(facts(age=12, weight_kg=40, medications=(prednisone(70),))) is None


def test_juvenile_dermatomyositis_coded_in_an_adult_is_left_to_the_juvenile_card():
    f = facts(age=19, myositis=MyositisSubtype.JUVENILE_DERMATOMYOSITIS, weight_kg=60, medications=(prednisone(90),))
    assert run(f) is None


def test_intravenous_methylprednisolone_alone_is_not_an_oral_dose():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, days=1, route=Route.INTRAVENOUS)
    assert run(facts(medications=(pulse,))) is None


def test_inclusion_body_myositis_gets_no_dose_band_warning():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, weight_kg=70, medications=(prednisone(90),))
    assert run(f) is None


def test_inclusion_body_myositis_still_gets_the_entry_error_alert():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, weight_kg=70, medications=(prednisone(200),))
    assert run(f).indicator is Indicator.CRITICAL


def test_no_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, medications=(prednisone(200),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


# --- suggestion --------------------------------------------------------------------------------
def test_too_high_draft_gets_a_recommended_update_to_1_mg_per_kg_capped_at_60():
    finding = run(facts(hook="order-select", weight_kg=70, medications=(draft_prednisone(90),)))
    [suggestion] = finding.suggestions
    action = suggestion.actions[0]
    assert suggestion.is_recommended and action.type == "update"
    assert action.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 60


def test_suggested_dose_is_rounded_down_to_5_mg_under_the_cap():
    finding = run(facts(hook="order-select", weight_kg=57, medications=(draft_prednisone(80),)))
    action = finding.suggestions[0].actions[0]
    assert action.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 55


def test_order_on_record_gets_no_update_suggestion():
    assert run(facts(weight_kg=70, medications=(prednisone(90),))).suggestions == ()


def test_order_select_fires_about_the_prednisone_draft_only():
    meds = (draft_prednisone(90), order(Drug.METHOTREXATE, 15, 1 / 7, draft=True))
    [result_] = evaluate((RECOMMENDATION,), facts(hook="order-select", weight_kg=70, medications=meds), {}, strict=True)
    assert result_.finding.about_drafts == ("MedicationRequest/draft-pred",)


def test_draft_that_lowers_a_too_high_dose_is_silent():
    meds = (prednisone(90, days=5), draft_prednisone(60))
    assert run(facts(hook="order-select", weight_kg=70, medications=meds)) is None


# --- every systemic glucocorticoid by prednisone equivalent ---------------------------------------
def test_oral_methylprednisolone_above_1_mg_per_kg_prednisone_equivalent_warns():
    # 64 mg methylprednisolone = 80 mg prednisone = 1.14 mg/kg at 70 kg
    finding = run(facts(weight_kg=70, medications=(order(Drug.METHYLPREDNISOLONE, 64, days=3),)))
    assert finding.indicator is Indicator.WARNING
    assert "Prednisone-equivalent dose: 80 mg/day" in finding.facts_used


def test_oral_methylprednisolone_within_the_band_is_silent():
    # 48 mg methylprednisolone = 60 mg prednisone = 0.86 mg/kg at 70 kg
    assert run(facts(weight_kg=70, medications=(order(Drug.METHYLPREDNISOLONE, 48, days=3),))) is None


def test_dexamethasone_is_read_by_prednisone_equivalent():
    # 16 mg dexamethasone = about 107 mg prednisone: above the entry-error limit
    finding = run(facts(weight_kg=70, medications=(order(Drug.DEXAMETHASONE, 16, days=3),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "106.72" in finding.summary


def test_low_dose_dexamethasone_is_silent():
    # 6 mg dexamethasone = 40 mg prednisone = 0.57 mg/kg at 70 kg
    assert run(facts(weight_kg=70, medications=(order(Drug.DEXAMETHASONE, 6, days=3),))) is None


def test_iv_methylprednisolone_pulse_is_not_an_oral_initial_dose():
    pulse = order(Drug.METHYLPREDNISOLONE, 1000, days=1, route=Route.INTRAVENOUS)
    assert run(facts(weight_kg=70, medications=(pulse,))) is None


def test_methylprednisolone_without_a_route_is_not_assumed_oral():
    assert run(facts(weight_kg=70, medications=(order(Drug.METHYLPREDNISOLONE, 500, days=1, route=None),))) is None


def test_a_draft_of_another_glucocorticoid_gets_no_prednisone_dose_suggestion():
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="197971", display="Methylprednisolone 32 MG Oral Tablet",
        dose_value=96, dose_unit="mg", frequency=1, period=1, period_unit="d", text="96 mg daily",
    )
    draft = order(Drug.METHYLPREDNISOLONE, 96, draft=True, ref="MedicationRequest/draft-mp", resource=resource)
    finding = run(facts(hook="order-select", weight_kg=70, medications=(draft,)))
    assert finding.indicator is Indicator.CRITICAL  # 120 mg prednisone-equivalent
    assert finding.suggestions == ()


def test_prednisolone_liquid_and_oral_methylprednisolone_products_are_read_from_fhir():
    weight = observation("29463-7", 70, "kg", date="2026-11-15")
    dm = fhir_condition("396230008")
    liquid = fhir_order(text="prednisolone 3 MG/ML Oral Solution", dose=30, unit="mL", authored_on="2026-11-18")
    tablets = fhir_order(rxnorm="197971", dose=64, authored_on="2026-11-18")  # methylprednisolone 32 mg tablet
    assert run(facts_of(weight, dm, liquid)).indicator is Indicator.WARNING  # 90 mg prednisolone
    assert run(facts_of(weight, dm, tablets)).indicator is Indicator.WARNING  # 80 mg prednisone-equivalent


def test_a_bounded_oral_dexamethasone_pulse_is_a_warning_to_confirm_not_an_entry_error():
    pulse = order(Drug.DEXAMETHASONE, days=1, dose=dose(40, 1.0, course_days=4))
    finding = run(facts(weight_kg=70, medications=(pulse,)))
    assert finding.indicator is Indicator.WARNING
    assert "intended pulse" in finding.summary


def test_an_unbounded_daily_dose_above_the_limit_stays_critical():
    assert run(facts(weight_kg=70, medications=(order(Drug.DEXAMETHASONE, 40, days=1),))).indicator is Indicator.CRITICAL


def test_a_bounded_oral_pulse_draft_gets_no_daily_dose_suggestion():
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="198148", display="Prednisone 50 MG Oral Tablet",
        dose_value=500, dose_unit="mg", frequency=1, period=1, period_unit="d", text="500 mg daily for 3 days",
    )
    draft = order(Drug.PREDNISONE, draft=True, ref="MedicationRequest/draft-pred", resource=resource,
                  dose=dose(500, 1.0, course_days=3))
    finding = run(facts(hook="order-select", weight_kg=70, medications=(draft,)))
    assert finding.indicator is Indicator.WARNING
    assert finding.suggestions == ()
