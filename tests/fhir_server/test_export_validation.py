"""The export through a second, independent R4 validator: Medplum (@medplum/core, validate.mjs), besides
the fhir.resources models `knowledge.validate` uses. Medplum checks each resource against the R4 base
definitions (cardinality, types, primitive formats, unknown elements, base invariants), evaluates the
IG profiles' FHIRPath invariants (cvs-1, evs-1) with its FHIRPath engine, and every extension URL is
checked against FHIR R4 core's extension definitions (with the value types they allow), the IG alias
files and the export's own.
fhir.resources checks structure and types only; neither checks code bindings."""

import copy

import pytest

from cds_service import knowledge
from tests.conformance import ig_profiles
from tests.fhir_server import launch
from tests.fhir_server.medplum_validator import validate

pytestmark = pytest.mark.skipif(launch.missing() is not None, reason=str(launch.missing()))
STU1_STRENGTH = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-strengthOfRecommendation"
STRENGTH = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"


def _validated(resources):
    return validate(resources, [ig_profiles.invariants(r) for r in resources], ig_profiles.CONSTRAINTS["extensions"])


@pytest.fixture(scope="module")
def exported() -> list[dict]:
    return knowledge.resources()


@pytest.fixture(scope="module")
def results(exported) -> list[dict[str, list[str]]]:
    return _validated(exported)


def _errors(exported, results, part):
    return {f"{r['resourceType']}/{r['id']}": result[part] for r, result in zip(exported, results) if result[part]}


def test_every_exported_resource_is_valid_r4_for_medplum(exported, results):
    assert len(results) == len(exported)
    assert _errors(exported, results, "r4") == {}


def test_every_ig_invariant_holds(exported, results):
    assert _errors(exported, results, "invariants") == {}


def test_every_extension_is_defined_by_fhir_core_the_igs_or_the_export(exported, results):
    assert _errors(exported, results, "extensions") == {}


def test_medplum_catches_what_the_export_must_not_do(exported):
    by_id = {r["id"]: r for r in exported}
    bad_date = dict(by_id["medication-methotrexate"], date="December 2026")
    both = copy.deepcopy(by_id["observation-anti-jo-1"])
    both["compose"] = {"include": [{"system": "http://loinc.org", "concept": [{"code": "0000-0"}]}]}
    stu1 = copy.deepcopy(by_id["steroid-sparing-agent"])
    stu1["action"][0]["extension"][0]["url"] = STU1_STRENGTH
    graded_as_string = copy.deepcopy(by_id["steroid-sparing-agent"])
    graded_as_string["action"][0]["extension"][0] = {"url": STRENGTH, "valueString": "1B"}
    date_result, both_result, stu1_result, string_result = _validated([bad_date, both, stu1, graded_as_string])
    assert date_result["r4"] == ["ValueSet.date: Invalid dateTime format"]
    assert [i.split(" ")[0] for i in both_result["invariants"]] == ["cvs-1"]
    assert stu1_result["extensions"] == [STU1_STRENGTH]
    assert string_result["extensions"] == [f"{STRENGTH}: valueString not allowed (codeableconcept)"]
