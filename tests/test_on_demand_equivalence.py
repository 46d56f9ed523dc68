"""Mapping on demand gives the cards of the full mapping (issue 27).

`build_facts` maps each fact when a recommendation first reads it (`fhir_mappings.on_demand`);
`on_demand=False` maps every resource first, the way the service did before. Every hook request in
fixtures/, every generated corpus record, every demo patient and the 39 Synthea records (as they are
and with dermatomyositis on prednisone) go through both, on each hook (the order hooks with draft
orders), and the cards, details and suggestions included, must be the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from cds_service.protocol import cards
from fhir_mappings.concepts import Lab
from fhir_mappings.parse import build_facts
from hooks import engine
from hooks.registry import all_recommendations
from hooks.settings import resolve
from hooks.unreadable import COMPARED_RESULTS
from tests.api import hook_request
from tests.factories import NOW, UNFOLDED
from tests.fhir_builders import medication_request
from tests.synthea import patient_id, records, resources
from tests.test_synthea_corpus import expected_drugs, with_myositis_on_prednisone

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: Every card shown (no folding beyond a budget), so that no difference hides in a folded card.
SETTINGS = resolve(all_recommendations(), UNFOLDED)
DRAFTS = (
    medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, unit="mg", period_unit="wk",
                       id="draft-mtx"),
    medication_request("312617", display="predniSONE 5 MG Oral Tablet", dose=5, unit="mg", id="draft-pred"),
)


_UUID = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')


def cards_of(request: Mapping[str, Any], *, on_demand: bool) -> str:
    """The cards as JSON, each new id (card, suggestion, suggested resource) written as "<id>". On demand as the
    service maps (only the compared results' bounds are read for the notice); else every resource, every bound."""
    facts = build_facts(request["hook"], request["context"], request.get("prefetch") or {}, NOW, on_demand=on_demand,
                        compared=COMPARED_RESULTS if on_demand else None)
    results = engine.evaluate(all_recommendations(), facts, SETTINGS, strict=True)
    rendered = [r.card for r in cards.render(results, facts, selection_behavior="any")]
    return _UUID.sub('"<id>"', json.dumps(rendered, indent=1, sort_keys=True))


def _on_every_hook(name: str, resources_: list[dict[str, Any]], patient: str) -> Iterator[Any]:
    for hook in ("patient-view", "order-select", "order-sign"):
        drafts = () if hook == "patient-view" else DRAFTS
        yield pytest.param(hook_request(hook, resources_, drafts=drafts, patient_id=patient), id=f"{name}-{hook}")


def _fixture_requests() -> Iterator[Any]:
    for path in sorted((FIXTURES / "requests").glob("*.json")):
        yield pytest.param(json.loads(path.read_text(encoding="utf-8")), id=f"requests/{path.stem}")


def _corpus_records() -> Iterator[Any]:
    for path in sorted((FIXTURES / "corpus").glob("patient-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for hook in ("patient-view", "order-sign"):
            context = dict(record["context"])
            if hook == "order-sign":
                context["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": d} for d in DRAFTS]}
            yield pytest.param({**record, "hook": hook, "context": context}, id=f"corpus/{path.stem}-{hook}")


def _demo_patients() -> Iterator[Any]:
    for path in sorted((FIXTURES / "demo").glob("*.json")):
        found = [e["resource"] for e in json.loads(path.read_text(encoding="utf-8"))["entry"]]
        patient = next(r["id"] for r in found if r["resourceType"] == "Patient")
        yield from _on_every_hook(f"demo/{path.stem}", found, patient)


def _synthea_records() -> Iterator[Any]:
    for record in records(NOW):
        name = f"synthea/{patient_id(record)[:8]}"
        yield from _on_every_hook(name, resources(record), patient_id(record))
        yield from _on_every_hook(f"{name}-dm", with_myositis_on_prednisone(record), patient_id(record))


@pytest.mark.parametrize("request_", [*_fixture_requests(), *_corpus_records(), *_demo_patients(), *_synthea_records()])
def test_mapping_on_demand_gives_the_cards_of_the_full_mapping(request_):
    assert cards_of(request_, on_demand=True) == cards_of(request_, on_demand=False)


def test_the_comparison_sees_cards():
    """The requests above are not all silent: the comparison is of cards, not of empty lists."""
    shown = [json.loads(cards_of(p.values[0], on_demand=True)) for p in _fixture_requests()]
    assert sum(len(c) for c in shown) >= 5


def test_a_patient_without_myositis_or_a_drug_to_check_has_no_result_mapped_on_patient_view():
    """What makes mapping on demand cheaper: no recommendation of this call reads the laboratory results,
    immunizations or investigations (a record without myositis, statin or methotrexate)."""
    record = next(r for r in records(NOW) if not {"simvastatin", "methotrexate"} & expected_drugs(r))
    request = hook_request("patient-view", resources(record), patient_id=patient_id(record))
    facts = build_facts("patient-view", request["context"], request["prefetch"], NOW)
    engine.evaluate(all_recommendations(), facts, SETTINGS, strict=True)
    assert not {"results", "immunizations", "investigations"} & set(vars(facts))
    assert facts.myositis is None and facts.report.recognised > 0


def test_a_patient_without_myositis_or_a_drug_to_check_has_no_observation_read_as_the_service_maps():
    """As the service maps (the notice compares eGFR only for drugs the patient is on): no Observation's code is
    read, not even for the weight, which only a dose per kg or per m2 needs."""
    record = next(r for r in records(NOW) if not {"simvastatin", "methotrexate"} & expected_drugs(r))
    request = hook_request("patient-view", resources(record), patient_id=patient_id(record))
    facts = build_facts("patient-view", request["context"], request["prefetch"], NOW, compared=COMPARED_RESULTS)
    results = engine.evaluate(all_recommendations(), facts, SETTINGS, strict=True)
    cards.render(results, facts, selection_behavior="any")
    assert facts.unreadable == () and any(r["resourceType"] == "Observation" for r in resources(record))
    assert "_observation_index" not in vars(vars(facts)["_source"])


def test_only_the_observations_of_the_concepts_read_are_mapped():
    """With myositis the checks read some results; an Observation of another test (a lymphocyte count no check of
    this record reads) or of none (a blood pressure) is not mapped, and the results read are those of the full
    mapping."""
    record = next(r for r in records(NOW) if not {"simvastatin", "methotrexate"} & expected_drugs(r))
    request = hook_request("patient-view", with_myositis_on_prednisone(record), patient_id=patient_id(record))
    facts = build_facts("patient-view", request["context"], request["prefetch"], NOW, compared=COMPARED_RESULTS)
    engine.evaluate(all_recommendations(), facts, SETTINGS, strict=True)
    source = vars(facts)["_source"]
    mapped = [source._observation_index[position][1] for position in source._observation_outcomes]
    assert 0 < len(mapped) < len(source._observation_index)
    full = build_facts("patient-view", request["context"], request["prefetch"], NOW, on_demand=False)
    assert facts.results_of(Lab.EGFR) == full.results_of(Lab.EGFR)
    assert facts.results_of(Lab.CREATINE_KINASE) == full.results_of(Lab.CREATINE_KINASE)
