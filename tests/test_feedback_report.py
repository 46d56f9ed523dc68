"""`myositis-cds report`: feedback per recommendation and hook, for clinical governance."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from cds_service.command_line import cli, feedback_report
from cds_service.storage.store import FeedbackRecord, IssuedCard
from tests.api import fixture

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
HOOKS = {"myositis-patient-view": "patient-view", "myositis-order-sign": "order-sign"}


def card(uuid: str, recommendation: str = "pjp-prophylaxis", service: str = "myositis-patient-view",
         issued_at: datetime = T0) -> IssuedCard:
    return IssuedCard(uuid, service, recommendation, "hook-instance-1", issued_at)


def feedback(uuid: str, outcome: str = "accepted", minutes: float = 10, reason: str | None = None,
             received_minutes: float | None = None) -> FeedbackRecord:
    item: dict = {"card": uuid, "outcome": outcome}
    if reason:
        item["overrideReason"] = {"reason": {"code": reason}, "userComment": "patient said no"}
    timestamp = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    received = T0 + timedelta(minutes=received_minutes if received_minutes is not None else minutes)
    return FeedbackRecord("myositis-patient-view", uuid, outcome, timestamp, item, None, received)


def only_row(report, name):
    [row] = [row for row in report.by_recommendation if row.name == name]
    return row


def test_cards_are_counted_as_accepted_overridden_or_without_feedback():
    cards = [card("a"), card("b"), card("c"), card("d")]
    report = feedback_report.build(cards, [feedback("a"), feedback("b"), feedback("c", "overridden")], HOOKS)
    row = only_row(report, "pjp-prophylaxis")
    assert (row.issued, row.accepted, row.overridden, row.without_feedback) == (4, 2, 1, 1)


def test_acceptance_rate_is_accepted_over_cards_with_feedback():
    cards = [card("a"), card("b"), card("c"), card("d")]
    report = feedback_report.build(cards, [feedback("a"), feedback("b"), feedback("c", "overridden")], HOOKS)
    assert only_row(report, "pjp-prophylaxis").acceptance_rate == pytest.approx(2 / 3, abs=0.001)


def test_a_recommendation_without_any_feedback_has_no_acceptance_rate():
    report = feedback_report.build([card("a")], [], HOOKS)
    row = only_row(report, "pjp-prophylaxis")
    assert row.acceptance_rate is None
    assert row.median_minutes_to_feedback is None
    assert row.without_feedback == 1


def test_a_card_counts_once_by_its_latest_feedback():
    items = [feedback("a", "accepted", minutes=5), feedback("a", "overridden", minutes=20, reason="not-indicated")]
    row = only_row(feedback_report.build([card("a")], items, HOOKS), "pjp-prophylaxis")
    assert (row.issued, row.accepted, row.overridden) == (1, 0, 1)


def test_override_reasons_are_counted_by_code_and_a_missing_reason_is_named():
    cards = [card("a"), card("b"), card("c")]
    items = [feedback("a", "overridden", reason="patient-contraindication"), feedback("b", "overridden", reason="patient-contraindication"),
             feedback("c", "overridden")]
    row = only_row(feedback_report.build(cards, items, HOOKS), "pjp-prophylaxis")
    assert row.override_reasons == {"patient-contraindication": 2, feedback_report.NO_REASON: 1}


def test_median_time_to_feedback_in_minutes():
    cards = [card("a"), card("b"), card("c")]
    items = [feedback("a", minutes=2), feedback("b", minutes=10), feedback("c", minutes=60)]
    assert only_row(feedback_report.build(cards, items, HOOKS), "pjp-prophylaxis").median_minutes_to_feedback == 10


def test_a_client_timestamp_before_the_card_falls_back_to_the_receipt_time():
    item = feedback("a", minutes=-600, received_minutes=3)
    assert only_row(feedback_report.build([card("a")], [item], HOOKS), "pjp-prophylaxis").median_minutes_to_feedback == 3


def test_since_leaves_out_earlier_cards_and_their_feedback_counts_as_not_on_record():
    cards = [card("old", issued_at=T0 - timedelta(days=30)), card("new")]
    report = feedback_report.build(cards, [feedback("old"), feedback("new")], HOOKS, since=T0 - timedelta(days=1))
    assert only_row(report, "pjp-prophylaxis").issued == 1
    assert report.feedback_on_unknown_cards == 1


def test_rows_are_kept_per_recommendation_and_per_hook():
    cards = [card("a"), card("b", recommendation="methotrexate-dose", service="myositis-order-sign")]
    report = feedback_report.build(cards, [feedback("b")], HOOKS)
    assert [row.name for row in report.by_recommendation] == ["methotrexate-dose", "pjp-prophylaxis"]
    assert {row.name: row.accepted for row in report.by_hook} == {"order-sign": 1, "patient-view": 0}
    assert (report.total.issued, report.total.accepted) == (2, 1)


def test_free_text_comments_never_reach_any_format():
    report = feedback_report.build([card("a")], [feedback("a", "overridden", reason="other")], HOOKS)
    for render in feedback_report.RENDERERS.values():
        assert "patient said no" not in render(report)


# --- on a store filled through the service --------------------------------------------------
def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def filled_store(app, client, settings, monkeypatch):
    """One patient-view call; a card with suggestions accepted, another card overridden with a reason."""
    response = client.post("/cds-services/myositis-patient-view",
                           json=fixture("requests/patient-view-dm-prednisone.json")).get_json()
    first = next(card for card in response["cards"] if card.get("suggestions"))
    second = next(card for card in response["cards"] if card is not first)
    cards = [first, second] + [card for card in response["cards"] if card not in (first, second)]
    assert len(cards) >= 3
    reason = second["overrideReasons"][0]
    body = {"feedback": [
        {"card": first["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:04:00Z",
         "acceptedSuggestions": [{"id": first["suggestions"][0]["uuid"]}]},
        {"card": second["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z",
         "overrideReason": {"reason": reason, "userComment": "free text about the patient"}},
    ]}
    assert client.post("/cds-services/myositis-patient-view/feedback", json=body).status_code == 200
    assert app.extensions["myositis_cds"].card_recorder.flush(5)  # issued cards are written in the background
    monkeypatch.setenv("CDS_FEEDBACK_DB", settings.feedback_db)
    return cards, reason["code"]


def test_report_json_on_a_store_filled_by_the_service(filled_store):
    cards, reason = filled_store
    code, out, _ = run_cli("report", "--format", "json")
    assert code == 0
    report = json.loads(out)
    rows = {row["name"]: row for row in report["by_recommendation"]}
    first, second = (card["source"]["topic"]["code"] for card in cards[:2])
    assert rows[first]["accepted"] == 1
    assert rows[second]["override_reasons"] == {reason: 1}
    assert report["total"]["issued"] == len(cards)
    assert report["total"]["without_feedback"] == len(cards) - 2
    assert report["by_hook"][0]["name"] == "patient-view"
    assert report["total"]["median_minutes_to_feedback"] == 7


def test_report_csv_has_one_line_per_recommendation_hook_and_total(filled_store):
    cards, _ = filled_store
    _, out, _ = run_cli("report", "--format", "csv")
    lines = list(csv.DictReader(io.StringIO(out)))
    recommendations = {card["source"]["topic"]["code"] for card in cards}
    assert {line["name"] for line in lines if line["scope"] == "recommendation"} == recommendations
    assert [line["name"] for line in lines if line["scope"] != "recommendation"] == ["patient-view", "all"]


def test_report_text_names_each_recommendation_and_the_override_reason(filled_store):
    cards, reason = filled_store
    _, out, _ = run_cli("report")
    assert all(card["source"]["topic"]["code"] in out for card in cards)
    assert f"overridden because: {reason} 1" in out
    assert "free text about the patient" not in out


def test_report_since_after_the_cards_counts_nothing(filled_store):
    _, out, _ = run_cli("report", "--since", "2026-11-21", "--format", "json")
    report = json.loads(out)
    assert report["total"]["issued"] == 0
    assert report["feedback_on_unknown_cards"] == 2


def test_report_without_a_store_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("CDS_FEEDBACK_DB", str(tmp_path / "absent.sqlite3"))
    code, _, err = run_cli("report")
    assert code == 2
    assert "no feedback store" in err
