"""Rendering findings as cards (cds_service.protocol.cards), independent of any recommendation's logic."""

import itertools
import re
import time
import uuid

import pytest

from cds_service.protocol.cards import (
    _REPOSITORY_PATH,
    GUIDELINE_CHARS,
    OVERRIDE_REASON_SYSTEM,
    RECOMMENDATION_SYSTEM,
    _new_uuid,
    _repository_path_cut,
    escape_markdown,
    render,
    short_statement,
    without_repository_paths,
)
from cds_service.protocol.validation import check, validators
from hooks.engine import Result
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Link,
    Recommendation,
    Suggestion,
)
from tests.factories import facts

RECOMMENDATION = Recommendation(
    id="test-recommendation", title="A test recommendation",
    citation=Citation("Test guideline 2026", "https://example.org/guideline", "Do the thing."),
    trigger="always", hooks=ALL_HOOKS, indicators=frozenset({Indicator.INFO}), evaluate=lambda f, p: None,
)
CREATE = Action("create", "Draft order", {"resourceType": "MedicationRequest", "status": "draft"})


def finding(**changes):
    base = dict(indicator=Indicator.INFO, summary="Consider the thing", detail="Because of reasons.",
                facts_used=("fact one",))
    return Finding(**{**base, **changes})


def render_one(found, *, data_gaps=(), selection_behavior="at-most-one"):
    counter = itertools.count()
    [rendered] = render([Result(RECOMMENDATION, found)], facts(data_gaps=data_gaps),
                        selection_behavior=selection_behavior,
                        new_id=lambda: f"00000000-0000-4000-8000-{next(counter):012d}")
    check(validators().response, {"cards": [rendered.card]})
    return rendered.card


def test_card_names_its_recommendation_as_source_topic():
    card = render_one(finding())
    assert card["source"] == {
        "label": "Test guideline 2026", "url": "https://example.org/guideline",
        "topic": {"system": RECOMMENDATION_SYSTEM, "code": "test-recommendation", "display": "A test recommendation"},
    }


def test_detail_is_the_action_then_why_this_card_then_the_guideline_with_its_link():
    card = render_one(finding(facts_used=("prednisone 60 mg daily", "no DMARD")))
    assert card["detail"] == (
        "Because of reasons.\n\n**Why this card**\n- prednisone 60 mg daily\n- no DMARD\n\n"
        "**Guideline:** Do the thing. [Test guideline 2026](https://example.org/guideline)"
    )


def test_a_guideline_paragraph_in_the_finding_is_stated_once_last():
    card = render_one(finding(detail="Do it now.\n\nGuideline: a long statement."))
    assert card["detail"].startswith("Do it now.\n\n**Why this card**")
    assert "a long statement" not in card["detail"] and card["detail"].count("Guideline") == 1


def test_a_long_guideline_statement_is_cut_at_a_sentence():
    statement = "First sentence is the rule. " + "Second sentence goes on " * 20 + "and ends."
    assert short_statement(statement) == "First sentence is the rule. ..."


def test_a_long_guideline_statement_without_a_sentence_end_is_cut_at_a_word():
    cut = short_statement("word " * 100)
    assert cut.endswith(" ...") and len(cut) <= GUIDELINE_CHARS + 4


def test_detail_names_what_could_not_be_checked_before_the_guideline():
    card = render_one(finding(), data_gaps=("Immunization", "AllergyIntolerance"))
    assert ("**Not checked:** AllergyIntolerance, Immunization could not be retrieved; this card does not account "
            "for them.\n\n**Guideline:**") in card["detail"]


def test_ehr_text_in_facts_cannot_inject_links_or_html():
    card = render_one(finding(facts_used=("[click](https://evil.example) <script>x</script> *bold*",)))
    fact_line = next(line for line in card["detail"].splitlines() if line.startswith("- "))
    assert not re.search(r"(?<!\\)[\[\]<*`_]", fact_line.removeprefix("- "))


def test_escaping_keeps_the_text_readable():
    assert escape_markdown("a_b [c] <d> `e` *f*") == r"a\_b \[c\] \<d> \`e\` \*f\*"


def test_no_suggestions_means_no_selection_behavior():
    card = render_one(finding())
    assert "suggestions" not in card and "selectionBehavior" not in card


@pytest.mark.parametrize("behavior", ["at-most-one", "any"])
def test_suggestions_come_with_the_configured_selection_behavior(behavior):
    card = render_one(finding(suggestions=(Suggestion("Do it", (CREATE,), is_recommended=True),)),
                      selection_behavior=behavior)
    assert card["selectionBehavior"] == behavior
    assert card["suggestions"][0]["isRecommended"] is True


def test_suggestion_actions_carry_the_resource_and_delete_uses_resource_id():
    delete = Action("delete", "Remove the draft", resource_id="MedicationRequest/draft-1")
    card = render_one(finding(suggestions=(Suggestion("Swap", (delete, CREATE)),)))
    assert card["suggestions"][0]["actions"] == [
        {"type": "delete", "description": "Remove the draft", "resourceId": "MedicationRequest/draft-1"},
        {"type": "create", "description": "Draft order", "resource": {"resourceType": "MedicationRequest", "status": "draft"}},
    ]


def test_override_reasons_are_hl7_non_adherence_codes_with_their_display():
    reasons = render_one(finding())["overrideReasons"]
    assert {r["code"] for r in reasons} == {"action-completed", "patient-contraindication", "cds-not-applicable",
                                            "recipient-concerns-outcomes", "does-not-align-preferences"}
    assert all(r["system"] == OVERRIDE_REASON_SYSTEM and r["display"] for r in reasons)


def test_links_are_absolute_links():
    card = render_one(finding(links=(Link("BSR guideline", "https://doi.org/10.1093/rheumatology/keac115"),)))
    assert card["links"] == [{"label": "BSR guideline", "url": "https://doi.org/10.1093/rheumatology/keac115",
                              "type": "absolute"}]


def test_indicator_is_the_finding_indicator():
    assert render_one(finding(indicator=Indicator.CRITICAL))["indicator"] == "critical"


def _path_removed_by_the_pattern(text: str) -> str:
    """What `without_repository_paths` must return: the pattern applied at every position."""
    return _REPOSITORY_PATH.sub(_repository_path_cut, text)


@pytest.mark.parametrize("text", [
    "Give folic acid (docs/evidence.md#choices).",
    "Basis: cohort evidence. docs/evidence.md#ild-assessment.",
    "Source: the label; docs/evidence.md#azathioprine and more",
    "CPIC 2018 (see docs/evidence.md#azathioprine) applies",
    "A closed gap (within weeks: docs/cards.md), then",
    "Two: docs/a.md; docs/b.md#x. End.",
    "docs/evidence.md at the start",
    "No path: documents/docs/ here, and docs/readme.txt and docs/ alone",
    "Foresee docs/x.md and  \n\n  see   docs/y.md#z)",
    "Ends with a path ,  docs/z.md",
])
def test_repository_paths_are_removed_as_the_pattern_removes_them(text):
    assert without_repository_paths(text) == _path_removed_by_the_pattern(text)


def test_repository_paths_are_removed_as_the_pattern_removes_them_from_any_text():
    pieces = ["docs/e.md", "docs/e.md#a-b", " (", ")", ".", ". ", ";", ": ", ", ", "see ", " ", "\n\n", "word", "s",
              "docs/", ".md"]
    for parts in itertools.product(pieces, repeat=4):
        text = "".join(parts)
        assert without_repository_paths(text) == _path_removed_by_the_pattern(text), text


def test_card_uuids_are_version_7_uuids_of_the_time_they_were_made():
    before = time.time_ns() // 1_000_000
    made = [uuid.UUID(_new_uuid()) for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert {u.version for u in made} == {7} and {u.variant for u in made} == {uuid.RFC_4122}
    assert all(before <= u.int >> 80 <= after for u in made)
    assert len(set(made)) == len(made)


def test_a_later_card_uuid_sorts_after_an_earlier_one():
    earlier = _new_uuid()
    time.sleep(0.002)
    assert _new_uuid() > earlier
