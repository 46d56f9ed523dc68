"""No input crashes the service: arbitrary JSON and mutated hook requests get a 2xx or a 4xx
JSON answer, never a 500 (hypothesis). Responses are schema-checked by the ValidatingClient."""

import copy
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests.api import ValidatingClient, fixture
from tests.factories import NOW

_DIR = tempfile.mkdtemp(prefix="myositis-cds-fuzz-")
APP = create_app(Settings(feedback_db=str(Path(_DIR) / "fuzz.sqlite3"), strict_rules=True,
                          prefetch_failure="partial"), clock=lambda: NOW)
APP.test_client_class = ValidatingClient
BASE = fixture("requests/order-select-methotrexate.json")
FUZZ = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
PATHS = ["$.hook", "$.hookInstance", "$.context", "$.context.patientId", "$.context.userId", "$.context.selections",
         "$.context.draftOrders", "$.context.draftOrders.entry", "$.prefetch", "$.prefetch.patient",
         "$.prefetch.medications", "$.prefetch.medications.entry", "$.prefetch.conditions", "$.fhirAuthorization"]


def replaced(document, path, value):
    document = copy.deepcopy(document)
    *parents, last = path.removeprefix("$.").split(".")
    node = document
    for key in parents:
        node = node.setdefault(key, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        node[last] = value
    return document


def assert_handled(response):
    assert response.status_code < 500, response.get_json()


@FUZZ
@given(json_values)
def test_arbitrary_json_bodies_are_handled(body):
    with APP.test_client() as client:
        assert_handled(client.post("/cds-services/myositis-order-select", json=body))
        assert_handled(client.post("/cds-services/myositis-order-select/feedback", json=body))


@FUZZ
@given(st.sampled_from(PATHS), json_values)
def test_hook_requests_with_one_member_replaced_are_handled(path, value):
    with APP.test_client() as client:
        assert_handled(client.post("/cds-services/myositis-order-select", json=replaced(BASE, path, value)))


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_handled(data):
    with APP.test_client() as client:
        assert_handled(client.post("/cds-services/myositis-patient-view", data=data, content_type="application/json"))
