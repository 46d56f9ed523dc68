"""Checks of the benchmark's own parts (not run by `make test`): `.venv/bin/python -m pytest bench -q`."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.compare import measure, write_bodies
from bench.deployed import in_turn
from bench.floor import CARD, floor_app
from bench.stats import percentile
from bench.workloads import (
    NOW,
    TYPICAL,
    Shape,
    general_patient_view,
    record,
    search,
    sized_workload,
    small_patient_view,
    typical_workloads,
)


def test_percentile_is_a_sample_that_happened_by_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]

    assert percentile(samples, 0.99) == 99.0
    assert percentile(samples, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0


@pytest.mark.parametrize("total", [5, 10, 100, 1000, 5000])
def test_a_sized_record_has_exactly_that_many_distinct_resources(total: int) -> None:
    assert len(record(Shape.of_size(total))) == total


def test_a_record_too_small_for_one_of_each_type_is_refused() -> None:
    with pytest.raises(ValueError):
        Shape.of_size(4)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() -> None:
    first, again, other = (json.dumps(sized_workload(100, seed).body) for seed in (1, 1, 2))

    assert first == again
    assert first != other


def test_the_typical_record_has_active_and_past_medication_requests() -> None:
    statuses = Counter(r["status"] for r in record(TYPICAL) if r["resourceType"] == "MedicationRequest")

    assert sum(statuses.values()) == TYPICAL.medications
    assert statuses["active"] and (statuses["completed"] or statuses["stopped"])


def test_a_prefetch_query_finds_what_its_parameters_select() -> None:
    resources = record(TYPICAL)
    template = "Observation?patient={{context.patientId}}&code=http://loinc.org|2157-6,718-7&category=laboratory"

    found = search(resources, template)

    assert found
    assert {r["code"]["coding"][0]["code"] for r in found} == {"2157-6", "718-7"}
    assert search(resources, "Observation?patient=x&category=vital-signs")[0]["code"]["coding"][0]["code"] == "29463-7"


def test_order_hooks_carry_three_draft_orders_and_order_select_selects_one() -> None:
    workloads = {w.name: w for w in typical_workloads()}

    for name in ("order-select", "order-sign"):
        assert len(workloads[name].body["context"]["draftOrders"]["entry"]) == 3
    assert len(workloads["order-select"].body["context"]["selections"]) == 1
    assert "draftOrders" not in workloads["patient-view"].body["context"]


def test_the_floor_answers_one_constant_card_to_a_hook_call() -> None:
    client = floor_app(1 << 20).test_client()

    response = client.post("/cds-services/any", data=json.dumps(typical_workloads()[0].body),
                           content_type="application/json")

    assert response.status_code == 200
    assert response.get_json() == {"cards": [CARD]}


def test_the_small_patient_view_is_the_198_kib_request_of_issue_27() -> None:
    assert len(json.dumps(small_patient_view().body).encode()) // 1024 == 197  # 198 KiB rounded up


def test_the_null_store_has_every_method_of_the_store_interface() -> None:
    from bench.__main__ import NullStore
    from cds_service.storage.store import Store

    wanted = {name for name, value in vars(Store).items() if callable(value) and not name.startswith("_")}

    assert wanted <= {name for name in dir(NullStore) if callable(getattr(NullStore, name))}


def test_the_service_without_a_store_answers_without_logging_an_error(tmp_path, caplog) -> None:
    from bench.__main__ import apps
    from bench.inprocess import Endpoint
    from cds_service.config import Settings

    app = apps(Settings(feedback_db=str(tmp_path / "feedback.sqlite3")))["service_nostore"]
    workload = typical_workloads()[0]

    call = Endpoint(app, workload.service_id, json.dumps(workload.body).encode()).call()
    app.extensions["myositis_cds"].finding_recorder.flush(5)

    assert call.status == 200
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_the_latency_calls_turn_so_that_each_target_follows_every_other() -> None:
    names = ["service", "service_jwt", "floor"]
    orders = [in_turn(names, index) for index in range(6)]
    assert all(sorted(order) == sorted(names) for order in orders)
    followed = {(order[i - 1], order[i]) for order in orders for i in range(1, 3)}
    assert followed == {(a, b) for a in names for b in names if a != b}


def test_the_comparison_measures_the_cpu_time_of_each_workload_it_wrote(tmp_path) -> None:
    write_bodies(tmp_path)
    medians = measure(tmp_path, calls=2)
    assert list(medians) == ["patient-view 420 KiB", "patient-view 198 KiB", "patient-view 10 resources",
                            "patient-view 420 KiB general"]
    assert all(ms > 0 for ms in medians.values())


def test_the_floor_pauses_the_collector_while_it_parses_as_the_service_does(monkeypatch) -> None:
    import gc

    import bench.floor

    seen = []
    real_loads = bench.floor.orjson.loads
    monkeypatch.setattr(bench.floor.orjson, "loads", lambda raw: (seen.append(gc.isenabled()), real_loads(raw))[1])
    client = floor_app(1 << 20).test_client()

    client.post("/cds-services/x", json={"hook": "patient-view"})

    assert seen == [False]
    assert gc.isenabled()


@pytest.fixture
def bound_measure(monkeypatch, tmp_path):
    """`bench.bound.measure` with the mappings wrapped for this test only: (measure(workload, calls), wrapped)."""
    import fhir_mappings.parse as parse
    from bench import bound
    from cds_service.config import Settings

    for name in bound.MAPPINGS:  # restored after the test
        monkeypatch.setattr(parse, name, getattr(parse, name))
    wrapped = bound.install()
    settings = Settings(feedback_db=str(tmp_path / "unused.sqlite3"), strict_rules=True)
    return (lambda workload, calls: bound.measure(workload, calls, wrapped, settings)), wrapped


def test_the_bound_with_free_mapping_gives_the_same_cards_and_maps_each_resource_once(bound_measure) -> None:
    measure_bound, wrapped = bound_measure

    medians = measure_bound(small_patient_view(), 2)  # raises if the cards differ

    assert set(medians) == {"service", "free mapping", "floor"}
    remembered = {id(r): len(r.outcomes) for r in wrapped}
    measure_bound(small_patient_view(), 1)
    assert {id(r): len(r.outcomes) for r in wrapped} == remembered
    assert all(r.outcomes for r in wrapped)


def test_the_bound_forgets_one_workloads_mappings_before_the_next(bound_measure) -> None:
    """The records of the workloads reuse their ids: a mapping remembered from one must not answer for another."""
    measure_bound, _ = bound_measure

    measure_bound(small_patient_view(), 1)
    measure_bound(general_patient_view(), 1)  # raises if the cards differ


def test_the_general_patient_view_has_the_typical_shape_without_myositis_or_a_checked_drug() -> None:
    from fhir_mappings.parse import build_facts

    workload = general_patient_view()
    facts = build_facts("patient-view", workload.body["context"], workload.body["prefetch"], NOW)

    assert workload.resources == TYPICAL.total
    assert facts.myositis is None and facts.conditions and facts.medications == ()
    assert len([r for r in record(TYPICAL, general=True) if r["resourceType"] == "MedicationRequest"]) == TYPICAL.medications
