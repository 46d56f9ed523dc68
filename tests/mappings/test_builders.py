"""FHIR out: every built resource is valid R4 (fhir.resources R4B) and reads back as intended."""

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from fhir_mappings.builders import (
    RXNORM,
    UCUM,
    drug_coding,
    medication_request,
    resource_id,
    service_request,
    stopped_medication_request,
    updated_medication_request,
)
from fhir_mappings.concepts import Drug, Route
from fhir_mappings.facts import Dose
from tests.fhir_builders import draft_orders
from tests.fhir_builders import medication_request as fhir_medication_request
from tests.mappings.conftest import facts_of


def weekly_methotrexate(**changes):
    arguments = dict(patient_reference="Patient/example", rxnorm_code="105585",
                     display="Methotrexate 2.5 MG Oral Tablet", dose_value=15, dose_unit="mg", frequency=1,
                     period=1, period_unit="wk", text="15 mg once weekly")
    return medication_request(**{**arguments, **changes})


def read_back(resource) -> Dose:
    facts = facts_of(context={"draftOrders": draft_orders(resource)}, hook="order-select")
    return facts.medications[0].dose


def test_medication_request_is_valid_r4():
    MedicationRequest.model_validate(weekly_methotrexate())


@pytest.mark.parametrize("route", list(Route))
def test_medication_request_is_valid_r4_for_every_route(route):
    MedicationRequest.model_validate(weekly_methotrexate(route=route))


def test_medication_request_reads_back_as_the_dose_it_was_built_with():
    assert read_back(weekly_methotrexate()).mg_per_week_high == 15


def test_service_request_is_valid_r4():
    ServiceRequest.model_validate(service_request(patient_reference="Patient/example", loinc_code="2157-6",
                                                  display="Creatine kinase", reason="Disease activity"))


def daily_draft():
    return fhir_medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, status="draft",
                                   id="mtx-draft", note=[{"text": "keep me"}])


def to_weekly(resource):
    return updated_medication_request(resource, dose_value=15, dose_unit="mg", frequency=1, period=1,
                                      period_unit="wk", text="15 mg once weekly")


def test_updated_draft_is_valid_r4():
    MedicationRequest.model_validate(to_weekly(daily_draft()))


def test_updated_draft_is_once_weekly():
    assert not read_back(to_weekly(daily_draft())).more_often_than_weekly


def test_update_keeps_id_medication_subject_and_other_members():
    draft, updated = daily_draft(), to_weekly(daily_draft())
    kept = ("id", "medicationCodeableConcept", "subject", "note", "status", "intent")
    assert {k: updated[k] for k in kept} == {k: draft[k] for k in kept}


def test_update_does_not_change_the_original():
    draft = daily_draft()
    to_weekly(draft)
    assert draft["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] == "d"


def test_update_drops_a_conflicting_timing_code():
    draft = daily_draft()
    draft["dosageInstruction"][0]["timing"]["code"] = {"coding": [{"code": "QD"}]}
    assert "code" not in to_weekly(draft)["dosageInstruction"][0]["timing"]


def test_update_keeps_the_dosage_route():
    draft = daily_draft()
    draft["dosageInstruction"][0]["route"] = {"text": "oral"}
    assert to_weekly(draft)["dosageInstruction"][0]["route"] == {"text": "oral"}


def test_resource_id_for_a_delete_action():
    assert resource_id(daily_draft()) == "MedicationRequest/mtx-draft"


def test_resource_id_without_an_id_is_none():
    assert resource_id({"resourceType": "MedicationRequest"}) is None


def test_drug_coding_finds_the_generic_product_of_a_strength():
    assert drug_coding(Drug.METHOTREXATE, 2.5) == ("105585", "Methotrexate 2.5 MG Oral Tablet")


def test_drug_coding_falls_back_to_the_verified_ingredient():
    assert drug_coding(Drug.METHOTREXATE, 3.3) == ("6851", "methotrexate")


def test_drug_coding_of_a_drug_without_a_verified_code_is_none():
    assert drug_coding(Drug.IVIG) is None


def test_product_medication_request_is_valid_r4_and_reads_back_in_mg():
    code, display = drug_coding(Drug.PREDNISONE, 20)
    built = medication_request(patient_reference="Patient/example", rxnorm_code=code, display=display,
                               dose_value=40, dose_unit="mg", frequency=1, period=1, period_unit="d",
                               text="40 mg once daily")
    MedicationRequest.model_validate(built)
    assert read_back(built).mg_per_day_high == 40


def test_update_keeps_the_course_start_and_drops_the_old_count():
    draft = daily_draft()
    draft["dosageInstruction"][0]["timing"]["repeat"].update(boundsPeriod={"start": "2026-11-21"}, count=30)
    repeat = to_weekly(draft)["dosageInstruction"][0]["timing"]["repeat"]
    assert repeat == {"frequency": 1, "period": 1, "periodUnit": "wk", "boundsPeriod": {"start": "2026-11-21"}}


def test_update_rewrites_a_patient_instruction_that_would_contradict_it():
    draft = daily_draft()
    draft["dosageInstruction"][0]["patientInstruction"] = "Take one tablet every day"
    assert to_weekly(draft)["dosageInstruction"][0]["patientInstruction"] == "15 mg once weekly"


def test_update_drops_as_needed():
    draft = daily_draft()
    draft["dosageInstruction"][0]["asNeededBoolean"] = True
    assert "asNeededBoolean" not in to_weekly(draft)["dosageInstruction"][0]


def test_schedule_update_drops_a_daily_maximum():
    draft = daily_draft()
    draft["dosageInstruction"][0]["maxDosePerPeriod"] = {
        "numerator": {"value": 15, "unit": "mg"}, "denominator": {"value": 1, "unit": "d"}}
    updated = to_weekly(draft)
    MedicationRequest.model_validate(updated)
    assert "maxDosePerPeriod" not in updated["dosageInstruction"][0]


def test_dose_update_drops_a_maximum_per_administration():
    draft = daily_draft()
    draft["dosageInstruction"][0]["maxDosePerAdministration"] = {"value": 15, "unit": "mg"}
    updated = updated_medication_request(draft, dose_value=10, dose_unit="mg", text="10 mg once daily")
    assert "maxDosePerAdministration" not in updated["dosageInstruction"][0]


# --- updated_medication_request: same dose with a new schedule, or a new dose on the same schedule ---
def weekly_same_dose(resource):
    return updated_medication_request(resource, frequency=1, period=1, period_unit="wk",
                                      text="15 mg ONCE WEEKLY, on the same day each week")


def instruction_texts(dosage) -> list[str]:
    return [dosage.get("text", ""), dosage.get("patientInstruction", "")] + [
        item.get("text", "") for item in dosage.get("additionalInstruction", [])]


def test_daily_methotrexate_with_take_daily_becomes_weekly_with_no_daily_instruction_left():
    draft = daily_draft()
    draft["dosageInstruction"][0]["patientInstruction"] = "take daily"
    updated = weekly_same_dose(draft)
    MedicationRequest.model_validate(updated)
    [dosage] = updated["dosageInstruction"]
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert dosage["patientInstruction"] == "15 mg ONCE WEEKLY, on the same day each week"
    assert not any("daily" in text.lower() for text in instruction_texts(dosage))
    assert read_back(updated).mg_per_week_high == 15 and not read_back(updated).more_often_than_weekly


def test_schedule_only_update_keeps_the_dose_as_sent():
    draft = daily_draft()
    updated = weekly_same_dose(draft)
    MedicationRequest.model_validate(updated)
    assert updated["dosageInstruction"][0]["doseAndRate"] == draft["dosageInstruction"][0]["doseAndRate"]


def test_schedule_update_keeps_a_course_duration_and_drops_timing_events():
    draft = daily_draft()
    timing = draft["dosageInstruction"][0]["timing"]
    timing["repeat"]["boundsDuration"] = {"value": 12, "unit": "wk", "system": "http://unitsofmeasure.org",
                                          "code": "wk"}
    timing["event"] = ["2026-11-21", "2026-11-22"]
    updated_timing = weekly_same_dose(draft)["dosageInstruction"][0]["timing"]
    assert updated_timing == {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk",
                                         "boundsDuration": timing["repeat"]["boundsDuration"]}}


def test_dose_only_update_keeps_the_schedule_as_sent():
    draft = daily_draft()
    draft["dosageInstruction"][0]["timing"]["code"] = {"text": "QAM"}
    updated = updated_medication_request(draft, dose_value=10, dose_unit="mg", text="10 mg, schedule unchanged")
    MedicationRequest.model_validate(updated)
    [dosage] = updated["dosageInstruction"]
    assert dosage["timing"] == draft["dosageInstruction"][0]["timing"]
    assert dosage["doseAndRate"] == [{"doseQuantity": {"value": 10, "unit": "mg", "system": UCUM, "code": "mg"}}]
    assert read_back(updated).mg_per_day_high == 10


def test_dose_only_update_replaces_the_patient_instruction():
    draft = daily_draft()
    draft["dosageInstruction"][0]["patientInstruction"] = "take 15 mg"
    updated = updated_medication_request(draft, dose_value=10, dose_unit="mg", text="10 mg")
    assert updated["dosageInstruction"][0]["patientInstruction"] == "10 mg"


def test_update_drops_later_dosage_instructions():
    draft = daily_draft()
    draft["dosageInstruction"].append(dict(draft["dosageInstruction"][0], sequence=2))
    assert len(weekly_same_dose(draft)["dosageInstruction"]) == 1


@pytest.mark.parametrize("partial", [{"dose_value": 10}, {"dose_unit": "mg"}, {"frequency": 1, "period": 1}])
def test_partial_dose_or_schedule_is_refused(partial):
    with pytest.raises(ValueError):
        updated_medication_request(daily_draft(), text="x", **partial)


# --- stopped_medication_request ----------------------------------------------------------------
def test_stopped_order_keeps_the_resource_as_sent_with_status_stopped():
    active = fhir_medication_request("83367", display="atorvastatin", dose=40, id="statin-1", note=[{"text": "x"}])
    stopped = stopped_medication_request(active)
    MedicationRequest.model_validate(stopped)
    assert stopped == {**active, "status": "stopped"}
    assert active["status"] == "active"


def test_stopped_order_without_the_resource_is_built_from_what_is_known():
    stopped = stopped_medication_request(None, reference="MedicationRequest/statin-1", intent="order",
                                         rxnorm_code="83367", display="atorvastatin",
                                         patient_reference="Patient/example")
    MedicationRequest.model_validate(stopped)
    assert (stopped["id"], stopped["status"], stopped["subject"]) == (
        "statin-1", "stopped", {"reference": "Patient/example"})
    assert stopped["medicationCodeableConcept"] == {
        "coding": [{"system": RXNORM, "code": "83367"}], "text": "atorvastatin"}


def test_stopped_order_without_a_code_is_named_by_text():
    stopped = stopped_medication_request(None, reference="MedicationRequest/s", display="a statin",
                                         patient_reference="Patient/example")
    MedicationRequest.model_validate(stopped)
    assert stopped["medicationCodeableConcept"] == {"text": "a statin"}
