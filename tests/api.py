"""Helpers for API tests: build a hook request from FHIR resources, post it, and check every
response the service gives against the CDS Hooks JSON Schemas.

    body = hook_request("patient-view", [patient(), condition(...), medication_request(...)])
    cards = post_hook(client, "myositis-patient-view", body)["cards"]

Each prefetch key of the service is filled from the resources of its type (a read for Patient, a
searchset Bundle otherwise), so a request built here never triggers a fetch or a 412 unless a key
is left out with `omit`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fhir.resources.R4B.operationoutcome import OperationOutcome
from flask.testing import FlaskClient

from cds_service import client_profiles
from cds_service.protocol.validation import check, validators
from cds_service.storage.store import StoreUnavailable
from hooks.recommendation import ORDER_SELECT
from hooks.services import PREFETCH
from tests.profile_constraints import VIOLATIONS, epic_caveats_lost

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOOK_INSTANCE = "00000000-0000-4000-8000-000000000001"
PATIENT_ID = "example"

_SERVICE_PATH = re.compile(r"^/cds-services/[^/]+$")
_FEEDBACK_PATH = re.compile(r"^/cds-services/[^/]+/feedback$")


def fixture(relative: str) -> dict[str, Any]:
    """A JSON file under fixtures/ (e.g. "requests/patient-view-dm-prednisone.json")."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def _resource_type(template: str) -> str:
    return template.split("?", 1)[0].split("/", 1)[0]


def _reference(resource: Mapping[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def prefetch_for(resources: Iterable[Mapping[str, Any]], *, omit: Iterable[str] = ()) -> dict[str, Any]:
    resources = list(resources)
    prefetch: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        if key in omit:
            continue
        wanted = _resource_type(template)
        matching = [r for r in resources if r.get("resourceType") == wanted]
        if "?" not in template:
            prefetch[key] = matching[0] if matching else None
            continue
        bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(matching)}
        if matching:
            bundle["entry"] = [{"resource": r, "search": {"mode": "match"}} for r in matching]
        prefetch[key] = bundle
    return prefetch


def hook_request(
    hook: str,
    resources: Iterable[Mapping[str, Any]] = (),
    *,
    drafts: Iterable[Mapping[str, Any]] = (),
    patient_id: str = PATIENT_ID,
    omit: Iterable[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A complete hook request. `drafts` become context.draftOrders (and, for order-select, all
    of them are the selections); extra keyword arguments are added at the top level."""
    context: dict[str, Any] = {"userId": "Practitioner/example", "patientId": patient_id}
    drafts = list(drafts)
    if hook != "patient-view":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": dict(d)} for d in drafts]}
        if hook == ORDER_SELECT:
            context["selections"] = [_reference(d) for d in drafts]
    body = {"hook": hook, "hookInstance": HOOK_INSTANCE, "context": context, "prefetch": prefetch_for(resources, omit=omit)}
    return {**body, **extra}


def post_hook(client: FlaskClient, service_id: str, body: Mapping[str, Any], expect: int = 200) -> dict[str, Any]:
    response = client.post(f"/cds-services/{service_id}", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def check_response(method: str, path: str, status: int, body: Any) -> None:
    """The schema a response must match: discovery, cards, or an R4 OperationOutcome naming the problem."""
    all_validators = validators()
    if status >= 400:
        OperationOutcome.model_validate(body)
        assert body["issue"][0]["diagnostics"], body
    elif method == "GET" and path == "/cds-services":
        check(all_validators.discovery, body)
    elif method == "POST" and _SERVICE_PATH.match(path):
        check(all_validators.response, body)
        check_client_profiles(body)
    elif method == "POST" and _FEEDBACK_PATH.match(path):
        assert body == {}


def check_client_profiles(response: Mapping[str, Any]) -> None:
    """The response as each client profile shapes it is still valid CDS Hooks and within what that EHR
    accepts (every HTTP test thus checks every profile, and each recommendation has an HTTP test)."""
    allowed = ("https://",)  # a site that allows every https link; the profile tests cover stricter ones
    for name, violations in VIOLATIONS.items():
        shaped = client_profiles.shape(response, client_profiles.PROFILES[name], allowed)
        check(validators().response, shaped)
        assert not violations(shaped, allowed), (name, violations(shaped, allowed))
    epic = client_profiles.shape(response, client_profiles.PROFILES["epic"], allowed)
    assert not epic_caveats_lost(response, epic), epic_caveats_lost(response, epic)


def error_message(response: Any) -> str:
    """The message of an error answer (its OperationOutcome's first diagnostics)."""
    return response.get_json()["issue"][0]["diagnostics"]


def error_expressions(response: Any) -> list[str]:
    """Every `expression` of an error answer's issues, in order."""
    return [expression for issue in response.get_json()["issue"] for expression in issue.get("expression", ())]


class ValidatingClient(FlaskClient):
    """A test client that checks every JSON response against the schemas (so no test can forget)."""

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        response = super().open(*args, **kwargs)
        request = response.request
        # Preflights have no body; metrics are Prometheus text.
        metrics = request.path == "/metrics" and response.status_code == 200
        if request.method != "OPTIONS" and response.status_code != 204 and not metrics:
            assert response.is_json, f"{request.method} {request.path} answered {response.mimetype}"
            check_response(request.method, request.path, response.status_code, response.get_json())
        return response


class UnreachableStore:
    """A store whose database cannot be opened, failing as every backend does (for /readyz and
    store-failure tests; the real servers going down are tested in tests/storage/test_outages.py)."""

    backend = "sqlite"

    def record_cards(self, cards):
        raise StoreUnavailable("feedback store (sqlite)", sqlite3.OperationalError("unreachable"))

    def record_feedback(self, service_id, items, received_at):
        raise StoreUnavailable("feedback store (sqlite)", sqlite3.OperationalError("unreachable"))

    def feedback(self, service_id=None):
        raise StoreUnavailable("feedback store (sqlite)", sqlite3.OperationalError("unreachable"))

    def ping(self):
        raise StoreUnavailable("feedback store (sqlite)", sqlite3.OperationalError("unable to open database file"))
