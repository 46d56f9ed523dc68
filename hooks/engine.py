"""Run the recommendations of one hook over one patient's facts.

Pure: facts and settings in, (recommendation, finding) pairs out. Policies applied here, once,
rather than in every rule:
- myositis-specific recommendations need an active inflammatory-myopathy diagnosis;
- recommendations that start or escalate immunosuppression are silent in inclusion body myositis;
- on order-select/order-sign only findings about a draft order are shown;
- at most one finding per recommendation (each `evaluate` returns one or None);
- every one-click medication order passes the order-safety check (`hooks.order_safety`), so no
  recommendation can offer an order that is unsafe for this patient; the clinician's own draft orders
  meet the same check (`hooks.order_safety.drafts`), one card per draft that fails.
- a finding that states an absence ("no PJP prophylaxis") from data not obtained or obtained only in
  part (a paged Bundle) asks to verify instead, and offers no one-click order (`unverified`);
- a finding the clinician snoozed for this patient (`Snoozes`, read from the store by the caller) is not
  shown: never a critical one, never one of a recommendation declared not `snoozable` (PJP prophylaxis), never
  one more severe than the finding that was snoozed;
- the findings become fewer, sharper cards (`hooks.consolidate`): one card per new drug's start-of-therapy
  checks, one card per treatment plan, no order suggested twice, information-level gaps as one care-plan card;
- what could not be read and the checks it switched off are named on one notice card (`hooks.unreadable`),
  never folded, so that silence means "checked, nothing to say".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from fhir_mappings.concepts import MyositisSubtype
from fhir_mappings.facts import ClinicalFacts
from hooks import consolidate, unreadable
from hooks.order_safety import params as order_safety_params
from hooks.order_safety.drafts import DRAFT_ORDER_SAFETY, screen_drafts
from hooks.order_safety.screen import screen_finding
from hooks.recommendation import ORDER_HOOKS, Finding, Indicator, Recommendation, Result
from hooks.settings import RuleSettings

log = logging.getLogger(__name__)

T = TypeVar("T")


def applicable(recommendation: Recommendation, facts: ClinicalFacts) -> bool:
    if facts.hook not in recommendation.hooks:
        return False
    if recommendation.requires_myositis and not facts.has_active_myositis:
        return False
    if recommendation.escalates_immunosuppression and facts.myositis is MyositisSubtype.INCLUSION_BODY_MYOSITIS:
        return False
    return True


VERIFY_PREFIX = "Verify in the full record: "


def unverified(recommendation: Recommendation, finding: Finding, facts: ClinicalFacts) -> Finding:
    """The finding as a request to verify when a resource type whose absence it states was not
    obtained or only in part; unchanged otherwise."""
    declared = finding.rests_on_absence_of
    declared = recommendation.asserts_absence_of if declared is None else declared
    unknown = sorted(declared & {*facts.data_gaps, *facts.incomplete})
    if not unknown:
        return finding
    room = 139 - len(VERIFY_PREFIX)
    summary = finding.summary if len(finding.summary) <= room else finding.summary[: room - 3].rstrip() + "..."
    note = (f"**Not verified:** the {', '.join(unknown)} records were not all available, so what this card "
            "says is missing may be on record. Check the full record before acting; no order is offered.")
    return replace(finding, summary=VERIFY_PREFIX + summary, detail=f"{note}\n\n{finding.detail}", suggestions=(),
                   start_check=None)


#: Snoozed findings of one patient: recommendation id -> the indicator of the finding that was snoozed.
Snoozes = Mapping[str, Indicator]


def snoozed(result: Result, snoozes: Snoozes) -> bool:
    """True when `result` is hidden by a snooze: same recommendation, no more severe than what was snoozed,
    neither critical nor of a recommendation that is never snoozed."""
    indicator = snoozes.get(result.recommendation.id)
    if indicator is None or not result.recommendation.snoozable or result.finding.indicator is Indicator.CRITICAL:
        return False
    return consolidate.SEVERITY[result.finding.indicator] >= consolidate.SEVERITY[indicator]


@dataclass(frozen=True)
class Outcome:
    """The cards of one hook call and the findings a snooze hid (their recommendation ids are counted)."""

    results: list[Result]
    suppressed: list[Result]
    #: Information cards the card budget left out of this response (their findings stay readable in it).
    withheld: list[Result] = field(default_factory=list)


def evaluate(
    recommendations: tuple[Recommendation, ...],
    facts: ClinicalFacts,
    settings: RuleSettings,
    *,
    strict: bool = False,
) -> list[Result]:
    """Findings of every applicable recommendation, most severe first (no snoozes: `run`)."""
    return run(recommendations, facts, settings, strict=strict).results


def run(
    recommendations: tuple[Recommendation, ...],
    facts: ClinicalFacts,
    settings: RuleSettings,
    *,
    strict: bool = False,
    snoozes: Snoozes | None = None,
) -> Outcome:
    """Findings of every applicable recommendation, most severe first, less those `snoozes` hide.

    A recommendation that raises is logged (id and exception type only, no patient data) and
    skipped so that one defect cannot hide the other cards; with `strict` it re-raises (tests). The
    order-safety screen runs inside the same guard: a card it cannot screen is not sent unscreened.
    """
    results: list[Result] = []
    safety = settings.get(order_safety_params.TABLE) or order_safety_params.defaults()
    for recommendation in recommendations:
        if not applicable(recommendation, facts):
            continue
        finding = _guarded(recommendation, strict, lambda: _screened(recommendation, facts, settings, safety))
        if finding is None:
            continue
        if facts.hook in ORDER_HOOKS and not finding.about_drafts:
            continue
        results.append(Result(recommendation, unverified(recommendation, finding, facts)))
    if DRAFT_ORDER_SAFETY in recommendations:
        drafts = _guarded(DRAFT_ORDER_SAFETY, strict, lambda: screen_drafts(facts, safety)) or []
        results += [Result(DRAFT_ORDER_SAFETY, finding) for finding in drafts]
    budgets = settings.get(consolidate.TABLE) or consolidate.defaults()
    hidden = [r for r in results if snoozes and budgets.get("snooze", True) and snoozed(r, snoozes)]
    shown = [r for r in results if not any(r is h for h in hidden)]
    cards, withheld = consolidate.consolidate(shown, facts.hook, budgets)
    blind = unreadable.notice(facts, recommendations, applicable, lambda r: _params(r, settings), shown=results)
    return Outcome(cards if blind is None else [*cards, blind], hidden, withheld)


def _screened(recommendation: Recommendation, facts: ClinicalFacts, settings: RuleSettings,
              safety: Mapping[str, Any]) -> Finding | None:
    """The recommendation's finding with its one-click orders screened by the order-safety check."""
    finding = recommendation.evaluate(facts, _params(recommendation, settings))
    return None if finding is None else screen_finding(finding, facts, safety)


def _params(recommendation: Recommendation, settings: RuleSettings) -> Mapping[str, Any]:
    """The recommendation's resolved parameters, else its defaults (made only then: this runs per rule per call)."""
    params = settings.get(recommendation.id)
    return recommendation.defaults() if params is None else params


def _guarded(recommendation: Recommendation, strict: bool, work: Callable[[], T]) -> T | None:
    """`work()`, or None when it raises: logged by the recommendation's id and the exception's type only (no
    patient data), so that one defect cannot hide the other cards; re-raised with `strict` (tests)."""
    try:
        return work()
    except Exception as error:
        if strict:
            raise
        log.error("recommendation %s failed: %s", recommendation.id, type(error).__name__)
        return None
