"""The export against the CPG STU2 and CRMI profiles it claims, with constraints derived from the IG
sources (ig-constraints.json; see extract_ig_constraints.py for how and from what)."""

import copy

import pytest

from cds_service import knowledge
from tests.conformance import ig_profiles

CPG = "http://hl7.org/fhir/uv/cpg/StructureDefinition"
CRMI = "http://hl7.org/fhir/uv/crmi/StructureDefinition"


@pytest.fixture(scope="module")
def exported() -> dict[str, dict]:
    return {f"{r['resourceType']}/{r['id']}": r for r in knowledge.resources()}


def _claims(resource: dict) -> set[str]:
    return set(resource["meta"]["profile"])


def test_every_artifact_claims_the_ig_profiles_the_constraints_cover(exported):
    for key, resource in exported.items():
        if resource["resourceType"] == "ValueSet":
            assert {f"{CRMI}/crmi-shareablevalueset", f"{CRMI}/crmi-publishablevalueset"} <= _claims(resource), key
            assert _claims(resource) & {f"{CRMI}/crmi-computablevalueset", f"{CRMI}/crmi-expandedvalueset"}, key
        elif resource["resourceType"] == "PlanDefinition":
            assert {f"{CRMI}/crmi-shareableplandefinition", f"{CRMI}/crmi-publishableplandefinition"} <= _claims(
                resource), key
    recommendation = exported["PlanDefinition/steroid-sparing-agent"]
    assert [p["source"] for p in ig_profiles.claimed(recommendation)][:2] == [
        "cpg-2.0.0/input/fsh/profiles/domain-profiles/cpg-recommendationdefinition.fsh",
        "cpg-2.0.0/input/fsh/profiles/artifact-profiles/cpg-computable-plandefinition.fsh",
    ]


def test_the_export_meets_every_element_constraint_of_its_ig_profiles(exported):
    errors = [f"{key}: {error}" for key, resource in exported.items() for error in ig_profiles.errors(resource)]
    assert errors == []


def test_a_value_set_without_date_breaks_crmi_publishable(exported):
    undated = {k: v for k, v in exported["ValueSet/medication-methotrexate"].items() if k != "date"}
    assert ig_profiles.errors(undated) == [
        "crmi/input/profiles/StructureDefinition-crmi-publishablevalueset.json: ValueSet.date: 0 present, at least 1 "
        "required"]


def test_a_recommendation_that_is_not_an_eca_rule_or_grades_twice_breaks_the_cpg_profiles(exported):
    plan = copy.deepcopy(exported["PlanDefinition/steroid-sparing-agent"])
    plan["type"]["coding"][0]["code"] = "order-set"
    plan["action"][0]["extension"].append(plan["action"][0]["extension"][0])
    errors = ig_profiles.errors(plan)
    assert any("cpg-recommendationdefinition.fsh: PlanDefinition.type: does not match" in e for e in errors)
    assert any("PlanDefinition.action.extension:strengthOfRecommendation: 2 present, at most 1" in e for e in errors)


def test_a_plan_without_actions_breaks_the_cpg_computable_plan_definition(exported):
    plan = {k: v for k, v in exported["PlanDefinition/steroid-sparing-agent"].items() if k != "action"}
    assert any("cpg-computable-plandefinition.fsh: PlanDefinition.action: 0 present" in e
               for e in ig_profiles.errors(plan))


def test_an_expanded_value_set_needs_its_usage_warning(exported):
    expanded = dict(exported["ValueSet/medication-methotrexate"], meta={"profile": [f"{CRMI}/crmi-expandedvalueset"]})
    assert ig_profiles.errors(expanded) == [
        "crmi/input/profiles/StructureDefinition-crmi-expandedvalueset.json: ValueSet.extension:usageWarning: "
        "0 present, at least 1 required",
        "crmi/input/profiles/StructureDefinition-crmi-expandedvalueset.json: ValueSet.expansion: 0 present, "
        "at least 1 required"]


def test_the_computable_value_set_invariant_is_handed_to_the_fhirpath_validator(exported):
    (invariant,) = ig_profiles.invariants(exported["ValueSet/observation-anti-jo-1"])
    assert invariant["key"] == "cvs-1" and invariant["path"] == "ValueSet"
