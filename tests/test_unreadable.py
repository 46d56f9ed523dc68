"""Never silent when blind (issue 21): one notice names what could not be read and the checks it switched
off; a record read completely gets none; an unreadable fact never becomes a card that asserts something.

Registry-wide: every recommendation declares what it reads (`hooks.unreadable.NEEDS`); for each one, a record
where a fact it needs is unreadable gets the notice naming it, and, for each recommendation that fires on a
fixture of this repository, the same record made unreadable loses the card and gets the notice instead.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest

from fhir_mappings.concepts import Drug, Lab, MyositisSubtype
from fhir_mappings.facts import Unreadable, UnreadableReason
from fhir_mappings.parse import build_facts
from hooks import engine
from hooks.recommendation import ORDER_SIGN, PATIENT_VIEW, Indicator
from hooks.registry import all_recommendations
from hooks.settings import resolve
from hooks.unreadable import NEEDS, UNREADABLE_DATA, check_name, notice
from tests.factories import NOW, UNFOLDED, facts, order

RECOMMENDATIONS = tuple(all_recommendations())
SETTINGS = resolve(RECOMMENDATIONS, UNFOLDED)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: Recommendations that read no fact of their own that could be unreadable, and why.
READS_NOTHING_UNREADABLE = {
    "draft-strength-conflict": "its fact is a conflict between two readable strengths; it is its own card",
}


def needed_item(recommendation_id: str, draft: bool) -> Unreadable:
    """An unreadable item of a fact this recommendation needs."""
    needs = NEEDS[recommendation_id]
    if needs.doses:
        drug = sorted(needs.doses)[0]
        return Unreadable(UnreadableReason.DOSE, f"{drug.value} order", "unit 'puff'", drug=drug, is_draft=draft)
    return Unreadable(UnreadableReason.MEDICATION, "1 tab weekly", "Medication/9 was not available", is_draft=draft)


def notice_of(record, settings=SETTINGS):
    return notice(record, RECOMMENDATIONS, engine.applicable, lambda r: settings.get(r.id, r.defaults()))


def test_every_recommendation_declares_what_it_reads_and_names_its_check():
    assert set(NEEDS) == {r.id for r in RECOMMENDATIONS}
    assert all(needs.check for needs in NEEDS.values())


@pytest.mark.parametrize("recommendation", RECOMMENDATIONS, ids=lambda r: r.id)
def test_an_unreadable_fact_a_recommendation_needs_is_named_with_it_on_the_notice(recommendation):
    hook = PATIENT_VIEW if PATIENT_VIEW in recommendation.hooks else sorted(recommendation.hooks)[0]
    if recommendation.requires_myositis:
        item = Unreadable(UnreadableReason.CODE_SYSTEM, "Dermatomyositis", "coded only as text",
                          named=(MyositisSubtype.DERMATOMYOSITIS,))
        record = facts(hook=hook, myositis=None, unreadable=(item,))
    elif recommendation.id in READS_NOTHING_UNREADABLE:
        assert not NEEDS[recommendation.id].drugs | NEEDS[recommendation.id].doses
        return
    else:
        item = needed_item(recommendation.id, hook != PATIENT_VIEW)
        when = NEEDS[recommendation.id].when or (lambda _: True)
        subtype = next(s for s in MyositisSubtype if when(facts(myositis=s)))  # a patient the rule is about
        record = facts(hook=hook, myositis=subtype, unreadable=(item,))
    found = notice_of(record)
    assert found is not None and any(check_name(recommendation).lower() in line.lower() for line in found.finding.facts_used)


def test_a_record_read_completely_gets_no_notice():
    assert notice_of(facts(medications=(order(Drug.PREDNISONE, 20),))) is None


def test_an_unreadable_prednisone_dose_names_the_order_and_the_checks_it_switched_off():
    item = Unreadable(UnreadableReason.DOSE, "Prednisone 20 mg tab, 3 tabs daily", "timing code '696530'",
                      drug=Drug.PREDNISONE)
    found = notice_of(facts(medications=(order(Drug.PREDNISONE, None),), unreadable=(item,))).finding
    (line,) = found.facts_used
    assert line.endswith(" not checked for 'Prednisone 20 mg tab, 3 tabs daily': its dose could not be read "
                         "(timing code '696530').")
    for check in ("PJP prophylaxis", "bone protection", "the taper"):
        assert check.lower() in line.lower()
    assert found.indicator is Indicator.INFO and found.suggestions == ()


def test_the_notice_is_a_warning_on_order_sign_when_a_draft_being_signed_could_not_be_read():
    item = Unreadable(UnreadableReason.DOSE, "Methotrexate, 3 puffs", "unit 'puff'", drug=Drug.METHOTREXATE,
                      is_draft=True)
    record = facts(hook=ORDER_SIGN, medications=(order(Drug.METHOTREXATE, None, draft=True),), unreadable=(item,))
    found = notice_of(record).finding
    assert found.indicator is Indicator.WARNING
    assert found.summary == "Not checked: a draft order being signed could not be read"


def test_order_hooks_leave_out_record_items_that_concern_no_drafted_drug():
    item = Unreadable(UnreadableReason.DOSE, "Prednisone", "unit 'puff'", drug=Drug.PREDNISONE)
    record = facts(hook=ORDER_SIGN, medications=(order(Drug.HYDROXYCHLOROQUINE, 200, draft=True),), unreadable=(item,))
    assert notice_of(record) is None


def test_a_text_only_diagnosis_of_a_patient_without_myositis_that_names_none_gets_no_notice():
    item = Unreadable(UnreadableReason.CODE_SYSTEM, "Hypertension", "coded only as text")
    assert notice_of(facts(myositis=None, unreadable=(item,))) is None


def test_a_text_only_diagnosis_of_a_myositis_patient_is_named():
    item = Unreadable(UnreadableReason.CODE_SYSTEM, "Pregnant", "coded only as text")
    (line,) = notice_of(facts(unreadable=(item,))).finding.facts_used
    assert line.startswith("'Pregnant': the diagnosis could not be read (coded only as text); the checks that depend")


def egfr_beyond(comparator, bound):
    return Unreadable(UnreadableReason.COMPARATOR, f"eGFR {comparator}{bound}", f"reported as {comparator}{bound}",
                      lab=Lab.EGFR, bound=(comparator, bound))


def test_an_egfr_bound_that_decides_every_limit_switches_nothing_off():
    assert notice_of(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),), unreadable=(egfr_beyond(">", 60),))) is None


def test_an_egfr_bound_that_cannot_be_compared_with_a_limit_names_the_check():
    record = facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),), unreadable=(egfr_beyond(">", 45),))
    (line,) = notice_of(record).finding.facts_used
    assert line.startswith("Methotrexate and kidney function not checked for 'eGFR >45'")


def test_an_egfr_bound_is_not_named_for_checks_of_drugs_the_patient_is_not_on():
    assert notice_of(facts(unreadable=(egfr_beyond(">", 45),))) is None


def test_the_notice_is_never_folded_and_comes_last():
    record = facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),), unreadable=(egfr_beyond(">", 45),))
    results = engine.evaluate(RECOMMENDATIONS, record, resolve(RECOMMENDATIONS, {}))
    assert results[-1].recommendation is UNREADABLE_DATA


def test_a_recommendation_with_a_card_in_the_response_is_not_named_as_not_checked():
    item = Unreadable(UnreadableReason.DOSE, "Prednisone", "x", drug=Drug.PREDNISONE)
    record = facts(medications=(order(Drug.PREDNISONE, None, days=200),), unreadable=(item,))
    shown = engine.evaluate(RECOMMENDATIONS, record, SETTINGS)
    ran = {r.recommendation.id for r in shown} - {UNREADABLE_DATA.id}
    notice_line = shown[-1].finding.facts_used[0].lower()
    assert ran and not any(check_name(r).lower() + "," in notice_line for r in RECOMMENDATIONS if r.id in ran)


# --- the same record, readable and not, through the mapping -----------------------------------------------------


def _fixture_requests():
    for path in sorted(FIXTURES.glob("*/*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(request, dict) and isinstance(request.get("prefetch"), dict):
            yield path, request


def _cards(request):
    record = build_facts(request.get("hook", PATIENT_VIEW), request.get("context", {}), request["prefetch"], NOW)
    return {r.recommendation.id: r for r in engine.evaluate(RECOMMENDATIONS, record, SETTINGS)}


def _resources(value):
    if isinstance(value, list):
        for item in value:
            yield from _resources(item)
    elif isinstance(value, dict):
        if value.get("resourceType") == "Bundle":
            for entry in value.get("entry", []):
                yield from _resources(entry.get("resource"))
        elif "resourceType" in value:
            yield value
        else:
            for item in value.values():
                yield from _resources(item)


def unreadable_version(request, recommendation):
    """The request with the facts this recommendation needs made unreadable: its myositis diagnoses coded only
    as text, or the orders of the drugs it reads naming only a Medication that was not sent."""
    changed = copy.deepcopy(request)
    drugs = NEEDS[recommendation.id].drugs
    for resource in [*_resources(changed["prefetch"]), *_resources(changed.get("context", {}))]:
        if recommendation.requires_myositis and resource["resourceType"] == "Condition":
            resource["code"] = {"text": "Dermatomyositis"}
        if not recommendation.requires_myositis and resource["resourceType"] == "MedicationRequest":
            record = build_facts(PATIENT_VIEW, {}, {"one": resource}, NOW)
            if any(m.drug in drugs for m in record.medications):
                resource.pop("medicationCodeableConcept", None)
                resource["medicationReference"] = {"reference": "Medication/not-sent"}
    return changed


def _firing():
    found = {}
    for path, request in _fixture_requests():
        for rule in _cards(request):
            found.setdefault(rule, (path, request))
    return [(r, *found[r.id]) for r in RECOMMENDATIONS if r.id in found and r.id not in READS_NOTHING_UNREADABLE]


@pytest.mark.parametrize(("recommendation", "path", "request_json"), _firing(), ids=lambda x: getattr(x, "id", ""))
def test_a_record_made_unreadable_loses_the_card_and_gets_the_notice_naming_it(recommendation, path, request_json):
    assert recommendation.id in _cards(request_json)
    blind = _cards(unreadable_version(request_json, recommendation))
    assert recommendation.id not in blind, path.name
    assert any(check_name(recommendation).lower() in line.lower() for line in blind[UNREADABLE_DATA.id].finding.facts_used), path.name


def test_every_recommendation_that_could_fire_on_a_fixture_is_in_the_round_trip():
    assert len(_firing()) >= 20


def test_an_unreadable_fact_never_yields_an_asserting_card_of_its_own():
    record = facts(medications=(replace(order(Drug.PREDNISONE, None), dose_problem="dose not interpretable: x"),),
                   unreadable=(Unreadable(UnreadableReason.DOSE, "Prednisone", "x", drug=Drug.PREDNISONE),))
    ids = {r.recommendation.id for r in engine.evaluate(RECOMMENDATIONS, record, SETTINGS)}
    assert not ids & {"gc-taper", "gc-initial-dose", "pjp-prophylaxis"}


def test_a_rule_that_needs_the_number_says_it_cannot_compare_a_bound():
    from fhir_mappings.concepts import Condition
    from tests.factories import condition, result

    egfr = result(Lab.EGFR, value=30, unit="mL/min/{1.73_m2}", comparator=">")
    record = facts(medications=(order(Drug.PREDNISONE, 20, days=200),), results=(egfr,),
                   conditions=(condition(Condition.OSTEOPOROSIS),))
    card = engine.evaluate(RECOMMENDATIONS, record, SETTINGS)
    bone = next(r for r in card if r.recommendation.id == "bone-protection").finding
    (alendronate,) = [s for s in bone.suggestions if "alendronate" in s.label.lower()]
    assert "eGFR >30" in alendronate.label and "cannot be compared with the cut-off of 35" in alendronate.label
    assert not alendronate.is_recommended  # the order-safety check does not pre-select it


def test_a_check_about_other_patients_is_not_named():
    item = Unreadable(UnreadableReason.DOSE, "Methotrexate", "unit 'puff'", drug=Drug.METHOTREXATE)
    (line,) = notice_of(facts(medications=(order(Drug.METHOTREXATE, None, 1 / 7),), unreadable=(item,))).finding.facts_used
    assert "uvenile" not in line and line.startswith("The methotrexate dose not checked")
