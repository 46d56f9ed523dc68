"""The JSON Schemas: they accept what the spec and real clients send, and reject what the spec forbids."""

import copy

import pytest
from jsonschema import Draft202012Validator

from cds_service.protocol.validation import SCHEMA_NAMES, SchemaViolation, check, load_schema, validators
from tests.api import FIXTURES, fixture

V = validators()


def example(name):
    return fixture(f"spec/{name}")


def rejects(validator, document):
    with pytest.raises(SchemaViolation):
        check(validator, document)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_valid_and_names_its_source(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert "S2 L" in schema["$comment"]


# --- request --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "requests").glob("*.json")))
def test_every_request_fixture_is_a_valid_request(name):
    check(V.request, fixture(f"requests/{name}"))


def test_spec_request_example_is_valid():
    check(V.request, example("01_L198_example.json"))


def base_request():
    return fixture("requests/order-select-methotrexate.json")


def test_request_tolerates_unknown_members_and_an_extension_object():
    request = base_request()
    request["somethingNew"] = 1
    request["context"]["vendorField"] = {"a": 1}
    request["extension"] = {"com.example.x": "y"}
    check(V.request, request)


def test_request_tolerates_draft_orders_without_type():
    request = base_request()
    del request["context"]["draftOrders"]["type"]
    check(V.request, request)


@pytest.mark.parametrize("user", ["Practitioner/1", "PractitionerRole/abc-1", "Patient/p", "RelatedPerson/r"])
def test_request_accepts_every_user_type_of_the_hooks(user):
    request = base_request()
    request["context"]["userId"] = user
    check(V.request, request)


def test_request_rejects_a_user_that_is_not_a_person_reference():
    request = base_request()
    request["context"]["userId"] = "Organization/1"
    rejects(V.request, request)


def test_request_rejects_fhir_authorization_without_fhir_server():
    request = base_request()
    request["fhirAuthorization"] = {"access_token": "t", "token_type": "Bearer", "expires_in": 300, "scope": "s",
                                    "subject": "c"}
    rejects(V.request, request)


@pytest.mark.parametrize("member", ["selections", "draftOrders"])
def test_order_select_needs_selections_and_draft_orders(member):
    request = base_request()
    del request["context"][member]
    rejects(V.request, request)


def test_a_hook_instance_with_whitespace_is_rejected():
    request = base_request()
    request["hookInstance"] = "abc\nforged log line"
    rejects(V.request, request)


def test_a_patient_id_that_is_not_a_fhir_id_is_rejected():
    request = base_request()
    request["context"]["patientId"] = "1&_include=*"
    rejects(V.request, request)


# --- response -------------------------------------------------------------------------------
def good_response():
    return {"cards": [{
        "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "summary": "Example", "indicator": "info",
        "source": {"label": "Guideline", "topic": {"system": "urn:x", "code": "c", "display": "d"}},
        "selectionBehavior": "at-most-one",
        "suggestions": [{"label": "Do", "uuid": "e56e1945-20b3-4393-8503-a1a20fd73152", "isRecommended": True,
                         "actions": [{"type": "create", "description": "d", "resource": {"resourceType": "X"}}]}],
        "overrideReasons": [{"system": "urn:r", "code": "r", "display": "R"}],
    }]}


def test_response_fixture_is_valid():
    check(V.response, good_response())


def test_empty_cards_is_a_valid_response():
    check(V.response, example("09_L553_http-response.json"))


def mutate(change):
    response = good_response()
    change(response["cards"][0])
    return response


@pytest.mark.parametrize("change", [
    lambda c: c.update(summary="x" * 140),
    lambda c: c.update(indicator="hard-stop"),
    lambda c: c["source"].pop("label"),
    lambda c: c.pop("selectionBehavior"),
    lambda c: c["overrideReasons"][0].pop("display"),
    lambda c: c["suggestions"][0]["actions"][0].update(type="replace"),
    lambda c: c["suggestions"][0]["actions"][0].update(type="delete"),
    lambda c: c["suggestions"][0]["actions"][0].pop("description"),
    lambda c: c["suggestions"][0]["actions"][0].pop("resource"),
    lambda c: c.update(detail=None),
    lambda c: c.update(links=[]),
    lambda c: c.update(links=[{"label": "l", "url": "https://x.org", "type": "absolute", "appContext": "{}"}]),
    lambda c: c["suggestions"].append(copy.deepcopy(c["suggestions"][0])),
    lambda c: c.pop("uuid"),
], ids=["summary-140", "hard-stop", "no-source-label", "suggestions-without-selection-behavior",
        "override-reason-without-display", "unknown-action-type", "delete-without-resource-id",
        "action-without-description", "create-without-resource", "null-detail", "empty-links",
        "app-context-on-absolute-link", "two-recommended-with-at-most-one", "no-uuid"])
def test_response_schema_rejects_what_the_spec_forbids(change):
    rejects(V.response, mutate(change))


def test_two_recommended_suggestions_are_fine_with_any():
    def change(card):
        card["selectionBehavior"] = "any"
        card["suggestions"].append(copy.deepcopy(card["suggestions"][0]))

    check(V.response, mutate(change))


def test_spec_card_example_without_indicator_is_rejected():
    # S2 L793's example omits the REQUIRED indicator: the schema follows the field table, not the example.
    rejects(V.response, example("17_L793_example.json"))


# --- discovery and feedback -----------------------------------------------------------------
def test_spec_discovery_example_is_valid():
    check(V.discovery, example("00_L130_discovery-example.json"))
    check(V.discovery, example("26_L1136_extensions.json"))


def test_discovery_service_without_description_is_rejected():
    discovery = example("00_L130_discovery-example.json")
    del discovery["services"][0]["description"]
    rejects(V.discovery, discovery)


@pytest.mark.parametrize("name", ["feedback/spec-accepted.json", "feedback/spec-overridden-with-reason.json",
                                  "spec/19_L894_example-overridden-guidance-without-over.json"])
def test_spec_feedback_examples_are_valid(name):
    check(V.feedback, fixture(name))
