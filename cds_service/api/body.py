"""Reading a JSON request body: content type, size and syntax checks with clear errors."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from cds_service.errors import ApiError


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose member names are unique. Duplicates are refused: parsers disagree on which
    one wins (RFC 8259 section 4), so a proxy and this service could read different requests."""
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        duplicate = next(name for name, _ in pairs if name in seen or seen.add(name))
        raise ValueError(f"duplicate member name {duplicate!r}")
    return members


def json_body(max_bytes: int) -> Any:
    """The parsed body; ApiError 415 (not JSON), 413 (too large) or 400 (malformed)."""
    mimetype = request.mimetype
    if not (mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))):
        raise ApiError(415, f"Content-Type must be application/json, got {mimetype or 'none'!r}")
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, f"request body larger than {max_bytes} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise ApiError(413, f"request body larger than {max_bytes} bytes")
    try:
        return json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_unique_members)
    except (ValueError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        where = f" at line {error.lineno} column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise ApiError(400, f"malformed JSON: {reason}{where}") from None
