"""build_facts: any prefetch shape in, ClinicalFacts out, with a report of what was understood."""

import pytest

from fhir_mappings.concepts import Drug, MyositisSubtype
from fhir_mappings.parse import build_facts
from tests.factories import NOW
from tests.fhir_builders import (
    ICD10CM,
    bundle,
    condition,
    dosage,
    medication_request,
    observation,
    patient,
)
from tests.mappings.conftest import facts_of

OPERATION_OUTCOME = {"resourceType": "OperationOutcome",
                     "issue": [{"severity": "warning", "code": "processing", "diagnostics": "Some data suppressed"}]}


def test_resources_are_classified_by_type_whatever_the_prefetch_key():
    prefetch = {"whatever": bundle(condition("M33.10", ICD10CM)), "meds": medication_request("8640", dose=20),
                "patient": patient()}
    facts = build_facts("patient-view", {"patientId": "example"}, prefetch, NOW)
    assert (facts.myositis, facts.medications[0].drug) == (MyositisSubtype.DERMATOMYOSITIS, Drug.PREDNISONE)


def test_none_prefetch_values_are_known_empty():
    facts = build_facts("patient-view", {"patientId": "p"}, {"conditions": None, "patient": None}, NOW)
    assert (facts.conditions, facts.report.skipped, facts.patient.reference) == ((), 0, "Patient/p")


def test_epic_bundle_with_operation_outcome_entries():
    epic = bundle(condition("M33.10", ICD10CM))
    epic["entry"].append({"resource": OPERATION_OUTCOME, "search": {"mode": "outcome"}})
    facts = build_facts("patient-view", {}, {"conditions": epic}, NOW)
    assert (facts.report.recognised, facts.report.ignored) == (1, 1)
    assert "OperationOutcome in a Bundle ignored" in facts.report.notes


def test_unreadable_entries_are_skipped_and_counted():
    broken = {"resourceType": "Bundle", "entry": [{"resource": "not a resource"}, {"fullUrl": "x"}, 42,
                                                  {"resource": {"no": "type"}}]}
    facts = build_facts("patient-view", {}, {"observations": broken}, NOW)
    assert facts.report.skipped == 4


def test_a_resource_whose_mapping_raises_is_skipped_and_counted(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("unexpected content")

    monkeypatch.setattr("fhir_mappings.parse.map_condition", broken)
    facts = build_facts("patient-view", {}, {"c": bundle(condition("M33.10", ICD10CM))}, NOW)
    assert (facts.report.skipped, facts.report.notes) == (1, ("Condition could not be read",))


def test_an_absurd_onset_age_keeps_the_diagnosis():
    weird = condition("M33.10", ICD10CM, onsetAge={"value": 1e308, "code": "a"})
    facts = build_facts("patient-view", {}, {"p": patient("1970-01-01"), "c": bundle(weird)}, NOW)
    assert facts.myositis is MyositisSubtype.DERMATOMYOSITIS


def test_an_absurd_course_length_keeps_the_order():
    order = medication_request("8640", dosage_instruction=[dosage(20, boundsDuration={"value": 1e12, "code": "a"})])
    facts = build_facts("patient-view", {}, {"m": bundle(order)}, NOW)
    assert (facts.medications[0].drug, facts.medications[0].end) == (Drug.PREDNISONE, None)


def test_the_report_counts_recognised_uninterpretable_and_ignored():
    facts = facts_of(
        medication_request("8640", dose=20),
        medication_request("8640", dose=2, unit="puff"),
        observation("85354-9", 120, "mm[Hg]"),
    )
    report = facts.report
    assert (report.recognised, report.uninterpretable, report.ignored) == (2, 1, 1)  # Patient + prednisone


def test_report_notes_carry_no_patient_data():
    facts = facts_of(medication_request("8640", text="Prednisone for Jane Doe", dose=2, unit="puff"))
    assert not any("Jane" in note for note in facts.report.notes)


def test_the_same_resource_in_two_prefetch_keys_counts_once():
    order = medication_request("8640", dose=20, id="rx1")
    facts = build_facts("patient-view", {}, {"a": bundle(order), "b": bundle(order)}, NOW)
    assert len(facts.medications) == 1


def test_data_gaps_are_passed_through():
    facts = build_facts("patient-view", {}, {}, NOW, data_gaps=("AllergyIntolerance",))
    assert facts.data_gaps == ("AllergyIntolerance",)


def test_a_naive_evaluation_time_is_read_as_utc():
    facts = build_facts("patient-view", {}, {}, NOW.replace(tzinfo=None))
    assert facts.now == NOW


def test_mg_per_kg_dose_uses_a_recent_weight():
    order = medication_request("8640", dose=1, unit="mg/kg")
    facts = facts_of(order, observation("29463-7", 60, "kg", date="2026-11-01"))
    assert facts.medications[0].dose.mg_per_day_high == 60


def test_mg_per_kg_dose_is_not_converted_with_an_old_weight():
    order = medication_request("8640", dose=1, unit="mg/kg")
    facts = facts_of(order, observation("29463-7", 60, "kg", date="2025-01-01"))
    assert "without a recent weight" in facts.medications[0].dose_problem


def test_the_weight_lookback_is_30_days_for_children():
    order = medication_request("8640", dose=1, unit="mg/kg")
    facts = facts_of(order, observation("29463-7", 30, "kg", date="2026-09-01"), person=patient("2015-01-01"))
    assert facts.medications[0].dose is None


def test_a_context_that_is_not_an_object_gives_empty_facts():
    facts = build_facts("patient-view", None, {}, NOW)  # type: ignore[arg-type]
    assert facts.medications == ()


def test_a_nested_bundle_is_read():
    nested = bundle(bundle(condition("M33.10", ICD10CM)))
    assert build_facts("patient-view", {}, {"x": nested}, NOW).myositis is MyositisSubtype.DERMATOMYOSITIS


def test_a_mg_per_kg_draft_is_converted_with_the_recorded_weight():
    draft = medication_request("8640", dose=0.5, unit="mg/kg", id="d1")
    facts = facts_of(observation("29463-7", 80, "kg", date="2026-11-15"),
                     context={"draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]}},
                     hook="order-select")
    assert facts.drafts()[0].dose.mg_per_day_high == 40


def test_mg_per_square_metre_dose_uses_weight_and_height():
    order = medication_request("3002", dose=500, unit="mg/m2", period=1, period_unit="mo")
    facts = facts_of(order, observation("29463-7", 64, "kg", date="2026-11-01"),
                     observation("8302-2", 225, "cm", date="2026-01-01"))
    assert facts.medications[0].dose.mg_per_administration_high == pytest.approx(1000)


def test_mg_per_square_metre_dose_is_not_converted_with_an_old_weight():
    order = medication_request("3002", dose=500, unit="mg/m2", period=1, period_unit="mo")
    facts = facts_of(order, observation("29463-7", 64, "kg", date="2025-01-01"), observation("8302-2", 225, "cm"))
    assert "BSA" in facts.medications[0].dose_problem
