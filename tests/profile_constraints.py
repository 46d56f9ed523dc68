"""What each client profile's EHR accepts, written from the vendors' documentation independently of
`cds_service.client_profiles.shape`, so a shaping defect cannot hide behind its own rules.

Epic (CDS Hooks Tutorial, fhir.epic.com): selectionBehavior "any" only; one action per suggestion;
suggestions create or delete (no update); a uuid on every suggestion (feedback); source.topic.code
alphanumeric, at most 100 characters; SMART links only from the site's allowlist (absolute reference
links need no configuration); orders take the EHR's defaults, so a card offering a medication order
must say so; the suggestion label is not shown, the action description is, so a label must not say
more than its action (and no caveat of the generic label may be lost); and, one action per suggestion,
the same order must not be offered twice.
Oracle Health (beta CDS Hooks page, cerner/fhir.cerner.com): no appContext; links only from the
registered allowed links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]{1,100}")


def _links_outside(card: Mapping[str, Any], allowed_links: Iterable[str], types=("absolute", "smart")) -> list[str]:
    allowed = tuple(allowed_links)
    return [link["url"] for link in card.get("links", ())
            if link.get("type") in types and not link["url"].startswith(allowed or ("\0",))]


_REMARK = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")  # a parenthesised remark, one nested level inside


def epic_caveats_lost(generic: Mapping[str, Any], shaped: Mapping[str, Any]) -> list[str]:
    """Remarks in parentheses of the generic response's suggestion labels that the Epic-shaped card
    shows nowhere (neither in an action description nor in the detail)."""
    lost = []
    for before, after in zip(generic["cards"], shaped["cards"], strict=True):
        shown = " ".join([after.get("detail", ""), *(a.get("description", "") for s in after.get("suggestions", ())
                                                      for a in s["actions"])])
        lost += [f"{before['summary']}: {remark}" for s in before.get("suggestions", ())
                 for remark in _REMARK.findall(s["label"]) if remark not in shown]
    return lost


def epic_violations(response: Mapping[str, Any], allowed_links: Iterable[str] = ()) -> list[str]:
    problems = []
    orders: set[str] = set()
    for card in response["cards"]:
        name = card["summary"]
        suggestions = card.get("suggestions", ())
        if suggestions and card.get("selectionBehavior") != "any":
            problems.append(f"{name}: selectionBehavior {card.get('selectionBehavior')!r}")
        for suggestion in suggestions:
            actions = suggestion.get("actions", ())
            if len(actions) != 1:
                problems.append(f"{name}: suggestion {suggestion['label']!r} has {len(actions)} actions")
            if any(action["type"] not in ("create", "delete") for action in actions):
                problems.append(f"{name}: suggestion {suggestion['label']!r} has an action Epic cannot apply")
            if not suggestion.get("uuid"):
                problems.append(f"{name}: suggestion without uuid")
            if len(actions) == 1 and suggestion["label"] != actions[0].get("description"):
                problems.append(f"{name}: label {suggestion['label']!r} says what the description Epic shows does not")
            for action in actions:
                resource = {k: v for k, v in (action.get("resource") or {}).items() if k != "id"}
                key = json.dumps([action["type"], action.get("resourceId"), resource], sort_keys=True)
                if key in orders:
                    problems.append(f"{name}: {action.get('description')!r} offered twice")
                orders.add(key)
        if not _ALPHANUMERIC.fullmatch(card["source"]["topic"]["code"]):
            problems.append(f"{name}: topic code {card['source']['topic']['code']!r}")
        problems += [f"{name}: link {url} not allowed" for url in _links_outside(card, allowed_links, ("smart",))]
        medication_orders = any(action["type"] == "create" and action["resource"]["resourceType"] == "MedicationRequest"
                     for suggestion in suggestions for action in suggestion["actions"])
        if medication_orders and "default dose" not in card.get("detail", ""):
            problems.append(f"{name}: offers an order without saying the EHR's defaults apply")
    return problems


def oracle_health_violations(response: Mapping[str, Any], allowed_links: Iterable[str] = ()) -> list[str]:
    problems = []
    for card in response["cards"]:
        if any("appContext" in link for link in card.get("links", ())):
            problems.append(f"{card['summary']}: appContext")
        problems += [f"{card['summary']}: link {url} not allowed" for url in _links_outside(card, allowed_links)]
    return problems


VIOLATIONS = {"epic": epic_violations, "oracle-health": oracle_health_violations}
