"""The defensive readers of raw FHIR JSON (fhir_mappings.read)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from fhir_mappings.read import _DATE, date_of


def _by_the_pattern(value: object) -> date | None:
    """What `date_of` reads, by its pattern alone: the first day of a partial date, None for no calendar date."""
    if not isinstance(value, str) or not value.strip():
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2) or "01"), int(match.group(3) or "01"))
    except ValueError:
        return None


@pytest.mark.parametrize("value", [
    "2026-08-31", "2026-08-31T07:10:00Z", "2026-08-31T07:10:00+02:00", " 2026-08-31 ", "2026-08", "2026",
    "2026-02-29", "2024-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-W01-1", "20260831", "2026-08-3",
    "٢٠٢٦-٠٨-٣١", "2026-08-31junk", "", "   ", None, 20260831, "0000-01-01", "9999-12-31",
])
def test_a_date_is_read_as_its_pattern_reads_it(value):
    assert date_of(value) == _by_the_pattern(value)


def test_every_short_date_shape_is_read_as_its_pattern_reads_it():
    for chars in itertools.product("0129-T", repeat=6):
        value = "20" + "".join(chars) + "-01"
        assert date_of(value) == _by_the_pattern(value), value
