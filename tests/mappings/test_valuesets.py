"""Terminology data: well-formed entries, every drug recognisable, site lab codes, prefetch codes."""

import json

import pytest

from fhir_mappings.concepts import Drug
from fhir_mappings.tools.build_product_table import build
from fhir_mappings.tools.terminology_tables import DOC, refreshed
from fhir_mappings.valuesets import (
    PUBLISHED,
    TERMINOLOGY,
    LabCodesError,
    configured_lab_codes,
    drugs_named,
    load,
    prefetch_observation_codes,
)
from tests.fhir_builders import medication_request
from tests.mappings.conftest import facts_of

CODED_FILES = ["rxnorm-ingredients.json", "conditions.json", "observations.json", "vaccines.json", "allergies.json",
               "investigations.json"]
STATUSES = {"V1", "V2", "unverified"}


@pytest.mark.parametrize("name", CODED_FILES)
def test_every_entry_has_code_system_display_source_and_status(name):
    for entry in load(name)["entries"]:
        assert entry.get("display") and entry.get("source") and entry.get("status") in STATUSES, entry
        assert entry.get("system", load(name).get("system")), entry
        assert "code" in entry, entry


@pytest.mark.parametrize("name", [*CODED_FILES, "rxnorm-products.json", PUBLISHED])
def test_every_terminology_file_is_versioned(name):
    assert load(name)["version"]


def test_every_file_in_the_terminology_folder_is_checked():
    assert {p.name for p in TERMINOLOGY.glob("*.json")} == {*CODED_FILES, "rxnorm-products.json", PUBLISHED}


FIRST_NAMES = {e["concept"]: e["names"][0] for e in load("rxnorm-ingredients.json")["entries"]}


@pytest.mark.parametrize("drug", list(Drug))
def test_every_drug_is_recognised_by_its_first_name_or_concept_name(drug):
    name = FIRST_NAMES.get(drug.value, drug.value.replace("-", " "))
    assert drug in drugs_named(f"{name} 10 MG Oral Tablet")


def test_an_unverified_ingredient_code_alone_is_not_recognised():
    assert facts_of(medication_request("4511", dose=1)).medications == ()  # folic acid [U] in docs/evidence.md


def test_a_salt_name_is_not_a_second_drug():
    assert drugs_named("atorvastatin calcium 20 MG Oral Tablet") == (Drug.ATORVASTATIN,)


def test_prefetch_codes_include_weight_and_egfr():
    codes = prefetch_observation_codes()
    assert {"http://loinc.org|29463-7", "http://loinc.org|98979-8"} <= set(codes)


def test_prefetch_codes_include_the_site_lab_codes(lab_codes):
    lab_codes({"anti-jo-1": ["http://loinc.org|12345-6"]})
    assert "http://loinc.org|12345-6" in prefetch_observation_codes()


def test_prefetch_codes_have_no_duplicates():
    codes = prefetch_observation_codes()
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("content", ['{"anti-jo-1": "not a list"}', '{"not-a-concept": ["a|b"]}', "[1, 2]",
                                     '{"anti-jo-1": ["no-bar"]}', "not json"])
def test_a_malformed_site_lab_code_list_fails_fast(tmp_path, monkeypatch, content):
    path = tmp_path / "codes.json"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("CDS_LAB_CODES", str(path))
    configured_lab_codes.cache_clear()
    try:
        with pytest.raises(LabCodesError):
            configured_lab_codes()
    finally:
        monkeypatch.delenv("CDS_LAB_CODES")
        configured_lab_codes.cache_clear()


def test_product_table_keeps_guideline_products_with_their_strength():
    source = {"rxcui_to_name": {"1": "Methotrexate 2.5 MG Oral Tablet [Trexall]",
                                "2": "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet",
                                "3": "Acetaminophen 500 MG Oral Tablet",
                                "4": "Folic Acid 1 MG / Vitamin B12 1 MG / Niacin 5 MG Oral Tablet",
                                "5": "Methotrexate 2.5 MG"}}
    products = build(source)["products"]
    assert sorted(products) == ["1", "2", "5"]
    assert products["1"]["components"] == [{"drug": "methotrexate", "ingredient": "Methotrexate",
                                            "strength": 2.5, "unit": "MG"}]
    assert products["2"]["drugs"] == ["sulfamethoxazole-trimethoprim"]


def test_a_component_code_without_dose_form_is_kept_with_an_empty_form():
    products = build({"rxcui_to_name": {"316672": "Simvastatin 10 MG"}})["products"]
    assert products["316672"]["dose_form"] == "" and products["316672"]["components"][0]["strength"] == 10


def test_the_shipped_product_table_has_the_component_codes_ehrs_send():
    products = load("rxnorm-products.json")["products"]
    assert products["316672"]["drugs"] == ["simvastatin"]  # Synthea's simvastatin order code


def test_shipped_product_table_is_derived_by_the_tool():
    table = json.loads((TERMINOLOGY / "rxnorm-products.json").read_text(encoding="utf-8"))
    assert "build_product_table.py" in table["description"]
    assert table["products"]["312615"]["components"][0]["strength"] == 20


def test_the_documented_code_tables_are_up_to_date():
    document = DOC.read_text(encoding="utf-8")
    assert document == refreshed(document), "run: python -m fhir_mappings.tools.terminology_tables --write"


def test_published_rxnorm_rows_add_products_with_their_own_source_after_the_first_list():
    sandbox = {"source": "sandbox", "rxcui_to_name": {"1": "Methotrexate 2.5 MG Oral Tablet"}}
    rows = [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1", "display": "Methotrexate 5 MG Oral Tablet",
             "valueset": "VS", "source": "o/r@c:p"},
            {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "2",
             "display": "Methylprednisolone 1000 MG Injection", "valueset": "VS", "source": "o/r@c:p"}]
    products = build(sandbox, rows)["products"]
    assert products["1"]["components"][0]["strength"] == 2.5 and "source" not in products["1"]
    assert products["2"]["source"] == "VS, o/r@c:p" and products["2"]["dose_form"] == "Injection"


def test_the_shipped_product_table_has_injectables_of_the_published_value_sets():
    assert load("rxnorm-products.json")["products"]["1357886"]["drugs"] == ["methylprednisolone"]  # 2000 MG Injection
