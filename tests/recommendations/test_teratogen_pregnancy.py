"""teratogen-pregnancy (docs/evidence.md#teratogens): methotrexate, mycophenolate, cyclophosphamide and pregnancy."""

from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.teratogen_pregnancy import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
PREGNANT = (condition(Condition.PREGNANCY),)
WEEKLY = 1 / 7


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def woman(**kwargs):
    return facts(sex="female", age=30, childbearing_potential=True, **kwargs)


def hcg(interpretation, days_ago=5):
    return result(Lab.HCG, interpretation=interpretation, days_ago=days_ago)


# --- pregnancy ---------------------------------------------------------------------------------
def test_methotrexate_in_pregnancy_is_critical():
    assert run(woman(conditions=PREGNANT, medications=(order(Drug.METHOTREXATE, 15, WEEKLY),))).indicator is Indicator.CRITICAL


def test_mycophenolic_acid_in_pregnancy_is_critical():
    assert run(woman(conditions=PREGNANT, medications=(order(Drug.MYCOPHENOLIC_ACID, 720, 2),))).indicator is Indicator.CRITICAL


def test_cyclophosphamide_in_pregnancy_is_critical():
    assert run(woman(conditions=PREGNANT, medications=(order(Drug.CYCLOPHOSPHAMIDE, 750),))).indicator is Indicator.CRITICAL


def test_azathioprine_in_pregnancy_is_silent():
    assert run(woman(conditions=PREGNANT, medications=(order(Drug.AZATHIOPRINE, 100),))) is None


def test_a_positive_hcg_six_weeks_ago_with_no_later_test_still_counts_as_pregnancy():
    f = woman(results=(hcg(Qualitative.POSITIVE, 41),), medications=(order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2),))
    assert run(f).indicator is Indicator.CRITICAL


def test_a_positive_hcg_older_than_a_pregnancy_lasts_does_not_count():
    f = woman(results=(hcg(Qualitative.POSITIVE, 295),), medications=(order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2),))
    finding = run(f)
    assert finding.indicator is Indicator.INFO  # only the routine pregnancy-test reminder, not pregnancy
    assert "pregnancy test" in finding.summary


def test_a_draft_while_breastfeeding_is_left_to_the_draft_order_safety_check():
    draft = order(Drug.METHOTREXATE, 15, WEEKLY, draft=True, ref="MedicationRequest/new-mtx")
    assert run(woman(conditions=(condition(Condition.BREASTFEEDING),), medications=(draft,))) is None


def test_breastfeeding_on_mycophenolate_on_record_is_a_warning():
    f = woman(conditions=(condition(Condition.BREASTFEEDING),), medications=(order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2),))
    assert run(f).indicator is Indicator.WARNING


def test_a_later_negative_hcg_supersedes_a_positive_one():
    results = (hcg(Qualitative.POSITIVE, 20), hcg(Qualitative.NEGATIVE, 2))
    f = woman(results=results, medications=(order(Drug.METHOTREXATE, 15, WEEKLY),))
    assert run(f) is None


def test_a_draft_in_pregnancy_is_left_to_the_draft_order_safety_check():
    draft = order(Drug.METHOTREXATE, 15, WEEKLY, draft=True, ref="MedicationRequest/new-mtx")
    assert run(woman(hook="order-sign", conditions=PREGNANT, medications=(draft,))) is None


def test_pregnancy_with_a_draft_beside_an_order_on_record_speaks_of_the_order_on_record_only():
    draft = order(Drug.METHOTREXATE, 15, WEEKLY, draft=True, ref="MedicationRequest/new-mtx")
    on_record = order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2)
    finding = run(woman(conditions=PREGNANT, medications=(draft, on_record)))
    assert finding.indicator is Indicator.CRITICAL and not finding.suggestions and not finding.about_drafts


def test_a_draft_in_planned_pregnancy_is_left_to_the_draft_order_safety_check():
    draft = order(Drug.METHOTREXATE, 15, WEEKLY, draft=True, ref="MedicationRequest/new-mtx")
    assert run(woman(conditions=(condition(Condition.PREGNANCY_PLANNED),), medications=(draft,))) is None


def test_fires_without_a_myositis_diagnosis():
    f = woman(myositis=None, conditions=PREGNANT, medications=(order(Drug.METHOTREXATE, 15, WEEKLY),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.CRITICAL


# --- planned pregnancy -------------------------------------------------------------------------
def test_planned_pregnancy_on_methotrexate_warns_to_stop_before_conception():
    f = woman(conditions=(condition(Condition.PREGNANCY_PLANNED),), medications=(order(Drug.METHOTREXATE, 15, WEEKLY),))
    finding = run(f)
    assert finding.indicator is Indicator.WARNING
    assert "before conception" in finding.summary


# --- childbearing potential --------------------------------------------------------------------
def test_ordering_mycophenolate_in_a_woman_of_childbearing_potential_warns_with_rems_details():
    draft = order(Drug.MYCOPHENOLATE_MOFETIL, 500, 2, draft=True)
    finding = run(woman(hook="order-select", medications=(draft,)))
    assert finding.indicator is Indicator.WARNING
    assert "8-10 days" in finding.detail and "6 weeks after stopping" in finding.detail


def test_ordering_methotrexate_in_a_woman_of_childbearing_potential_has_no_mycophenolate_rems_text():
    finding = run(woman(hook="order-select", medications=(order(Drug.METHOTREXATE, 15, WEEKLY, draft=True),)))
    assert finding.indicator is Indicator.WARNING
    assert "REMS" not in finding.detail


def test_childbearing_potential_warning_suggests_a_urine_hcg_test():
    finding = run(woman(hook="order-select", medications=(order(Drug.METHOTREXATE, 15, WEEKLY, draft=True),)))
    [suggestion] = finding.suggestions
    assert suggestion.actions[0].resource["code"]["coding"][0]["code"] == "2106-3"


def test_established_methotrexate_with_a_pregnancy_test_since_the_start_is_silent():
    meds = (order(Drug.METHOTREXATE, 15, WEEKLY, days=200),)
    assert run(woman(medications=meds, results=(hcg(Qualitative.NEGATIVE, days_ago=190),))) is None


def test_established_methotrexate_without_a_pregnancy_test_since_the_start_is_info():
    meds = (order(Drug.METHOTREXATE, 15, WEEKLY, days=200),)
    finding = run(woman(medications=meds, results=(hcg(Qualitative.NEGATIVE, days_ago=300),)))
    assert finding.indicator is Indicator.INFO
    assert "contraception" in finding.summary
    assert finding.suggestions[0].actions[0].resource["code"]["coding"][0]["code"] == "2106-3"


def test_established_mycophenolate_needs_a_pregnancy_test_within_the_interval():
    meds = (order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2, days=400),)
    assert run(woman(medications=meds, results=(hcg(Qualitative.NEGATIVE, days_ago=60),))) is None
    finding = run(woman(medications=meds, results=(hcg(Qualitative.NEGATIVE, days_ago=120),)))
    assert finding.indicator is Indicator.INFO and "in the last 90 days" in finding.detail


def test_established_treatment_without_childbearing_potential_is_silent():
    assert run(facts(sex="female", age=62, medications=(order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2),))) is None


def test_ordering_cyclophosphamide_for_a_man_brings_fertility_counselling():
    f = facts(hook="order-sign", age=35, medications=(order(Drug.CYCLOPHOSPHAMIDE, 750, draft=True),))
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert "fertility" in finding.summary and "sperm cryopreservation" in finding.detail
    assert finding.about_drafts == ("MedicationRequest/draft-cyclophosphamide",)


def test_ordering_cyclophosphamide_in_a_woman_of_childbearing_potential_adds_fertility_to_the_warning():
    finding = run(woman(hook="order-sign", medications=(order(Drug.CYCLOPHOSPHAMIDE, 750, draft=True),)))
    assert finding.indicator is Indicator.WARNING and "GnRH-agonist" in finding.detail


def test_ordering_cyclophosphamide_above_the_counselling_age_is_silent_for_a_man():
    assert run(facts(hook="order-sign", age=70, medications=(order(Drug.CYCLOPHOSPHAMIDE, 750, draft=True),))) is None


def test_cyclophosphamide_on_record_brings_no_fertility_card():
    assert run(facts(age=35, medications=(order(Drug.CYCLOPHOSPHAMIDE, 750),))) is None


def test_ordering_methotrexate_for_a_woman_without_childbearing_potential_is_silent():
    f = facts(hook="order-select", sex="female", age=60, childbearing_potential=False,
              medications=(order(Drug.METHOTREXATE, 15, WEEKLY, draft=True),))
    assert run(f) is None


def test_ordering_methotrexate_for_a_man_is_silent():
    assert run(facts(hook="order-select", medications=(order(Drug.METHOTREXATE, 15, WEEKLY, draft=True),))) is None


def test_order_select_of_an_unrelated_drug_does_not_show_the_card():
    meds = (order(Drug.METHOTREXATE, 15, WEEKLY), order(Drug.FOLIC_ACID, 1, draft=True))
    assert evaluate((RECOMMENDATION,), woman(hook="order-select", conditions=PREGNANT, medications=meds), {}, strict=True) == []
