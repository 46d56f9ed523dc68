"""Prefetch token substitution (CDS Hooks 2.0 "Prefetch tokens", SPEC-NOTES.md 2.4 P8-P10) and the
fhirServer allowlist."""

from __future__ import annotations

import pytest

from cds_service.fetch.allowlist import allowed_base, check_allowlist_entry
from cds_service.fetch.fhir_client import substitute

CONTEXT = {"userId": "PractitionerRole/r9", "patientId": "p1", "encounterId": "e7", "draftOrders": {"resourceType": "Bundle"}}


def test_context_tokens_are_replaced_by_root_level_primitive_fields() -> None:
    assert substitute("Encounter?_id={{context.encounterId}}&patient={{context.patientId}}", CONTEXT) == (
        "Encounter?_id=e7&patient=p1"
    )


def test_whole_user_reference_is_available_as_context_user_id() -> None:
    assert substitute("{{context.userId}}", CONTEXT) == "PractitionerRole/r9"


@pytest.mark.parametrize(
    ("user_id", "token", "expected"),
    [
        ("Practitioner/a1", "userPractitionerId", "a1"),
        ("PractitionerRole/r9", "userPractitionerRoleId", "r9"),
        ("Patient/p1", "userPatientId", "p1"),
        ("RelatedPerson/k3", "userRelatedPersonId", "k3"),
    ],
)
def test_user_tokens_come_from_the_user_id_type_prefix(user_id: str, token: str, expected: str) -> None:
    assert substitute(f"X?_id={{{{{token}}}}}", {"userId": user_id}) == f"X?_id={expected}"


def test_user_token_of_another_user_type_is_unresolvable() -> None:
    assert substitute("Practitioner/{{userPractitionerId}}", CONTEXT) is None


@pytest.mark.parametrize(
    "template",
    ["Patient/{{context.missing}}", "Bundle/{{context.draftOrders}}", "X/{{context.draftOrders.id}}", "X/{{user}}"],
    ids=["absent-field", "object-field", "nested-path", "pre-1.0-token"],
)
def test_tokens_other_than_root_level_primitives_are_unresolvable(template: str) -> None:
    assert substitute(template, CONTEXT) is None


@pytest.mark.parametrize("hostile", ["..", "../../admin", "", "a/../../b"])
def test_token_values_that_could_walk_paths_are_unresolvable(hostile: str) -> None:
    assert substitute("Patient/{{context.patientId}}", {"patientId": hostile}) is None


def test_token_values_are_percent_encoded() -> None:
    assert substitute("Patient?identifier={{context.patientId}}", {"patientId": "a&b=c #"}) == (
        "Patient?identifier=a%26b%3Dc%20%23"
    )


@pytest.mark.parametrize(
    ("fhir_server", "allowlist", "expected"),
    [
        ("https://fhir.example.org/r4/", ("https://FHIR.example.org/r4",), "https://fhir.example.org/r4"),
        ("https://fhir.example.org:443/r4", ("https://fhir.example.org/r4",), "https://fhir.example.org/r4"),
        ("https://fhir.example.org/r4", ("https://fhir.example.org/r4/",), "https://fhir.example.org/r4"),
        ("https://fhir.example.org/r4", ("https://other.example.org",), None),
        ("https://fhir.example.org/r4", ("https://fhir.example.org/r",), None),
        ("https://fhir.example.org:8443/r4", ("https://fhir.example.org/r4",), None),
        ("http://fhir.example.org/r4", ("https://fhir.example.org/r4",), None),
        ("https://fhir.example.org/r4/../admin", ("https://fhir.example.org/r4",), None),
        ("http://localhost:8080/fhir", (), "http://localhost:8080/fhir"),
        ("http://[::1]:8080/fhir", (), "http://[::1]:8080/fhir"),
        ("http://127.0.0.2/fhir", (), "http://127.0.0.2/fhir"),
        ("http://10.0.0.5/fhir", (), None),
        ("https://fhir.example.org/r4", (), None),
        ("http://169.254.169.254/latest", ("https://fhir.example.org/r4",), None),
        (None, (), None),
        (42, (), None),
    ],
)
def test_fhir_server_must_be_under_an_allowlisted_base_or_loopback_in_development(
    fhir_server: object, allowlist: tuple[str, ...], expected: str | None
) -> None:
    assert allowed_base(fhir_server, allowlist) == expected


@pytest.mark.parametrize("entry", ["http://fhir.example.org", "ftp://fhir.example.org", "not a url", "https://u:p@x.org"])
def test_bad_allowlist_entries_are_rejected_at_start_up(entry: str) -> None:
    with pytest.raises(ValueError):
        check_allowlist_entry(entry)
