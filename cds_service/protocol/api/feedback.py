"""POST /cds-services/{id}/feedback (S2 L820-858).

Accepts the spec's `{"feedback": [...]}`, and tolerates a bare feedback object and Epic's
`overrideReasons` (read as `overrideReason`). Every item is stored durably and idempotently.
The spec leaves the response body undefined; this service answers 200 `{}` once the items are
stored, and 503 (with Retry-After) when the store cannot be reached: never an acknowledgement of
feedback it could not keep.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify

from cds_service import metrics
from cds_service.errors import ApiError, error_response
from cds_service.protocol import runtime
from cds_service.protocol.api.body import json_body
from cds_service.protocol.api.services import known_service
from cds_service.protocol.validation import SchemaViolation, check
from cds_service.storage.snooze import finding_outcomes, snoozes_from
from cds_service.storage.store import StoreRejected, StoreUnavailable
from hooks import consolidate

blueprint = Blueprint("feedback", __name__)
log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before resending feedback the store could not take.
RETRY_AFTER_SECONDS = 5


def _item(item: Any) -> Any:
    if isinstance(item, Mapping) and "overrideReasons" in item and "overrideReason" not in item:
        reasons = item["overrideReasons"]
        normalised = {key: value for key, value in item.items() if key != "overrideReasons"}
        if isinstance(reasons, list) and len(reasons) == 1:
            reasons = reasons[0]
        normalised["overrideReason"] = reasons
        return normalised
    return item


def normalise(body: Any) -> Any:
    """The spec's shape from what clients send (anything else is left for the schema to reject)."""
    if isinstance(body, Mapping) and "feedback" not in body and "card" in body:
        body = {"feedback": [body]}
    if isinstance(body, Mapping) and isinstance(body.get("feedback"), list):
        body = {**body, "feedback": [_item(item) for item in body["feedback"]]}
    return body


#: Longest wait for this instance's queued finding records before feedback is applied per finding.
FINDINGS_FLUSH_SECONDS = 1.0


def per_finding(rt: runtime.Runtime, items: list[Mapping[str, Any]]) -> None:
    """Count the feedback per finding of each card it concerns, and store the snoozes its overrides ask for. The
    feedback itself is already stored: a failure here is logged, never turned into a refusal."""
    days = consolidate.snooze_days(rt.rules.settings.get(consolidate.TABLE) or {})
    now = rt.clock()
    # The findings of a card are written in the background: this instance's are written first (a card
    # answered moments ago may still be queued; another instance's writer takes milliseconds).
    rt.finding_recorder.flush(FINDINGS_FLUSH_SECONDS)
    try:
        for card in dict.fromkeys(item["card"] for item in items):
            findings = rt.store.card_findings(card)
            if not findings:
                continue
            outcomes = finding_outcomes(findings, [record.item for record in rt.store.card_feedback(card)])
            for outcome in outcomes:
                metrics.FINDING_FEEDBACK.labels(outcome.finding.recommendation_id, outcome.outcome).inc()
            snoozes = snoozes_from(outcomes, days, now)
            rt.store.add_snoozes(snoozes)
            for snooze in snoozes:
                metrics.SNOOZES_CREATED.labels(snooze.recommendation_id, snooze.reason).inc()
    except Exception as error:  # noqa: BLE001 - the feedback is stored; only its per-finding effects are lost
        log.error("feedback per finding not applied: %s", type(error).__name__)


@blueprint.post("/cds-services/<service_id>/feedback")
def feedback(service_id: str) -> Response:
    service = known_service(service_id)
    rt = runtime.current()
    body = normalise(json_body(rt.settings.max_body_bytes))
    try:
        check(rt.validators.feedback, body)
    except SchemaViolation as violation:
        raise ApiError(400, f"invalid feedback: {violation}", expression=violation.path) from None
    try:
        stored = rt.store.record_feedback(service.id, body["feedback"], rt.clock())
    except StoreUnavailable as error:
        log.error("service=%s feedback items=%d not stored: %s", service.id, len(body["feedback"]), error)
        response = error_response(503, "feedback not stored: the feedback store is unavailable; retry later")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    except StoreRejected as error:  # a value the schema let through but the backend cannot keep: resending won't help
        log.error("service=%s feedback items=%d refused by the store: %s", service.id, len(body["feedback"]), error)
        raise ApiError(400, "invalid feedback: a value cannot be stored") from None
    for item in body["feedback"]:
        metrics.FEEDBACK.labels(item["outcome"]).inc()
    if stored:
        per_finding(rt, body["feedback"])
    log.info("service=%s feedback items=%d new=%d", service.id, len(body["feedback"]), stored)
    return jsonify({})
