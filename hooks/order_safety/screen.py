"""Apply the order-safety decision to every suggestion of a finding (the engine does, for every card).

A suggestion's MedicationRequest `create`/`update` actions are read back into orders and decided:
- offered: kept, with any note (contraception, blood count) in its label;
- adjusted: the action's resource gets the new dose, interval or product, the label the reason;
- not recommended: kept, not pre-selected, the reason in its label;
- left out: removed; the card's detail lists it with the reason.
When the pre-selected option goes (left out, or not recommended for a finding rather than for
missing data), the first remaining option offered as is or adjusted is pre-selected instead. A card
whose options all go still speaks: its summary and detail say what to do, without one-click orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from fhir_mappings.builders import updated_medication_request
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.suggested_orders import is_medication_order, read_suggested_order
from hooks.order_safety.decide import combine, decide
from hooks.order_safety.decision import Candidate, Decision, Verdict, leave_out
from hooks.recommendation import Action, Finding, Params, Suggestion

NOT_OFFERED_HEADING = "**Not offered as one-click orders**"


@dataclass(frozen=True)
class _Outcome:
    suggestion: Suggestion
    decision: Decision
    has_orders: bool


def screen_finding(finding: Finding, facts: ClinicalFacts, params: Params) -> Finding:
    if not finding.suggestions:
        return finding
    outcomes = [_screen(s, facts, params) for s in finding.suggestions]
    if all(o.suggestion == s and o.decision.verdict is not Verdict.LEAVE_OUT
           for o, s in zip(outcomes, finding.suggestions)):
        return finding
    kept = [o for o in outcomes if o.decision.verdict is not Verdict.LEAVE_OUT]
    suggestions = _promote(finding.suggestions, outcomes, kept)
    left_out = [f"- {_option(s.label)} not offered: {o.decision.reason}."
                for s, o in zip(finding.suggestions, outcomes) if o.decision.verdict is Verdict.LEAVE_OUT]
    detail = finding.detail
    if left_out:
        detail = f"{detail.rstrip()}\n\n{NOT_OFFERED_HEADING}\n" + "\n".join(left_out)
    return replace(finding, suggestions=suggestions, detail=detail)


def _promote(originals: tuple[Suggestion, ...], outcomes: list[_Outcome], kept: list[_Outcome]) -> tuple[Suggestion, ...]:
    """Pre-select the next safe option when the pre-selected one was taken away for a finding."""
    lost = any(s.is_recommended and not o.suggestion.is_recommended and not o.decision.missing_data
               for s, o in zip(originals, outcomes))
    suggestions = [o.suggestion for o in kept]
    if lost and not any(s.is_recommended for s in suggestions):
        for index, outcome in enumerate(kept):
            if outcome.has_orders and outcome.decision.verdict in (Verdict.OFFER, Verdict.ADJUST):
                suggestions[index] = replace(outcome.suggestion, is_recommended=True)
                break
    return tuple(suggestions)


def _option(label: str) -> str:
    return f"“{label}”"


def _screen(suggestion: Suggestion, facts: ClinicalFacts, params: Params) -> _Outcome:
    replaces = frozenset(a.resource_id for a in suggestion.actions if a.type == "delete" and a.resource_id)
    actions: list[Action] = []
    decisions: list[Decision] = []
    adjusted: list[str] = []
    for action in suggestion.actions:
        if action.type not in ("create", "update") or not is_medication_order(action.resource):
            actions.append(action)
            continue
        decision, new_action = _screen_action(action, facts, params, replaces)
        decisions.append(decision)
        actions.append(new_action)
        if decision.adjustment is not None and decision.verdict is not Verdict.LEAVE_OUT:
            verb = "Order" if action.type == "create" else "Change the draft to"
            adjusted.append(f"{verb} {decision.adjustment.summary}")
    if not decisions:
        return _Outcome(suggestion, Decision(Verdict.OFFER), False)
    decision = combine(decisions)
    return _Outcome(_relabel(suggestion, tuple(actions), decision, adjusted), decision, True)


def _relabel(suggestion: Suggestion, actions: tuple[Action, ...], decision: Decision,
             adjusted: list[str]) -> Suggestion:
    label = suggestion.label
    if len(adjusted) == 1:
        label = adjusted[0]
    if decision.verdict is Verdict.NOT_RECOMMENDED:
        label = f"{label} (not pre-selected: {decision.reason})"
    elif decision.reason and decision.verdict is not Verdict.LEAVE_OUT:
        label = f"{label} ({decision.reason})"
    recommended = suggestion.is_recommended and decision.verdict in (Verdict.OFFER, Verdict.ADJUST)
    return Suggestion(label, actions, is_recommended=recommended)


def _screen_action(action: Action, facts: ClinicalFacts, params: Params,
                   replaces: frozenset[str]) -> tuple[Decision, Action]:
    resource = action.resource or {}
    decision = decide_resource(resource, action.type == "create", facts, params, replaces)
    if decision.verdict is Verdict.LEAVE_OUT or decision.adjustment is None:
        return decision, action
    changed = adjusted_resource(resource, decision)
    again = decide_resource(changed, action.type == "create", facts, params, replaces,
                             settled=decision.adjustment.by)
    if again.verdict in (Verdict.ADJUST, Verdict.LEAVE_OUT):
        return leave_out(f"{decision.reason}; {again.reason}"), action
    reason = "; ".join(dict.fromkeys(part for r in (decision.reason, again.reason) if r for part in r.split("; ")))
    verdict = max(decision.verdict, again.verdict)
    missing = decision.missing_data if verdict is decision.verdict else again.missing_data
    new_action = Action(action.type, f"Draft order: {decision.adjustment.summary}", changed)
    return Decision(verdict, reason, decision.adjustment, missing_data=missing), new_action


def decide_resource(resource: Mapping[str, Any], creates: bool, facts: ClinicalFacts, params: Params,
                    replaces: frozenset[str], *, settled: str | None = None, draft: bool = False) -> Decision:
    suggested = read_suggested_order(resource, facts.today)
    if not suggested.orders:
        return leave_out("its medication is not one this service can check")
    decisions = [decide(facts, Candidate(order, suggested, creates, replaces, is_draft=draft), params,
                        settled=settled) for order in suggested.orders]
    decision = combine(decisions)
    if decision.verdict is Verdict.ADJUST and len(suggested.orders) > 1:
        return leave_out(f"a combination product cannot be adjusted: {decision.reason}")
    return decision


def adjusted_resource(resource: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    change = decision.adjustment
    return updated_medication_request(
        resource, text=change.text, dose_value=change.dose_value, dose_unit=change.dose_unit,
        frequency=change.frequency, period=change.period, period_unit=change.period_unit, product=change.product)
