"""Procedure, DiagnosticReport and ServiceRequest -> investigations (imaging and lung function), done or ordered."""

from datetime import date

import pytest

from fhir_mappings.concepts import Investigation
from tests.fhir_builders import LOINC, concept
from tests.mappings.conftest import facts_of


def resource(resource_type, status, code, **extra):
    return {"resourceType": resource_type, "id": f"{resource_type.lower()}-1", "status": status, "code": code,
            "subject": {"reference": "Patient/example"}, **extra}


@pytest.mark.parametrize("name", ["CT Chest and Abdomen and Pelvis W contrast IV", "CT thorax/abdomen/pelvis",
                                  "Computed tomography of chest, abdomen and pelvis", "CT CAP"])
def test_ct_chest_abdomen_pelvis_by_name(name):
    given = resource("Procedure", "completed", concept(text=name), performedDateTime="2026-03-01")
    [found] = facts_of(given).investigations
    assert (found.investigation, found.when, found.done) == (Investigation.CT_CHEST_ABDOMEN_PELVIS,
                                                              date(2026, 3, 1), True)


def test_ct_of_the_chest_alone_is_not_a_ct_chest_abdomen_pelvis():
    assert facts_of(resource("Procedure", "completed", concept(text="CT chest"))).investigations == ()


def test_ct_by_loinc_code_in_a_diagnostic_report():
    given = resource("DiagnosticReport", "final", concept("72254-6", LOINC), effectiveDateTime="2026-04-02T10:00:00Z")
    [found] = facts_of(given).investigations
    assert found.investigation is Investigation.CT_CHEST_ABDOMEN_PELVIS and found.source == "DiagnosticReport"


def test_an_active_service_request_is_ordered_not_done():
    given = resource("ServiceRequest", "active", concept(text="PET/CT whole body"), intent="order",
                     authoredOn="2026-05-01")
    [found] = facts_of(given).investigations
    assert (found.investigation, found.done) == (Investigation.PET_CT, False)


@pytest.mark.parametrize(("resource_type", "status"), [("Procedure", "not-done"), ("Procedure", "entered-in-error"),
                                                       ("ServiceRequest", "revoked"), ("DiagnosticReport", "cancelled")])
def test_not_done_or_withdrawn_resources_give_nothing(resource_type, status):
    assert facts_of(resource(resource_type, status, concept(text="Chest X-ray"))).investigations == ()


def test_chest_radiograph_and_lung_function_by_name():
    found = facts_of(resource("DiagnosticReport", "final", concept(text="XR Chest 2 Views")),
                     resource("Procedure", "completed", concept(text="Pulmonary function test"))).investigations
    assert {i.investigation for i in found} == {Investigation.CHEST_RADIOGRAPH, Investigation.LUNG_FUNCTION_TEST}


def test_unrelated_procedure_is_ignored_not_failed():
    f = facts_of(resource("Procedure", "completed", concept(text="Knee arthroscopy")))
    assert f.investigations == () and f.report.ignored == 1 and f.report.skipped == 0
