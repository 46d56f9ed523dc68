"""Real-shaped records (issue 11): 39 Synthea patients (fixtures/synthea, Apache-2.0) sent as an EHR
would, with dates shifted to the test clock (tests.factories.NOW).

First pass, as they are (no myositis): every call answers 200, the SNOMED CT / RxNorm codes Synthea
writes are recognised as the concepts listed below, and the only cards are those of medication-safety
rules that apply without myositis. Second pass, each patient given a dermatomyositis diagnosis and a
prednisone course written the Synthea way (2 tablets, no unit): the cards the guideline calls for.

The expected concepts come from the tables below (code -> concept, read from the displays), not
from the mapping under test.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from fhir_mappings.parse import build_facts
from hooks.registry import all_recommendations
from tests.api import ValidatingClient, hook_request
from tests.factories import NOW, UNFOLDED_TOML
from tests.fhir_builders import condition, medication_request
from tests.synthea import patient_id, records, resources

#: SNOMED CT codes of the corpus's Conditions that the service must recognise (from their displays).
CONDITION_CODES = {
    "38341003": {"hypertension"},  # Hypertension
    "44054006": {"diabetes"},  # Diabetes mellitus type 2
    "127013003": {"diabetes"},  # Diabetic renal disease
    "368581000119106": {"diabetes"},  # Neuropathy due to type 2 diabetes mellitus
    "422034002": {"diabetes"},  # Diabetic retinopathy associated with type II diabetes mellitus
    "431855005": {"chronic-kidney-disease"},  # CKD stage 1
    "431856006": {"chronic-kidney-disease"},  # CKD stage 2
    "64859006": {"osteoporosis"},  # Osteoporosis
    "443165006": {"osteoporosis", "fragility-fracture"},  # Pathological fracture due to osteoporosis
    "72892002": {"pregnancy"},  # Normal pregnancy
    "93761005": {"cancer"},  # Primary malignant neoplasm of colon
    "109838007": {"cancer"},  # Overlapping malignant neoplasm of colon
}
#: RxNorm codes of the corpus's MedicationRequests that are guideline drugs (the hydrocortisone
#: 10 MG/ML topical cream, 106258, is one too but not systemic: left out on purpose).
DRUG_CODES = {
    "316672": "simvastatin",  # Simvastatin 10 MG (component code, display "Simvistatin 10 MG")
    "312961": "simvastatin",
    "904419": "alendronate",
    "312617": "prednisone",
    "197319": "allopurinol",
    "105586": "methotrexate",
    "835900": "ciclosporin",
}
WITHOUT_MYOSITIS = {r.id for r in all_recommendations() if not r.requires_myositis}
#: The corpus's methotrexate courses started over a year before NOW: monitoring, not a baseline card.
METHOTREXATE_SAFETY = {"methotrexate-folate", "methotrexate-monitoring"}
SEASON_START = date(NOW.year if NOW.month >= 8 else NOW.year - 1, 8, 1)  # vaccination's default parameter
#: Onset of the dermatomyositis the second pass gives every patient.
DM_ONSET = date(2026, 10, 1)
LIVE_CVX = {"03", "21", "119", "121"}  # the corpus's live vaccines: MMR, varicella, rotavirus, zoster live


def _active(resource: dict[str, Any]) -> bool:
    status = resource.get("clinicalStatus", {}).get("coding", [{}])[0].get("code")
    return status in (None, "active", "recurrence", "relapse") and "abatementDateTime" not in resource


def _code(resource: dict[str, Any], field: str) -> str:
    return resource[field]["coding"][0]["code"]


def expected_conditions(record: dict[str, Any]) -> set[str]:
    return {c for r in record["resources"]["Condition"] if _active(r) for c in CONDITION_CODES.get(_code(r, "code"), ())}


def expected_drugs(record: dict[str, Any]) -> set[str]:
    return {DRUG_CODES[code] for r in record["resources"].get("MedicationRequest", [])
            if (code := _code(r, "medicationCodeableConcept")) in DRUG_CODES}


def on_methotrexate(record: dict[str, Any]) -> bool:
    return any(_code(r, "medicationCodeableConcept") == "105586" and r["status"] == "active"
               for r in record["resources"].get("MedicationRequest", []))


def age(record: dict[str, Any], on: date = NOW.date()) -> int:
    born = date.fromisoformat(record["resources"]["Patient"][0]["birthDate"])
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def influenza_this_season(record: dict[str, Any]) -> bool:
    return any("influenza" in i["vaccineCode"]["coding"][0]["display"].lower()
               and date.fromisoformat(i["occurrenceDateTime"][:10]) >= SEASON_START
               for i in record["resources"].get("Immunization", []))


def live_vaccine_within_4_weeks(record: dict[str, Any]) -> bool:
    return any(i["vaccineCode"]["coding"][0]["code"] in LIVE_CVX
               and (NOW.date() - date.fromisoformat(i["occurrenceDateTime"][:10])).days <= 28
               for i in record["resources"].get("Immunization", []))


def with_myositis_on_prednisone(record: dict[str, Any]) -> list[dict[str, Any]]:
    subject = {"reference": f"Patient/{patient_id(record)}"}
    dermatomyositis = {**condition("396230008", display="Dermatomyositis", onset=DM_ONSET.isoformat(), id="dm"),
                       "subject": subject}
    prednisone = {**medication_request("312615", display="predniSONE 20 MG Oral Tablet", dose=2, unit=None,
                                       authored_on="2026-10-01", id="prednisone"), "subject": subject}
    return [*resources(record), dermatomyositis, prednisone]


def draft(rxnorm: str, display: str, dose: float, period_unit: str = "d") -> dict[str, Any]:
    return medication_request(rxnorm, display=display, dose=dose, unit="mg", period_unit=period_unit, id="draft")


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return records(NOW)


@pytest.fixture(scope="module")
def post(tmp_path_factory):
    folder = tmp_path_factory.mktemp("db")
    (folder / "unfolded.toml").write_text(UNFOLDED_TOML)
    app = create_app(Settings(feedback_db=str(folder / "cds.sqlite3"), strict_rules=True,
                              rule_settings=str(folder / "unfolded.toml")),
                     clock=lambda: NOW)
    app.test_client_class = ValidatingClient
    client = app.test_client()

    def send(hook: str, record: dict[str, Any], extra: list[dict[str, Any]] | None = None,
             drafts: tuple[dict[str, Any], ...] = ()) -> tuple[int, dict[str, dict[str, Any]]]:
        body = hook_request(hook, extra if extra is not None else resources(record), drafts=drafts,
                            patient_id=patient_id(record))
        response = client.post(f"/cds-services/myositis-{hook}", json=body)
        cards = response.get_json().get("cards", []) if response.status_code == 200 else []
        return response.status_code, {card["source"]["topic"]["code"]: card for card in cards}

    return send


@pytest.fixture(scope="module")
def first_pass(corpus, post):
    prednisone = draft("312617", "predniSONE 5 MG Oral Tablet", 5)
    return [(post("patient-view", r), post("order-sign", r, drafts=(prednisone,))) for r in corpus]


@pytest.fixture(scope="module")
def second_pass(corpus, post):
    return [post("patient-view", r, with_myositis_on_prednisone(r)) for r in corpus]


def facts_of(record: dict[str, Any]):
    body = hook_request("patient-view", resources(record), patient_id=patient_id(record))
    return build_facts("patient-view", body["context"], body["prefetch"], NOW)


def test_the_corpus_is_39_patients_with_their_licence_notice(corpus):
    from tests.synthea import CORPUS
    assert len(corpus) == 39
    assert "Apache License 2.0" in (CORPUS.parent / "LICENSE-NOTICE.md").read_text(encoding="utf-8")


def test_every_record_is_shifted_so_its_latest_date_is_the_day_before_now(corpus):
    from tests.synthea import _dates
    assert {max(_dates(r["resources"])) for r in corpus} == {date(2026, 11, 19)}


def test_every_call_of_the_first_pass_answers_200(first_pass):
    assert {status for calls in first_pass for status, _ in calls} == {200}


def test_every_call_of_the_second_pass_answers_200(second_pass):
    assert {status for status, _ in second_pass} == {200}


def test_snomed_only_comorbidities_are_recognised_exactly(corpus):
    for record in corpus:
        assert {c.concept.value for c in facts_of(record).conditions} == expected_conditions(record), patient_id(record)


def test_recognition_counts_per_condition_concept(corpus):
    counts = Counter(c for r in corpus for c in {f.concept.value for f in facts_of(r).conditions})
    assert counts == Counter(c for r in corpus for c in expected_conditions(r))
    assert counts == {"hypertension": 14, "diabetes": 7, "osteoporosis": 4, "chronic-kidney-disease": 3,
                      "pregnancy": 1}  # the osteoporotic fractures of the corpus are resolved


def test_product_coded_orders_are_recognised_exactly(corpus):
    for record in corpus:
        assert {m.drug.value for m in facts_of(record).medications} == expected_drugs(record), patient_id(record)


def test_recognition_counts_per_drug(corpus):
    counts = Counter(d for r in corpus for d in {m.drug.value for m in facts_of(r).medications})
    assert counts == {"simvastatin": 5, "alendronate": 4, "prednisone": 4, "allopurinol": 2, "methotrexate": 2,
                      "ciclosporin": 1}


def test_a_synthea_tablet_order_without_unit_is_read_as_tablets(corpus):
    prednisone = [m for r in corpus for m in facts_of(r).medications if m.rxnorm == "312617"]
    assert prednisone and all(m.dose is not None and m.dose.mg_per_administration_high == 5 for m in prednisone)


def test_a_unitless_amount_of_synthea_simvastatin_component_code_is_one_tablet(corpus):
    simvastatin = [m for r in corpus for m in facts_of(r).medications
                   if m.rxnorm == "316672" and m.resource.get("dosageInstruction")]
    assert simvastatin and all(m.dose.mg_per_administration_high == 10 for m in simvastatin)


def test_without_myositis_only_medication_safety_cards_appear(first_pass):
    shown = {topic for calls in first_pass for _, cards in calls for topic in cards}
    assert shown <= WITHOUT_MYOSITIS


def test_without_myositis_the_methotrexate_safety_cards_are_exactly_those_of_patients_on_methotrexate(corpus,
                                                                                                       first_pass):
    for record, ((_, view), (_, sign)) in zip(corpus, first_pass, strict=True):
        assert set(view) == (METHOTREXATE_SAFETY if on_methotrexate(record) else set()), patient_id(record)
        # A prednisone draft needs no card without myositis, except a child's without a recent weight: the
        # order-safety check says the weight is missing (draft-order-safety), it does not guess a dose.
        assert set(sign) <= {"draft-order-safety"}, patient_id(record)
        if sign:
            assert facts_of(record).is_child and "no weight in the last 30 days" in sign["draft-order-safety"][
                "summary"], patient_id(record)


def test_with_myositis_on_prednisone_every_patient_gets_the_guideline_cards(corpus, second_pass):
    for record, (_, cards) in zip(corpus, second_pass, strict=True):
        # tb-screening: a new prednisone >= 15 mg/day and no IGRA in the corpus; cardiac-assessment: myositis onset
        # 2026-10-01 and no ECG or troponin I in the records.
        expected = {"ck-monitoring", "gc-taper", "infection-screening", "pjp-prophylaxis", "tb-screening",
                    "cardiac-assessment"}
        expected |= METHOTREXATE_SAFETY if on_methotrexate(record) else {"steroid-sparing-agent"}
        if age(record) >= 18:
            expected.add("bone-protection")
        if age(record, on=DM_ONSET) >= 18 and "cancer" not in expected_conditions(record):
            expected.add("cancer-screening")  # adult-onset DM this year; the records hold no CT or PET-CT
        if not influenza_this_season(record) or live_vaccine_within_4_weeks(record):
            expected.add("vaccination")
        unexplained = set(cards) - expected
        assert expected <= set(cards) and unexplained <= ({"juvenile-dm-dosing"} if age(record) < 18 else set()), (
            patient_id(record), sorted(cards))


def test_the_prednisone_course_written_as_two_unitless_tablets_is_read_as_40_mg(corpus, second_pass):
    for _, cards in second_pass:
        assert "40 mg" in cards["pjp-prophylaxis"]["detail"]


def test_methotrexate_ordered_for_the_pregnant_patient_is_critical(corpus, post):
    methotrexate = draft("105585", "Methotrexate 2.5 MG Oral Tablet", 15, period_unit="wk")
    pregnant = [r for r in corpus if "pregnancy" in expected_conditions(r)]
    assert len(pregnant) == 1
    _, cards = post("order-sign", pregnant[0], with_myositis_on_prednisone(pregnant[0]), drafts=(methotrexate,))
    assert cards["draft-order-safety"]["indicator"] == "critical" and "teratogen-pregnancy" not in cards


def test_tacrolimus_ordered_with_hypertension_warns_for_every_hypertensive_patient(corpus, post):
    tacrolimus = draft("198377", "Tacrolimus 1 MG Oral Capsule", 2)
    hypertensive = [r for r in corpus if "hypertension" in expected_conditions(r)]
    assert len(hypertensive) == 14
    for record in hypertensive:
        _, cards = post("order-sign", record, with_myositis_on_prednisone(record), drafts=(tacrolimus,))
        assert "hypertension" in cards["calcineurin-inhibitor-risk"]["detail"].lower(), patient_id(record)
