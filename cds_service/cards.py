"""Findings to CDS Hooks cards (S2 L567-703).

Every card carries a fresh uuid (feedback needs it), its recommendation as `source.topic` and its
guideline as `source.label`/`url`; the detail ends with the facts that triggered it and what could
not be checked, so a clinician can verify the card in seconds. Facts quote EHR text (drug displays),
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


def detail(result: Result, data_gaps: Iterable[str], incomplete: Iterable[str] = ()) -> str:
    parts = [
        result.finding.detail.strip(),
        "**Why this card**\n" + "\n".join(f"- {escape_markdown(fact)}" for fact in result.finding.facts_used),
    ]
    gaps = sorted(set(data_gaps))
    if gaps:
        parts.append("**Not checked:** " + ", ".join(gaps) + " could not be retrieved; this card does not account for them.")
    partial = sorted(set(incomplete))
    if partial:
        parts.append("**Partly checked:** only part of " + ", ".join(partial) + " was received (a paged result "
                     "that could not be completed); records beyond it were not seen.")
    return "\n\n".join(parts)


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
    return {
        "label": recommendation.citation.label,
        "url": recommendation.citation.url,
        "topic": {"system": RECOMMENDATION_SYSTEM, "code": recommendation.id, "display": recommendation.title},
    }


def render(
    results: Iterable[Result],
    facts: ClinicalFacts,
    *,
    selection_behavior: str,
    new_id: NewId = _new_uuid,
) -> list[RenderedCard]:
    """One card per result, in the engine's order (most severe first)."""
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
        if finding.links:
            card["links"] = [{"label": link.label, "url": link.url, "type": "absolute"} for link in finding.links]
        rendered.append(RenderedCard(result.recommendation.id, card))
    return rendered
