"""Engine policy: a finding that states an absence from data not obtained, or obtained only in part,
asks to verify and offers no one-click order (issue 11)."""

from dataclasses import replace

from hooks.engine import VERIFY_PREFIX, unverified
from hooks.recommendation import Action, Citation, Finding, Indicator, Recommendation, Suggestion
from hooks.registry import all_recommendations
from tests.factories import facts

FINDING = Finding(Indicator.WARNING, "No prophylaxis", "detail", ("fact",),
                  suggestions=(Suggestion("Order", (Action("create", "d", {"resourceType": "MedicationRequest"}),)),))
RULE = Recommendation("r", "t", Citation("l", "https://example.org", "s"), "x", frozenset({"patient-view"}),
                      frozenset({Indicator.WARNING}), lambda f, p: None,
                      asserts_absence_of=frozenset({"MedicationRequest"}))


def test_a_finding_over_complete_data_is_unchanged():
    assert unverified(RULE, FINDING, facts()) == FINDING


def test_a_finding_over_an_incomplete_list_asks_to_verify_without_suggestions():
    changed = unverified(RULE, FINDING, replace(facts(), incomplete=("MedicationRequest",)))
    assert changed.summary == VERIFY_PREFIX + "No prophylaxis"
    assert changed.suggestions == ()
    assert changed.detail.startswith("**Not verified:** the MedicationRequest records")


def test_a_finding_over_a_missing_list_asks_to_verify():
    assert unverified(RULE, FINDING, replace(facts(), data_gaps=("MedicationRequest",))).suggestions == ()


def test_a_gap_in_another_resource_type_leaves_the_finding_alone():
    assert unverified(RULE, FINDING, replace(facts(), incomplete=("Immunization",))) == FINDING


def test_a_finding_that_states_no_absence_is_left_alone_whatever_its_rule_declares():
    dose_warning = replace(FINDING, rests_on_absence_of=frozenset())
    assert unverified(RULE, dose_warning, replace(facts(), data_gaps=("MedicationRequest",))) == dose_warning


def test_a_finding_narrower_than_its_rule_asks_to_verify_only_for_its_own_lists():
    narrow = replace(FINDING, rests_on_absence_of=frozenset({"Procedure"}))
    assert unverified(RULE, narrow, replace(facts(), data_gaps=("MedicationRequest",))) == narrow
    assert unverified(RULE, narrow, replace(facts(), data_gaps=("Procedure",))).suggestions == ()


def test_a_long_summary_stays_within_the_card_limit():
    long = replace(FINDING, summary="x" * 139)
    assert len(unverified(RULE, long, replace(facts(), incomplete=("MedicationRequest",))).summary) < 140


def test_the_absence_rules_named_by_the_issue_declare_the_medication_list():
    declared = {r.id: r.asserts_absence_of for r in all_recommendations()}
    for rule in ("pjp-prophylaxis", "bone-protection", "steroid-sparing-agent", "methotrexate-folate"):
        assert "MedicationRequest" in declared[rule], rule


def test_the_rules_that_state_a_missing_test_declare_the_procedure_report_and_order_lists():
    declared = {r.id: r.asserts_absence_of for r in all_recommendations()}
    for rule in ("cancer-screening", "ild-assessment", "anti-mda5-rp-ild", "skin-disease-treatment"):
        assert {"Procedure", "DiagnosticReport", "ServiceRequest"} <= declared[rule], rule


def test_methotrexate_liver_declares_the_results_whose_absence_it_states():
    assert "Observation" in {r.id: r.asserts_absence_of for r in all_recommendations()}["methotrexate-liver"]
