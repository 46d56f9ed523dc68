"""Feedback analytics for clinical governance: which recommendations are acted on, which ignored.

Pure: issued cards and feedback records in, a `Report` out; `render_*` turn it into text, JSON or
CSV. Counting rules (stated in the README too):
- a card counts once, by the latest feedback it received (by `outcomeTimestamp`; a client that
  resends or changes its mind does not inflate the counts);
- acceptance rate = accepted / cards with feedback (cards without feedback are shown apart: a rule
  whose cards nobody answers is a finding of its own);
- time to feedback = `outcomeTimestamp` - issue time, or receipt time - issue time when the client's
  timestamp is unreadable or earlier than the card;
- override reasons are counted by their code (`overrideReason.reason.code`); the clinician's free
  text (`userComment`) is never shown, since it may speak of the patient;
- feedback on cards that are not on record (issued before `--since`, by another deployment or
  invented) is counted apart, not guessed into a recommendation;
- per finding (`by_finding`: one row per recommendation, each gap of a care-plan card counted on its own):
  accepted when a suggestion that closes it was accepted, overridden when the card was overridden and it was not
  acted on, not acted on when other suggestions of its card were accepted (`cds_service.storage.snooze`); `snoozed` counts
  the findings an override hid from a later call, `snoozes_running` the patients for whom it is hidden now.
- stored rows that cannot be read are skipped and counted (`unreadable_rows`), never a failed report.

Stored values came from clients and are shown as data, never as something a terminal or a spreadsheet
acts on: control and format characters (ESC, CR, LF, NUL, U+202E ...) are written as escapes in text
and CSV, and a CSV cell that a spreadsheet would evaluate (starting with =, +, -, @, TAB or CR) is
prefixed with a single quote, as OWASP's CSV-injection guidance advises. CSV follows RFC 4180 (CRLF
line ends, fields with a comma, quote or line break quoted, quotes doubled).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from cds_service.storage.snooze import ACCEPTED, NOT_ACTED_ON, OVERRIDDEN, finding_outcomes
from cds_service.storage.store import FeedbackRecord, IssuedCard, IssuedFinding, Snooze

NO_REASON = "(no reason given)"


@dataclass(frozen=True)
class Row:
    """The figures of one recommendation or one hook."""

    name: str
    issued: int
    accepted: int
    overridden: int
    without_feedback: int
    override_reasons: Mapping[str, int] = field(default_factory=dict)
    acceptance_rate: float | None = None
    median_minutes_to_feedback: float | None = None


@dataclass(frozen=True)
class FindingRow:
    """The figures of one recommendation's findings, a gap of a care-plan card counted on its own."""

    name: str
    shown: int
    accepted: int
    overridden: int
    not_acted_on: int
    without_feedback: int
    snoozed: int
    snoozes_running: int
    override_reasons: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    since: datetime | None
    by_recommendation: tuple[Row, ...]
    by_hook: tuple[Row, ...]
    total: Row
    feedback_on_unknown_cards: int
    by_finding: tuple[FindingRow, ...] = ()
    #: Stored rows skipped because they could not be read, by table.
    unreadable_rows: Mapping[str, int] = field(default_factory=dict)


@dataclass
class _Tally:
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    minutes: list[float] = field(default_factory=list)

    def row(self, name: str) -> Row:
        answered = self.accepted + self.overridden
        return Row(
            name=name,
            issued=self.issued,
            accepted=self.accepted,
            overridden=self.overridden,
            without_feedback=self.issued - answered,
            override_reasons=dict(sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))),
            acceptance_rate=round(self.accepted / answered, 3) if answered else None,
            median_minutes_to_feedback=round(statistics.median(self.minutes), 1) if self.minutes else None,
        )


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _reason(item: Mapping[str, object]) -> str:
    override = item.get("overrideReason") if isinstance(item, Mapping) else None
    reason = override.get("reason") if isinstance(override, Mapping) else None
    code = reason.get("code") if isinstance(reason, Mapping) else None
    return code if isinstance(code, str) and code else NO_REASON


def _latest_feedback(feedback: Iterable[FeedbackRecord]) -> dict[str, FeedbackRecord]:
    """The last word on each card: latest `outcomeTimestamp`, then latest received."""
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    latest: dict[str, FeedbackRecord] = {}
    for record in feedback:
        key = (_moment(record.outcome_timestamp) or epoch, record.received_at or epoch)
        current = latest.get(record.card_uuid)
        if current is None or key >= (_moment(current.outcome_timestamp) or epoch, current.received_at or epoch):
            latest[record.card_uuid] = record
    return latest


def _minutes_to_feedback(card: IssuedCard, record: FeedbackRecord) -> float | None:
    moment = _moment(record.outcome_timestamp)
    if moment is None or moment < card.issued_at:
        moment = record.received_at
    if moment is None or moment < card.issued_at:
        return None
    return (moment - card.issued_at).total_seconds() / 60


def by_finding(findings: Iterable[IssuedFinding], feedback: Iterable[FeedbackRecord],
               snoozes: Iterable[Snooze]) -> tuple[FindingRow, ...]:
    """One row per recommendation: its findings shown (on a card of their own or as a gap), their outcomes, and
    the findings snoozes hid."""
    items: dict[str, list[Mapping[str, Any]]] = {}
    for record in feedback:
        items.setdefault(record.card_uuid, []).append(record.item)
    per_card: dict[str, list[IssuedFinding]] = {}
    counts: dict[str, Counter[str]] = {}
    reasons: dict[str, Counter[str]] = {}
    for finding in findings:
        tally = counts.setdefault(finding.recommendation_id, Counter())
        if finding.card_uuid is None:
            tally["snoozed"] += 1
        else:
            tally["shown"] += 1
            per_card.setdefault(finding.card_uuid, []).append(finding)
    for card, shown in per_card.items():
        for outcome in finding_outcomes(shown, items.get(card, ())):
            counts[outcome.finding.recommendation_id][outcome.outcome] += 1
            if outcome.outcome == OVERRIDDEN:
                reasons.setdefault(outcome.finding.recommendation_id, Counter())[outcome.reason or NO_REASON] += 1
    for snooze in snoozes:
        counts.setdefault(snooze.recommendation_id, Counter())["running"] += 1
    rows = []
    for name, tally in sorted(counts.items()):
        answered = tally[ACCEPTED] + tally[OVERRIDDEN] + tally[NOT_ACTED_ON]
        rows.append(FindingRow(name, tally["shown"], tally[ACCEPTED], tally[OVERRIDDEN], tally[NOT_ACTED_ON],
                               tally["shown"] - answered, tally["snoozed"], tally["running"],
                               dict(sorted(reasons.get(name, Counter()).items(), key=lambda i: (-i[1], i[0])))))
    return tuple(rows)


def build(
    cards: Iterable[IssuedCard],
    feedback: Iterable[FeedbackRecord],
    hook_of_service: Mapping[str, str],
    since: datetime | None = None,
    unreadable_rows: Mapping[str, int] | None = None,
    *,
    findings: Iterable[IssuedFinding] = (),
    snoozes: Iterable[Snooze] = (),
) -> Report:
    """Tally every card issued since `since` with the latest feedback it received."""
    feedback = list(feedback)
    latest = _latest_feedback(feedback)
    by_recommendation: dict[str, _Tally] = {}
    by_hook: dict[str, _Tally] = {}
    total = _Tally()
    seen: set[str] = set()
    for card in cards:
        if since is not None and card.issued_at < since:
            continue
        seen.add(card.card_uuid)
        hook = hook_of_service.get(card.service_id, card.service_id)
        tallies = (by_recommendation.setdefault(card.recommendation_id, _Tally()), by_hook.setdefault(hook, _Tally()),
                   total)
        record = latest.get(card.card_uuid)
        for tally in tallies:
            tally.issued += 1
        if record is None:
            continue
        minutes = _minutes_to_feedback(card, record)
        for tally in tallies:
            if record.outcome == "accepted":
                tally.accepted += 1
            else:
                tally.overridden += 1
                tally.reasons[_reason(record.item)] += 1
            if minutes is not None:
                tally.minutes.append(minutes)
    return Report(
        since=since,
        by_recommendation=tuple(tally.row(name) for name, tally in sorted(by_recommendation.items())),
        by_hook=tuple(tally.row(name) for name, tally in sorted(by_hook.items())),
        total=total.row("all"),
        feedback_on_unknown_cards=sum(1 for uuid in latest if uuid not in seen),
        unreadable_rows=dict(unreadable_rows or {}),
        by_finding=by_finding(findings, feedback, snoozes),
    )


# --- rendering --------------------------------------------------------------------------------
#: Unicode categories shown as escapes: controls, format characters (bidirectional overrides, zero-width),
#: line and paragraph separators, surrogates.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection), with their
#: full-width forms, which some spreadsheets fold to ASCII.
_FORMULA_STARTS = tuple("=+-@\t\r") + tuple("\uff1d\uff0b\uff0d\uff20")


def shown(value: str) -> str:
    """`value` with every control or format character written as an escape (`\\x1b`, `\\u202e`)."""
    if value.isprintable():
        return value
    return "".join(
        (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        if unicodedata.category(ch) in _ESCAPED_CATEGORIES else ch
        for ch in value
    )


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as written: text escaped (`shown`) and neutralised if it would
    start a formula; numbers as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS):
        value = "'" + value
    return shown(value)

_COLUMNS = ("issued", "accepted", "overridden", "without_feedback", "acceptance_rate", "median_minutes_to_feedback")
_HEADINGS = ("issued", "accepted", "overridden", "no feedback", "accept rate", "median min")


def _text_cell(column: str, value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if column == "acceptance_rate" else f"{value:g}"


def _text_table(title: str, rows: Iterable[Row]) -> list[str]:
    rows = list(rows)
    width = max([len(title)] + [len(shown(row.name)) for row in rows])
    lines = [f"{title:<{width}}  " + "  ".join(f"{h:>11}" for h in _HEADINGS)]
    for row in rows:
        cells = [_text_cell(column, getattr(row, column)) for column in _COLUMNS]
        lines.append(f"{shown(row.name):<{width}}  " + "  ".join(f"{cell:>11}" for cell in cells))
        if row.override_reasons:
            reasons = ", ".join(f"{shown(reason)} {count}" for reason, count in row.override_reasons.items())
            lines.append(f"{'':<{width}}    overridden because: {reasons}")
    return lines


_FINDING_COLUMNS = ("shown", "accepted", "overridden", "not_acted_on", "without_feedback", "snoozed", "snoozes_running")


def _finding_table(rows: Iterable[FindingRow]) -> str:
    """Per finding: each gap of a care-plan card on its own; snoozed = hidden from a later call by an override."""
    rows = list(rows)
    width = max([len("finding")] + [len(shown(row.name)) for row in rows])
    lines = [f"{'finding':<{width}}  " + "  ".join(f"{c.replace('_', ' '):>16}" for c in _FINDING_COLUMNS)]
    for row in rows:
        lines.append(f"{shown(row.name):<{width}}  " + "  ".join(f"{getattr(row, c):>16}" for c in _FINDING_COLUMNS))
        if row.override_reasons:
            reasons = ", ".join(f"{shown(reason)} {count}" for reason, count in row.override_reasons.items())
            lines.append(f"{'':<{width}}    overridden because: {reasons}")
    return "\n".join(lines)


def render_text(report: Report) -> str:
    period = f"cards issued since {report.since.isoformat()}" if report.since else "all cards on record"
    lines = [f"Feedback report ({period})", ""]
    lines += _text_table("recommendation", report.by_recommendation)
    lines += [""] + _text_table("hook", report.by_hook)
    lines += [""] + _text_table("total", [report.total])
    if report.by_finding:
        lines += ["", _finding_table(report.by_finding)]
    lines += ["", f"Feedback on cards not on record: {report.feedback_on_unknown_cards}"]
    if report.unreadable_rows:
        lines += ["Unreadable stored rows skipped: " + ", ".join(
            f"{table} {count}" for table, count in sorted(report.unreadable_rows.items()))]
    lines += ["Acceptance rate = accepted / cards with feedback; each card counts once, by its latest feedback."]
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    document = asdict(report)
    document["since"] = report.since.isoformat() if report.since else None
    return json.dumps(document, indent=2) + "\n"


def render_csv(report: Report) -> str:
    """One line per recommendation, per hook and the total; override reasons as `code=count;...`
    (RFC 4180; text cells made safe by `csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("scope", "name", *_COLUMNS, "override_reasons"))
    scoped = [("recommendation", row) for row in report.by_recommendation]
    scoped += [("hook", row) for row in report.by_hook] + [("total", report.total)]
    for scope, row in scoped:
        values = ["" if getattr(row, c) is None else getattr(row, c) for c in _COLUMNS]
        reasons = ";".join(f"{reason}={count}" for reason, count in row.override_reasons.items())
        writer.writerow([csv_cell(cell) for cell in (scope, row.name, *values, reasons)])
    return buffer.getvalue()


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv}
