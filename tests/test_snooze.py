"""Feedback per finding and the snoozes an override asks for (cds_service.storage.snooze), as pure functions."""

from __future__ import annotations

from datetime import timedelta

from cds_service.storage.snooze import (
    NOT_ACTED_ON,
    OVERRIDDEN,
    finding_outcomes,
    load_secret,
    patient_key,
    snoozes_from,
)
from cds_service.storage.store import IssuedFinding
from hooks import consolidate
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import NOW

DAYS = consolidate.snooze_days(resolve(all_recommendations(), {})[consolidate.TABLE])


def finding(recommendation: str, suggestions: tuple[str, ...] = (), snoozable: bool = True) -> IssuedFinding:
    return IssuedFinding("card", "myositis-patient-view", recommendation, "info", suggestions, snoozable, "key", NOW)


def accepted(*ids: str) -> dict:
    return {"outcome": "accepted", "acceptedSuggestions": [{"id": i} for i in ids]}


def overridden(code: str | None) -> dict:
    return {"outcome": "overridden", **({"overrideReason": {"reason": {"code": code}}} if code else {})}


def outcomes(findings, *items):
    return {o.finding.recommendation_id: (o.outcome, o.reason) for o in finding_outcomes(findings, items)}


def test_accepting_one_gaps_suggestion_leaves_the_other_gaps_not_acted_on_not_overridden():
    gaps = [finding("bone-protection", ("s1",)), finding("vaccination"), finding("infection-screening", ("s2",))]
    assert outcomes(gaps, accepted("s1")) == {"bone-protection": ("accepted", None),
                                              "vaccination": (NOT_ACTED_ON, None),
                                              "infection-screening": (NOT_ACTED_ON, None)}


def test_an_override_after_an_acceptance_applies_only_to_the_gaps_not_acted_on():
    gaps = [finding("bone-protection", ("s1",)), finding("vaccination")]
    assert outcomes(gaps, accepted("s1"), overridden("action-completed")) == {
        "bone-protection": ("accepted", None), "vaccination": (OVERRIDDEN, "action-completed")}


def test_a_card_of_one_finding_accepted_without_a_suggestion_is_accepted():
    assert outcomes([finding("gc-taper")], accepted()) == {"gc-taper": ("accepted", None)}


def test_a_card_without_feedback_gives_no_outcome():
    assert outcomes([finding("gc-taper")]) == {}


def test_an_override_whose_reason_says_the_clinician_decided_snoozes_for_that_reasons_period():
    found = finding_outcomes([finding("bone-protection")], [overridden("does-not-align-preferences")])
    [snooze] = snoozes_from(found, DAYS, NOW)
    assert (snooze.recommendation_id, snooze.until) == ("bone-protection", NOW + timedelta(days=90))


def test_an_override_without_a_reason_or_with_a_concern_does_not_snooze():
    for code in (None, "recipient-concerns-outcomes"):
        assert snoozes_from(finding_outcomes([finding("bone-protection")], [overridden(code)]), DAYS, NOW) == []


def test_a_finding_recorded_as_not_snoozable_is_never_snoozed():
    found = finding_outcomes([finding("pjp-prophylaxis", snoozable=False)], [overridden("cds-not-applicable")])
    assert snoozes_from(found, DAYS, NOW) == []


def test_the_default_periods_cover_the_reasons_that_say_the_clinician_decided():
    assert DAYS == {"action-completed": 90, "does-not-align-preferences": 90, "patient-contraindication": 180,
                    "cds-not-applicable": 180}


def test_with_snooze_off_no_reason_snoozes():
    assert consolidate.snooze_days({**consolidate.defaults(), "snooze": False}) == {}


def test_the_patient_key_is_a_keyed_hash_that_depends_on_the_key():
    assert patient_key(b"a" * 32, "p1") != patient_key(b"b" * 32, "p1")
    assert patient_key(b"a" * 32, "p1") == patient_key(b"a" * 32, "p1") and "p1" not in patient_key(b"a" * 32, "p1")


def test_without_a_configured_key_a_sqlite_store_gets_one_private_key_file(tmp_path):
    url = f"sqlite:///{tmp_path}/cds.sqlite3"
    first, again = load_secret(None, url), load_secret(None, url)
    assert first == again and len(first) == 64
    assert (tmp_path / "cds.sqlite3.patient-key").stat().st_mode & 0o077 == 0


def test_without_a_configured_key_a_shared_store_does_not_snooze():
    assert load_secret(None, "postgresql://db.example/cds") is None
    assert load_secret("k" * 32, "postgresql://db.example/cds") == b"k" * 32
