"""Fewer, sharper cards (hooks.consolidate): one start-of-therapy card per new drug, no order suggested twice,
information cards folded into one care-plan card (all of them by default; beyond the card budget with care_plan
off). The care plan end to end: tests/test_care_plan.py."""

from dataclasses import replace

from cds_service.protocol.cards import detail as card_detail
from fhir_mappings.concepts import Drug
from hooks import consolidate
from hooks.consolidate import (
    CARE_PLAN,
    deduplicate_orders,
    fold_information,
    hold_start_checks,
    merge_start_of_therapy,
)
from hooks.engine import evaluate
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Recommendation,
    Result,
    StartCheck,
    Suggestion,
)
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import facts, order


def recommendation(rec_id: str, specificity: int = 0, plan: str = "") -> Recommendation:
    return Recommendation(
        id=rec_id, title=f"Title of {rec_id}", citation=Citation(f"Guideline {rec_id}", f"https://example.org/{rec_id}",
                                                                "Statement."),
        trigger="always", hooks=ALL_HOOKS, indicators=frozenset(Indicator), evaluate=lambda f, p: None,
        specificity=specificity, plan=plan,
    )


def lab(code: str) -> Action:
    return Action("create", f"Draft order: test {code}", {"resourceType": "ServiceRequest",
                                                          "code": {"coding": [{"code": code}]}})


def suggestion(label: str, *codes: str, recommended: bool = True) -> Suggestion:
    return Suggestion(label, tuple(lab(c) for c in codes), is_recommended=recommended)


def result(rec_id: str, indicator=Indicator.WARNING, *, suggestions=(), start=None, specificity=0, plan="") -> Result:
    finding = Finding(indicator=indicator, summary=f"Summary of {rec_id}", detail=f"Detail of {rec_id}.",
                      facts_used=(f"fact of {rec_id}",), suggestions=tuple(suggestions),
                      start_check=StartCheck("methotrexate", start) if start else None)
    return Result(recommendation(rec_id, specificity, plan), finding)


def codes(r: Result) -> list[str]:
    return [a.resource["code"]["coding"][0]["code"] for s in r.finding.suggestions for a in s.actions]


# --- no start-of-therapy orders for a drug a critical card asks to remove ---------------------------------------
def about(r: Result, *references: str) -> Result:
    return Result(r.recommendation, replace(r.finding, about_drafts=references))


def remove_draft(reference: str) -> Suggestion:
    return Suggestion("Remove the draft", (Action("delete", "Remove the draft", resource_id=reference),))


def test_start_checks_lose_their_orders_while_a_critical_card_removes_their_draft():
    start = about(result("a-baseline", suggestions=[suggestion("Order baseline tests", "1")], start="order tests"),
                  "MedicationRequest/mtx")
    stop = about(result("b-pregnancy", Indicator.CRITICAL, suggestions=[remove_draft("MedicationRequest/mtx")]),
                 "MedicationRequest/mtx")
    held, critical = hold_start_checks([start, stop])
    assert held.finding.suggestions == ()
    assert "critical card asks to remove this draft" in held.finding.detail
    assert critical is stop


def test_start_checks_keep_their_orders_when_the_critical_card_concerns_another_draft():
    start = about(result("a-baseline", suggestions=[suggestion("Order baseline tests", "1")], start="order tests"),
                  "MedicationRequest/mtx")
    stop = result("b-other", Indicator.CRITICAL, suggestions=[remove_draft("MedicationRequest/other")])
    assert hold_start_checks([start, stop])[0] is start


# --- one card per new drug's start-of-therapy checks ---------------------------------------------------------
def test_start_of_therapy_checks_of_one_drug_become_one_card_with_every_item():
    tests = result("a-baseline", suggestions=[suggestion("Order baseline tests", "1", "2")], start="order tests")
    folate = result("b-folate", suggestions=[suggestion("Order folic acid daily", "F1"),
                                             suggestion("Order folic acid weekly", "F5", recommended=False)],
                    start="add folic acid")
    [card] = merge_start_of_therapy([tests, folate])
    assert card.recommendation.id == "a-baseline"
    assert card.finding.summary == "Starting methotrexate: order tests, add folic acid"
    assert [s.label for s in card.finding.suggestions] == ["Order baseline tests + folic acid daily",
                                                           "Order baseline tests + folic acid weekly"]
    assert codes(card) == ["1", "2", "F1", "1", "2", "F5"]
    assert [s.is_recommended for s in card.finding.suggestions] == [True, False]


def test_the_start_card_keeps_every_part_summary_fact_and_source():
    [card] = merge_start_of_therapy([result("a-baseline", start="x"), result("b-folate", start="y")])
    assert "**Summary of a-baseline**" in card.finding.detail and "**Summary of b-folate**" in card.finding.detail
    assert card.finding.facts_used == ("fact of a-baseline", "fact of b-folate")
    assert [link.url for link in card.finding.links] == ["https://example.org/a-baseline", "https://example.org/b-folate"]


def test_the_start_card_takes_the_most_severe_indicator_and_its_recommendation():
    [card] = merge_start_of_therapy([result("a-baseline", start="x"), result("z-pregnancy", Indicator.CRITICAL, start="y")])
    assert card.finding.indicator is Indicator.CRITICAL and card.recommendation.id == "z-pregnancy"


def test_a_single_start_check_and_other_findings_are_left_as_they_are():
    results = [result("a-baseline", start="x"), result("other")]
    assert merge_start_of_therapy(results) == results


# --- nothing asked twice --------------------------------------------------------------------------------------
def test_an_order_suggested_twice_stays_on_the_more_severe_card_and_the_other_refers_to_it():
    screening = result("screening", suggestions=[suggestion("Order serology", "HBS", "HCV")])
    critical = result("urgent", Indicator.CRITICAL, suggestions=[suggestion("Order HBsAg", "HBS")])
    kept, moved = deduplicate_orders([critical, screening])
    assert codes(kept) == ["HBS"] and codes(moved) == ["HCV"]
    assert 'test HBS: ordered from the "Summary of urgent" card.' in moved.finding.detail


def test_between_equally_severe_cards_the_declared_specificity_decides():
    generic = result("a-generic", suggestions=[suggestion("Order serology", "HBS")])
    specific = result("b-specific", suggestions=[suggestion("Order baseline", "HBS", "ALT")], specificity=1)
    generic_after, specific_after = deduplicate_orders([generic, specific])
    assert codes(specific_after) == ["HBS", "ALT"] and generic_after.finding.suggestions == ()


def test_a_card_that_asks_nothing_twice_is_unchanged():
    results = [result("a", suggestions=[suggestion("x", "1")]), result("b", suggestions=[suggestion("y", "2")])]
    assert deduplicate_orders(results) == results


# --- the card budget ---------------------------------------------------------------------------------------------
def test_warnings_are_never_folded_and_information_beyond_the_budget_is():
    warnings = [result(f"w{i}") for i in range(3)]
    information = [result(f"i{i}", Indicator.INFO, suggestions=[suggestion(f"Order {i}", str(i))]) for i in range(3)]
    shown = fold_information(warnings + information, budget=4, all_information=False)
    assert [r.recommendation.id for r in shown] == ["w0", "w1", "w2", CARE_PLAN.id]
    folded = shown[-1].finding
    assert all(f"**{i + 1}. Summary of i{i}**" in folded.detail for i in range(3))
    assert codes(shown[-1]) == ["0", "1", "2"]
    assert [s.is_recommended for s in folded.suggestions] == [False, False, False]
    assert [p.recommendation.id for p in shown[-1].parts] == ["i0", "i1", "i2"]


def test_within_the_budget_nothing_is_folded():
    results = [result("w"), result("i1", Indicator.INFO), result("i2", Indicator.INFO)]
    assert fold_information(results, budget=3, all_information=False) == results


def test_one_information_card_beyond_the_budget_is_shown_as_it_is():
    results = [result("w1"), result("w2"), result("i1", Indicator.INFO)]
    assert fold_information(results, budget=2, all_information=False) == results


def test_information_cards_fill_the_room_the_budget_leaves():
    results = [result("w")] + [result(f"i{i}", Indicator.INFO) for i in range(4)]
    shown = fold_information(results, budget=3, all_information=False)
    assert [r.recommendation.id for r in shown] == ["w", "i0", CARE_PLAN.id]


def test_the_budget_is_a_rule_setting_per_hook():
    registry = all_recommendations()
    assert {k: v for k, v in resolve(registry, {})[consolidate.TABLE].items() if "-" in k} == {
        "patient-view": 5, "order-select": 3, "order-sign": 3}
    assert resolve(registry, {"card-budget": {"order-sign": 8}})[consolidate.TABLE]["order-sign"] == 8


def test_the_care_plan_card_is_not_a_registry_recommendation_so_its_id_stays_free():
    assert CARE_PLAN.id not in {r.id for r in all_recommendations()}


# --- the registry, end to end ---------------------------------------------------------------------------------
def test_a_new_methotrexate_order_gets_one_start_card_asking_each_test_once():
    f = facts(hook="order-select", medications=(order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/m"),
                                                order(Drug.PREDNISONE, 40, days=20)))
    results = evaluate(all_recommendations(), f, resolve(all_recommendations(), {}), strict=True)
    ids = [r.recommendation.id for r in results]
    assert "methotrexate-baseline-tests" in ids and "methotrexate-folate" not in ids
    ordered = [code for r in results for code in set(codes_of_any(r))]
    assert len(ordered) == len(set(ordered)), "an order is suggested on two cards"


def codes_of_any(r: Result) -> list[tuple[str, str]]:
    return [k for s in r.finding.suggestions for a in s.actions if (k := consolidate.order_key(a))]


# --- the budget with the care plan on --------------------------------------------------------------------------------
def test_when_urgent_cards_fill_the_budget_the_information_card_is_withheld_not_folded_into_them():
    results = [result("c", Indicator.CRITICAL), result("w1"), result("w2"), result("i", Indicator.INFO)]
    shown, withheld = consolidate.within_budget(results, budget=3)
    assert [r.recommendation.id for r in shown] == ["c", "w1", "w2"] and [r.recommendation.id for r in withheld] == ["i"]


def test_urgent_cards_beyond_the_budget_are_all_shown():
    results = [result(f"w{i}") for i in range(5)]
    assert consolidate.within_budget(results, budget=3) == (results, [])


def test_warnings_of_one_treatment_plan_become_one_card_and_a_critical_one_keeps_its_own():
    taper = result("taper", plan="Glucocorticoid plan")
    sparing = result("sparing", plan="Glucocorticoid plan", suggestions=[suggestion("Order x", "X")])
    critical = result("dose", Indicator.CRITICAL, plan="Glucocorticoid plan")
    merged = consolidate.merge_plans([taper, sparing, critical])
    assert [r.recommendation.id for r in merged] == ["sparing", "dose"]
    assert merged[0].finding.summary.startswith("Glucocorticoid plan: ")
    assert [p.recommendation.id for p in merged[0].parts] == ["sparing", "taper"]


def test_the_care_plan_card_escapes_the_ehr_text_its_sections_quote():
    part = result("gap", Indicator.INFO)
    part = replace(part, finding=replace(part.finding, facts_used=("Order [click](https://evil.example) <b>",)))
    text = card_detail(consolidate.care_plan([part, result("other", Indicator.INFO)]), ())
    assert "\\[click\\](https://evil.example) \\<b>" in text and "See the guideline: [Guideline gap]" in text
