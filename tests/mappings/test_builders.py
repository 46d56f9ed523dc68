"""FHIR out: every built resource is valid R4 (fhir.resources R4B) and reads back as intended."""

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from fhir_mappings.builders import (
    drug_coding,
    medication_request,
    resource_id,
    service_request,
    updated_medication_request,
)
from fhir_mappings.concepts import Drug, Route
from fhir_mappings.facts import Dose
from tests.fhir_builders import medication_request as fhir_medication_request
from tests.fhir_builders import draft_orders
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
