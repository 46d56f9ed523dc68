"""Fewer interruptions with the default settings (issue 23), across the registry: the patients of
tests/risk_patients.py (each with each risk) and every fixture request, evaluated with the merge on and with it off.

- every finding that fires with the merge off is readable with it on (a card's `source.topic` or its parts);
- critical and warning findings are never folded into the care-plan card, and critical cards come first;
- nothing is suggested on two cards of one response, and no care-plan suggestion is pre-selected;
- the fixtures of the issue's measurements stay within 3 cards (docs/cards.md "Measured").
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cds_service.protocol.cards import FINDINGS_EXTENSION, render
from fhir_mappings.facts import ClinicalFacts
from hooks.consolidate import SEVERITY, order_key
from hooks.engine import evaluate, run
from hooks.recommendation import Indicator, Result
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import UNFOLDED
from tests.risk_patients import BASE_PATIENTS, RISKS, fixture_patients

REGISTRY = all_recommendations()
DEFAULTS = resolve(REGISTRY, {})
UNMERGED = resolve(REGISTRY, UNFOLDED)
PATIENTS = {**BASE_PATIENTS, **fixture_patients()}
CASES = [(name, risk) for name in PATIENTS for risk in (None, *RISKS)]


def patient(name: str, risk: str | None) -> ClinicalFacts:
    facts = PATIENTS[name]()
    return RISKS[risk](facts) if risk else facts


def fired(results: list[Result]) -> Counter[tuple[str, str]]:
    return Counter((p.recommendation.id, p.finding.indicator.value) for r in results for p in r.findings())


@pytest.mark.parametrize(("name", "risk"), CASES)
def test_with_the_merge_on_every_finding_stays_readable_and_urgent_ones_keep_their_own_card(name, risk):
    facts = patient(name, risk)
    outcome = run(REGISTRY, facts, DEFAULTS, strict=True)
    merged = outcome.results
    assert fired(merged + outcome.withheld) == fired(evaluate(REGISTRY, facts, UNMERGED, strict=True))
    for result in merged:
        if result.recommendation.id == "care-plan":
            assert all(p.finding.indicator is Indicator.INFO for p in result.parts)
            assert not any(s.is_recommended for s in result.finding.suggestions)
    severities = [SEVERITY[r.finding.indicator] for r in merged]
    assert severities == sorted(severities)
    # A start-of-therapy card repeats its items in each alternative on purpose (one choice orders them all).
    orders = [k for r in merged for k in {order_key(a) for s in r.finding.suggestions for a in s.actions} - {None}]
    assert len(orders) == len(set(orders)), orders


@pytest.mark.parametrize(("name", "risk"), CASES[:: max(1, len(CASES) // 40)])
def test_the_rendered_cards_name_every_finding_they_hold(name, risk):
    facts = patient(name, risk)
    results = run(REGISTRY, facts, DEFAULTS, strict=True).results
    for result, rendered in zip(results, render(results, facts, selection_behavior="any")):
        if result.parts:
            listed = [f["recommendation"] for f in rendered.card["extension"][FINDINGS_EXTENSION]]
            assert listed == [p.recommendation.id for p in result.parts]
        else:
            assert "extension" not in rendered.card


@pytest.mark.parametrize(("name", "risk"), CASES[:: max(1, len(CASES) // 40)])
def test_a_card_links_each_guideline_address_once(name, risk):
    facts = patient(name, risk)
    results = run(REGISTRY, facts, DEFAULTS, strict=True).results
    for rendered in render(results, facts, selection_behavior="any"):
        addresses = re.findall(r"\]\((https?://[^)\s]+)\)", rendered.card.get("detail", ""))
        assert len(addresses) == len(set(addresses)), rendered.card["summary"]


MEASURED = {
    "fixture:patient-view-dm-prednisone": 3,
    "fixture:patient-view-new-dm-prednisone-alone": 3,
    "fixture:patient-view-established-dm-methotrexate-gaps": 3,
    "fixture:order-sign-methotrexate-daily": 3,
    "fixture:order-sign-methotrexate": 3,
    "fixture:order-select-methotrexate": 3,
    "fixture:order-select-ibm-prednisone": 3,
}


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_the_measured_fixtures_get_at_most_three_cards(name):
    assert len(run(REGISTRY, PATIENTS[name](), DEFAULTS, strict=True).results) <= MEASURED[name]


def test_the_readme_patient_gets_pjp_prophylaxis_as_a_warning_card_of_its_own_and_one_glucocorticoid_plan():
    cards = run(REGISTRY, PATIENTS["fixture:patient-view-dm-prednisone"](), DEFAULTS, strict=True).results
    pjp = next(r for r in cards if r.recommendation.id == "pjp-prophylaxis")
    assert pjp.finding.indicator is Indicator.WARNING and not pjp.parts
    plan = next(r for r in cards if r.finding.summary.startswith("Glucocorticoid plan: "))
    assert {p.recommendation.id for p in plan.parts} == {"gc-taper", "steroid-sparing-agent"}
    gaps = {p.recommendation.id for r in cards if r.recommendation.id == "care-plan" for p in r.parts}
    assert {"cancer-screening", "infection-screening", "bone-protection", "vaccination"} <= gaps


def test_a_daily_methotrexate_order_gets_the_critical_card_first_and_withholds_the_information_gaps():
    outcome = run(REGISTRY, PATIENTS["fixture:order-sign-methotrexate-daily"](), DEFAULTS, strict=True)
    assert outcome.results[0].finding.indicator is Indicator.CRITICAL
    assert outcome.results[0].recommendation.id == "methotrexate-dose"
    assert outcome.withheld and all(r.finding.indicator is Indicator.INFO for r in outcome.withheld)


def test_the_ibm_patients_order_gets_the_ibm_warning_first():
    cards = run(REGISTRY, PATIENTS["fixture:order-select-ibm-prednisone"](), DEFAULTS, strict=True).results
    assert cards[0].recommendation.id == "ibm-immunosuppression"


def test_no_methotrexate_is_pre_selected_where_its_baseline_results_are_missing():
    for name in ("fixture:patient-view-dm-prednisone", "fixture:patient-view-new-dm-prednisone-alone"):
        for result in run(REGISTRY, PATIENTS[name](), DEFAULTS, strict=True).results:
            for suggestion in result.finding.suggestions:
                if "methotrexate" in suggestion.label.lower():
                    assert not suggestion.is_recommended, suggestion.label
