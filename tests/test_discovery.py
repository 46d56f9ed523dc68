"""GET /cds-services (SPEC-NOTES 2.2 D1-D4, 2.4 P8-P11)."""

import re

import pytest

from hooks.services import SERVICES

# S2 L326-334: instance read, or type search with reference/token/date params, _count and _sort; and the
# _include of an order's or statement's Medication (issue 21).
_TOKEN = r"\{\{context\.[A-Za-z]+\}\}"
_READ = re.compile(rf"^[A-Z][A-Za-z]+/{_TOKEN}$")
_PARAM = re.compile(rf"^(patient={_TOKEN}|(status|category)=[a-z-]+|code(:in)?=[^&{{}}]+|_count=\d+|_sort=-?[a-z-]+|_include=Medication(Request|Statement):medication)$")


def services(client):
    response = client.get("/cds-services")
    assert response.status_code == 200
    return {service["id"]: service for service in response.get_json()["services"]}


def test_discovery_lists_one_service_per_hook(client):
    assert {s: d["hook"] for s, d in services(client).items()} == {
        "myositis-patient-view": "patient-view",
        "myositis-order-select": "order-select",
        "myositis-order-sign": "order-sign",
    }


def test_every_service_has_title_description_and_usage_requirements(client):
    for service in services(client).values():
        assert service["title"] and service["description"] and service["usageRequirements"]


@pytest.mark.parametrize(
    "key", ["patient", "conditions", "medications", "observations", "laboratory", "allergies", "immunizations"]
)
def test_every_service_declares_the_prefetch_key(client, key):
    for service in services(client).values():
        assert key in service["prefetch"]


def test_prefetch_templates_keep_to_the_recommended_query_subset():
    for service in SERVICES:
        for template in service.prefetch.values():
            if "?" not in template:
                assert _READ.match(template), template
                continue
            resource_type, query = template.split("?", 1)
            assert re.fullmatch(r"[A-Z][A-Za-z]+", resource_type)
            for parameter in query.split("&"):
                assert _PARAM.match(parameter), (template, parameter)


def test_prefetch_only_uses_primitive_root_context_tokens():
    for service in SERVICES:
        for template in service.prefetch.values():
            assert set(re.findall(r"\{\{([^}]*)\}\}", template)) == {"context.patientId"}


def test_observation_prefetch_asks_for_loinc_codes_newest_first():
    template = SERVICES[0].prefetch["observations"]
    assert "2157-6" in template  # creatine kinase (docs/evidence.md#codes, V2)
    assert "_sort=-date" in template


def test_medications_prefetch_asks_for_every_status_newest_first_so_history_counts():
    assert SERVICES[0].prefetch["medications"] == (
        "MedicationRequest?patient={{context.patientId}}&_sort=-authoredon&_count=200"
        "&_include=MedicationRequest:medication")


def test_medication_prefetches_include_the_referenced_medication():
    prefetch = SERVICES[0].prefetch
    assert prefetch["medications"].endswith("&_include=MedicationRequest:medication")
    assert prefetch["medicationStatements"] == (
        "MedicationStatement?patient={{context.patientId}}&_count=200&_include=MedicationStatement:medication")
    assert "medicationStatements" in SERVICES[0].optional_prefetch


@pytest.mark.parametrize(
    "key", ["medications", "observations", "laboratory", "immunizations", "procedures", "diagnosticReports", "serviceRequests"]
)
def test_search_prefetches_ask_for_the_newest_records_first(key):
    assert "_sort=-" in SERVICES[0].prefetch[key]


def test_every_prefetch_query_stays_a_reasonable_url_length():
    patient_id = "x" * 64
    for template in SERVICES[0].prefetch.values():
        assert len("https://ehr.example.org/fhir/r4/" + template.replace("{{context.patientId}}", patient_id)) < 2000


def test_laboratory_prefetch_asks_for_laboratory_results_newest_first():
    template = SERVICES[0].prefetch["laboratory"]
    assert template.startswith("Observation?patient={{context.patientId}}&category=laboratory&")
    assert "_sort=-date" in template



def test_every_service_advertises_the_cds_hooks_version_it_implements(client):
    # CDS Hooks 3.0 (ballot) discovery table: `version`, RECOMMENDED, one of STU1 | STU2 | STU3.
    assert {service["version"] for service in services(client).values()} == {"STU2"}
