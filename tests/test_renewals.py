"""Renewals are not starts (issue 21): a re-order of a course that is current, or ended at most
`criteria.RENEWAL_GAP_DAYS` before, continues it: monitoring cards, not start-of-therapy cards."""

from fhir_mappings.concepts import Drug
from hooks import engine
from hooks.criteria import RENEWAL_GAP_DAYS, course_start, is_start
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import UNFOLDED, days_before, facts, order

RECOMMENDATIONS = tuple(all_recommendations())
SETTINGS = resolve(RECOMMENDATIONS, UNFOLDED)
#: The first order of a 16-month course, ended when it was renewed 10 days ago.
FIRST = order(Drug.METHOTREXATE, 15, 1 / 7, days=480, status="completed", end=days_before(10), ref="MedicationRequest/1")
RENEWAL = order(Drug.METHOTREXATE, 15, 1 / 7, days=10, ref="MedicationRequest/2")
DRAFT = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/draft")


def cards(record):
    return {r.recommendation.id: r for r in engine.evaluate(RECOMMENDATIONS, record, SETTINGS)}


def test_a_renewal_belongs_to_the_course_it_continues():
    record = facts(medications=(FIRST, RENEWAL))
    assert course_start(record, RENEWAL) == FIRST.start
    assert not is_start(record, RENEWAL, 30)


def test_a_renewal_of_a_16_month_methotrexate_course_gets_monitoring_not_baseline_cards():
    found = cards(facts(medications=(FIRST, RENEWAL)))
    assert "methotrexate-baseline-tests" not in found
    assert "methotrexate-monitoring" in found


def test_the_same_order_without_the_earlier_course_is_a_start():
    found = cards(facts(medications=(RENEWAL,)))
    assert "methotrexate-baseline-tests" in found


def test_a_restart_after_a_longer_gap_is_a_start_again():
    stopped = order(Drug.METHOTREXATE, 15, 1 / 7, days=480, status="stopped", end=days_before(10 + RENEWAL_GAP_DAYS + 1),
                    ref="MedicationRequest/1")
    assert is_start(facts(medications=(stopped, RENEWAL)), RENEWAL, 30)


def test_a_draft_re_ordering_a_current_course_is_not_shown_as_starting_methotrexate():
    current = order(Drug.METHOTREXATE, 15, 1 / 7, days=480, ref="MedicationRequest/1")
    found = cards(facts(hook="order-sign", medications=(current, DRAFT)))
    assert not any(r.finding.summary.startswith("Starting methotrexate") for r in found.values())
    assert "methotrexate-baseline-tests" not in found


def test_a_first_draft_is_still_a_start():
    found = cards(facts(hook="order-sign", medications=(DRAFT,)))
    assert any(r.finding.summary.startswith("Starting methotrexate") for r in found.values())
