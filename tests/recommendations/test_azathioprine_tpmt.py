"""azathioprine-tpmt: TPMT/NUDT15 status and xanthine-oxidase inhibitors; established tolerated courses."""

from dataclasses import replace
from datetime import timedelta

from fhir_mappings.concepts import Analyte, Drug, Lab, Metabolizer, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.azathioprine_tpmt import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def tpmt(phenotype):
    return result(Lab.TPMT, phenotype=phenotype)


def nudt15(phenotype):
    return result(Lab.NUDT15, phenotype=phenotype)


NORMAL = (tpmt(Metabolizer.NORMAL), nudt15(Metabolizer.NORMAL))


def azathioprine(mg=150, **kw):
    return order(Drug.AZATHIOPRINE, mg, **kw)


def test_normal_metabolizer_on_usual_dose_is_silent():
    assert run(facts(medications=(azathioprine(150),), results=NORMAL)) is None


def test_silent_without_azathioprine():
    assert run(facts(medications=(order(Drug.ALLOPURINOL, 300),))) is None


def test_no_tpmt_result_warns_and_suggests_a_text_coded_test_order():
    finding = run(facts(medications=(azathioprine(),)))
    assert finding.indicator is Indicator.WARNING
    [suggestion] = finding.suggestions
    resource = suggestion.actions[0].resource
    assert suggestion.is_recommended
    assert resource["resourceType"] == "ServiceRequest"
    assert "coding" not in resource["code"] and "TPMT" in resource["code"]["text"]


def test_indeterminate_tpmt_counts_as_untested():
    finding = run(facts(medications=(azathioprine(),), results=(tpmt(Metabolizer.INDETERMINATE),)))
    assert finding.indicator is Indicator.WARNING
    assert "indeterminate" in finding.detail


def test_tpmt_activity_without_phenotype_counts_as_tested():
    activity = result(Lab.TPMT, value=14.2, unit="U/mL RBC")
    assert run(facts(medications=(azathioprine(),), results=(activity,))) is None


def test_tpmt_poor_metabolizer_is_critical():
    finding = run(facts(medications=(azathioprine(),), results=(tpmt(Metabolizer.POOR),)))
    assert finding.indicator is Indicator.CRITICAL
    assert "poor metabolizer" in finding.summary


def test_nudt15_poor_metabolizer_is_critical_with_normal_tpmt():
    results = (tpmt(Metabolizer.NORMAL), nudt15(Metabolizer.POOR))
    assert run(facts(medications=(azathioprine(),), results=results)).indicator is Indicator.CRITICAL


def test_poor_metabolizer_draft_order_suggests_removing_it():
    draft = azathioprine(draft=True, ref="MedicationRequest/new-aza")
    finding = run(facts(hook="order-sign", medications=(draft,), results=(tpmt(Metabolizer.POOR),)))
    [action] = finding.suggestions[0].actions
    assert (action.type, action.resource_id) == ("delete", "MedicationRequest/new-aza")


def test_older_poor_genotype_is_not_overridden_by_a_newer_activity_result():
    results = (result(Lab.TPMT, phenotype=Metabolizer.POOR, days_ago=400), result(Lab.TPMT, value=14.0, days_ago=5))
    assert run(facts(medications=(azathioprine(),), results=results)).indicator is Indicator.CRITICAL


def test_allopurinol_with_azathioprine_is_critical():
    meds = (azathioprine(), order(Drug.ALLOPURINOL, 300))
    finding = run(facts(medications=meds, results=NORMAL))
    assert finding.indicator is Indicator.CRITICAL
    assert "allopurinol" in finding.summary


def test_febuxostat_with_azathioprine_is_critical():
    meds = (azathioprine(), order(Drug.FEBUXOSTAT, 80))
    assert run(facts(medications=meds, results=NORMAL)).indicator is Indicator.CRITICAL


def test_ordering_allopurinol_for_a_patient_on_azathioprine_is_left_to_the_draft_order_safety_check():
    meds = (azathioprine(), order(Drug.ALLOPURINOL, 100, draft=True, ref="MedicationRequest/new-allo"))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds, results=NORMAL), {},
                    strict=True) == []


def test_interaction_outranks_missing_tpmt_which_is_listed_in_the_detail():
    finding = run(facts(medications=(azathioprine(), order(Drug.ALLOPURINOL, 300))))
    assert finding.indicator is Indicator.CRITICAL
    assert "without a usable TPMT result" in finding.detail


# Intermediate metabolizer, 70 kg: limit 0.8 x 3 = 2.4 mg/kg/day = 168 mg/day.
def test_intermediate_metabolizer_above_the_reduced_maximum_warns():
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.NORMAL))
    finding = run(facts(medications=(azathioprine(175),), results=results, weight_kg=70))
    assert finding.indicator is Indicator.WARNING
    assert "intermediate metabolizer" in finding.summary


def test_intermediate_metabolizer_at_the_reduced_maximum_is_silent():
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.NORMAL))
    assert run(facts(medications=(azathioprine(168),), results=results, weight_kg=70)) is None


def test_intermediate_for_both_genes_uses_the_lower_fraction():
    # limit 0.5 x 3 = 1.5 mg/kg/day = 105 mg/day at 70 kg
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.INTERMEDIATE))
    assert run(facts(medications=(azathioprine(100),), results=results, weight_kg=70)) is None
    assert run(facts(medications=(azathioprine(110),), results=results, weight_kg=70)).indicator is Indicator.WARNING


def test_intermediate_metabolizer_draft_without_weight_gets_an_info_card():
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.NORMAL))
    f = facts(hook="order-select", medications=(azathioprine(100, draft=True),), results=results, weight_kg=None)
    finding = run(f)
    assert finding.indicator is Indicator.INFO
    assert "body weight" in finding.detail


def test_intermediate_metabolizer_on_record_without_weight_is_silent():
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.NORMAL))
    assert run(facts(medications=(azathioprine(100),), results=results, weight_kg=None)) is None


def test_fires_without_a_myositis_diagnosis_through_the_engine():
    [found] = evaluate((RECOMMENDATION,), facts(myositis=None, medications=(azathioprine(),)), {}, strict=True)
    assert found.finding.indicator is Indicator.WARNING


def test_order_select_of_an_unrelated_drug_is_silent_through_the_engine():
    meds = (azathioprine(), order(Drug.HYDROXYCHLOROQUINE, 200, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds), {}, strict=True) == []


def test_configured_fraction_changes_the_threshold():
    results = (tpmt(Metabolizer.INTERMEDIATE), nudt15(Metabolizer.NORMAL))
    params = {**PARAMS, "intermediate_max_fraction": 0.5}
    f = facts(medications=(azathioprine(120),), results=results, weight_kg=70)
    assert RECOMMENDATION.evaluate(f, params).indicator is Indicator.WARNING


# --- established course with recent normal blood counts ----------------------------------------------
NORMAL_COUNTS = (result(Lab.BLOOD_COUNT, value=6.1, unit="10*9/L", interpretation=Qualitative.NEGATIVE, days_ago=20),
                 result(Lab.BLOOD_COUNT, value=250, unit="10*9/L", interpretation=Qualitative.NEGATIVE, days_ago=20))
LOW_WHITE_CELLS = (result(Lab.BLOOD_COUNT, value=2.1, unit="10*9/L", interpretation=Qualitative.POSITIVE, days_ago=20),)


def test_established_course_without_tpmt_and_with_normal_counts_is_at_most_info():
    finding = run(facts(medications=(azathioprine(days=365),), results=NORMAL_COUNTS))
    assert finding.indicator is Indicator.INFO
    assert any(line.startswith("Established course") for line in finding.facts_used)


def test_established_course_with_established_allopurinol_and_normal_counts_is_info():
    meds = (azathioprine(days=365), order(Drug.ALLOPURINOL, 300, days=300))
    assert run(facts(medications=meds, results=NORMAL + NORMAL_COUNTS)).indicator is Indicator.INFO


def test_newly_added_allopurinol_raises_it_again():
    meds = (azathioprine(days=365), order(Drug.ALLOPURINOL, 300, days=10))
    assert run(facts(medications=meds, results=NORMAL + NORMAL_COUNTS)).indicator is Indicator.CRITICAL


def test_allopurinol_drafted_for_an_established_course_is_left_to_the_draft_order_safety_check():
    meds = (azathioprine(days=365), order(Drug.ALLOPURINOL, 300, draft=True))
    assert run(facts(hook="order-select", medications=meds, results=NORMAL + NORMAL_COUNTS)) is None


def test_a_dose_increase_drafted_for_an_established_course_raises_it_again():
    meds = (azathioprine(100, days=365), azathioprine(150, draft=True, ref="MedicationRequest/aza-up"))
    finding = run(facts(hook="order-select", medications=meds, results=NORMAL_COUNTS))
    assert finding.indicator is Indicator.WARNING


def test_established_course_with_an_abnormal_count_keeps_the_warning():
    finding = run(facts(medications=(azathioprine(days=365),), results=NORMAL_COUNTS + LOW_WHITE_CELLS))
    assert finding.indicator is Indicator.WARNING


UNRANGED_COUNTS = (
    result(Lab.BLOOD_COUNT, value=6.1, unit="10*9/L", days_ago=20, analyte=Analyte.WBC),
    result(Lab.BLOOD_COUNT, value=250, unit="10*9/L", days_ago=20, analyte=Analyte.PLATELETS),
    result(Lab.BLOOD_COUNT, value=13.5, unit="g/dL", days_ago=20),
)


def test_established_course_with_counts_sent_without_a_range_reads_the_configured_limits():
    finding = run(facts(medications=(azathioprine(days=365),), results=UNRANGED_COUNTS))
    assert finding.indicator is Indicator.INFO


def test_a_white_cell_count_below_the_configured_limit_without_a_range_keeps_the_warning():
    low = (replace(UNRANGED_COUNTS[0], value=3.1),) + UNRANGED_COUNTS[1:]
    assert run(facts(medications=(azathioprine(days=365),), results=low)).indicator is Indicator.WARNING


def test_counts_without_a_range_whose_analyte_is_unknown_keep_the_warning():
    unknown = tuple(replace(r, analyte=None) for r in UNRANGED_COUNTS)
    assert run(facts(medications=(azathioprine(days=365),), results=unknown)).indicator is Indicator.WARNING


def test_established_course_with_only_old_counts_keeps_the_warning():
    old = tuple(replace(r, when=r.when - timedelta(days=200)) for r in NORMAL_COUNTS)
    assert run(facts(medications=(azathioprine(days=365),), results=old)).indicator is Indicator.WARNING


def test_recent_start_with_normal_counts_keeps_the_warning():
    finding = run(facts(medications=(azathioprine(days=30),), results=NORMAL_COUNTS))
    assert finding.indicator is Indicator.WARNING
