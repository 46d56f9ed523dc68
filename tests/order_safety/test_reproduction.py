"""Pregnancy, planned pregnancy, breastfeeding and childbearing potential."""

from fhir_mappings.concepts import Condition, Lab, Qualitative
from hooks.order_safety.decision import Verdict
from tests.factories import condition, facts, result
from tests.order_safety.candidates import (
    ALENDRONATE,
    AZATHIOPRINE,
    MYCOPHENOLATE,
    NORMAL_EGFR,
    candidate,
    decision,
    weekly_methotrexate,
)


def woman(*conditions, results=()):
    return facts(sex="female", age=30, childbearing_potential=True,
                 conditions=tuple(condition(c) for c in conditions), results=(NORMAL_EGFR, *results))


def test_teratogens_are_left_out_in_pregnancy_planned_pregnancy_and_breastfeeding():
    for state in (Condition.PREGNANCY, Condition.PREGNANCY_PLANNED, Condition.BREASTFEEDING):
        assert decision(woman(state), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT
        assert decision(woman(state), candidate(MYCOPHENOLATE, 500, frequency=2)).verdict is Verdict.LEAVE_OUT


def test_a_recent_positive_hcg_counts_as_pregnancy():
    hcg = result(Lab.HCG, interpretation=Qualitative.POSITIVE, days_ago=3)
    assert decision(woman(results=(hcg,)), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_oral_bisphosphonate_is_left_out_in_pregnancy():
    found = decision(woman(Condition.PREGNANCY), candidate(ALENDRONATE, 70, period_unit="wk"))
    assert found.verdict is Verdict.LEAVE_OUT and "ACR 2022 GIOP" in found.reason


def test_childbearing_potential_alone_offers_methotrexate_with_the_contraception_note():
    found = decision(woman(), weekly_methotrexate())
    assert found.verdict is Verdict.OFFER and "contraception" in found.reason


def test_azathioprine_is_offered_in_pregnancy():
    assert decision(woman(Condition.PREGNANCY), candidate(AZATHIOPRINE, 50)).verdict is Verdict.OFFER


def test_a_man_gets_no_contraception_note():
    assert decision(facts(results=(NORMAL_EGFR,)), weekly_methotrexate()).reason == ""


def test_a_positive_hcg_six_weeks_ago_with_no_later_test_still_blocks_methotrexate():
    hcg = result(Lab.HCG, interpretation=Qualitative.POSITIVE, days_ago=41)
    assert decision(woman(results=(hcg,)), weekly_methotrexate()).verdict is Verdict.LEAVE_OUT


def test_a_negative_hcg_after_a_positive_one_ends_it():
    results = (result(Lab.HCG, interpretation=Qualitative.POSITIVE, days_ago=60),
               result(Lab.HCG, interpretation=Qualitative.NEGATIVE, days_ago=2))
    assert decision(woman(results=results), weekly_methotrexate()).verdict is not Verdict.LEAVE_OUT
