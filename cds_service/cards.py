"""Findings to CDS Hooks cards (S2 L567-703).

Every card carries a fresh uuid (feedback needs it), its recommendation as `source.topic` and its
guideline as `source.label`/`url`. The detail is laid out the same way for every card: the action first
(the finding's text), then "Why this card" (the facts that triggered it and what could not be checked),
then the guideline statement, short, with its link, so a clinician can verify the card in seconds. Facts quote EHR text (drug displays),
so they are escaped: they cannot inject Markdown links or HTML into the card.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fhir_mappings.facts import ClinicalFacts
from hooks.engine import Result
from hooks.recommendation import Action, Recommendation, Suggestion

RECOMMENDATION_SYSTEM = "urn:myositis-cds:recommendation"
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


def _new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class RenderedCard:
    recommendation_id: str
    card: dict[str, Any]


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


#: A guideline statement longer than this is cut at a sentence (or word) boundary; the link holds the rest.
GUIDELINE_CHARS = 220
_GUIDELINE_PARAGRAPH = re.compile(r"^(\*\*)?Guideline:")
_SENTENCE_END = re.compile(r"[.;] (?=[A-Z])")


def short_statement(statement: str, limit: int = GUIDELINE_CHARS) -> str:
    """`statement` up to `limit` characters, ending at a sentence (or word) boundary."""
    if len(statement) <= limit:
        return statement
    ends = [m.start() + 1 for m in _SENTENCE_END.finditer(statement, 0, limit)]
    if ends:
        return statement[: ends[-1]].rstrip(";") + " ..."
    return statement[:limit].rsplit(" ", 1)[0] + " ..."


def _action_text(text: str) -> str:
    """A finding's text without the guideline paragraphs some rules append: the card states the guideline
    once, last."""
    paragraphs = [p for p in text.strip().split("\n\n") if not _GUIDELINE_PARAGRAPH.match(p.strip())]
    return "\n\n".join(paragraphs)


def _guideline(recommendation: Recommendation) -> str | None:
    citation = recommendation.citation
    if not citation.url:
        return None
    return f"**Guideline:** {short_statement(citation.statement)} [{escape_markdown(citation.label)}]({citation.url})"


def detail(result: Result, data_gaps: Iterable[str], incomplete: Iterable[str] = ()) -> str:
    parts = [
        _action_text(result.finding.detail),
        "**Why this card**\n" + "\n".join(f"- {escape_markdown(fact)}" for fact in result.finding.facts_used),
    ]
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
    return "\n\n".join(parts)


#: The label of the `smart` link to the timeline app (issue 26).
TIMELINE_LINK_LABEL = "Open the myositis timeline (SMART app)"


def _action(action: Action) -> dict[str, Any]:
    rendered: dict[str, Any] = {"type": action.type, "description": action.description}
    if action.type == "delete":
        rendered["resourceId"] = action.resource_id
    else:
        rendered["resource"] = dict(action.resource or {})
    return rendered


def _suggestion(suggestion: Suggestion, new_id: NewId) -> dict[str, Any]:
    return {
        "label": suggestion.label,
        "uuid": new_id(),
        "isRecommended": suggestion.is_recommended,
        "actions": [_action(action) for action in suggestion.actions],
    }


def _source(recommendation: Recommendation) -> dict[str, Any]:
    source: dict[str, Any] = {"label": recommendation.citation.label}
    if recommendation.citation.url:  # the folded `more-information` card has none: its items name theirs
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
        if finding.suggestions:
            card["suggestions"] = [_suggestion(s, new_id) for s in finding.suggestions]
            card["selectionBehavior"] = selection_behavior
        links = [{"label": link.label, "url": link.url, "type": "absolute"} for link in finding.links]
        if smart_app_url and result.recommendation.course is not None:
            links.append({"label": TIMELINE_LINK_LABEL, "url": smart_app_url, "type": "smart"})
        if links:
            card["links"] = links
        rendered.append(RenderedCard(result.recommendation.id, card))
    return rendered
