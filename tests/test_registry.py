"""Registry-wide rules: every recommendation is declared completely and specified by tests."""

import re
from pathlib import Path

import pytest

from hooks.recommendation import Citation, Indicator, Recommendation
from hooks.registry import all_recommendations, validate

TESTS = Path(__file__).resolve().parent
IDS = [r.id for r in all_recommendations()]


@pytest.mark.parametrize("recommendation_id", IDS)
def test_every_recommendation_has_its_own_test_module(recommendation_id):
    assert (TESTS / "recommendations" / f"test_{recommendation_id.replace('-', '_')}.py").is_file()


@pytest.mark.parametrize("recommendation_id", IDS)
def test_every_recommendation_is_exercised_through_the_http_api(recommendation_id):
    http_tests = [*TESTS.glob("recommendations/test_http_*.py"), *TESTS.glob("test_end_to_end_*.py")]
    assert any(re.search(rf'"{recommendation_id}"', path.read_text(encoding="utf-8")) for path in http_tests)


@pytest.mark.parametrize("recommendation_id", IDS)
def test_every_indicator_level_a_recommendation_declares_is_asserted_in_its_tests(recommendation_id):
    recommendation = next(r for r in all_recommendations() if r.id == recommendation_id)
    text = (TESTS / "recommendations" / f"test_{recommendation_id.replace('-', '_')}.py").read_text(encoding="utf-8")
    for indicator in recommendation.indicators:
        assert f"Indicator.{indicator.name}" in text or f'"{indicator.value}"' in text, indicator


def test_a_declaration_without_a_citation_statement_is_refused():
    broken = Recommendation(
        id="broken", title="t", citation=Citation("label", "https://example.org", ""), trigger="x",
        hooks=frozenset({"patient-view"}), indicators=frozenset({Indicator.INFO}), evaluate=lambda f, p: None,
    )
    with pytest.raises(ValueError, match="citation"):
        validate(broken)


def test_a_declaration_with_an_unknown_hook_is_refused():
    broken = Recommendation(
        id="broken", title="t", citation=Citation("label", "https://example.org", "s"), trigger="x",
        hooks=frozenset({"encounter-start"}), indicators=frozenset({Indicator.INFO}), evaluate=lambda f, p: None,
    )
    with pytest.raises(ValueError, match="hooks"):
        validate(broken)
