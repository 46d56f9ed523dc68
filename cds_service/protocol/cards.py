"""Findings to CDS Hooks cards (S2 L567-703).

Every card carries a fresh uuid (feedback needs it), its recommendation as `source.topic` and its
guideline as `source.label`/`url`. The detail is laid out the same way for every card: the action first
(the finding's text), then "Why this card" (the facts that triggered it and what could not be checked),
then the guideline statement, short, with its link, so a clinician can verify the card in seconds. Facts quote EHR text (drug displays),
so they are escaped: they cannot inject Markdown links or HTML into the card.

A card that holds several findings (a start-of-therapy card, a treatment plan, the care plan) lists each of them
in its `extension` (`FINDINGS_EXTENSION`): recommendation id, indicator, summary and the uuids of the suggestions
that close it, for analytics, EHR logging and feedback per finding. No card text names a file of this repository.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fhir_mappings.facts import ClinicalFacts
from hooks.consolidate import CARE_PLAN, action_text
from hooks.engine import Result
from hooks.recommendation import Action, Recommendation, Suggestion

RECOMMENDATION_SYSTEM = "urn:myositis-cds:recommendation"
#: The card extension listing the findings a card holds (CDS Hooks 2.0 "Extensions": a JSON object, named so that
#: it cannot clash with another's).
FINDINGS_EXTENSION = "urn:myositis-cds:findings"
#: The response extension listing the information findings the card budget left out of this response.
WITHHELD_EXTENSION = "urn:myositis-cds:withheld-findings"
#: The HL7 non-adherence reason codes that CDS Hooks 3.0 (ballot) suggests for `overrideReasons`, with
#: their code-system displays; these five are from its "clinically relevant" value set
#: (http://terminology.hl7.org/ValueSet/non-adherence-reason-clinical). `patient-refuses` is left out on
#: purpose: the code system marks it as the reason it would rather not see chosen.
OVERRIDE_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
OVERRIDE_REASONS: tuple[tuple[str, str], ...] = (
    ("action-completed", "Recommended action was already completed"),
    ("patient-contraindication", "Patient has contraindication to recommended action"),
    ("cds-not-applicable", "PC CDS does not apply to patient"),
    ("recipient-concerns-outcomes", "Recipient has concerns regarding potential health outcomes"),
    ("does-not-align-preferences", "Recommendation does not align with patient preferences or values"),
)

#: Characters that could start emphasis, code, a link or HTML inside a list item.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<])")

NewId = Callable[[], str]


_MS_48 = (1 << 48) - 1
_RANDOM_62 = (1 << 62) - 1


def _new_uuid() -> str:
    """A version-7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random bits. Card and suggestion uuids
    are the keys of the issued-card and finding records; in time order they are added at the end of the store's
    indexes instead of at random places, which made each row about three times dearer to write (measured
    against SQLite for issue 27) and grows worse with the table."""
    random = int.from_bytes(os.urandom(10), "big")
    value = ((time.time_ns() // 1_000_000) & _MS_48) << 80 | 0x7 << 76 | (random >> 62 & 0xFFF) << 64 | 0b10 << 62
    return str(uuid.UUID(int=value | random & _RANDOM_62))


@dataclass(frozen=True)
class CardFinding:
    """One finding a card shows: what feedback per finding and snoozes are recorded against."""

    recommendation_id: str
    indicator: str
    summary: str
    suggestion_uuids: tuple[str, ...]
    #: False for PJP prophylaxis and for every critical finding: an override never hides them.
    snoozable: bool


@dataclass(frozen=True)
class RenderedCard:
    recommendation_id: str
    card: dict[str, Any]
    findings: tuple[CardFinding, ...] = ()


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


#: A guideline statement longer than this is cut at a sentence (or word) boundary; the link holds the rest.
GUIDELINE_CHARS = 220
_SENTENCE_END = re.compile(r"[.;] (?=[A-Z])")
#: A reference to a file of this repository ("docs/evidence.md#azathioprine"), with the "(...)", "see" or
#: punctuation that introduces it: clinicians cannot open it, so cards never show it.
_REPOSITORY_PATH = re.compile(r"\s*(?:[(;:,]\s*|\.\s+)?(?:see\s+)?docs/[\w./-]+\.md(?:#[\w-]+)?(?P<close>\))?")


def short_statement(statement: str, limit: int = GUIDELINE_CHARS) -> str:
    """`statement` up to `limit` characters, ending at a sentence (or word) boundary."""
    if len(statement) <= limit:
        return statement
    ends = [m.start() + 1 for m in _SENTENCE_END.finditer(statement, 0, limit)]
    if ends:
        return statement[: ends[-1]].rstrip(";") + " ..."
    return statement[:limit].rsplit(" ", 1)[0] + " ..."


#: The characters `_REPOSITORY_PATH` may match before "docs/" (whitespace, punctuation, "see").
_PATH_LEAD = frozenset("(;:,.se")


def _repository_path_cut(match: re.Match[str]) -> str:
    lead = match.group(0).lstrip()[:1]
    if match.group("close") and lead != "(":
        return ")"
    return "." if lead == "." and not match.string.startswith(".", match.end()) else ""


def without_repository_paths(text: str) -> str:
    """`text` without references to files of this repository, keeping the sentence around them.

    The same as `_REPOSITORY_PATH.sub`, found from each "docs/" instead of trying the pattern at every
    position of the text (which was a third of the cards' making): a match starts at the leftmost
    position before a "docs/" from which the pattern matches, and only `_PATH_LEAD` characters or
    whitespace can lie between the two."""
    if "docs/" not in text:
        return text
    kept: list[str] = []
    done = 0
    found = text.find("docs/")
    while found != -1:
        low = found
        while low > done and (text[low - 1] in _PATH_LEAD or text[low - 1].isspace()):
            low -= 1
        match = next(filter(None, (_REPOSITORY_PATH.match(text, start) for start in range(low, found + 1))), None)
        if match is None:
            found = text.find("docs/", found + 1)
            continue
        kept += (text[done:match.start()], _repository_path_cut(match))
        done = match.end()
        found = text.find("docs/", done)
    kept.append(text[done:])
    return "".join(kept)


def _guideline(recommendation: Recommendation) -> str | None:
    citation = recommendation.citation
    if not citation.url:
        return None
    return f"**Guideline:** {short_statement(citation.statement)} [{escape_markdown(citation.label)}]({citation.url})"


def _section(number: int, part: Result, linked: set[str]) -> str:
    """One gap of the care-plan card: its summary, the action, why, and the guideline link (a guideline
    an earlier gap already linked is named, not linked again: each address appears once per card)."""
    finding, citation = part.finding, part.recommendation.citation
    lines = [f"**{number}. {finding.summary}**", action_text(finding.detail),
             "Why: " + "; ".join(escape_markdown(fact) for fact in finding.facts_used)]
    if citation.url and citation.url in linked:
        lines.append(f"See the guideline: {escape_markdown(citation.label)} (linked above)")
    elif citation.url:
        linked.add(citation.url)
        lines.append(f"See the guideline: [{escape_markdown(citation.label)}]({citation.url})")
    return "\n\n".join(lines)


def detail(result: Result, data_gaps: Iterable[str], incomplete: Iterable[str] = ()) -> str:
    if result.recommendation is CARE_PLAN:  # a section per gap, with its own facts and guideline
        linked: set[str] = set()
        parts = [_section(number, part, linked) for number, part in enumerate(result.findings(), 1)]
    else:
        parts = [action_text(result.finding.detail), "**Why this card**\n"
                 + "\n".join(f"- {escape_markdown(fact)}" for fact in result.finding.facts_used)]
    gaps = sorted(set(data_gaps))
    if gaps:
        parts.append("**Not checked:** " + ", ".join(gaps) + " could not be retrieved; this card does not account for them.")
    partial = sorted(set(incomplete))
    if partial:
        parts.append("**Partly checked:** only part of " + ", ".join(partial) + " was received (a paged result "
                     "that could not be completed); records beyond it were not seen.")
    guideline = _guideline(result.recommendation)
    if guideline:
        parts.append(guideline)
    return without_repository_paths("\n\n".join(parts))


#: The label of the `smart` link to the timeline app (issue 26).
TIMELINE_LINK_LABEL = "Open the myositis timeline (SMART app)"


def _action(action: Action) -> dict[str, Any]:
    rendered: dict[str, Any] = {"type": action.type, "description": action.description}
    if action.type == "delete":
        rendered["resourceId"] = action.resource_id
    else:
        rendered["resource"] = dict(action.resource or {})
    return rendered


def _suggestion(suggestion: Suggestion, suggestion_uuid: str) -> dict[str, Any]:
    return {
        "label": suggestion.label,
        "uuid": suggestion_uuid,
        "isRecommended": suggestion.is_recommended,
        "actions": [_action(action) for action in suggestion.actions],
    }


def _source(recommendation: Recommendation) -> dict[str, Any]:
    source: dict[str, Any] = {"label": recommendation.citation.label}
    if recommendation.citation.url:  # the care-plan card has none: each gap names its own
        source["url"] = recommendation.citation.url
    source["topic"] = {"system": RECOMMENDATION_SYSTEM, "code": recommendation.id, "display": recommendation.title}
    return source


def render(
    results: Iterable[Result],
    facts: ClinicalFacts,
    *,
    selection_behavior: str,
    new_id: NewId = _new_uuid,
    smart_app_url: str | None = None,
) -> list[RenderedCard]:
    """One card per result, in the engine's order (most severe first). With `smart_app_url`, the cards of
    recommendations about the course (`Recommendation.course`) link to the timeline app."""
    rendered = []
    for result in results:
        finding = result.finding
        card: dict[str, Any] = {
            "uuid": new_id(),
            "summary": finding.summary,
            "indicator": finding.indicator.value,
            "detail": detail(result, facts.data_gaps, facts.incomplete),
            "source": _source(result.recommendation),
            "overrideReasons": [
                {"system": OVERRIDE_REASON_SYSTEM, "code": code, "display": display} for code, display in OVERRIDE_REASONS
            ],
        }
        uuids = [new_id() for _ in finding.suggestions]
        if finding.suggestions:
            card["suggestions"] = [_suggestion(s, u) for s, u in zip(finding.suggestions, uuids)]
            card["selectionBehavior"] = selection_behavior
        links = [{"label": link.label, "url": link.url, "type": "absolute"} for link in finding.links]
        if smart_app_url and result.recommendation.course is not None:
            links.append({"label": TIMELINE_LINK_LABEL, "url": smart_app_url, "type": "smart"})
        if links:
            card["links"] = links
        findings = tuple(_issued_finding(part, finding.suggestions, uuids) for part in result.findings())
        if result.parts:
            card["extension"] = {FINDINGS_EXTENSION: [
                {"recommendation": f.recommendation_id, "indicator": f.indicator, "summary": f.summary,
                 **({"suggestions": list(f.suggestion_uuids)} if f.suggestion_uuids else {})} for f in findings]}
        rendered.append(RenderedCard(result.recommendation.id, card, findings))
    return rendered


def findings_list(results: Iterable[Result]) -> list[dict[str, str]]:
    """The findings of `results` as the response lists them: recommendation id, indicator, summary."""
    return [{"recommendation": p.recommendation.id, "indicator": p.finding.indicator.value,
             "summary": p.finding.summary} for r in results for p in r.findings()]


def _issued_finding(part: Result, suggestions: tuple[Suggestion, ...], uuids: list[str]) -> CardFinding:
    """One finding of a card, with the uuids of the card's suggestions that are its own (by identity: the card's
    suggestions are its parts' suggestion objects, except where a start-of-therapy card combined them)."""
    own = [u for s, u in zip(suggestions, uuids) if any(s is mine for mine in part.finding.suggestions)]
    return CardFinding(part.recommendation.id, part.finding.indicator.value, part.finding.summary, tuple(own),
                       part.recommendation.snoozable and part.finding.indicator.value != "critical")
