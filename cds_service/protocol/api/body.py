"""Reading a JSON request body: content type, size and syntax checks with clear errors.

Parsed with orjson: several times faster than the standard library on the multi-megabyte prefetch
of a large record, and strict (no NaN/Infinity, valid UTF-8 only, nesting limited to 1024 levels).
A member name given twice keeps its last value, as in the standard library and most parsers.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import request

from cds_service.errors import ApiError
from cds_service.protocol.request_body import BODY_KEY


def json_body(max_bytes: int) -> Any:
    """The parsed body; ApiError 415 (not JSON), 413 (too large) or 400 (malformed)."""
    mimetype = request.mimetype
    if not (mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))):
        raise ApiError(415, f"Content-Type must be application/json, got {mimetype or 'none'!r}")
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, f"request body larger than {max_bytes} bytes")
    raw = request.environ.get(BODY_KEY)  # read whole by cds_service.protocol.request_body
    if raw is None:
        raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise ApiError(413, f"request body larger than {max_bytes} bytes")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ApiError(400, f"malformed JSON: {error}") from None
