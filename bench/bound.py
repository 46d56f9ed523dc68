"""`python -m bench.bound`: how fast the service could be if mapping each resource cost nothing.

Issue 27 asks whether a faster FHIR mapping can bring the service to 1.5 x its floor. This measures the
bound: in one process, by turns, the thread CPU time of
- the service with a store that keeps nothing (`service`);
- the same service with the mapping of each resource (an Observation, its code, a MedicationRequest, a
  Condition) remembered across calls, so that from the second call on every resource maps for free
  (`free mapping`); everything else (parsing, schema, prefetch checks, collecting the resources, the
  recommendations, cards) is done as usual;
- the floor (`bench.floor`).
The remembered mapping is keyed by the resource's type, id and status (and for an order whether it is a
draft): the other arguments (the patient's weight, the day, the code read from the same resource) are the
same in every call of one body, and the key is cheap, so that the bound does not pay for keeping it. It is
an instrument, never a service feature (a real EHR's resources change between calls). The cards of both
services are compared once, so the bound is of the same answer.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fhir_mappings.parse as parse
from bench.__main__ import BENCH_MAX_BODY_BYTES, NullStore
from bench.floor import floor_app
from bench.inprocess import Endpoint, checked_cards
from bench.workloads import NOW, Workload, general_patient_view, sized_workload, small_patient_view, typical_workloads
from cds_service.config import Settings
from cds_service.protocol.app import create_app

#: The per-resource mapping functions `fhir_mappings.parse` calls.
MAPPINGS = ("map_observation", "read_code", "map_medication_request", "map_condition")


class _Remembered:
    """One mapping function, remembered while `on`; `on` is switched per call by `free_mapping`."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.on = False
        self.outcomes: dict[Any, Any] = {}

    def __call__(self, resource: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
        if not self.on:
            return self.function(resource, *args, **kwargs)
        key = (resource.get("resourceType"), resource.get("id"), resource.get("status"), kwargs.get("is_draft"))
        if key not in self.outcomes:
            self.outcomes[key] = self.function(resource, *args, **kwargs)
        return self.outcomes[key]


def install() -> list[_Remembered]:
    """Wrap the mapping functions of `fhir_mappings.parse` (off until switched on)."""
    wrapped = []
    for name in MAPPINGS:
        remembered = _Remembered(getattr(parse, name))
        setattr(parse, name, remembered)
        wrapped.append(remembered)
    return wrapped


@contextmanager
def free_mapping(wrapped: list[_Remembered]) -> Iterator[None]:
    for remembered in wrapped:
        remembered.on = True
    try:
        yield
    finally:
        for remembered in wrapped:
            remembered.on = False


def measure(workload: Workload, calls: int, wrapped: list[_Remembered], settings: Settings) -> dict[str, float]:
    """Median thread CPU ms of the service, the service with free mapping, and the floor, by turns."""
    for remembered in wrapped:  # another workload's records reuse the same ids
        remembered.outcomes.clear()
    body = json.dumps(workload.body).encode()
    service = Endpoint(create_app(settings, clock=lambda: NOW, store=NullStore()), workload.service_id, body)
    floor = Endpoint(floor_app(settings.max_body_bytes), workload.service_id, body)
    cards = checked_cards(service.call())
    with free_mapping(wrapped):  # the first call fills the remembered mappings, the second reads them
        if checked_cards(service.call()) != cards or checked_cards(service.call()) != cards:
            raise RuntimeError(f"free mapping changed the cards of {workload.name}")
    samples: dict[str, list[float]] = {"service": [], "free mapping": [], "floor": []}
    for _ in range(calls):
        gc.collect()
        samples["service"].append(service.call().cpu_ms)
        gc.collect()
        with free_mapping(wrapped):
            samples["free mapping"].append(service.call().cpu_ms)
        gc.collect()
        samples["floor"].append(floor.call().cpu_ms)
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bound", description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="calls per workload (a tenth for 5,000 resources)")
    args = parser.parse_args(argv)
    wrapped = install()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings(feedback_db=str(Path(work) / "unused.sqlite3"), max_body_bytes=BENCH_MAX_BODY_BYTES,
                            strict_rules=True)
        workloads = [(typical_workloads()[0], args.calls), (small_patient_view(), args.calls),
                     (general_patient_view(), args.calls), (sized_workload(5000), max(3, args.calls // 10))]
        print("thread CPU ms, median; ratio = / floor")
        print(f"{'workload':22} {'service':>8} {'ratio':>6} {'free mapping':>13} {'ratio':>6} {'floor':>7}")
        for workload, calls in workloads:
            m = measure(workload, calls, wrapped, settings)
            print(f"{workload.name:22} {m['service']:8.2f} {m['service'] / m['floor']:6.2f} "
                  f"{m['free mapping']:13.2f} {m['free mapping'] / m['floor']:6.2f} {m['floor']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
