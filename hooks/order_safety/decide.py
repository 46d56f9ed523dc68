"""One decision per suggested order: every dimension is asked, the most restrictive answer wins.

Pure: facts, a candidate and the `[order-safety]` parameters in; a `Decision` out.
"""

from __future__ import annotations

from collections.abc import Iterable

from fhir_mappings.facts import ClinicalFacts
from hooks.order_safety import age_weight, interactions, kidney, liver, reproduction, swallowing
from hooks.order_safety.decision import Candidate, Decision, Verdict, leave_out, offer
from hooks.recommendation import Params

CHECKS = (kidney.check, liver.check, reproduction.check, age_weight.check, swallowing.check, interactions.check)


def decide(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision:
    """The candidate's decision. A change to a draft the clinician has already written is not held
    back for missing data (the draft is signed either way): that becomes a note in its label."""
    decision = combine(d for check in CHECKS if (d := check(facts, candidate, params)) is not None)
    if not candidate.creates and decision.missing_data and decision.verdict is Verdict.NOT_RECOMMENDED:
        return offer(decision.reason)
    return decision


def combine(decisions: Iterable[Decision]) -> Decision:
    """The most restrictive decision, with the reasons of that verdict (and the notes of offers,
    which still apply to an offered order). Two different dose changes are not chained: left out."""
    decisions = list(decisions)
    if not decisions:
        return offer()
    worst = max(d.verdict for d in decisions)
    deciding = [d for d in decisions if d.verdict is worst]
    notes = [d.reason for d in decisions if d.verdict is Verdict.OFFER and worst is not Verdict.LEAVE_OUT]
    reason = "; ".join(dict.fromkeys(r for r in [*(d.reason for d in deciding), *notes] if r))
    if worst is Verdict.ADJUST and len({d.adjustment for d in deciding}) > 1:
        return leave_out(f"needs more than one dose change: {reason}")
    missing = all(d.missing_data for d in deciding)
    return Decision(worst, reason, deciding[0].adjustment, missing_data=missing)
