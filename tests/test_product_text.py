"""What the product says, for every recommendation: real citations only, numbers as people read them.

Registry-wide: a new recommendation is covered without a new test. Card texts are collected by running
every recommendation over the fixture requests and a set of patients with awkward numbers (fractional
ages, equivalence factors, unit conversions).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds_service.protocol.cards import GUIDELINE_CHARS, render
from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative, Route
from fhir_mappings.numbers import measured, num, years
from fhir_mappings.parse import build_facts
from hooks.engine import evaluate
from hooks.recommendation import Recommendation
from hooks.registry import all_recommendations
from tests.factories import NOW, condition, dose, facts, order, result

ROOT = Path(__file__).resolve().parents[1]
#: Names of documents outside the repository (the project's working notes), never product text.
INTERNAL_DOCUMENT = re.compile(
    r"REFERENCE\.md|\bREFERENCE\b|source summar|source document|summary \d{3}|\[V[12]\]|\[U\]|/work/", re.IGNORECASE
)
#: Float noise or exponent notation in a number shown to people ("106.72000000000001", "1.2e+03").
FLOAT_NOISE = re.compile(r"\d\.\d{5,}|\d(?:\.\d+)?e[+-]?\d")
FRACTIONAL_AGE = re.compile(r"\b\d+\.\d+ years\b|\bage \d+\.\d+", re.IGNORECASE)


def declaration_texts(recommendation: Recommendation) -> list[str]:
    citation = recommendation.citation
    texts = [recommendation.title, recommendation.trigger, citation.label, citation.url, citation.statement,
             citation.strength]
    for parameter in recommendation.parameters.values():
        texts += [parameter.description, parameter.source]
    return texts


@pytest.mark.parametrize("recommendation", all_recommendations(), ids=lambda r: r.id)
def test_no_declaration_names_an_internal_document(recommendation):
    found = [text for text in declaration_texts(recommendation) if INTERNAL_DOCUMENT.search(text)]
    assert found == []


def _risk_patients():
    """Patients whose cards exercise conversions and fractions (every recommendation sees every one)."""
    ivig = replace(order(Drug.IVIG, route=Route.INTRAVENOUS, draft=True, ref="MedicationRequest/ivig"),
                   dose=dose(35500, 1.0))
    pulse = replace(order(Drug.METHYLPREDNISOLONE, route=Route.INTRAVENOUS, days=1), dose=dose(1250, 1.0))
    yield facts(age=70.9, weight_kg=70.3, medications=(order(Drug.DEXAMETHASONE, 16, days=3),
                                                        order(Drug.AZATHIOPRINE, 175, days=400)),
                results=(result(Lab.EGFR, value=44.44444, unit="mL/min/{1.73_m2}"),))
    yield facts(age=66.5, weight_kg=63.7, hook="order-select",
                medications=(ivig, order(Drug.METHYLPREDNISOLONE, 64, days=3), pulse),
                conditions=(condition(Condition.VENOUS_THROMBOEMBOLISM), condition(Condition.DYSPHAGIA)),
                results=(result(Lab.CREATININE, value=1.37, unit="mg/dL", days_ago=2),))
    yield facts(age=45.75, sex="female", weight_kg=58.9, childbearing_potential=True,
                medications=(order(Drug.METHOTREXATE, 17.5, 1 / 7, days=10),
                             order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, 160, 3 / 7, days=5),
                             order(Drug.PREDNISOLONE, 42.5, days=40), order(Drug.MYCOPHENOLATE_MOFETIL, 1750, 2)),
                results=(result(Lab.HBSAG, interpretation=Qualitative.POSITIVE),
                         result(Lab.LYMPHOCYTES, value=0.6666667, unit="10*9/L")))
    yield facts(age=9.6, weight_kg=27.35, height_cm=131.2,
                medications=(order(Drug.PREDNISOLONE, 57.5, days=3), order(Drug.METHOTREXATE, 12.5, 1 / 7)))


def _fixture_facts():
    for path in sorted((ROOT / "fixtures" / "requests").glob("*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))
        yield build_facts(request["hook"], request.get("context", {}), request.get("prefetch", {}), NOW)


def card_texts() -> list[str]:
    texts: list[str] = []
    for patient in [*_risk_patients(), *_fixture_facts()]:
        for found in evaluate(all_recommendations(), patient, {}, strict=True):
            finding = found.finding
            texts += [finding.summary, finding.detail, *finding.facts_used, *(s.label for s in finding.suggestions)]
            texts += [a.description for s in finding.suggestions for a in s.actions]
    return texts


@pytest.fixture(scope="module")
def cards() -> list[str]:
    texts = card_texts()
    assert len(texts) > 100  # the patients above make most recommendations speak
    return texts


def test_no_card_names_an_internal_document(cards):
    assert [text for text in cards if INTERNAL_DOCUMENT.search(text)] == []


def test_no_card_shows_float_noise(cards):
    assert [text for text in cards if FLOAT_NOISE.search(text)] == []


def test_cards_give_ages_in_whole_years(cards):
    assert [text for text in cards if FRACTIONAL_AGE.search(text)] == []


def test_code_documentation_and_settings_name_no_internal_document():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "config").glob("*")),
             *sorted((ROOT / "fhir_mappings" / "terminology").glob("*.json")),
             *(path for package in ("hooks", "fhir_mappings", "cds_service") for path in (ROOT / package).rglob("*.py"))]
    offending = [f"{path.name}:{number}" for path in files
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"REFERENCE\.md|source summar|summary \d{3}", line)]
    assert offending == []


def test_every_evidence_section_cited_exists():
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")))
    sources = [*ROOT.joinpath("hooks").rglob("*.py"), *ROOT.joinpath("fhir_mappings").rglob("*.py"),
               *(ROOT / "docs").glob("*.md"), *(ROOT / "config").glob("*.toml")]
    cited = {anchor for path in sources
             for anchor in re.findall(r"evidence\.md#([a-z0-9-]+)", path.read_text(encoding="utf-8"))}
    assert cited and cited <= anchors, sorted(cited - anchors)


# --- the shared formatter ------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [
    (106.72000000000001, "106.72"), (80.0, "80"), (0.857142857, "0.86"), (1250.0, "1250"), (1e-9, "0"),
    (-0.001, "0"), (2.5, "2.5"),
])
def test_num_shows_a_dose_without_float_noise(value, shown):
    assert num(value) == shown


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
def test_num_never_uses_exponent_notation_or_more_than_two_decimals(value):
    text = num(value)
    assert "e" not in text and len(text.partition(".")[2]) <= 2


def test_measured_keeps_the_labs_precision_and_drops_conversion_noise():
    assert (measured(0.85), measured(1.0000000002), measured(4850.0)) == ("0.85", "1", "4850")


@pytest.mark.parametrize(("age", "shown"), [(70.99, "70"), (17.999, "17"), (18.0, "18"), (0.4, "0")])
def test_years_are_completed_years(age, shown):
    assert years(age) == shown


def rendered_cards() -> list[dict]:
    """Every card the patients above get, rendered as sent."""
    cards = []
    for patient in [*_risk_patients(), *_fixture_facts()]:
        results = evaluate(all_recommendations(), patient, {}, strict=True)
        cards += [r.card for r in render(results, patient, selection_behavior="at-most-one")]
    return cards


def rendered_details() -> list[str]:
    """The detail of every card of one finding (the care-plan card has one section per gap, below)."""
    return [card["detail"] for card in rendered_cards() if card["source"]["topic"]["code"] != "care-plan"]


def test_every_care_plan_section_reads_its_gap_then_the_action_then_why_then_its_guideline_link():
    plans = [card for card in rendered_cards() if card["source"]["topic"]["code"] == "care-plan"]
    assert plans
    for card in plans:
        sections = re.split(r"\n\n(?=\*\*\d+\. )", card["detail"])
        assert len(sections) == len(card["extension"]["urn:myositis-cds:findings"]) >= 2
        for section in sections:
            paragraphs = section.split("\n\n")
            assert paragraphs[-2].startswith("Why: ") or paragraphs[-1].startswith("Why: "), section
            assert sum(p.startswith("See the guideline: ") for p in paragraphs) == 1, section  # linked, or above


def test_no_card_text_names_a_file_of_the_repository():
    for card in rendered_cards():
        assert "docs/" not in card["summary"] + card["detail"] + card["source"]["label"], card["detail"]


def test_every_card_detail_reads_action_then_why_this_card_then_one_short_guideline_last():
    details = rendered_details()
    assert len(details) > 20
    for detail in details:
        paragraphs = detail.split("\n\n")
        why = next(i for i, p in enumerate(paragraphs) if p.startswith("**Why this card**"))
        assert why > 0, detail  # the action comes first
        guidelines = [i for i, p in enumerate(paragraphs) if "Guideline:" in p]
        assert guidelines in ([], [len(paragraphs) - 1]), detail  # at most one, and last
        if guidelines:
            assert len(paragraphs[-1].split("](", 1)[0]) < GUIDELINE_CHARS + 300, detail
