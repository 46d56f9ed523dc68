"""anti-mda5-rp-ild (ACR/CHEST 2023): anti-MDA5 on glucocorticoid alone or nothing -> critical with ILD, warning
without; combination therapy on record is silent."""

from dataclasses import replace

from fhir_mappings.concepts import Antibody, Condition, Drug, Lab, MyositisSubtype, Qualitative, Route
from hooks.engine import VERIFY_PREFIX, evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.anti_mda5_rp_ild import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
MDA5 = result(Antibody.MDA5, interpretation=Qualitative.POSITIVE, days_ago=20)
ILD = condition(Condition.INTERSTITIAL_LUNG_DISEASE)


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_anti_mda5_with_ild_on_glucocorticoid_alone_is_critical():
    finding = run(facts(results=(MDA5,), conditions=(ILD,), medications=(order(Drug.PREDNISONE, 60),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "combination therapy" in finding.summary


def test_anti_mda5_with_ild_and_no_treatment_is_critical():
    finding = run(facts(results=(MDA5,), conditions=(ILD,)))
    assert finding.indicator is Indicator.CRITICAL
    assert "No glucocorticoid or immunosuppressant on the current regimen" in finding.facts_used


def test_anti_mda5_without_ild_on_glucocorticoid_alone_is_a_warning_for_lung_assessment():
    finding = run(facts(results=(MDA5,), medications=(order(Drug.PREDNISONE, 60),)))
    assert finding.indicator is Indicator.WARNING
    assert "FVC" in finding.summary and "HRCT" in finding.summary


def test_methotrexate_is_not_ild_treatment():
    meds = (order(Drug.PREDNISONE, 60), order(Drug.METHOTREXATE, 15, 1 / 7))
    assert run(facts(results=(MDA5,), conditions=(ILD,), medications=meds)).indicator is Indicator.CRITICAL


def test_single_ild_agent_without_glucocorticoid_with_ild_is_a_warning():
    finding = run(facts(results=(MDA5,), conditions=(ILD,), medications=(order(Drug.TACROLIMUS, 2, 2),)))
    assert finding.indicator is Indicator.WARNING


def test_with_ild_a_glucocorticoid_and_one_agent_is_still_a_warning_for_combination_therapy():
    meds = (order(Drug.PREDNISONE, 60), order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2))
    finding = run(facts(results=(MDA5,), conditions=(ILD,), medications=meds))
    assert finding.indicator is Indicator.WARNING
    assert "combination therapy" in finding.summary


def test_with_ild_a_glucocorticoid_and_two_agents_is_silent():
    meds = (order(Drug.PREDNISONE, 60), order(Drug.TACROLIMUS, 2, 2), order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2))
    assert run(facts(results=(MDA5,), conditions=(ILD,), medications=meds)) is None


def test_without_ild_a_glucocorticoid_and_one_agent_is_silent():
    meds = (order(Drug.PREDNISONE, 60), order(Drug.TACROLIMUS, 2, 2))
    assert run(facts(results=(MDA5,), medications=meds)) is None


def test_two_ild_agents_are_silent():
    meds = (order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2), order(Drug.IVIG, 140000, route=Route.INTRAVENOUS))
    assert run(facts(results=(MDA5,), conditions=(ILD,), medications=meds)) is None


def test_negative_anti_mda5_is_silent():
    negative = result(Antibody.MDA5, interpretation=Qualitative.NEGATIVE)
    assert run(facts(results=(negative,), conditions=(ILD,))) is None


def test_other_antibody_is_silent():
    jo1 = result(Antibody.JO1, interpretation=Qualitative.POSITIVE)
    assert run(facts(results=(jo1,), conditions=(ILD,))) is None


def test_drafted_glucocorticoid_alone_shows_on_order_sign():
    f = facts(hook="order-sign", results=(MDA5,), conditions=(ILD,),
              medications=(order(Drug.PREDNISONE, 60, draft=True),))
    [found] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/draft-prednisone",)


def test_silent_in_inclusion_body_myositis():
    f = facts(myositis=MyositisSubtype.INCLUSION_BODY_MYOSITIS, results=(MDA5,), conditions=(ILD,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_ild_on_a_single_agent_with_glucocorticoid_absent_is_a_combination_warning():
    finding = run(facts(results=(MDA5,), conditions=(ILD,), medications=(order(Drug.AZATHIOPRINE, 100),)))
    assert finding.summary == "Anti-MDA5 with ILD on a single agent: consider early combination therapy"


def test_without_ild_a_recent_lung_function_test_is_silent():
    pft = result(Lab.LUNG_FUNCTION, value=85, unit="%", days_ago=30)
    assert run(facts(results=(MDA5, pft), medications=(order(Drug.PREDNISONE, 60),))) is None


def test_without_ild_an_old_lung_function_test_still_warns():
    pft = result(Lab.LUNG_FUNCTION, value=85, unit="%", days_ago=200)
    assert run(facts(results=(MDA5, pft), medications=(order(Drug.PREDNISONE, 60),))).indicator is Indicator.WARNING


def test_with_ild_on_record_missing_investigation_lists_do_not_turn_the_critical_card_into_verify():
    f = replace(facts(results=(MDA5,), conditions=(ILD,), medications=(order(Drug.PREDNISONE, 60),)),
                data_gaps=("Procedure", "DiagnosticReport", "ServiceRequest"))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.CRITICAL
    assert not result_.finding.summary.startswith(VERIFY_PREFIX)


def test_with_ild_on_record_an_incomplete_medication_list_asks_to_verify():
    f = replace(facts(results=(MDA5,), conditions=(ILD,), medications=(order(Drug.PREDNISONE, 60),)),
                incomplete=("MedicationRequest",))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.summary.startswith(VERIFY_PREFIX)
