"""One decision per suggested order: every dimension is asked, the most restrictive answer wins.

Pure: facts, a candidate and the `[order-safety]` parameters in; a `Decision` out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from fhir_mappings.facts import ClinicalFacts
from hooks.order_safety import age_weight, interactions, kidney, liver, reproduction, swallowing
from hooks.order_safety.decision import Candidate, Decision, Verdict, leave_out, offer
from hooks.recommendation import Params

CHECKS = {
    "kidney": kidney.check,
    "liver": liver.check,
    "reproduction": reproduction.check,
    "age-weight": age_weight.check,
    "swallowing": swallowing.check,
    "interactions": interactions.check,
}


def decide(facts: ClinicalFacts, candidate: Candidate, params: Params, *, settled: str | None = None) -> Decision:
    """The candidate's decision. A change to a draft the clinician has already written is not held
    back for missing data (the draft is signed either way): that becomes a note in its label.

    `settled` names the dimension whose dose change made this candidate: re-checking the changed
    order, that dimension does not change it again (a halved dose is not halved twice).
    """
    decisions = []
    for name, check in CHECKS.items():
        found = check(facts, candidate, params)
        if found is None or (found.adjustment is not None and name == settled):
            continue
        if found.adjustment is not None:
            found = replace(found, adjustment=replace(found.adjustment, by=name))
        decisions.append(found)
    decision = combine(decisions)
    if not candidate.creates and decision.missing_data and decision.verdict is Verdict.NOT_RECOMMENDED:
        return offer(decision.reason)
    return decision


def combine(decisions: Iterable[Decision]) -> Decision:
    """The most restrictive decision. Its reason gathers the reasons of that verdict, of a dose change
    (still applied to an order offered but not pre-selected) and the notes of offers. Two different
    dose changes are not chained: the order is left out."""
    decisions = list(decisions)
    if not decisions:
        return offer()
    worst = max(d.verdict for d in decisions)
    deciding = [d for d in decisions if d.verdict is worst]
    if worst is Verdict.LEAVE_OUT:
        return leave_out("; ".join(dict.fromkeys(d.reason for d in deciding if d.reason)),
                         contraindicated=any(d.contraindicated for d in deciding),
                         missing_data=all(d.missing_data for d in deciding))
    changes = [d for d in decisions if d.adjustment is not None]
    reason = "; ".join(dict.fromkeys(d.reason for d in [*changes, *deciding, *decisions] if d.reason))
    if len({d.adjustment for d in changes}) > 1:
        return leave_out(f"needs more than one dose change: {reason}")
    adjustment = changes[0].adjustment if changes else None
    return Decision(worst, reason, adjustment, missing_data=all(d.missing_data for d in deciding))
