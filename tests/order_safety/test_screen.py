"""The screen: what happens to a card's suggestions, and that the engine applies it to every card."""

import pytest

from fhir_mappings.concepts import Drug, Lab
from hooks import engine
from hooks import settings as rule_settings
from hooks.actions import stop_order
from hooks.lab_orders import lab_order
from hooks.order_safety.screen import NOT_OFFERED_HEADING, screen_finding
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Recommendation,
    Suggestion,
)
from tests.factories import facts, order, result
from tests.order_safety.candidates import (
    ATOVAQUONE,
    AZATHIOPRINE,
    EGFR_UNIT,
    METHOTREXATE,
    PARAMS,
    TMP_SMX_DS,
    resource,
)


def egfr(value, **extra):
    return facts(results=(result(Lab.EGFR, value=value, unit=EGFR_UNIT),), **extra)


def option(label, product, dose, unit="mg", recommended=False, **schedule):
    action = Action("create", f"Draft order: {label}", resource(product, dose, unit, **schedule))
    return Suggestion(label, (action,), is_recommended=recommended)


METHOTREXATE_OPTION = option("Order methotrexate 15 mg once weekly", METHOTREXATE, 15, recommended=True,
                             period_unit="wk")
AZATHIOPRINE_OPTION = option("Order azathioprine 50 mg daily", AZATHIOPRINE, 50)


def card(*suggestions):
    return Finding(Indicator.WARNING, "Add a steroid-sparing agent", "Start one.", ("Diagnosis: dermatomyositis",),
                   suggestions=suggestions)


def test_a_left_out_option_is_removed_and_the_detail_says_which_and_why():
    screened = screen_finding(card(METHOTREXATE_OPTION, AZATHIOPRINE_OPTION), egfr(20), PARAMS)
    assert [s.label for s in screened.suggestions] == ["Order azathioprine 50 mg daily"]
    assert NOT_OFFERED_HEADING in screened.detail
    assert "“Order methotrexate 15 mg once weekly” not offered: eGFR 20" in screened.detail


def test_the_next_safe_option_is_pre_selected_when_the_pre_selected_one_is_left_out():
    screened = screen_finding(card(METHOTREXATE_OPTION, AZATHIOPRINE_OPTION), egfr(20), PARAMS)
    assert screened.suggestions[0].is_recommended


def test_an_option_held_back_for_missing_data_passes_pre_selection_to_no_one():
    screened = screen_finding(card(METHOTREXATE_OPTION, AZATHIOPRINE_OPTION), facts(), PARAMS)
    assert not any(s.is_recommended for s in screened.suggestions)
    assert "not pre-selected: no eGFR" in screened.suggestions[0].label


def test_an_adjusted_option_carries_the_new_dose_and_says_why():
    [adjusted] = screen_finding(card(METHOTREXATE_OPTION), egfr(40), PARAMS).suggestions
    assert adjusted.label.startswith("Order methotrexate 7.5 mg once weekly (eGFR 40")
    [action] = adjusted.actions
    assert action.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 7.5
    assert adjusted.is_recommended


def test_tmp_smx_at_egfr_22_becomes_the_single_strength_tablet():
    ds = option("Order TMP-SMX DS 1 tablet daily", TMP_SMX_DS, 1, "{tbl}", recommended=True)
    [adjusted] = screen_finding(card(ds), egfr(22), PARAMS).suggestions
    assert adjusted.actions[0].resource["medicationCodeableConcept"]["coding"][0]["code"] == "198334"


def test_a_card_whose_options_all_go_still_speaks():
    screened = screen_finding(card(METHOTREXATE_OPTION), egfr(20), PARAMS)
    assert screened.suggestions == () and screened.summary == "Add a steroid-sparing agent"


def test_an_order_the_service_cannot_read_is_left_out():
    unknown = option("Order something", ("999999", "Unknown product"), 10)
    screened = screen_finding(card(unknown), egfr(90), PARAMS)
    assert screened.suggestions == () and "not one this service can check" in screened.detail


def test_stopping_an_order_and_ordering_a_test_are_not_screened():
    stop = Suggestion("Stop methotrexate", (stop_order(order(Drug.METHOTREXATE, 15, 1 / 7), "Patient/example"),),
                      is_recommended=True)
    test = Suggestion("Order G6PD", (lab_order("Patient/example", ("2357-2", "G6PD"), "why", "Draft order"),))
    finding = card(stop, test)
    assert screen_finding(finding, egfr(20), PARAMS) is finding


def test_a_replacement_that_deletes_the_draft_is_no_duplicate_of_it():
    draft = order(Drug.DAPSONE, 100, draft=True)
    replace = Suggestion("Replace dapsone with atovaquone", (
        Action("delete", "Remove dapsone", resource_id=draft.reference),
        Action("create", "Draft order: atovaquone", resource(ATOVAQUONE, 1500))), is_recommended=True)
    screened = screen_finding(card(replace), egfr(90, medications=(draft,)), PARAMS)
    assert screened.suggestions[0].is_recommended


def _unsafe_card(facts_, params):
    return card(METHOTREXATE_OPTION)


UNSAFE = Recommendation(
    id="test-unsafe-order", title="Offers methotrexate to anyone",
    citation=Citation("test", "https://example.org", "test"), trigger="always", hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}), evaluate=_unsafe_card, requires_myositis=False)


def test_the_engine_screens_every_card_so_no_recommendation_can_bypass_the_check():
    [result_] = engine.evaluate((UNSAFE,), egfr(20), {})
    assert result_.finding.suggestions == ()


def test_order_safety_thresholds_are_overridden_in_the_rule_settings():
    settings = rule_settings.resolve((UNSAFE,), {"order-safety": {"methotrexate_avoid_below_egfr": 15}})
    [result_] = engine.evaluate((UNSAFE,), egfr(20), settings)
    assert result_.finding.suggestions[0].label.startswith("Order methotrexate 7.5 mg")


def test_an_unknown_order_safety_setting_stops_start_up():
    with pytest.raises(ValueError, match="order-safety has no parameter"):
        rule_settings.resolve((UNSAFE,), {"order-safety": {"methotrexate_below": 15}})


def test_a_card_the_screen_cannot_check_is_not_sent_unscreened(monkeypatch):
    def broken(*_):
        raise RuntimeError("screen defect")
    monkeypatch.setattr(engine, "screen_finding", broken)
    assert engine.evaluate((UNSAFE,), egfr(90), {}) == []
