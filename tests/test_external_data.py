"""Data this project did not write (issue 21): HL7 example resources (CC0) and fixtures built from vendors'
public documentation (fixtures/external, each with its provenance) give the right reading, or a notice
naming what could not be read; never silence, never a false card."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fhir_mappings.concepts import Drug
from fhir_mappings.coverage import Coverage, as_json, resources_in
from fhir_mappings.facts import UnreadableReason
from fhir_mappings.parse import build_facts
from hooks import engine
from hooks.registry import all_recommendations
from hooks.settings import resolve
from hooks.unreadable import UNREADABLE_DATA
from tests.factories import NOW, UNFOLDED

EXTERNAL = Path(__file__).resolve().parents[1] / "fixtures" / "external"
RECOMMENDATIONS = tuple(all_recommendations())
SETTINGS = resolve(RECOMMENDATIONS, UNFOLDED)


def load(name):
    return json.loads((EXTERNAL / name).read_text(encoding="utf-8"))


def cards(request):
    facts = build_facts(request["hook"], request["context"], request["prefetch"], NOW)
    return {r.recommendation.id: r for r in engine.evaluate(RECOMMENDATIONS, facts, SETTINGS)}


@pytest.mark.parametrize("name", sorted(p.name for p in EXTERNAL.glob("*.json")))
def test_every_external_fixture_states_its_source_and_licence(name):
    provenance = load(name)["provenance"]
    assert provenance["source"] and provenance["licence"]


def test_the_oracle_health_order_reads_its_dose_after_the_vendor_timing_coding():
    facts = build_facts("patient-view", {"patientId": "12724066"}, load("oracle-health-prednisone.json")["prefetch"], NOW)
    (prednisone,) = facts.current([Drug.PREDNISONE])
    assert prednisone.dose.mg_per_day_high == 60
    assert "pjp-prophylaxis" in cards(load("oracle-health-prednisone.json"))


def test_the_oracle_health_order_with_only_the_vendor_timing_gets_the_notice_not_silence():
    request = load("oracle-health-prednisone.json")
    dosage = request["prefetch"]["medications"]["entry"][0]["resource"]["dosageInstruction"][0]
    dosage["timing"]["code"] = {"coding": [{"system": dosage["timing"]["code"]["coding"][0]["system"], "code": "696530"}]}
    found = cards(request)
    assert "pjp-prophylaxis" not in found
    line = next(f for f in found[UNREADABLE_DATA.id].finding.facts_used if "'predniSONE" in f)
    assert all(check in line.lower() for check in ("pjp prophylaxis", "bone protection", "the taper"))
    assert line.endswith(" not checked for 'predniSONE, 60 mg = 3 tab, Oral, Daily': its dose could not be read "
                         "(timing code '696530').")


def test_an_egfr_above_a_bound_keeps_the_bound_and_is_named():
    facts = build_facts("patient-view", {"patientId": "12724066"}, load("oracle-health-prednisone.json")["prefetch"], NOW)
    assert [u.reason for u in facts.unreadable] == [UnreadableReason.COMPARATOR]
    assert facts.unreadable[0].item.startswith("eGFR >60")


@pytest.mark.parametrize("order", load("liquid-doses.json")["orders"], ids=lambda o: o["id"])
def test_liquid_and_combination_doses_read_as_the_label_writes_them_or_not_at_all(order):
    expected = order.pop("expected_mg_per_day")
    facts = build_facts("patient-view", {"patientId": "p"}, {"m": order}, NOW)
    (read,) = facts.medications
    if expected is None:
        assert read.dose is None and facts.unreadable[0].reason is UnreadableReason.DOSE
    else:
        assert read.dose is not None and read.dose.mg_per_day_high == pytest.approx(expected)


def test_a_prophylactic_co_trimoxazole_written_as_960_mg_is_not_a_treatment_dose_with_methotrexate():
    (order,) = [o for o in load("liquid-doses.json")["orders"] if o["id"] == "liq-4"]
    order = {k: v for k, v in order.items() if k != "expected_mg_per_day"}
    methotrexate = {"resourceType": "MedicationRequest", "id": "mtx", "status": "active", "intent": "order",
                    "authoredOn": "2026-06-01", "medicationCodeableConcept": {"text": "methotrexate 2.5 MG Oral Tablet"},
                    "dosageInstruction": [{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
                                           "doseAndRate": [{"doseQuantity": {"value": 15, "unit": "mg"}}]}]}
    request = {"hook": "patient-view", "context": {"patientId": "p"}, "prefetch": {"m": [order, methotrexate]}}
    found = cards(request)
    assert found["methotrexate-cotrimoxazole"].finding.indicator.value != "critical"


def test_the_ips_medication_statement_is_read_as_medication_on_record_with_its_bundled_medication():
    bundle = load("ips-minimal.json")["bundle"]
    facts = build_facts("patient-view", {"patientId": "2b90dd2b-2dab-4c75-9bb9-a355e07401e8"}, {"ips": bundle}, NOW)
    assert facts.unreadable == ()  # anastrozole is resolved (not a guideline drug); the diagnosis is SNOMED coded
    assert facts.report.ignored >= 2


def test_an_ips_statement_whose_medication_is_not_sent_is_named():
    bundle = copy.deepcopy(load("ips-minimal.json")["bundle"])
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Medication"]
    facts = build_facts("patient-view", {"patientId": "2b90dd2b-2dab-4c75-9bb9-a355e07401e8"}, {"ips": bundle}, NOW)
    (item,) = facts.unreadable
    assert item.reason is UnreadableReason.MEDICATION


def test_coverage_of_the_external_files_reports_unreadable_items_by_reason():
    coverage = Coverage()
    for path in sorted(EXTERNAL.glob("*.json")):
        for resource in resources_in(json.loads(path.read_text(encoding="utf-8"))):
            coverage.add(resource, NOW.date())
    report = as_json(coverage, 5)
    assert report["unreadable"]["dose"]  # the co-trimoxazole dose matching no product strength
    assert report["unreadable"]["comparator"]
    assert "MedicationStatement" in report["resources"]


def us_core_facts(bundle):
    return build_facts("patient-view", {"patientId": "example"}, {"us-core": bundle}, NOW)


def test_the_us_core_examples_are_read_completely():
    facts = us_core_facts(load("us-core-examples.json")["bundle"])
    assert facts.unreadable == ()
    assert [(r.concept.value, r.value, r.unit) for r in facts.results] == [("creatinine", 1.0, "mg/dL")]
    assert {a.value for a in facts.allergies} == {"sulfonamide"}


def test_a_us_core_problem_sent_only_as_text_is_named_as_unreadable():
    bundle = copy.deepcopy(load("us-core-examples.json")["bundle"])
    ulcer = bundle["entry"][1]["resource"]
    ulcer["code"] = {"text": ulcer["code"]["text"]}
    (item,) = us_core_facts(bundle).unreadable
    assert (item.reason, item.item, item.problem) == (UnreadableReason.CODE_SYSTEM, "Active Duodenal Ulcer",
                                                      "coded only as text")


def test_a_resolved_us_core_diagnosis_is_not_unreadable_whatever_its_coding():
    bundle = copy.deepcopy(load("us-core-examples.json")["bundle"])
    burn = bundle["entry"][0]["resource"]
    burn["code"] = {"text": burn["code"]["text"]}
    assert us_core_facts(bundle).unreadable == ()
