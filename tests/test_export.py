"""`myositis-cds export`: the recommendations as FHIR R4 knowledge artifacts, and docs/fhir/ is current."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from cds_service import knowledge
from cds_service.knowledge.plandefinitions import RECOMMENDATION_PROFILE, SERVICE_PROFILE
from cds_service.knowledge.reads import reads
from fhir_mappings.concepts import Antibody, Condition, Drug, Lab, MyositisSubtype
from hooks.registry import all_recommendations, by_id
from hooks.services import SERVICES
from tests.test_cli import run

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "fhir"
BASE = knowledge.CANONICAL_BASE


@pytest.fixture(scope="module")
def exported() -> dict[str, dict]:
    return {f"{r['resourceType']}/{r['id']}": r for r in knowledge.resources()}


def test_committed_export_is_up_to_date():
    fresh = knowledge.files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.glob("*.json")}
    assert sorted(committed) == sorted(fresh), "docs/fhir/ lists other resources: run `make catalog`"
    stale = [name for name, text in fresh.items() if committed[name] != text]
    assert not stale, f"docs/fhir/ is out of date ({', '.join(stale[:5])}): run `make catalog`"


def test_every_exported_resource_validates_as_fhir(exported):
    for resource in exported.values():
        knowledge.validate(resource)


def test_validation_rejects_an_invalid_plan_definition(exported):
    plan = exported["PlanDefinition/steroid-sparing-agent"]
    without_status = {key: value for key, value in plan.items() if key != "status"}
    with pytest.raises(ValidationError):
        knowledge.validate(without_status)
    with pytest.raises(ValidationError):  # a trigger needs its type
        knowledge.validate(dict(plan, action=[{"trigger": [{"name": "patient-view"}]}]))


def test_one_recommendation_definition_per_registry_entry_with_citation_trigger_and_hooks(exported):
    for recommendation in all_recommendations():
        plan = exported[f"PlanDefinition/{recommendation.id}"]
        assert plan["meta"]["profile"][0] == RECOMMENDATION_PROFILE
        assert plan["type"]["coding"][0]["code"] == "eca-rule"
        assert plan["relatedArtifact"][0]["url"] == recommendation.citation.url
        (action,) = plan["action"]
        assert action["condition"][0]["expression"]["expression"] == recommendation.trigger
        assert {t["name"] for t in action["trigger"]} == set(recommendation.hooks)
        assert {t["type"] for t in action["trigger"]} == {"named-event"}


def test_grading_is_carried_by_the_cqf_extensions_the_cpg_stu2_profile_slices(exported):
    recommendation = by_id("steroid-sparing-agent")
    action = exported["PlanDefinition/steroid-sparing-agent"]["action"][0]
    extensions = {e["url"]: e for e in action["extension"]}
    strength = extensions["http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"]
    assert strength["valueCodeableConcept"]["text"] == recommendation.citation.strength
    assert "http://hl7.org/fhir/StructureDefinition/cqf-qualityOfEvidence" in extensions


def test_recommendations_are_semi_structured_with_the_stu2_level_extension(exported):
    for recommendation in all_recommendations():
        assert exported[f"PlanDefinition/{recommendation.id}"]["extension"] == [
            {"url": "http://hl7.org/fhir/StructureDefinition/cqf-knowledgeRepresentationLevel",
             "valueCode": "semi-structured"}]


def test_every_plan_and_value_set_is_dated_and_every_value_set_is_computable(exported):
    for key, resource in exported.items():
        if resource["resourceType"] in ("PlanDefinition", "ValueSet"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", resource["date"]), key
        if resource["resourceType"] == "ValueSet":
            rules = [e for e in resource.get("extension", ()) if e["url"].endswith("/valueset-rules-text")]
            assert ("compose" in resource) != bool(rules), key


def test_value_set_date_is_the_terminology_version_date(exported):
    assert exported["ValueSet/investigation-chest-radiograph"]["date"] == "2026-11-29"


def test_investigations_have_value_sets_read_from_procedures_reports_and_orders(exported):
    radiograph = exported["ValueSet/investigation-chest-radiograph"]
    assert "36643-5" in _codes(radiograph) and "chest x-ray" in radiograph["description"]
    inputs = exported["PlanDefinition/cancer-screening"]["action"][0]["input"]
    read = {(i["type"], f["valueSet"].rsplit("/", 1)[1]) for i in inputs for f in i.get("codeFilter", ())}
    assert {(t, "investigation-pet-ct") for t in ("Procedure", "DiagnosticReport", "ServiceRequest")} <= read


def test_parameters_are_listed_with_default_and_source_in_the_description(exported):
    description = exported["PlanDefinition/steroid-sparing-agent"]["description"]
    assert "`min_days` = 14" in description and "docs/evidence.md#steroid-sparing-agent" in description


def _value_sets_read(plan: dict) -> set[str]:
    return {f["valueSet"].rsplit("/", 1)[1] for r in plan["action"][0]["input"] for f in r.get("codeFilter", ())}


def test_data_requirements_name_the_value_sets_the_rule_reads(exported):
    statin = _value_sets_read(exported["PlanDefinition/statin-anti-hmgcr"])
    assert {"medication-atorvastatin", "medication-simvastatin", "observation-anti-hmgcr"} <= statin
    assert "medication-methotrexate" not in statin
    teratogen = _value_sets_read(exported["PlanDefinition/teratogen-pregnancy"])
    assert {"condition-pregnancy", "medication-methotrexate", "observation-hcg"} <= teratogen


def test_myositis_specific_rules_read_every_myositis_diagnosis_and_others_do_not(exported):
    subtypes = {f"condition-{s}" for s in MyositisSubtype}
    assert subtypes <= _value_sets_read(exported["PlanDefinition/steroid-sparing-agent"])
    assert not subtypes & _value_sets_read(exported["PlanDefinition/methotrexate-cotrimoxazole"])


def test_reads_follow_helper_functions_and_patient_attributes():
    juvenile = reads(by_id("juvenile-dm-dosing"))
    assert {"body-weight", "body-height"} <= juvenile.concepts and "birthDate" in juvenile.patient_elements
    renal = reads(by_id("methotrexate-renal"))
    assert {Lab.EGFR, Lab.CREATININE} <= renal.concepts  # through hooks.criteria.latest_egfr
    assert reads(by_id("teratogen-pregnancy")).concepts >= {Condition.MENOPAUSE, Drug.METHOTREXATE}


def test_every_value_set_a_plan_reads_is_exported(exported):
    for plan in (r for r in exported.values() if r["resourceType"] == "PlanDefinition"):
        for requirement in (r for a in plan.get("action", ()) for r in a.get("input", ())):
            for code_filter in requirement.get("codeFilter", ()):
                assert code_filter["valueSet"].startswith(f"{BASE}/ValueSet/")
                assert f"ValueSet/{code_filter['valueSet'].rsplit('/', 1)[1]}" in exported


def test_one_service_definition_per_service_listing_the_recommendations_of_its_hook(exported):
    for service in SERVICES:
        plan = exported[f"PlanDefinition/{service.id}"]
        assert plan["meta"]["profile"][0] == SERVICE_PROFILE
        assert plan["extension"][0]["valueUri"] == f"cds-services/{service.id}"
        (group,) = plan["action"]
        assert group["trigger"] == [{"type": "named-event", "name": service.hook}]
        expected = {f"{BASE}/PlanDefinition/{r.id}|{knowledge.artifact_version()}"
                    for r in all_recommendations() if service.hook in r.hooks}
        assert {a["definitionCanonical"] for a in group["action"]} == expected


def _codes(valueset: dict) -> dict[str, dict]:
    return {c["code"]: c for include in valueset["compose"]["include"] for c in include.get("concept", ())}


def test_drug_value_set_has_the_ingredient_and_its_products_each_with_its_source(exported):
    codes = _codes(exported["ValueSet/medication-methotrexate"])
    assert "6851" in codes and "105585" in codes  # ingredient, and the 2.5 mg tablet
    for code in codes.values():
        assert code["extension"][0]["url"] == f"{BASE}/StructureDefinition/code-source"
        assert code["extension"][0]["valueString"]


def test_unverified_codes_are_left_out_and_name_only_concepts_say_so(exported):
    assert "4511" not in _codes(exported["ValueSet/medication-folic-acid"])  # unverified RxCUI
    jo1 = exported[f"ValueSet/observation-{Antibody.JO1}"]
    (rules,) = jo1["extension"]
    assert "compose" not in jo1 and rules["url"] == "http://hl7.org/fhir/StructureDefinition/valueset-rules-text"
    assert "CDS_LAB_CODES" in rules["valueMarkdown"] and "histidyl" in rules["valueMarkdown"]


def test_the_code_source_extension_is_defined_for_the_value_set_elements_that_carry_it(exported):
    definition = exported["StructureDefinition/code-source"]
    assert definition["url"] == f"{BASE}/StructureDefinition/code-source" and definition["type"] == "Extension"
    contexts = {c["expression"] for c in definition["context"]}
    assert {"ValueSet.compose.include.concept", "ValueSet.compose.include.filter"} <= contexts


def test_icd10cm_prefixes_are_is_a_filters_with_their_exclusions(exported):
    compose = exported["ValueSet/condition-glaucoma"]["compose"]
    filters = [f for i in compose["include"] for f in i.get("filter", ())]
    assert {"property": "concept", "op": "is-a", "value": "H40"}.items() <= filters[0].items()
    assert compose["exclude"][0]["filter"][0]["value"] == "H40.0"


def test_export_command_writes_the_files_and_removes_stale_ones(tmp_path):
    (tmp_path / "ValueSet-gone.json").write_text("{}")
    (tmp_path / "notes.json").write_text("{}")
    code, out, _ = run("export", "--out", str(tmp_path), "--canonical-base", "https://kb.hospital.example/fhir/")
    assert code == 0 and "wrote" in out
    names = {p.name for p in tmp_path.glob("*.json")}
    assert names == set(knowledge.files()) | {"notes.json"}
    text = (tmp_path / "PlanDefinition-statin-anti-hmgcr.json").read_text()
    assert "https://kb.hospital.example/fhir/PlanDefinition/statin-anti-hmgcr" in text
