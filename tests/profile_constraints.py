"""What each client profile's EHR accepts, written from the vendors' documentation independently of
`cds_service.client_profiles.shape`, so a shaping defect cannot hide behind its own rules.

Epic (CDS Hooks Tutorial, fhir.epic.com): selectionBehavior "any" only; one action per suggestion;
suggestions create or delete (no update); a uuid on every suggestion (feedback); source.topic.code
alphanumeric, at most 100 characters; links only from the site's allowlist; orders take the EHR's
defaults, so a card offering a medication order must say so.
Oracle Health (beta CDS Hooks page, cerner/fhir.cerner.com): no appContext; links only from the
registered allowed links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]{1,100}")


def _links_outside(card: Mapping[str, Any], allowed_links: Iterable[str]) -> list[str]:
    allowed = tuple(allowed_links)
    return [link["url"] for link in card.get("links", ()) if not link["url"].startswith(allowed or ("\0",))]


def epic_violations(response: Mapping[str, Any], allowed_links: Iterable[str] = ()) -> list[str]:
    problems = []
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
        if not _ALPHANUMERIC.fullmatch(card["source"]["topic"]["code"]):
            problems.append(f"{name}: topic code {card['source']['topic']['code']!r}")
        problems += [f"{name}: link {url} not allowed" for url in _links_outside(card, allowed_links)]
        orders = any(action["type"] == "create" and action["resource"]["resourceType"] == "MedicationRequest"
                     for suggestion in suggestions for action in suggestion["actions"])
        if orders and "default dose" not in card.get("detail", ""):
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
