"""The clinician's own draft orders meet the same check as the service's suggestions.

Pure: facts and the `[order-safety]` parameters in, one finding per draft that fails out (the engine
shows them under `DRAFT_ORDER_SAFETY`). Screened are the draft MedicationRequests of the hook context:
every draft on order-sign, the selected ones on order-select (the other drafts are the regimen they are
checked against: interactions and duplicates). Each is decided by `decide` as an order being added to
the regimen, on every dimension (kidney, liver, reproduction, age and weight, swallowing, allergies,
interactions, duplicates), with the same thresholds as suggestions.

- A label or guideline contraindication (methotrexate at eGFR < 30, a teratogen in pregnancy or while
  breastfeeding, TMP-SMX with a sulfonamide allergy, a thiopurine with allopurinol): critical.
- A dose to change, a safer route, a duplicate, data the check needs and does not have: warning.
- Offered as is (with at most a note such as contraception): no card; the recommendations say the rest.

The one-click fix is checked again before it is offered: a changed dose (`update` of the draft), or the
draft deleted and a safer alternative created (`ALTERNATIVES`, the first that passes), else the draft
deleted. Missing data is said, never guessed: no fix is offered for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.suggested_orders import read_suggested_order
from hooks.actions import delete_draft, start_atovaquone, start_zoledronic_acid
from hooks.criteria import describe, is_start
from hooks.order_safety.decision import Decision, Verdict
from hooks.order_safety.interactions import INCOMPLETE_MEDICATIONS
from hooks.order_safety.screen import adjusted_resource, decide_resource
from hooks.recommendation import (
    ORDER_HOOKS,
    ORDER_SELECT,
    Action,
    Citation,
    Finding,
    Indicator,
    Params,
    Recommendation,
    StartCheck,
    Suggestion,
)

#: The card source of draft-order findings, declared in the registry by
#: `hooks.recommendations.draft_order_safety`. It gives one finding per draft, so its `evaluate` gives
#: none: the engine runs `screen_drafts` for it, with the `[order-safety]` parameters.
DRAFT_ORDER_SAFETY = Recommendation(
    id="draft-order-safety",
    title="Order safety of draft orders",
    citation=Citation(
        label="FDA prescribing information (methotrexate, CellCept, Fosamax, Reclast, Bactrim, azathioprine); ACR "
        "2020 reproductive health guideline (Sammaritano et al., Arthritis Rheumatol 2020;72:529-556)",
        url="https://dailymed.nlm.nih.gov/dailymed/",
        statement="Every draft medication order is checked against the patient's kidney and liver function, "
        "pregnancy and breastfeeding, age and weight, swallowing, allergies, interactions and duplicates, with "
        "the thresholds of the [order-safety] settings.",
        strength="Label statements and guideline recommendations, per dimension: docs/order-safety.md",
    ),
    trigger="order-select (selected drafts) and order-sign (every draft): a draft MedicationRequest of a drug the "
    "check knows that the [order-safety] check would not offer as written: critical for a label contraindication, "
    "warning for a dose change, a safer route, a duplicate or missing data",
    hooks=ORDER_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=lambda facts, params: None,
    requires_myositis=False,
    specificity=10,
    # A draft that fails the check is checked again at every order: an override never snoozes it.
    snoozable=False,
)

#: Safer alternatives of a draft the check leaves out, tried in order; each is checked before it is offered.
#: TMP-SMX (prophylactic dose): atovaquone (ATS/IDSA and ACR-endorsed PJP prophylaxis alternative); an oral
#: bisphosphonate: IV zoledronic acid once yearly (ACR 2022 GIOP).
ALTERNATIVES: Mapping[Drug, tuple[Callable[[str | None], Action], ...]] = {
    Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM: (start_atovaquone,),
    Drug.ALENDRONATE: (start_zoledronic_acid,),
    Drug.RISEDRONATE: (start_zoledronic_acid,),
    Drug.IBANDRONATE: (start_zoledronic_acid,),
}


def screen_drafts(facts: ClinicalFacts, params: Params) -> list[Finding]:
    """One finding per screened draft order the check would not offer as written."""
    if facts.hook not in ORDER_HOOKS:
        return []
    findings = [_screen_draft(order, facts, params) for order in _screened_drafts(facts)]
    return [finding for finding in findings if finding is not None]


def _screened_drafts(facts: ClinicalFacts) -> list[MedicationOrder]:
    """The drafts to screen, one per resource (a combination product is read as one order per ingredient,
    and the check reads the resource)."""
    by_resource: dict[int, MedicationOrder] = {}
    for order in facts.drafts():
        if order.resource and (facts.hook != ORDER_SELECT or order.is_selected):
            by_resource.setdefault(id(order.resource), order)
    return list(by_resource.values())


def _screen_draft(order: MedicationOrder, facts: ClinicalFacts, params: Params) -> Finding | None:
    resource = order.resource
    if not read_suggested_order(resource, facts.today).orders:
        return None  # a drug the check does not know: nothing to screen
    decision = decide_resource(resource, True, facts, params, _itself(order), draft=True)
    if decision.verdict is Verdict.OFFER or decision.reason == INCOMPLETE_MEDICATIONS:
        return None
    fixes, why_no_fix = _fixes(order, decision, facts, params)
    finding = _finding(order, decision, fixes, why_no_fix)
    if _only_missing_data(decision) and order.drug is not None and is_start(facts, order, 0):
        # Data to gather before a first dose (an eGFR before methotrexate) is one of the new drug's
        # start-of-therapy checks: shown on that drug's start card, not on a card of its own.
        action = decision.reason.split("; ")[-1]
        return replace(finding, start_check=StartCheck(str(order.drug), action, leads=False))
    return finding


def _only_missing_data(decision: Decision) -> bool:
    return decision.missing_data and not decision.contraindicated and decision.verdict is not Verdict.ADJUST


def _itself(order: MedicationOrder) -> frozenset[str]:
    """The draft's own reference: the draft, its changed version or its replacement is no duplicate of it."""
    return frozenset({order.reference}) if order.reference else frozenset()


def _passing(resource: Mapping[str, Any], decision: Decision, facts: ClinicalFacts, params: Params,
             replaces: frozenset[str], *, draft: bool) -> Mapping[str, Any] | None:
    """`resource` as the check offers it: as is, or with the check's dose change when the changed order
    passes the check again (that dimension does not change it twice); None when it does not pass."""
    if decision.verdict is Verdict.OFFER:
        return resource
    if decision.verdict is not Verdict.ADJUST:
        return None
    changed = adjusted_resource(resource, decision)
    again = decide_resource(changed, True, facts, params, replaces, settled=decision.adjustment.by, draft=draft)
    return changed if again.verdict is Verdict.OFFER else None


def _fixes(order: MedicationOrder, decision: Decision, facts: ClinicalFacts,
           params: Params) -> tuple[tuple[Suggestion, ...], str]:
    """The one-click fixes that pass the check, and why there is none when there is none."""
    if decision.missing_data:
        return (), "Get the missing data before signing; no change is offered."
    if decision.verdict is Verdict.NOT_RECOMMENDED:
        return (), "No change is offered."
    if decision.verdict is Verdict.ADJUST:
        changed = _passing(order.resource, decision, facts, params, _itself(order), draft=True)
        if changed is None:
            return (), "The changed dose would not pass the check either; no change is offered."
        action = Action("update", f"Draft order: {decision.adjustment.summary}", changed)
        return (Suggestion(f"Change the draft to {decision.adjustment.summary}", (action,), True),), ""
    if not order.reference:
        return (), "The draft has no id, so it cannot be removed with one click."
    removal = delete_draft(order)
    alternative = _safe_alternative(order, facts, params)
    if alternative is None:
        return (Suggestion("Remove the draft order", (removal,), decision.contraindicated),), ""
    name = alternative.description.removeprefix("Draft order: ")
    return (Suggestion(f"Replace the draft with {name}", (removal, alternative), True),
            Suggestion("Remove the draft order", (removal,))), ""


def _safe_alternative(order: MedicationOrder, facts: ClinicalFacts, params: Params) -> Action | None:
    """The first alternative of the draft's drug that passes the check as a new order replacing the draft,
    adjusted where the check adjusts it (a child's dose by weight)."""
    if order.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM and not _prophylactic_tmp_smx(order, facts, params):
        return None  # atovaquone 1500 mg daily replaces a prophylactic dose only
    for build in ALTERNATIVES.get(order.drug, ()):
        action = build(facts.patient.reference)
        decision = decide_resource(action.resource, True, facts, params, _itself(order))
        passing = _passing(action.resource, decision, facts, params, _itself(order), draft=False)
        if passing is not None:
            summary = decision.adjustment.summary if decision.adjustment else action.description
            return Action("create", f"Draft order: {summary.removeprefix('Draft order: ')}", passing)
    return None


def _prophylactic_tmp_smx(order: MedicationOrder, facts: ClinicalFacts, params: Params) -> bool:
    trimethoprim = read_suggested_order(order.resource, facts.today).ingredient_mg_per_day("trimethoprim")
    return trimethoprim is not None and trimethoprim <= params["trimethoprim_prophylaxis_max_mg_per_day"]


def _drug_name(drug: Drug) -> str:
    return "TMP-SMX" if drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM else drug.value.replace("-", " ")


def _without_source(reason: str) -> str:
    """A reason without its trailing source ("(label)", "(ACR 2020 reproductive health)"); a date stays."""
    return re.sub(r" \((?!since )[^()]*\)$", "", reason)


def _summary(order: MedicationOrder, decision: Decision) -> str:
    """The action first, then the reasons without their sources, as many as fit."""
    name = _drug_name(order.drug)
    first = _without_source(decision.reason.split("; ")[0])
    if decision.verdict is Verdict.ADJUST:
        head = f"Change the {name} draft to {decision.adjustment.summary.removeprefix(name + ' ')}"
    elif decision.verdict is Verdict.LEAVE_OUT and not decision.missing_data:
        head = f"Do not order {name}"
    else:
        head = f"Check before ordering {name}"
    summary = f"{head}: {first}"
    for clause in decision.reason.split("; ")[1:]:  # the next reasons while they fit (a risk factor after a note)
        longer = f"{summary}; {_without_source(clause)}"
        if len(longer) >= 140:
            break
        summary = longer
    return summary if len(summary) < 140 else summary[:136].rsplit(" ", 1)[0].rstrip(";,:") + "..."


def _finding(order: MedicationOrder, decision: Decision, fixes: tuple[Suggestion, ...], why_no_fix: str) -> Finding:
    reasons = list(dict.fromkeys(decision.reason.split("; ")))
    if decision.contraindicated:
        verdict = "Contraindicated for this patient: do not sign this draft."
    elif decision.verdict is Verdict.ADJUST:
        verdict = f"Change the dose before signing: {decision.adjustment.summary}."
    elif decision.missing_data:
        verdict = "Not checked in full: the data the check needs is missing."
    elif decision.verdict is Verdict.LEAVE_OUT:
        verdict = "Not safe as written for this patient: remove or replace the draft."
    else:
        verdict = "Review before signing."
    detail = f"**{verdict}**" + (f" {why_no_fix}" if why_no_fix else "") + (
        "\n\nThe reasons, with the patient's data behind them, are listed below. The same check screens every "
        "order this service suggests; its thresholds are the [order-safety] settings, each with its source.")
    return Finding(
        indicator=Indicator.CRITICAL if decision.contraindicated else Indicator.WARNING,
        summary=_summary(order, decision),
        detail=detail,
        facts_used=(describe(order), *reasons),
        suggestions=fixes,
        about_drafts=(order.reference or order.display,),
    )
