"""Fewer, sharper cards: the findings of one hook call made into the cards a clinician sees.

Pure: results in, results out; applied by the engine after every recommendation has run, in this order:

1. Start of therapy: the findings that are start-of-therapy checks (`Finding.start_check`) of one drug
   (baseline tests, pregnancy test, folate) become one card whose suggestions carry every item; it keeps
   the most severe indicator and the recommendation id of its most severe (then first) part.
2. One treatment decision, one card: the warning and information findings of recommendations that declare the
   same `plan` (the glucocorticoid plan: taper, steroid-sparing agent) become one card (`treatment_plans`).
   A critical finding always keeps a card of its own.
3. Nothing asked twice: an order (a created ServiceRequest or MedicationRequest, by code; a change to a
   draft order, by its reference) suggested by two cards stays on the more severe card, then on the
   recommendation with the higher declared `specificity`, then on the first by id; the other card says where it is ordered.
4. The care plan: information-level findings become one information card, `care-plan`, "N gaps in myositis
   care: ..." (most important first), one short section per gap (action, why, guideline link) and one
   suggestion per order, none pre-selected (`care_plan`). Critical and warning findings are never folded.
   With `care_plan` off, only the information cards beyond the hook's card budget are folded into it.
   A single information card is shown as it is (folding one card into one saves nothing).
5. The card budget (`care_plan` on): when the critical and warning cards alone fill it (a daily methotrexate
   order with a missing PJP prophylaxis), the information card is withheld from this response; the engine's
   caller lists it for programs, and the next chart opening shows it.

Every card made of several findings keeps them as `Result.parts`: the response names each recommendation that
fired, and feedback is counted per finding.
"""

from __future__ import annotations

import re
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
_MERGE_SOURCE = ("combining related recommendations into one (Sittig et al., J Biomed Inform 2008;41:387-392, "
                 "doi:10.1016/j.jbi.2007.09.003, challenge 'combine recommendations for patients with co-morbidities'); "
                 "tiering by severity with only the urgent interruptive (Paterno et al., JAMIA 2009;16:40-46)")
_SNOOZE_SOURCE = ("local policy (no guideline sets a period): repeated identical alerts lower acceptance (Ancker et "
                  "al., BMC Med Inform Decis Mak 2017;17:36); {days} days: {why}")
_ROUTINE_REVIEW = ("the 12-week review of a patient on a stable DMARD (BSR/BHPR 2017 DMARD monitoring, Ledingham "
                   "et al., Rheumatology 2017;56:865-868), so the gap is raised again at the next routine review")
_DECIDED = "two routine reviews (see 90 days): a contraindication or a judgement of no indication is revisited twice a year"


def _snooze_period(days: int, meaning: str, why: str) -> Parameter:
    return Parameter(days, f"days an override {meaning} hides the finding", _SNOOZE_SOURCE.format(days=days, why=why))


PARAMETERS: Mapping[str, Parameter] = {
    PATIENT_VIEW: Parameter(5, "cards per patient-view response beyond which information cards are folded "
                            "into one (when care_plan is off)", _BUDGET_SOURCE),
    ORDER_SELECT: Parameter(3, "cards per order-select response beyond which information cards are folded "
                            "into one (when care_plan is off)", _BUDGET_SOURCE),
    ORDER_SIGN: Parameter(3, "cards per order-sign response beyond which information cards are folded into one "
                          "(when care_plan is off)", _BUDGET_SOURCE),
    "care_plan": Parameter(True, "information-level gaps of a response shown as one care-plan card (false: only "
                           "those beyond the card budget)", _MERGE_SOURCE),
    "treatment_plans": Parameter(True, "warnings of one treatment decision (glucocorticoid taper and steroid-sparing "
                                 "agent) shown as one card", _MERGE_SOURCE),
    "snooze": Parameter(True, "an override whose reason says the clinician decided hides the same finding for the "
                        "same patient for the reason's period (never PJP prophylaxis, never a critical finding)",
                        _SNOOZE_SOURCE.format(days="periods below", why="see each period")),
    **{f"snooze_days_{code.replace('-', '_')}": _snooze_period(days, meaning, why) for code, days, meaning, why in (
        ("action-completed", 90, "'Recommended action was already completed' (done elsewhere)", _ROUTINE_REVIEW),
        ("does-not-align-preferences", 90, "'does not align with patient preferences' (patient declined)",
         _ROUTINE_REVIEW),
        ("patient-contraindication", 180, "'patient has contraindication'", _DECIDED),
        ("cds-not-applicable", 180, "'CDS does not apply to patient' (not indicated)", _DECIDED),
        ("recipient-concerns-outcomes", 0, "'concerns regarding potential health outcomes' (0: a concern is not a "
         "decision, the card is shown again)", "a concern is not a decision"),
    )},
}


def defaults() -> dict[str, Any]:
    return {name: p.default for name, p in PARAMETERS.items()}


def snooze_days(params: Mapping[str, Any]) -> dict[str, int]:
    """Days an override hides a finding, per HL7 non-adherence reason code (0: that reason does not snooze);
    empty when snoozing is off."""
    if not params.get("snooze", True):
        return {}
    prefix = "snooze_days_"
    return {name.removeprefix(prefix).replace("_", "-"): int(value) for name, value in params.items()
            if name.startswith(prefix) and value > 0}


#: The pseudo-recommendation of the care-plan card: its stable `source.topic`. It is not in the registry (it
#: evaluates nothing); each gap names its own recommendation (`Result.parts`) and source.
CARE_PLAN = Recommendation(
    id="care-plan",
    title="Gaps in myositis care",
    citation=Citation(
        label="Information-level gaps shown as one card; each gap names its guideline",
        url="",
        statement="Information-level prevention and monitoring gaps of one response, shown as one card.",
    ),
    trigger="Two or more information-level findings in one response (care_plan), or beyond the card budget",
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=lambda facts, params: None,
    requires_myositis=False,
)


def _most_severe_first(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (SEVERITY[r.finding.indicator], -r.recommendation.specificity,
                                          r.recommendation.id))


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
        held.append(replace(result, finding=finding) if finding is not result.finding else result)
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
        parts = sorted(parts, key=lambda p: (SEVERITY[p.finding.indicator], not p.finding.start_check.leads,
                                             -p.recommendation.specificity, p.recommendation.id))
        actions = ", ".join(_unique(p.finding.start_check.action for p in parts if p.finding.start_check.leads))
        summary = _fit(f"Starting {drug}: {actions}", f"Starting {drug}: {len(parts)} checks before the first dose")
        finding = _combine(parts, summary, parts[0].finding.indicator, start_suggestions(parts))
        merged[id(parts[0])] = Result(parts[0].recommendation, replace(finding, start_check=parts[0].finding.start_check),
                                      tuple(x for p in parts for x in p.findings()))
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
            changed[id(result)] = replace(result, finding=_without(result.finding, taken))
        for key in keys:
            owner.setdefault(key, result.finding.summary)
    return [changed.get(id(r), r) for r in results]


#: Gaps of the care-plan card, most important first: infection before bone before cancer (what harms soonest
#: when missed), then the other information findings by recommendation id. Local policy.
CARE_PLAN_ORDER = ("pjp-prophylaxis", "infection-screening", "vaccination", "bone-protection", "cancer-screening",
                   "ild-assessment")


def _care_rank(result: Result) -> tuple[int, str]:
    rec_id = result.recommendation.id
    return (CARE_PLAN_ORDER.index(rec_id) if rec_id in CARE_PLAN_ORDER else len(CARE_PLAN_ORDER), rec_id)


_GUIDELINE_PARAGRAPH = re.compile(r"^(\*\*)?Guideline:")


def action_text(text: str) -> str:
    """A finding's text without the guideline paragraphs some rules append: a card states each guideline once,
    as its link."""
    return "\n\n".join(p for p in text.strip().split("\n\n") if not _GUIDELINE_PARAGRAPH.match(p.strip()))


def one_order_each(suggestions: Iterable[Suggestion]) -> tuple[Suggestion, ...]:
    """One suggestion per order (Epic applies one action per suggestion), none pre-selected over another: a
    suggestion of several independent creates becomes one per create, labelled by its action; one whose actions
    belong together (a delete with a create) is kept whole."""
    out: list[Suggestion] = []
    for suggestion in suggestions:
        creates = len(suggestion.actions) > 1 and all(a.type == "create" for a in suggestion.actions)
        parts = [Suggestion(a.description.replace("Draft order: ", "Order "), (a,)) for a in suggestion.actions] \
            if creates else [suggestion]
        out += [replace(part, is_recommended=False) for part in parts]
    return tuple(out)


def care_plan(parts: list[Result]) -> Result:
    """The care-plan card of information-level gaps (`parts`, shown in the order given)."""
    parts = [replace(p, finding=replace(p.finding, suggestions=one_order_each(p.finding.suggestions)))
             for p in parts]
    summary = _clip(f"{len(parts)} gaps in myositis care: " + "; ".join(p.recommendation.title for p in parts))
    finding = Finding(
        indicator=Indicator.INFO,
        summary=summary,
        # The card's text (a section per gap: action, why, guideline link) is rendered from the parts
        # (cds_service.protocol.cards); this is the list of gaps.
        detail="\n\n".join(f"**{n}. {p.finding.summary}**" for n, p in enumerate(parts, 1)),
        facts_used=_unique(fact for p in parts for fact in p.finding.facts_used),
        suggestions=tuple(s for p in parts for s in p.finding.suggestions),
        about_drafts=_unique(d for p in parts for d in p.finding.about_drafts),
        links=_unique(link for p in parts for link in p.finding.links),
    )
    return Result(CARE_PLAN, finding, tuple(p for part in parts for p in part.findings()))


def fold_information(results: list[Result], budget: int, *, all_information: bool = True) -> list[Result]:
    """Information cards folded into one care-plan card: all of them (`all_information`), or only those beyond
    `budget` (cards per response). One information card left to fold is shown as it is."""
    urgent = [r for r in results if r.finding.indicator is not Indicator.INFO]
    information = [r for r in results if r.finding.indicator is Indicator.INFO]
    if all_information:
        shown = 0
    elif len(results) <= budget:
        return results
    else:
        shown = max(0, budget - len(urgent) - 1)
    folded = sorted(information[shown:], key=_care_rank)
    if len(folded) < 2:
        return results
    return urgent + information[:shown] + [care_plan(folded)]


def merge_plans(results: list[Result]) -> list[Result]:
    """The warning and information findings of one treatment plan (`Recommendation.plan`) as one card, under the
    most severe (then first) part's recommendation; its summary names each part's action."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        if result.recommendation.plan and result.finding.indicator is not Indicator.CRITICAL:
            groups.setdefault(result.recommendation.plan, []).append(result)
    replaced: dict[int, Result | None] = {}
    for plan, parts in groups.items():
        if len(parts) < 2:
            continue
        parts = sorted(parts, key=lambda r: (SEVERITY[r.finding.indicator], not r.finding.suggestions,
                                             r.recommendation.id))  # the decision that offers orders leads
        actions = "; ".join(p.finding.summary.rsplit(": ", 1)[-1] for p in parts)
        summary = _fit(f"{plan}: {actions}", f"{plan}: {len(parts)} decisions")
        finding = _combine(parts, summary, parts[0].finding.indicator,
                           _one_recommended(s for p in parts for s in p.finding.suggestions))
        replaced[id(parts[0])] = Result(parts[0].recommendation, finding, tuple(x for p in parts for x in p.findings()))
        replaced.update({id(p): None for p in parts[1:]})
    return [replaced.get(id(r), r) for r in results if replaced.get(id(r), r) is not None]


def within_budget(results: list[Result], budget: int) -> tuple[list[Result], list[Result]]:
    """(shown, withheld): when the critical and warning cards alone fill the hook's card budget, the information
    card is withheld (listed in the response for programs, shown at the next chart opening, when the budget of
    patient-view leaves room); critical and warning cards are always shown."""
    urgent = [r for r in results if r.finding.indicator is not Indicator.INFO]
    if len(results) <= budget or len(urgent) < budget:
        return results, []
    return urgent, [r for r in results if r.finding.indicator is Indicator.INFO]


def consolidate(results: list[Result], hook: str, params: Mapping[str, Any]) -> tuple[list[Result], list[Result]]:
    """The steps above, most severe first: (the cards shown, the information cards withheld by the budget)."""
    merged = merge_start_of_therapy(hold_start_checks(results))
    if params.get("treatment_plans", True):
        merged = merge_plans(merged)
    unique = _most_severe_first(deduplicate_orders(merged))
    if not params.get("care_plan", True):
        return fold_information(unique, params[hook], all_information=False), []
    return within_budget(fold_information(unique, params[hook]), params[hook])
