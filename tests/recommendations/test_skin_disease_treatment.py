"""skin-disease-treatment (BSR 2022; AAO 2016): dermatomyositis skin disease without hydroxychloroquine -> info."""

from dataclasses import replace

from fhir_mappings.concepts import Condition, Drug, MyositisSubtype
from hooks.engine import VERIFY_PREFIX, evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.skin_disease_treatment import RECOMMENDATION
from tests.factories import condition, facts, order

PARAMS = RECOMMENDATION.defaults()
AMYOPATHIC = condition(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS)
ULCER = condition(Condition.CUTANEOUS_ULCERATION)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_amyopathic_dermatomyositis_without_hydroxychloroquine_is_info():
    finding = run(facts(conditions=(AMYOPATHIC,)))
    assert finding.indicator is Indicator.INFO
    assert "photoprotection" in finding.summary
    assert "Skin disease: skin-predominant-dermatomyositis" in finding.facts_used


def test_dermatomyositis_with_skin_ulceration_fires():
    assert run(facts(conditions=(ULCER,))).indicator is Indicator.INFO


def test_card_names_the_weight_based_hydroxychloroquine_ceiling():
    assert "at 70 kg, up to 350 mg/day" in run(facts(conditions=(AMYOPATHIC,))).detail


def test_without_a_weight_the_card_asks_for_one():
    assert "a recent weight is needed" in run(facts(conditions=(AMYOPATHIC,), weight_kg=None)).detail


def test_card_states_the_eye_screening():
    assert "baseline fundus examination within the first year" in run(facts(conditions=(AMYOPATHIC,))).detail


def test_on_hydroxychloroquine_with_a_baseline_examination_is_silent():
    f = facts(conditions=(AMYOPATHIC,), medications=(order(Drug.HYDROXYCHLOROQUINE, 200),),
              investigations=(retinal_exam(20),))
    assert run(f) is None


def test_dermatomyositis_without_coded_skin_disease_is_silent():
    assert run(facts()) is None


def test_skin_ulcer_in_polymyositis_is_silent():
    assert run(facts(myositis=MyositisSubtype.POLYMYOSITIS, conditions=(ULCER,))) is None


def test_juvenile_dermatomyositis_with_skin_ulceration_fires():
    assert run(facts(myositis=MyositisSubtype.JUVENILE_DERMATOMYOSITIS, age=10, conditions=(ULCER,)))


def test_patient_view_only():
    f = facts(hook="order-sign", conditions=(AMYOPATHIC,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def hcq(mg=200, per_day=1.0, days=30):
    return order(Drug.HYDROXYCHLOROQUINE, mg, per_day, days=days)


def retinal_exam(days_ago):
    from fhir_mappings.concepts import Investigation
    from fhir_mappings.facts import InvestigationFact
    from tests.factories import days_before
    return InvestigationFact(Investigation.RETINAL_SCREENING, days_before(days_ago), True, "Procedure", "SD-OCT")


def test_hydroxychloroquine_above_5_mg_per_kg_is_a_warning():
    finding = run(facts(medications=(hcq(200, 2),), weight_kg=60))
    assert finding.indicator is Indicator.WARNING
    assert "6.7 mg/kg/day at 60 kg" in finding.facts_used


def test_hydroxychloroquine_dose_is_not_judged_without_a_weight():
    assert run(facts(medications=(hcq(200, 2),), weight_kg=None, investigations=(retinal_exam(20),))) is None


def test_a_year_of_hydroxychloroquine_without_a_retinal_examination_is_info():
    finding = run(facts(medications=(hcq(days=400),)))
    assert finding.indicator is Indicator.INFO
    assert "baseline retinal examination" in finding.summary


def test_a_hydroxychloroquine_draft_without_a_retinal_examination_asks_for_the_baseline_at_the_order():
    draft = order(Drug.HYDROXYCHLOROQUINE, 200, draft=True, ref="MedicationRequest/hcq")
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=(draft,), weight_kg=70), {},
                       strict=True)
    assert found.finding.indicator is Indicator.INFO
    assert "baseline retinal examination is due within the first year" in found.finding.summary
    assert found.finding.about_drafts == ("MedicationRequest/hcq",)


def test_a_hydroxychloroquine_draft_with_a_retinal_examination_in_the_last_year_is_silent():
    draft = order(Drug.HYDROXYCHLOROQUINE, 200, draft=True, ref="MedicationRequest/hcq")
    f = facts(hook="order-sign", medications=(draft,), weight_kg=70, investigations=(retinal_exam(200),))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_the_first_months_of_hydroxychloroquine_without_a_baseline_examination_get_the_card():
    finding = run(facts(medications=(hcq(days=30),), weight_kg=70))
    assert "within the first year" in finding.summary
    assert any(line.startswith("Hydroxychloroquine since") for line in finding.facts_used)


def test_an_examination_older_than_a_year_before_the_first_dose_is_not_a_baseline():
    assert run(facts(medications=(hcq(days=30),), weight_kg=70, investigations=(retinal_exam(500),))) is not None


def test_baseline_retinal_examination_on_record_is_silent_before_five_years():
    assert run(facts(medications=(hcq(days=1000),), investigations=(retinal_exam(900),))) is None


def test_after_five_years_retinal_screening_is_annual():
    assert "annual retinal screening" in run(facts(medications=(hcq(days=2000),),
                                                   investigations=(retinal_exam(500),))).summary
    assert run(facts(medications=(hcq(days=2000),), investigations=(retinal_exam(100),))) is None


def test_reduced_kidney_function_makes_retinal_screening_annual_from_the_first_year():
    from fhir_mappings.concepts import Lab
    from tests.factories import result
    egfr = result(Lab.EGFR, value=45, unit="mL/min/{1.73_m2}")
    finding = run(facts(medications=(hcq(days=800),), investigations=(retinal_exam(500),), results=(egfr,)))
    assert "annual retinal screening" in finding.summary
    assert any(line.startswith("Kidney function: eGFR 45") for line in finding.facts_used)


INVESTIGATION_LISTS = ("Procedure", "DiagnosticReport", "ServiceRequest")


def test_the_dose_warning_is_not_turned_into_a_verify_card_when_investigation_lists_are_missing():
    f = replace(facts(medications=(hcq(200, 2),), weight_kg=60), data_gaps=INVESTIGATION_LISTS)
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.WARNING
    assert not result_.finding.summary.startswith(VERIFY_PREFIX)


def test_the_retinal_screening_card_asks_to_verify_when_investigation_lists_are_missing():
    f = replace(facts(medications=(hcq(days=400),), weight_kg=70), data_gaps=INVESTIGATION_LISTS)
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.summary.startswith(VERIFY_PREFIX)


def test_the_hydroxychloroquine_ceiling_is_capped_at_400_mg_a_day_for_a_heavy_patient():
    finding = run(facts(conditions=(AMYOPATHIC,), weight_kg=110))
    assert "up to 400 mg/day" in finding.detail


def test_the_dose_warning_also_asks_for_the_baseline_examination_when_none_is_on_record():
    finding = run(facts(medications=(hcq(200, 2),), weight_kg=60))
    assert "arrange the baseline examination within the first year" in finding.detail
