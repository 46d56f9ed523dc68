"""R4 conformance notes: what did not validate is named (element paths only), and still read."""

from fhir_mappings.validation import conformance_problems
from tests.fhir_builders import draft_orders, medication_request, patient
from tests.mappings.conftest import facts_of


def sandbox_draft():
    return medication_request("105585", dose=1, unit="{tbl}", intent=None, id="d1",
                              category={"coding": [{"code": "outpatient"}]})


def test_a_valid_resource_has_no_problems():
    assert conformance_problems(medication_request("8640", dose=20)) == ()


def test_sandbox_category_object_and_missing_intent_are_named():
    assert set(conformance_problems(sandbox_draft())) == {"category", "intent missing"}


def test_unknown_members_are_named():
    assert conformance_problems(patient(favouriteColour="blue")) == ("favouriteColour",)


def test_an_unknown_resource_type_is_named():
    assert conformance_problems({"resourceType": "Spaceship"}) == ("unknown resourceType Spaceship",)


def test_problems_name_elements_not_values():
    problems = conformance_problems(patient(birthDate="Jane Doe's birthday"))
    assert problems == ("birthDate",)


def test_a_non_conformant_draft_is_noted_and_still_read():
    facts = facts_of(context={"draftOrders": draft_orders(sandbox_draft())}, hook="order-select")
    assert "draft MedicationRequest not valid R4: read from raw fields" in facts.report.notes
    assert facts.medications[0].dose.mg_per_day_high == 2.5
