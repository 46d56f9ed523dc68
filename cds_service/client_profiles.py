"""Client profiles: shape a CDS Hooks response to what a given EHR accepts.

EHRs implement different parts of CDS Hooks. A profile is chosen per trusted issuer (the issuers
file) or by default (`CDS_CLIENT_PROFILE`), and `shape` rewrites the generic response for it: a pure
function of the response JSON, so it applies to every recommendation alike. What a profile cannot
carry is never dropped silently: a suggestion the EHR cannot apply is named in the card's detail, so
the clinician can still act on it by hand.

Sources (each rule below names its own):
- `epic`: Epic's "CDS Hooks Tutorial" on fhir.epic.com (vendor documentation, read): card and
  suggestion attribute tables, "Actions" and "HTTP Response Fields".
- `oracle-health`: the CDS Hooks page of Oracle Health (Cerner) Millennium's developer documentation,
  a beta page proposed in the public cerner/fhir.cerner.com repository (`content/millennium/cds_hooks.md`),
  read there; it is not a published page, so treat it as a secondary source.
- `generic`: CDS Hooks 2.0 as it is.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ALL_ACTION_TYPES = frozenset({"create", "update", "delete"})


@dataclass(frozen=True)
class ClientProfile:
    name: str
    #: The only `selectionBehavior` the client accepts; None: the service's setting.
    selection_behavior: str | None = None
    #: Several actions in one suggestion are not supported: such suggestions are not offered.
    one_action_per_suggestion: bool = False
    #: Action types the client can apply from a suggestion.
    action_types: frozenset[str] = ALL_ACTION_TYPES
    #: `source.topic.code` must be alphanumeric (and at most this long).
    alphanumeric_topic_code: int | None = None
    #: Links of these types are kept only when they start with one of the site's `allowed_links`.
    allowlisted_link_types: frozenset[str] = frozenset()
    #: `appContext` on links is not supported.
    no_app_context: bool = False
    #: Links of type `smart` (SMART app launch) are supported; False: they are left out.
    smart_links: bool = True
    #: The client creates orders with its own defaults, not the dose and schedule of the suggestion.
    orders_take_ehr_defaults: bool = False
    #: The client shows the action's description, not the suggestion's label: what a label says beyond
    #: its actions' descriptions (a caveat in parentheses) goes into the description and the card detail.
    label_not_shown: bool = False
    #: The same order is offered once per response (splitting alternatives would repeat shared orders).
    one_suggestion_per_order: bool = False
    #: Where each rule comes from.
    sources: Mapping[str, str] = field(default_factory=dict)


EPIC_TUTORIAL = "Epic, CDS Hooks Tutorial, fhir.epic.com/Documentation?docId=cds-hooks"
ORACLE_BETA = "Oracle Health (Cerner) Millennium CDS Hooks beta documentation, cerner/fhir.cerner.com cds_hooks.md"

PROFILES: Mapping[str, ClientProfile] = {
    "generic": ClientProfile(name="generic", sources={"all": "CDS Hooks 2.0.1"}),
    "epic": ClientProfile(
        name="epic",
        selection_behavior="any",
        one_action_per_suggestion=True,
        action_types=frozenset({"create", "delete"}),
        alphanumeric_topic_code=100,
        allowlisted_link_types=frozenset({"smart"}),
        orders_take_ehr_defaults=True,
        label_not_shown=True,
        one_suggestion_per_order=True,
        sources={
            "selection_behavior": f"{EPIC_TUTORIAL}, Card Attributes: 'Only the value \"any\" is currently supported.'",
            "one_action_per_suggestion": f"{EPIC_TUTORIAL}, Suggestion Attributes: 'Epic only supports a single "
                                         "action per suggestion.'",
            "action_types": f"{EPIC_TUTORIAL}, HTTP Response Fields: single-order follow-up suggestions with CREATE "
                            "or DELETE actions (no update of an unsigned order)",
            "alphanumeric_topic_code": f"{EPIC_TUTORIAL}, Card Attributes: source.topic.code alphanumeric only, "
                                       "at most 100 characters, static (overrides are remembered by it)",
            "allowlisted_link_types": f"{EPIC_TUTORIAL}, Card Attributes: SMART app links are allow-listed by "
                                      "the health system; absolute reference links need no configuration",
            "label_not_shown": f"{EPIC_TUTORIAL}, Suggestion Attributes: the label is not used; the action "
                               "description is what the clinician sees",
            "one_suggestion_per_order": "follows from one_action_per_suggestion: alternatives that share orders "
                                        "(the same baseline tests with either folate regimen) would repeat them",
            "orders_take_ehr_defaults": f"{EPIC_TUTORIAL}, Actions: order details in a MedicationRequest or "
                                        "ServiceRequest create are not used; defaults of the order record are",
            "suggestion_uuid": f"{EPIC_TUTORIAL}, Suggestion Attributes: uuid required to receive feedback",
        },
    ),
    "oracle-health": ClientProfile(
        name="oracle-health",
        allowlisted_link_types=frozenset({"absolute", "smart"}),
        no_app_context=True,
        sources={
            "allowlisted_link_types": f"{ORACLE_BETA}, CDS Service Registration: 'Any links not in this list will be "
                                    "removed.'",
            "no_app_context": f"{ORACLE_BETA}, SMART Apps: 'the appContext field is not currently supported'",
        },
    ),
}

_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def topic_code(recommendation_id: str, limit: int) -> str:
    """A stable alphanumeric code for a recommendation id ("pjp-prophylaxis" -> "pjpprophylaxis")."""
    return _NOT_ALPHANUMERIC.sub("", recommendation_id)[:limit]


def _one_action_each(suggestion: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Independent creates (e.g. three laboratory tests) as one suggestion each, labelled by their
    action; each gets a uuid derived from the original, so feedback on it is stable."""
    parent = uuid.UUID(suggestion["uuid"]) if _is_uuid(suggestion.get("uuid")) else uuid.uuid4()
    return [
        {**suggestion, "label": action["description"], "uuid": str(uuid.uuid5(parent, str(index))), "actions": [action]}
        for index, action in enumerate(suggestion["actions"])
    ]


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _remarks(label: str) -> list[str]:
    """The top-level parenthesised remarks of a label ("Order X (check Y first) (not pre-selected: Z)")."""
    remarks, depth, start = [], 0, 0
    for index, char in enumerate(label):
        if char == "(":
            depth += 1
            if depth == 1:
                start = index + 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                remarks.append(label[start:index].strip())
    return remarks


def _is_medication_order(action: Mapping[str, Any]) -> bool:
    return action.get("type") in ("create", "update") and (action.get("resource") or {}).get(
        "resourceType") == "MedicationRequest"


def _with_caveats(suggestion: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The suggestion with the caveats its label carries beyond its actions' descriptions added to the
    descriptions, and the descriptions that got one. The caveats of a label that joins several orders
    are the screening and dosing remarks of its medication orders (the order-safety reasons, "not on
    the methotrexate day"), so they go to the medication orders when it has any, else to every action."""
    actions = [dict(action) for action in suggestion.get("actions") or ()]
    caveats = [r for r in _remarks(suggestion.get("label", "")) if not any(r in a.get("description", "") for a in actions)]
    if not caveats:
        return {**suggestion, "actions": actions}, []
    targets = ([a for a in actions if _is_medication_order(a)] if len(actions) > 1 else []) or actions
    for action in targets:
        action["description"] = f"{action.get('description', '')} ({'; '.join(caveats)})"
    return {**suggestion, "actions": actions}, [a["description"] for a in targets]


def _offerable(suggestion: Mapping[str, Any], profile: ClientProfile) -> list[dict[str, Any]]:
    """The suggestion as the client can apply it: as it is, split into independent creates, or not at all."""
    actions = suggestion.get("actions") or []
    if any(action.get("type") not in profile.action_types for action in actions):
        return []
    if not profile.one_action_per_suggestion or len(actions) <= 1:
        single = dict(suggestion)
        if profile.label_not_shown and len(actions) == 1:
            single["label"] = actions[0]["description"]
        return [single]
    if all(action.get("type") == "create" for action in actions):
        return _one_action_each(suggestion)
    return []  # a delete with a create belong together: applying one alone would be wrong


def _order_key(suggestion: Mapping[str, Any]) -> str:
    """What a one-action suggestion orders, whatever ids it was given."""
    (action,) = suggestion["actions"]
    resource = {key: value for key, value in (action.get("resource") or {}).items() if key != "id"}
    return json.dumps([action["type"], action.get("resourceId"), resource], sort_keys=True)


def _allowed(link: Mapping[str, Any], profile: ClientProfile, allowed_links: Iterable[str]) -> bool:
    if link.get("type", "absolute") not in profile.allowlisted_link_types:
        return True
    return any(link["url"].startswith(prefix) for prefix in allowed_links)


def _shape_suggestions(card: dict[str, Any], profile: ClientProfile, offered: dict[str, str]) -> list[str]:
    """Shape the card's suggestions; the notes its detail needs. `offered`: order -> the summary of the
    card that offers it (one suggestion per order across the response, when the profile asks)."""
    notes = []
    kept: list[dict[str, Any]] = []
    left_out, caveated, repeated = [], [], []
    for suggestion in card["suggestions"]:
        suggestion, with_caveat = _with_caveats(suggestion) if profile.label_not_shown else (suggestion, [])
        offerable = _offerable(suggestion, profile)
        if not offerable:
            left_out.append(suggestion["label"])
            continue
        caveated += with_caveat
        for single in offerable:
            key = _order_key(single) if profile.one_suggestion_per_order else ""
            if key in offered:
                repeated.append((single["actions"][0]["description"], offered[key]))
                continue
            if key:
                offered[key] = card["summary"]
            kept.append(single)
    if left_out:
        notes.append("**Not offered as one click in this EHR** (it applies one create or delete per "
                     "suggestion): " + "; ".join(left_out) + ". Make the change in the order itself.")
    if caveated:
        notes.append("**Before ordering:** " + "; ".join(dict.fromkeys(caveated)) + ".")
    elsewhere = [f"{description} (on the card \"{summary}\")" for description, summary in repeated
                 if summary != card["summary"]]
    if elsewhere:
        notes.append("**Offered once:** " + "; ".join(dict.fromkeys(elsewhere)) + ".")
    if kept:
        card["suggestions"] = kept
    else:
        card.pop("suggestions")
        card.pop("selectionBehavior", None)
    if profile.orders_take_ehr_defaults and any(
        action.get("type") == "create" and _is_medication_order(action)
        for suggestion in kept for action in suggestion.get("actions", ())
    ):
        notes.append("**Check the order before signing:** this EHR opens a one-click order with the order "
                     "record's default dose and frequency, not the dose and frequency described here.")
    return notes


def _shape_card(card: dict[str, Any], profile: ClientProfile, allowed_links: tuple[str, ...],
                offered: dict[str, str]) -> None:
    notes = _shape_suggestions(card, profile, offered) if card.get("suggestions") else []
    if profile.selection_behavior and "selectionBehavior" in card:
        card["selectionBehavior"] = profile.selection_behavior
    if profile.alphanumeric_topic_code:
        topic = card["source"]["topic"]
        topic["code"] = topic_code(topic["code"], profile.alphanumeric_topic_code)
    links = card.get("links")
    if links is not None:
        links = [link for link in links if _allowed(link, profile, allowed_links)]
        if not profile.smart_links:
            links = [link for link in links if link.get("type") != "smart"]
        if profile.no_app_context:
            links = [{key: value for key, value in link.items() if key != "appContext"} for link in links]
        if links:
            card["links"] = links
        else:
            card.pop("links")
    if notes:
        card["detail"] = "\n\n".join([card["detail"], *notes]) if card.get("detail") else "\n\n".join(notes)


def shape(response: Mapping[str, Any], profile: ClientProfile, allowed_links: Iterable[str] = ()) -> dict[str, Any]:
    """The response as `profile`'s client accepts it; `response` itself is not changed (the generic
    profile returns it as it is, the others shape a copy)."""
    if profile.name == "generic":
        return dict(response)
    # The other profiles rewrite suggestions, actions, details and links in place: they work on a copy.
    shaped = copy.deepcopy(dict(response))
    offered: dict[str, str] = {}
    for card in shaped.get("cards", ()):
        _shape_card(card, profile, tuple(allowed_links), offered)
    return shaped
