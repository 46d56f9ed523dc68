"""statin-anti-hmgcr (docs/evidence.md#statin-anti-hmgcr): a statin with anti-HMGCR or IMNM is stopped."""

from fhir_mappings.concepts import Antibody, Drug, MyositisSubtype, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.statin_anti_hmgcr import RECOMMENDATION
from tests.factories import DM, condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
HMGCR_POSITIVE = (result(Antibody.HMGCR, interpretation=Qualitative.POSITIVE),)
IMNM = MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_statin_with_anti_hmgcr_positive_warns():
    finding = run(facts(medications=(order(Drug.ATORVASTATIN, 40),), results=HMGCR_POSITIVE))
    assert finding.indicator is Indicator.WARNING
    assert "stop the statin" in finding.summary


def test_statin_with_imnm_diagnosis_warns():
    assert run(facts(myositis=IMNM, medications=(order(Drug.SIMVASTATIN, 20),))).indicator is Indicator.WARNING


def test_imnm_on_the_problem_list_counts_even_when_another_subtype_ranks_first():
    f = facts(myositis=DM, conditions=(condition(IMNM),), medications=(order(Drug.ROSUVASTATIN, 10),))
    assert run(f) is not None


def test_statin_with_anti_hmgcr_negative_is_silent():
    negative = (result(Antibody.HMGCR, interpretation=Qualitative.NEGATIVE),)
    assert run(facts(medications=(order(Drug.ATORVASTATIN, 40),), results=negative)) is None


def test_anti_hmgcr_positive_without_statin_is_silent():
    assert run(facts(medications=(order(Drug.PREDNISONE, 60),), results=HMGCR_POSITIVE)) is None


def test_stopped_statin_is_silent():
    stopped = order(Drug.ATORVASTATIN, 40, status="stopped")
    assert run(facts(medications=(stopped,), results=HMGCR_POSITIVE)) is None


def test_patient_view_suggestion_updates_the_statin_on_record_to_stopped():
    statin = order(Drug.ATORVASTATIN, 40, ref="MedicationRequest/statin-1",
                   resource={"resourceType": "MedicationRequest", "id": "statin-1", "status": "active",
                             "intent": "order", "subject": {"reference": "Patient/example"}})
    [suggestion] = run(facts(medications=(statin,), results=HMGCR_POSITIVE)).suggestions
    [action] = suggestion.actions
    assert suggestion.is_recommended
    assert action.type == "update"
    assert (action.resource["id"], action.resource["status"]) == ("statin-1", "stopped")
    assert action.resource["subject"] == {"reference": "Patient/example"}


def test_stop_suggestion_does_not_modify_the_resource_on_record():
    sent = {"resourceType": "MedicationRequest", "id": "statin-1", "status": "active", "intent": "order"}
    statin = order(Drug.ATORVASTATIN, 40, ref="MedicationRequest/statin-1", resource=sent)
    run(facts(medications=(statin,), results=HMGCR_POSITIVE))
    assert sent["status"] == "active"


def test_update_is_rebuilt_from_the_facts_when_no_resource_was_kept():
    statin = order(Drug.PRAVASTATIN, 40, ref="MedicationRequest/statin-2", rxnorm="42463")
    [action] = run(facts(medications=(statin,), results=HMGCR_POSITIVE)).suggestions[0].actions
    assert action.resource["resourceType"] == "MedicationRequest"
    assert (action.resource["id"], action.resource["status"]) == ("statin-2", "stopped")
    assert action.resource["medicationCodeableConcept"]["coding"][0]["code"] == "42463"


def test_draft_statin_suggestion_deletes_the_draft():
    draft = order(Drug.ATORVASTATIN, 40, draft=True, ref="MedicationRequest/new-statin")
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-select", medications=(draft,), results=HMGCR_POSITIVE),
                       {}, strict=True)
    [action] = found.finding.suggestions[0].actions
    assert (action.type, action.resource_id) == ("delete", "MedicationRequest/new-statin")
    assert found.finding.about_drafts == ("MedicationRequest/new-statin",)


def test_order_select_of_another_drug_is_silent_through_the_engine():
    meds = (order(Drug.ATORVASTATIN, 40), order(Drug.METHOTREXATE, 15, 1 / 7, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds, results=HMGCR_POSITIVE),
                    {}, strict=True) == []


def test_fires_with_anti_hmgcr_positive_and_no_myositis_diagnosis_through_the_engine():
    f = facts(myositis=None, medications=(order(Drug.ATORVASTATIN, 40),), results=HMGCR_POSITIVE)
    assert len(evaluate((RECOMMENDATION,), f, {}, strict=True)) == 1
