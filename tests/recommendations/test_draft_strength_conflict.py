"""draft-strength-conflict: a draft whose RxNorm product code and text state different strengths."""

from hooks.recommendation import Indicator
from hooks.recommendations.draft_strength_conflict import RECOMMENDATION
from tests.fhir_builders import draft_orders, medication_request
from tests.mappings.conftest import facts_of


def run(*drafts):
    facts = facts_of(hook="order-sign", context={"draftOrders": draft_orders(*drafts)})
    return RECOMMENDATION.evaluate(facts, RECOMMENDATION.defaults())


def test_a_5_mg_product_code_with_a_20_mg_text_warns_and_names_both_strengths():
    finding = run(medication_request("312617", text="predniSONE 20 MG Oral Tablet", dose=1, unit="{tbl}", id="d1"))
    assert finding.indicator is Indicator.WARNING
    assert finding.about_drafts == ("MedicationRequest/d1",)
    assert "5 mg per oral tablet" in finding.facts_used[0] and "20 MG" in finding.facts_used[0]


def test_a_product_code_agreeing_with_its_text_is_silent():
    assert run(medication_request("312617", text="predniSONE 5 MG Oral Tablet", dose=1, unit="{tbl}")) is None


def test_a_conflict_on_a_record_order_is_not_a_draft_card():
    facts = facts_of(medication_request("312617", text="predniSONE 20 MG Oral Tablet", dose=1, unit="{tbl}"),
                     hook="order-sign")
    assert RECOMMENDATION.evaluate(facts, RECOMMENDATION.defaults()) is None


def test_it_applies_to_patients_without_myositis():
    assert RECOMMENDATION.requires_myositis is False
