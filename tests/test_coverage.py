"""`myositis-cds coverage FILE...`: which codes of an integrator's data are recognised (issue 11)."""

import gzip
import json

from tests.api import FIXTURES, hook_request
from tests.fhir_builders import allergy, bundle, condition, immunization, medication_request, observation, patient
from tests.test_cli import run

SECRET = {**patient(), "id": "secret-patient-4711", "name": [{"family": "Secretname"}], "birthDate": "1961-02-03"}
RESOURCES = [
    SECRET,
    condition("59621000", display="Essential hypertension"),
    condition("444814009", display="Viral sinusitis"),
    condition("444814009", display="Viral sinusitis"),
    observation("14682-9", 80, "umol/L", display="Creatinine [Moles/volume] in Serum or Plasma"),
    medication_request("312617", display="predniSONE 5 MG Oral Tablet", dose=2, unit=None),
    medication_request("313782", display="Acetaminophen 325 MG Oral Tablet", dose=1, unit=None),
    immunization("140"),
]


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def report(tmp_path, *argv):
    code, out, err = run("coverage", write(tmp_path, "request.json", json.dumps(hook_request("patient-view", RESOURCES))),
                         *argv)
    assert (code, err) == (0, "")
    return out


def test_a_recognised_snomed_descendant_is_listed_with_its_concept_and_count(tmp_path):
    assert "  + 59621000 Essential hypertension -> hypertension (1)" in report(tmp_path)


def test_unrecognised_codes_are_listed_most_frequent_first_with_counts(tmp_path):
    out = report(tmp_path)
    assert "Condition - http://snomed.info/sct: 3 codings, 1 recognised (33%)" in out
    assert "  - 444814009 Viral sinusitis (2)" in out


def test_every_resource_type_and_system_gets_its_section(tmp_path):
    out = report(tmp_path)
    for heading in ("Observation - http://loinc.org", "MedicationRequest - http://www.nlm.nih.gov/research/umls/rxnorm",
                    "Immunization - http://hl7.org/fhir/sid/cvx"):
        assert heading in out


def test_dose_shapes_and_outcomes_of_recognised_drug_orders_are_counted(tmp_path):
    data = json.loads(report(tmp_path, "--format", "json"))
    assert data["doseShapes"] == {"doseQuantity without unit": 1}  # acetaminophen is not a guideline drug
    assert data["doseOutcomes"] == {"read": 1}


def test_the_report_holds_no_patient_data(tmp_path):
    out = report(tmp_path) + report(tmp_path, "--format", "json")
    for private in ("secret-patient-4711", "Secretname", "1961-02-03", "80"):
        assert private not in out


def test_bundles_ndjson_and_gzip_files_are_read(tmp_path):
    ndjson = "\n".join(json.dumps(r) for r in RESOURCES[1:3])
    packed = tmp_path / "records.ndjson.gz"
    packed.write_bytes(gzip.compress(ndjson.encode("utf-8")))
    code, out, _ = run("coverage", write(tmp_path, "b.json", json.dumps(bundle(*RESOURCES[1:3]))),
                       write(tmp_path, "r.ndjson", ndjson), str(packed))
    assert code == 0 and "Condition 6" in out


def test_the_top_option_limits_the_unrecognised_codes_listed(tmp_path):
    data = json.loads(report(tmp_path, "--format", "json", "--top", "0"))
    assert all(entry["topUnrecognised"] == [] for entry in data["systems"])


def test_an_unreadable_file_exits_2_naming_the_file(tmp_path):
    path = write(tmp_path, "broken.ndjson", '{"resourceType": "Patient"}\nnot json\n')
    code, _, err = run("coverage", path)
    assert code == 2 and "broken.ndjson: line 2" in err


def test_the_synthea_corpus_report_counts_its_unitless_doses_and_the_strength_conflict():
    code, out, _ = run("coverage", str(FIXTURES / "synthea" / "patients.jsonl.gz"))
    assert code == 0
    assert "  + 316672 Simvistatin 10 MG -> simvastatin (58)" in out
    assert "  doseQuantity without unit: 63" in out and "  read: 62" in out
    assert "RxNorm 835900 is 100 mg per unit, the order's name says 50 MG: 1" in out


def test_the_concepts_no_code_was_recognised_as_are_listed_per_resource_type(tmp_path):
    never = json.loads(report(tmp_path, "--format", "json"))["conceptsNeverRecognised"]
    assert "hypertension" not in never["Condition"] and "dermatomyositis" in never["Condition"]
    assert "creatinine" not in never["Observation"] and "creatine-kinase" in never["Observation"]
    assert "prednisone" not in never["MedicationRequest"] and "influenza" not in never["Immunization"]


def test_coverage_of_us_core_ips_and_synthea_files_reports_unreadable_items_by_reason():
    external = FIXTURES / "external"
    code, out, err = run("coverage", "--format", "json", str(external / "us-core-examples.json"),
                         str(external / "ips-minimal.json"), str(FIXTURES / "synthea" / "patients.jsonl.gz"),
                         str(external / "liquid-doses.json"), str(external / "oracle-health-prednisone.json"))
    assert (code, err) == (0, "")
    unreadable = json.loads(out)["unreadable"]
    assert set(unreadable) == {"dose", "medication", "code-system", "comparator"}
    assert unreadable["dose"] == {"700 mg matches no strength of the combination product": 1}
    assert unreadable["comparator"] == {"egfr reported as '>' a bound": 1}
    assert unreadable["medication"] == {}  # the IPS statement's Medication is in its Bundle


def test_a_text_only_diagnosis_is_reported_without_its_text(tmp_path):
    resources = [{"resourceType": "Condition", "id": "c", "code": {"text": "Secret free text"}}]
    code, out, _ = run("coverage", write(tmp_path, "r.json", json.dumps(hook_request("patient-view", resources))))
    assert code == 0 and "code-system: 1" in out and "coded only as text: 1" in out and "Secret" not in out


def test_an_allergy_recognised_by_its_text_alone_counts_as_recognised_without_keeping_the_text(tmp_path):
    resources = [allergy(text="Sulpha"), allergy(text="Pollen of a private garden"), allergy("91939003")]
    path = write(tmp_path, "allergies.json", json.dumps(bundle(*resources)))
    code, out, err = run("coverage", path)
    assert (code, err) == (0, "")
    assert "AllergyIntolerance - (text only): 2 codings, 1 recognised (50%)" in out
    assert "-> sulfonamide (by name only) (1)" in out
    assert "private garden" not in out
    assert "  + 91939003  -> sulfonamide (1)" in out
