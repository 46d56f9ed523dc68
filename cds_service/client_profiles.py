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
    #: Links are kept only when they start with one of the site's `allowed_links`.
    links_need_allowlist: bool = False
    #: `appContext` on links is not supported.
    no_app_context: bool = False
    #: The client creates orders with its own defaults, not the dose and schedule of the suggestion.
    orders_take_ehr_defaults: bool = False
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
        links_need_allowlist=True,
        orders_take_ehr_defaults=True,
        sources={
            "selection_behavior": f"{EPIC_TUTORIAL}, Card Attributes: 'Only the value \"any\" is currently supported.'",
            "one_action_per_suggestion": f"{EPIC_TUTORIAL}, Suggestion Attributes: 'Epic only supports a single "
                                         "action per suggestion.'",
            "action_types": f"{EPIC_TUTORIAL}, HTTP Response Fields: single-order follow-up suggestions with CREATE "
                            "or DELETE actions (no update of an unsigned order)",
            "alphanumeric_topic_code": f"{EPIC_TUTORIAL}, Card Attributes: source.topic.code alphanumeric only, "
                                       "at most 100 characters, static (overrides are remembered by it)",
            "links_need_allowlist": f"{EPIC_TUTORIAL}, Card Attributes: 'Allowed links are allow-listed by the "
                                    "health system.'",
            "orders_take_ehr_defaults": f"{EPIC_TUTORIAL}, Actions: order details in a MedicationRequest or "
                                        "ServiceRequest create are not used; defaults of the order record are",
            "suggestion_uuid": f"{EPIC_TUTORIAL}, Suggestion Attributes: uuid required to receive feedback",
        },
    ),
    "oracle-health": ClientProfile(
        name="oracle-health",
        links_need_allowlist=True,
        no_app_context=True,
        sources={
            "links_need_allowlist": f"{ORACLE_BETA}, CDS Service Registration: 'Any links not in this list will be "
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


def _offerable(suggestion: Mapping[str, Any], profile: ClientProfile) -> list[dict[str, Any]]:
    """The suggestion as the client can apply it: as it is, split into independent creates, or not at all."""
    actions = suggestion.get("actions") or []
    if any(action.get("type") not in profile.action_types for action in actions):
        return []
    if not profile.one_action_per_suggestion or len(actions) <= 1:
        return [dict(suggestion)]
    if all(action.get("type") == "create" for action in actions):
        return _one_action_each(suggestion)
    return []  # a delete with a create belong together: applying one alone would be wrong


def _allowed(url: str, allowed_links: Iterable[str]) -> bool:
    return any(url.startswith(prefix) for prefix in allowed_links)


def _shape_card(card: dict[str, Any], profile: ClientProfile, allowed_links: tuple[str, ...]) -> None:
    notes = []
    suggestions = card.get("suggestions")
    if suggestions:
        kept, left_out = [], []
        for suggestion in suggestions:
            offerable = _offerable(suggestion, profile)
            kept += offerable
            if not offerable:
                left_out.append(suggestion["label"])
        if left_out:
            notes.append("**Not offered as one click in this EHR** (it applies one create or delete per "
                         "suggestion): " + "; ".join(left_out) + ". Make the change in the order itself.")
        if kept:
            card["suggestions"] = kept
        else:
            card.pop("suggestions")
            card.pop("selectionBehavior", None)
        if profile.orders_take_ehr_defaults and any(
            action.get("type") == "create" and (action.get("resource") or {}).get("resourceType") == "MedicationRequest"
            for suggestion in kept for action in suggestion.get("actions", ())
        ):
            notes.append("**Check the order before signing:** this EHR opens a one-click order with the order "
                         "record's default dose and frequency, not the dose in the suggestion's label.")
    if profile.selection_behavior and "selectionBehavior" in card:
        card["selectionBehavior"] = profile.selection_behavior
    if profile.alphanumeric_topic_code:
        topic = card["source"]["topic"]
        topic["code"] = topic_code(topic["code"], profile.alphanumeric_topic_code)
    links = card.get("links")
    if links is not None:
        if profile.links_need_allowlist:
            links = [link for link in links if _allowed(link["url"], allowed_links)]
        if profile.no_app_context:
            links = [{key: value for key, value in link.items() if key != "appContext"} for link in links]
        if links:
            card["links"] = links
        else:
            card.pop("links")
    if notes:
        card["detail"] = "\n\n".join([card["detail"], *notes]) if card.get("detail") else "\n\n".join(notes)


def shape(response: Mapping[str, Any], profile: ClientProfile, allowed_links: Iterable[str] = ()) -> dict[str, Any]:
    """The response as `profile`'s client accepts it; `response` itself is not changed (`_shape_card`
    changes a card's own members and its topic, so those are what is copied)."""
    if profile.name == "generic":
        return dict(response)
    shaped = {**response, "cards": [{**card, "source": {**card["source"], "topic": dict(card["source"]["topic"])}}
                                    for card in response.get("cards", ())]}
    for card in shaped["cards"]:
        _shape_card(card, profile, tuple(allowed_links))
    return shaped
