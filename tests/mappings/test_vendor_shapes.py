"""Shapes real EHRs send (issue 21): the coding of a known system wherever it stands, strengths per volume
and doses in mL, combination products' mg doses only when they match a product strength, unresolved
Medications named, MedicationStatements read as medication on record, and comparators kept."""

from fhir_mappings.concepts import Drug, Lab, MyositisSubtype
from fhir_mappings.facts import UnreadableReason
from fhir_mappings.parse import build_facts
from fhir_mappings.systems import RXNORM, V3_TIMING
from hooks.unreadable import COMPARED_RESULTS
from tests.factories import NOW
from tests.fhir_builders import bundle, medication_request, patient

ORACLE_TIMING = "https://fhir.cerner.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/codeSet/4003"


def request(*, resource_type="MedicationRequest", medication=None, dose=None, timing=None, status="active",
            text=None, rid="m1", **extra):
    resource = {"resourceType": resource_type, "id": rid, "status": status, "subject": {"reference": "Patient/p"}}
    if resource_type == "MedicationRequest":
        resource["intent"] = "order"
        resource["authoredOn"] = "2026-11-01"
    resource.update(medication or {})
    dosage = {"timing": timing or {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}
    if dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    if text:
        dosage["text"] = text
    resource["dosageInstruction" if resource_type == "MedicationRequest" else "dosage"] = [dosage]
    resource.update(extra)
    return resource


def rx(code, display=""):
    return {"medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code, "display": display}],
                                          "text": display}}


def named(text):
    return {"medicationCodeableConcept": {"text": text}}


def facts_of(*resources, hook="patient-view"):
    return build_facts(hook, {"patientId": "p"}, {"records": {"resourceType": "Bundle", "entry": [
        {"resource": r} for r in resources]}}, NOW)


def only_order(*resources):
    (order,) = facts_of(*resources).medications
    return order


def test_the_timing_abbreviation_is_read_after_a_vendor_coding():
    timing = {"code": {"coding": [
        {"system": ORACLE_TIMING, "code": "696530", "display": "Daily"},
        {"system": V3_TIMING, "code": "QD", "display": "QD"}], "text": "Daily"}}
    order = only_order(request(medication=rx("312615", "predniSONE 20 MG Oral Tablet"), dose={"value": 60, "unit": "mg"},
                               timing=timing))
    assert order.dose is not None and order.dose.mg_per_day_high == 60


def test_a_timing_code_nobody_reads_leaves_the_dose_unread_and_named():
    timing = {"code": {"coding": [{"system": ORACLE_TIMING, "code": "696530"}]}}
    facts = facts_of(request(medication=rx("312615", "predniSONE 20 MG Oral Tablet"), dose={"value": 60, "unit": "mg"},
                             timing=timing, text="Prednisone 20 mg tab, 3 tabs daily"))
    assert facts.medications[0].dose is None
    (item,) = facts.unreadable
    assert item.reason is UnreadableReason.DOSE and item.drug is Drug.PREDNISONE
    assert item.item == "predniSONE 20 MG Oral Tablet, Prednisone 20 mg tab, 3 tabs daily"


def test_a_strength_per_volume_in_the_name_reads_a_dose_in_ml():
    order = only_order(request(medication=named("prednisolone 15 mg/5 mL oral solution"), dose={"value": 10, "unit": "mL"}))
    assert order.dose.mg_per_day_high == 30


def test_a_liquid_of_the_product_table_reads_a_dose_in_ml_by_its_dosing_component():
    order = only_order(request(medication=rx("313134", "sulfamethoxazole 40 MG/ML / trimethoprim 8 MG/ML Oral Suspension"),
                               dose={"value": 10, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"}))
    assert order.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM and order.dose.mg_per_day_high == 80


def test_a_co_trimoxazole_dose_in_mg_of_the_whole_product_is_read_as_its_trimethoprim():
    order = only_order(request(medication=rx("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet"),
                               dose={"value": 960, "unit": "mg"}))
    assert order.dose.mg_per_day_high == 160


def test_the_uk_name_of_co_trimoxazole_is_read_by_its_product_strength():
    order = only_order(request(medication=named("Co-trimoxazole 480mg tablets"), dose={"value": 1, "unit": "tablet"}))
    assert order.dose.mg_per_day_high == 80


def test_a_co_trimoxazole_mg_dose_matching_no_product_strength_is_not_guessed():
    facts = facts_of(request(medication=named("sulfamethoxazole-trimethoprim"), dose={"value": 500, "unit": "mg"}))
    assert facts.medications[0].dose is None
    assert facts.unreadable[0].reason is UnreadableReason.DOSE


def test_a_bundled_medication_is_resolved():
    medication = {"resourceType": "Medication", "id": "med-1", "code": {"coding": [
        {"system": RXNORM, "code": "105585", "display": "methotrexate 2.5 MG Oral Tablet"}]}}
    order = request(medication={"medicationReference": {"reference": "Medication/med-1"}},
                    dose={"value": 15, "unit": "mg"}, timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}})
    facts = facts_of(order, medication)
    assert facts.medications[0].drug is Drug.METHOTREXATE and not facts.unreadable


def test_an_unresolved_medication_is_named_not_dropped_silently():
    order = request(medication={"medicationReference": {"reference": "Medication/absent"}}, text="1 tab weekly")
    (item,) = facts_of(order).unreadable
    assert item.reason is UnreadableReason.MEDICATION and "Medication/absent" in item.problem


def test_a_medication_statement_is_read_as_medication_on_record():
    statement = request(resource_type="MedicationStatement", medication=rx("312615", "predniSONE 20 MG Oral Tablet"),
                        dose={"value": 20, "unit": "mg"}, effectivePeriod={"start": "2026-10-01"})
    order = only_order(statement)
    assert order.is_current and order.dose.mg_per_day_high == 20 and order.reference == "MedicationStatement/m1"


def test_a_stopped_medication_statement_is_history_not_current():
    statement = request(resource_type="MedicationStatement", status="completed", medication=rx("312615", "predniSONE 20 MG Oral Tablet"),
                        dose={"value": 20, "unit": "mg"}, effectivePeriod={"start": "2026-01-01", "end": "2026-03-01"})
    order = only_order(statement)
    assert not order.is_current and order.end.isoformat() == "2026-03-01"


def test_a_result_beyond_a_bound_keeps_its_comparator_and_is_named():
    egfr = {"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "98979-8"}]},
            "effectiveDateTime": "2026-11-01", "valueQuantity": {"value": 60, "comparator": ">", "unit": "mL/min/{1.73_m2}"}}
    facts = facts_of(egfr)
    result = facts.latest(Lab.EGFR)
    assert result.comparator == ">" and result.describe().startswith("eGFR >60")
    assert facts.unreadable[0].reason is UnreadableReason.COMPARATOR


def test_a_diagnosis_coded_only_as_text_is_named_with_the_myositis_it_names():
    condition = {"resourceType": "Condition", "id": "c1", "code": {"text": "Dermatomyositis"},
                 "clinicalStatus": {"coding": [{"code": "active"}]}}
    (item,) = facts_of(condition).unreadable
    assert item.reason is UnreadableReason.CODE_SYSTEM and item.named == (MyositisSubtype.DERMATOMYOSITIS,)


def test_a_diagnosis_in_a_read_system_is_readable_whatever_its_concept():
    condition = {"resourceType": "Condition", "id": "c1", "code": {"coding": [
        {"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}], "text": "HTN"}}
    assert facts_of(condition).unreadable == ()


def test_a_bound_decides_only_the_comparisons_it_can():
    from fhir_mappings.facts import is_below

    assert is_below(60, ">", 60) is False and is_below(60, ">", 45) is False
    assert is_below(60, ">", 90) is None
    assert is_below(15, "<", 30) is True and is_below(15, "<", 10) is None
    assert is_below(50, None, 60) is True


def test_a_bound_decides_only_the_comparisons_above_it_can():
    from fhir_mappings.facts import is_above

    assert is_above(1000, ">", 120) is True and is_above(5, "<", 40) is False
    assert is_above(100, "<", 40) is None and is_above(10, ">", 40) is None
    assert is_above(50, None, 40) is True


def test_a_compared_result_beyond_a_bound_is_an_unreadable_item_only_while_a_drug_it_is_compared_for_is_ordered():
    egfr = {"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "98979-8"}]},
            "effectiveDateTime": "2026-11-01", "valueQuantity": {"value": 60, "comparator": ">", "unit": "mL/min/{1.73_m2}"}}
    methotrexate = medication_request("105586", "methotrexate 2.5 MG Oral Tablet", 15, "mg", period=1, period_unit="wk")
    prednisone = medication_request("312615", "predniSONE 20 MG Oral Tablet", 20, "mg")

    def reasons(*resources):
        prefetch = {"patient": patient(), "records": bundle(egfr, *resources)}
        facts = build_facts("patient-view", {"patientId": "example"}, prefetch, NOW, compared=COMPARED_RESULTS)
        return [item.reason for item in facts.unreadable]

    assert reasons(methotrexate) == [UnreadableReason.COMPARATOR]
    assert reasons(prednisone) == []
    assert reasons() == []
