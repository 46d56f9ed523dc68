"""hooks.actions: delete, update and stop actions on medication orders, one way for every card."""

from dataclasses import replace

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Drug
from hooks.actions import delete_draft, one_mg_dose, stop_order, update_draft
from tests.factories import order


def daily_methotrexate_draft(**changes):
    resource = medication_request(
        patient_reference="Patient/example", rxnorm_code="105585", display="Methotrexate 2.5 MG Oral Tablet",
        dose_value=7.5, dose_unit="mg", frequency=1, period=1, period_unit="d", text="7.5 mg daily",
    )
    return order(Drug.METHOTREXATE, 7.5, 1.0, draft=True, ref="MedicationRequest/mtx-daily", resource=resource,
                 **changes)


def test_delete_draft_names_the_relative_reference_and_carries_no_resource():
    action = delete_draft(daily_methotrexate_draft())
    assert (action.type, action.resource_id, action.resource) == ("delete", "MedicationRequest/mtx-daily", None)
    assert action.description


def test_delete_draft_keeps_a_given_description():
    assert delete_draft(daily_methotrexate_draft(), "Remove it").description == "Remove it"


@pytest.mark.parametrize("changes", [{"reference": None}, {"is_draft": False, "status": "active"}])
def test_delete_needs_a_draft_with_an_id(changes):
    with pytest.raises(ValueError):
        delete_draft(replace(daily_methotrexate_draft(), **changes))


def test_update_draft_changes_the_schedule_and_keeps_the_id():
    draft = daily_methotrexate_draft()
    draft.resource["dosageInstruction"][0]["patientInstruction"] = "take daily"
    action = update_draft(draft, "Once weekly", text="7.5 mg ONCE WEEKLY", frequency=1, period=1, period_unit="wk")
    MedicationRequest.model_validate(action.resource)
    [dosage] = action.resource["dosageInstruction"]
    assert (action.type, action.resource["id"]) == ("update", draft.resource["id"])
    assert dosage["timing"]["repeat"] == {"frequency": 1, "period": 1, "periodUnit": "wk"}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 7.5
    assert "daily" not in dosage["patientInstruction"]


def test_update_needs_a_draft_sent_as_a_resource():
    with pytest.raises(ValueError):
        update_draft(order(Drug.METHOTREXATE, 7.5, 1.0, draft=True), "x", text="x", dose_value=5, dose_unit="mg")


def test_stop_order_updates_the_order_on_record_to_stopped():
    statin = order(Drug.ATORVASTATIN, 40, ref="MedicationRequest/statin-1", rxnorm="83367")
    action = stop_order(statin, "Patient/example")
    MedicationRequest.model_validate(action.resource)
    assert (action.type, action.resource["id"], action.resource["status"]) == ("update", "statin-1", "stopped")


def test_stop_order_refuses_a_draft():
    with pytest.raises(ValueError):
        stop_order(daily_methotrexate_draft(), "Patient/example")


def test_one_mg_dose():
    draft = daily_methotrexate_draft()
    assert one_mg_dose(draft.resource)
    grams = {"dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 1, "unit": "g"}}]}]}
    assert not one_mg_dose(grams)
    assert not one_mg_dose({"dosageInstruction": [draft.resource["dosageInstruction"][0]] * 2})
