"""Hostile hook requests: mutated FHIR payloads, deep nesting, huge arrays, wrong types, unicode
oddities and duplicate keys get a clear 4xx JSON error or a well-formed 200, never a 5xx or a hang.
(The fuzz app's ValidatingClient checks every 4xx is the JSON error shape and every 200 the cards
schema; the rules run strict, so a recommendation crashing on odd input fails here.)"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service.config import Settings
from tests.api import fixture

REQUESTS = {
    "myositis-patient-view": "requests/patient-view-new-dm-prednisone-alone.json",
    "myositis-order-sign": "requests/order-sign-methotrexate.json",
    "myositis-order-select": "requests/order-select-methotrexate.json",
}
#: Slowest acceptable answer to one hostile request (the service aims at ~500 ms; this only catches hangs).
HANG_SECONDS = 10.0

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
odd_text = st.sampled_from(
    ["", " ", "\u0000", "\ufeff", "\u202e", "e\u0301" * 50, "\U0001f9ea", "x" * 10_000, "Patient/../../x",
     "1e999", "NaN", "\ud7ff\ue000", "ǅ", "İ", "mg\u00a0/\u2009day"]
) | st.text(max_size=30)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item path of a JSON document (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def replace_at(document: Any, path: tuple[Any, ...], value: Any) -> None:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


def post_raw(app: Flask, service: str, data: bytes | str) -> Any:
    started = time.monotonic()
    response = app.test_client().post(f"/cds-services/{service}", data=data, content_type="application/json")
    assert time.monotonic() - started < HANG_SECONDS
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return response


def post(app: Flask, service: str, body: Any) -> Any:
    return post_raw(app, service, json.dumps(body))


@pytest.mark.parametrize("service", list(REQUESTS))
@given(data=st.data())
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
def test_requests_with_wrong_types_anywhere_never_crash(fuzz_app: Flask, service: str, data: st.DataObject) -> None:
    body = fixture(REQUESTS[service])
    for path in data.draw(st.lists(st.sampled_from(paths(body)), min_size=1, max_size=3, unique=True)):
        try:
            replace_at(body, path, data.draw(json_values | odd_text))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    post(fuzz_app, service, body)


@pytest.mark.parametrize("service", list(REQUESTS))
@given(data=st.data())
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
def test_requests_with_odd_unicode_in_any_string_never_crash(fuzz_app: Flask, service: str, data: st.DataObject) -> None:
    body = fixture(REQUESTS[service])
    strings = [path for path in paths(body) if isinstance(_get(body, path), str)]
    for path in data.draw(st.lists(st.sampled_from(strings), min_size=1, max_size=4, unique=True)):
        replace_at(body, path, data.draw(odd_text))
    post(fuzz_app, service, body)


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
def test_deeply_nested_json_is_rejected_or_answered(fuzz_app: Flask, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = json.dumps(fixture(REQUESTS["myositis-patient-view"]))
    post_raw(fuzz_app, "myositis-patient-view", body[:-1] + f', "extension": {{"x": {nested}}}}}')
    post_raw(fuzz_app, "myositis-patient-view", nested)


def _many_selections(body: dict[str, Any]) -> None:
    body["context"]["selections"] = [f"MedicationRequest/{n}" for n in range(50_000)]


def _many_draft_orders(body: dict[str, Any]) -> None:
    draft = body["context"]["draftOrders"]["entry"][0]
    body["context"]["draftOrders"]["entry"] = [copy.deepcopy(draft) for _ in range(20_000)]


def _many_conditions(body: dict[str, Any]) -> None:
    body["prefetch"]["conditions"]["entry"] *= 20_000


def _array_for_a_string(body: dict[str, Any]) -> None:
    body["hookInstance"] = ["x"] * 100_000


@pytest.mark.parametrize("enlarge", [_many_selections, _many_draft_orders, _many_conditions, _array_for_a_string])
def test_huge_arrays_are_rejected_or_answered(fuzz_app: Flask, enlarge: Any) -> None:
    body = fixture(REQUESTS["myositis-order-sign"])
    enlarge(body)
    post(fuzz_app, "myositis-order-sign", body)


def test_body_over_the_size_limit_is_413(fuzz_app: Flask) -> None:
    limit = Settings().max_body_bytes
    response = post_raw(fuzz_app, "myositis-patient-view", '{"hook": "' + "x" * limit + '"}')
    assert response.status_code == 413


@pytest.mark.parametrize("body", ["[]", '"patient-view"', "1", "null", "true", "{}", '{"hook": {}}'])
def test_non_object_or_empty_bodies_are_400(fuzz_app: Flask, body: str) -> None:
    assert post_raw(fuzz_app, "myositis-patient-view", body).status_code == 400


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"hook": "patient-view\xc3"}', b'{"hook": "\\ud800"}', b"\xef\xbb\xbf{}", b'{"a": NaN}',
     b'{"a": Infinity}', b'{"hook": "p"' + b" " * 1000],
    ids=["utf16-bom", "truncated-utf8", "lone-surrogate", "utf8-bom", "nan", "infinity", "unterminated"],
)
def test_undecodable_or_non_standard_json_is_rejected_or_answered(fuzz_app: Flask, raw: bytes) -> None:
    post_raw(fuzz_app, "myositis-patient-view", raw)


def test_duplicate_keys_are_rejected_or_answered(fuzz_app: Flask) -> None:
    body = json.dumps(fixture(REQUESTS["myositis-patient-view"]))
    duplicated = body.replace('"hook": "patient-view"', '"hook": "patient-view", "hook": "order-sign"', 1)
    duplicated = duplicated.replace('"patientId": "new-dm-1"', '"patientId": "new-dm-1", "patientId": "someone-else"', 1)
    assert duplicated != body
    post_raw(fuzz_app, "myositis-patient-view", duplicated)
