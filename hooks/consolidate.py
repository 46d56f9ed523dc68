"""Fewer, sharper cards: the findings of one hook call made into the cards a clinician sees.

Pure: results in, results out; applied by the engine after every recommendation has run, in this order:

1. Start of therapy: the findings that are start-of-therapy checks (`Finding.start_check`) of one drug
   (baseline tests, pregnancy test, folate) become one card whose suggestions carry every item; it keeps
   the most severe indicator and the recommendation id of its most severe (then first) part.
2. Nothing asked twice: an order (a created ServiceRequest or MedicationRequest, by code; a change to a
   draft order, by its reference) suggested by two cards stays on the more severe card, then on the recommendation with the higher declared
   `specificity`, then on the first by id; the other card says where it is ordered.
3. The card budget (`[card-budget]` of the rule settings, per hook): critical and warning cards are always
   shown; when the response would hold more cards than the budget, the information cards beyond it are
   folded into one card, `more-information`, which keeps every folded card's summary, detail, facts,
   suggestions and source. A single information card beyond the budget is shown as it is (folding one
   card into one saves nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from hooks.recommendation import (
    ALL_HOOKS,
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    Action,
    Citation,
    Finding,
    Indicator,
    Link,
    Parameter,
    Recommendation,
    Result,
    Suggestion,
)

SEVERITY = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}

#: The table name in the rule-settings file (not a recommendation id).
TABLE = "card-budget"
_BUDGET_SOURCE = ("local policy (no guideline sets a number): low-priority alerts made non-interruptive against alert "
                  "fatigue (Phansalkar et al., JAMIA 2013;20:489-493, doi:10.1136/amiajnl-2012-001089) and alerts "
                  "tiered by severity (Paterno et al., JAMIA 2009;16:40-46); critical and warning cards never folded")
PARAMETERS: Mapping[str, Parameter] = {
    PATIENT_VIEW: Parameter(5, "cards per patient-view response beyond which information cards are folded "
                            "into one", _BUDGET_SOURCE),
    ORDER_SELECT: Parameter(3, "cards per order-select response beyond which information cards are folded "
                            "into one", _BUDGET_SOURCE),
    ORDER_SIGN: Parameter(3, "cards per order-sign response beyond which information cards are folded into one",
                          _BUDGET_SOURCE),
}


def defaults() -> dict[str, Any]:
    return {name: p.default for name, p in PARAMETERS.items()}


#: The pseudo-recommendation of the folded card: its stable `source.topic` and feedback id. It is not in
#: the registry (it evaluates nothing); each folded item names its own source.
MORE_INFORMATION = Recommendation(
    id="more-information",
    title="More information",
    citation=Citation(
        label="Information cards folded together by the card budget; each item names its source",
        url="",
        statement="Information cards beyond the card budget, folded into one card.",
    ),
    trigger="More cards than the hook's card budget, and two or more information cards beyond it",
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=lambda facts, params: None,
    requires_myositis=False,
)


def _most_severe_first(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (SEVERITY[r.finding.indicator], r.recommendation.id))


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _source_link(recommendation: Recommendation) -> tuple[Link, ...]:
    return (Link(recommendation.citation.label, recommendation.citation.url),) if recommendation.citation.url else ()


def _one_recommended(suggestions: Iterable[Suggestion]) -> tuple[Suggestion, ...]:
    """The suggestions with `isRecommended` kept on the first recommended one only (CDS Hooks: at most one)."""
    out: list[Suggestion] = []
    for suggestion in suggestions:
        out.append(replace(suggestion, is_recommended=False) if any(o.is_recommended for o in out) else suggestion)
    return tuple(out)


def _preferred(suggestions: tuple[Suggestion, ...]) -> Suggestion:
    return next((s for s in suggestions if s.is_recommended), suggestions[0])


def _together(chosen: list[Suggestion]) -> Suggestion:
    """One suggestion doing what each of `chosen` does ("Order X + Y"), recommended only if each of them is."""
    labels = [chosen[0].label] + [s.label.removeprefix("Order ") for s in chosen[1:]]
    return Suggestion(label=" + ".join(labels), actions=tuple(a for s in chosen for a in s.actions),
                      is_recommended=all(s.is_recommended for s in chosen))


def start_suggestions(parts: list[Result]) -> tuple[Suggestion, ...]:
    """The suggestions of a start-of-therapy card, each carrying every item, so that one choice (a client's
    `at-most-one`) orders them all: first each part's preferred suggestion together, then for each
    alternative of a part (folic acid weekly instead of daily) the same with that alternative in its place."""
    offered = [p.finding.suggestions for p in parts if p.finding.suggestions]
    if not offered:
        return ()
    preferred = [_preferred(s) for s in offered]
    combos = [_together(preferred)]
    for index, suggestions in enumerate(offered):
        for alternative in suggestions:
            if alternative is not preferred[index]:
                chosen = preferred[:index] + [alternative] + preferred[index + 1:]
                combos.append(replace(_together(chosen), is_recommended=False))
    return tuple(combos)


def _combine(parts: list[Result], summary: str, indicator: Indicator, suggestions: tuple[Suggestion, ...]) -> Finding:
    """One finding holding every part: each part's summary as a heading over its detail, the facts,
    drafts and sources of all."""
    return Finding(
        indicator=indicator,
        summary=summary,
        detail="\n\n".join(f"**{p.finding.summary}**\n\n{p.finding.detail.strip()}" for p in parts),
        facts_used=_unique(fact for p in parts for fact in p.finding.facts_used),
        suggestions=suggestions,
        about_drafts=_unique(d for p in parts for d in p.finding.about_drafts),
        links=_unique(link for p in parts for link in (*_source_link(p.recommendation), *p.finding.links)),
    )


def _fit(text: str, fallback: str) -> str:
    return text if len(text) < 140 else fallback


def _clip(text: str) -> str:
    """`text` cut to a card summary's 139 characters at a word boundary."""
    return text if len(text) < 140 else text[:136].rsplit(" ", 1)[0].rstrip(";,:") + "..."


HELD_NOTE = ("**No one-click orders:** a critical card asks to remove this draft order; start-of-therapy orders "
             "are offered once it is decided to go ahead.")


def hold_start_checks(results: list[Result]) -> list[Result]:
    """Start-of-therapy cards lose their one-click orders while a critical card asks to remove the draft
    they start (e.g. methotrexate in pregnancy): folic acid and baseline tests for a drug that should not be
    started would be orders for nothing."""
    removed = {action.resource_id for r in results if r.finding.indicator is Indicator.CRITICAL
               for s in r.finding.suggestions for action in s.actions if action.type == "delete"}
    held = []
    for result in results:
        finding = result.finding
        if finding.start_check is not None and finding.suggestions and removed & set(finding.about_drafts):
            finding = replace(finding, suggestions=(), detail=f"{finding.detail.rstrip()}\n\n{HELD_NOTE}")
        held.append(Result(result.recommendation, finding) if finding is not result.finding else result)
    return held


def merge_start_of_therapy(results: list[Result]) -> list[Result]:
    """The start-of-therapy checks of each drug as one card (groups of one are left as they are)."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        check = result.finding.start_check
        if check is not None:
            groups.setdefault(check.drug, []).append(result)
    merged: dict[int, Result] = {}
    dropped: set[int] = set()
    for drug, parts in groups.items():
        if len(parts) < 2:
            continue
        parts = _most_severe_first(parts)
        actions = ", ".join(_unique(p.finding.start_check.action for p in parts))
        summary = _fit(f"Starting {drug}: {actions}", f"Starting {drug}: {len(parts)} checks before the first dose")
        finding = _combine(parts, summary, parts[0].finding.indicator, start_suggestions(parts))
        merged[id(parts[0])] = Result(parts[0].recommendation, replace(finding, start_check=parts[0].finding.start_check))
        dropped |= {id(p) for p in parts[1:]}
    return [merged.get(id(r), r) for r in results if id(r) not in dropped]


def order_key(action: Action) -> tuple[str, str] | None:
    """What an action orders: (resource type, code) of a created ServiceRequest or MedicationRequest; for
    a change (update or delete) of a draft MedicationRequest, (its reference, "change"): one card per
    response changes a given draft (the more severe one, then the more specific, e.g. draft-order-safety)."""
    resource = action.resource or {}
    if action.type == "delete" and (action.resource_id or "").startswith("MedicationRequest/"):
        return action.resource_id, "change"
    if action.type == "update" and resource.get("resourceType") == "MedicationRequest" and (
            resource.get("status") == "draft" and isinstance(resource.get("id"), str)):
        return f"MedicationRequest/{resource['id']}", "change"
    kind = resource.get("resourceType")
    if action.type != "create" or kind not in ("ServiceRequest", "MedicationRequest"):
        return None
    concept = resource.get("code") if kind == "ServiceRequest" else resource.get("medicationCodeableConcept")
    codings = (concept or {}).get("coding") or []
    return (kind, codings[0]["code"]) if codings and codings[0].get("code") else None


def _ordered_item(action: Action) -> str:
    return action.description.removeprefix("Draft order: ")


def _without(finding: Finding, taken: Mapping[tuple[str, str], str]) -> Finding:
    """`finding` without the orders in `taken` (order -> summary of the card keeping it), saying where they are."""
    moved: dict[str, list[str]] = {}
    suggestions = []
    for suggestion in finding.suggestions:
        kept = []
        for action in suggestion.actions:
            key = order_key(action)
            if key in taken:
                moved.setdefault(taken[key], []).append(_ordered_item(action))
            else:
                kept.append(action)
        # A suggestion that loses the change of a draft (its removal) loses what it creates in its place too.
        if kept and not any((k := order_key(a)) in taken and k[1] == "change" for a in suggestion.actions):
            suggestions.append(replace(suggestion, actions=tuple(kept)) if len(kept) < len(suggestion.actions)
                               else suggestion)
    if not moved:
        return finding
    notes = [f"{', '.join(_unique(items))}: ordered from the \"{title}\" card." for title, items in moved.items()]
    return replace(finding, detail=finding.detail.rstrip() + "\n\n" + " ".join(notes), suggestions=tuple(suggestions))


def deduplicate_orders(results: list[Result]) -> list[Result]:
    """Each order suggested once per response, on the most specific card."""
    ranked = sorted(results, key=lambda r: (SEVERITY[r.finding.indicator], -r.recommendation.specificity,
                                            r.recommendation.id))
    owner: dict[tuple[str, str], str] = {}
    changed: dict[int, Result] = {}
    for result in ranked:
        keys = [k for s in result.finding.suggestions for a in s.actions if (k := order_key(a)) is not None]
        taken = {k: owner[k] for k in keys if k in owner}
        if taken:
            changed[id(result)] = Result(result.recommendation, _without(result.finding, taken))
        for key in keys:
            owner.setdefault(key, result.finding.summary)
    return [changed.get(id(r), r) for r in results]


def fold_information(results: list[Result], budget: int) -> list[Result]:
    """Information cards beyond `budget` (cards per response) folded into one `more-information` card."""
    if len(results) <= budget:
        return results
    urgent = [r for r in results if r.finding.indicator is not Indicator.INFO]
    information = [r for r in results if r.finding.indicator is Indicator.INFO]
    shown = max(0, budget - len(urgent) - 1)
    folded = information[shown:]
    if len(folded) < 2:
        return results
    summary = _clip(f"{len(folded)} more information items: " + "; ".join(r.finding.summary for r in folded))
    return urgent + information[:shown] + [Result(MORE_INFORMATION, _combine(
        folded, summary, Indicator.INFO, _one_recommended(s for r in folded for s in r.finding.suggestions)))]


def consolidate(results: list[Result], hook: str, budgets: Mapping[str, Any]) -> list[Result]:
    """The steps above, most severe first."""
    merged = merge_start_of_therapy(hold_start_checks(results))
    unique = deduplicate_orders(merged)
    return fold_information(_most_severe_first(unique), budgets[hook])
