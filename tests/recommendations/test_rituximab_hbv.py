"""rituximab-hbv: HBsAg and anti-HBc before rituximab; entecavir/tenofovir prophylaxis when positive."""

from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.rituximab_hbv import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
POS, NEG = Qualitative.POSITIVE, Qualitative.NEGATIVE


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def serology(hbsag=NEG, anti_hbc=NEG):
    return (result(Lab.HBSAG, interpretation=hbsag, days_ago=200),
            result(Lab.ANTI_HBC, interpretation=anti_hbc, days_ago=200))


def rituximab(**kw):
    return order(Drug.RITUXIMAB, 1000, 1 / 14, **kw)


def test_negative_serology_is_silent():
    assert run(facts(medications=(rituximab(),), results=serology())) is None


def test_silent_without_rituximab():
    assert run(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),))) is None


def test_no_serology_is_critical_and_suggests_both_tests():
    finding = run(facts(medications=(rituximab(),)))
    assert finding.indicator is Indicator.CRITICAL
    [suggestion] = finding.suggestions
    displays = [a.resource["code"]["coding"][0]["display"] for a in suggestion.actions]
    assert [d.split(" [")[0] for d in displays] == ["Hepatitis B virus surface Ag", "Hepatitis B virus core Ab"]
    assert suggestion.is_recommended


def test_only_the_missing_anti_hbc_is_suggested():
    f = facts(medications=(rituximab(),), results=(result(Lab.HBSAG, interpretation=NEG),))
    finding = run(f)
    assert finding.indicator is Indicator.CRITICAL
    [action] = finding.suggestions[0].actions
    assert action.resource["code"]["coding"][0]["display"].startswith("Hepatitis B virus core Ab")


def test_result_without_interpretation_counts_as_missing():
    results = (result(Lab.HBSAG, value=0.3, unit="S/CO"), result(Lab.ANTI_HBC, interpretation=NEG))
    assert run(facts(medications=(rituximab(),), results=results)).indicator is Indicator.CRITICAL


def test_hbsag_positive_without_antiviral_is_critical():
    finding = run(facts(medications=(rituximab(),), results=serology(hbsag=POS, anti_hbc=POS)))
    assert finding.indicator is Indicator.CRITICAL
    assert "HBsAg positive" in finding.summary


def test_hepatitis_b_diagnosis_counts_as_positive_even_without_serology():
    f = facts(medications=(rituximab(),), conditions=(condition(Condition.HEPATITIS_B),))
    assert "no antiviral" in run(f).summary


def test_hbsag_positive_on_entecavir_is_silent():
    meds = (rituximab(), order(Drug.ENTECAVIR, 0.5))
    assert run(facts(medications=meds, results=serology(hbsag=POS, anti_hbc=POS))) is None


def test_hbsag_positive_on_lamivudine_is_still_critical_lamivudine_is_not_adequate():
    meds = (rituximab(), order(Drug.LAMIVUDINE, 100))
    finding = run(facts(medications=meds, results=serology(hbsag=POS, anti_hbc=POS)))
    assert finding.indicator is Indicator.CRITICAL
    assert "Lamivudine is not adequate" in finding.detail


def test_isolated_anti_hbc_on_lamivudine_prophylaxis_is_silent():
    meds = (rituximab(), order(Drug.LAMIVUDINE, 100))
    assert run(facts(medications=meds, results=serology(anti_hbc=POS))) is None


def test_anti_hbc_positive_without_antiviral_warns():
    finding = run(facts(medications=(rituximab(),), results=serology(anti_hbc=POS)))
    assert finding.indicator is Indicator.WARNING


def test_anti_hbc_positive_on_tenofovir_is_silent():
    meds = (rituximab(), order(Drug.TENOFOVIR, 245))
    assert run(facts(medications=meds, results=serology(anti_hbc=POS))) is None


def test_fires_without_a_myositis_diagnosis_through_the_engine():
    assert len(evaluate((RECOMMENDATION,), facts(myositis=None, medications=(rituximab(),)), {}, strict=True)) == 1


def test_order_sign_of_rituximab_fires_about_the_draft():
    draft = rituximab(draft=True, ref="MedicationRequest/rtx")
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=(draft,)), {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/rtx",)


def test_order_sign_of_another_drug_with_rituximab_on_record_is_silent():
    meds = (rituximab(), order(Drug.PREDNISONE, 10, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-sign", medications=meds), {}, strict=True) == []


def test_an_old_positive_hbsag_with_a_negative_one_since_is_not_current_hepatitis_b():
    results = (result(Lab.HBSAG, interpretation=POS, days_ago=4000), result(Lab.HBSAG, interpretation=NEG, days_ago=30),
               result(Lab.ANTI_HBC, interpretation=POS, days_ago=30))
    finding = run(facts(medications=(rituximab(),), results=results))
    assert finding.indicator is Indicator.WARNING  # the isolated anti-HBc pathway, not "HBsAg positive"
    assert "HBsAg positive" not in finding.summary


def test_isolated_anti_hbc_before_rituximab_asks_for_antiviral_prophylaxis_not_a_choice_of_monitoring():
    finding = run(facts(medications=(rituximab(),), results=serology(anti_hbc=POS)))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary == "Rituximab with anti-HBc positive: start antiviral prophylaxis (entecavir or tenofovir)"
    assert "only on hepatology advice" in finding.detail


def test_isolated_anti_hbc_with_entecavir_on_record_is_silent():
    medications = (rituximab(), order(Drug.ENTECAVIR, 0.5))
    assert run(facts(medications=medications, results=serology(anti_hbc=POS))) is None
