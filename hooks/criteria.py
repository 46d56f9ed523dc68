"""Criteria shared by several recommendations, named once (REFERENCE.md section 2)."""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.concepts import SYSTEMIC_GLUCOCORTICOIDS, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder


def maintenance_glucocorticoids(facts: ClinicalFacts, *, include_drafts: bool = True) -> tuple[MedicationOrder, ...]:
    """Current systemic glucocorticoid orders other than IV pulses and as-needed doses."""
    orders = facts.current(SYSTEMIC_GLUCOCORTICOIDS) if include_drafts else facts.on_record(SYSTEMIC_GLUCOCORTICOIDS)
    return tuple(
        m for m in orders if m.route is not Route.INTRAVENOUS and not (m.dose is not None and m.dose.as_needed)
    )


def prednisone_equivalent_mg_per_day(facts: ClinicalFacts, *, include_drafts: bool = True) -> float:
    """Sum of the high-end prednisone-equivalent daily doses of the maintenance glucocorticoids.

    A draft order that replaces an order of the same drug on record counts once (the larger).
    Orders whose dose could not be interpreted contribute nothing; callers that need to say so
    use `uninterpretable_glucocorticoids`.
    """
    by_drug: dict[str, float] = {}
    drafted = {m.drug for m in maintenance_glucocorticoids(facts, include_drafts=include_drafts) if m.is_draft}
    for order in maintenance_glucocorticoids(facts, include_drafts=include_drafts):
        mg = order.prednisone_equivalent_mg_per_day
        if mg is None:
            continue
        key = order.drug.value if order.drug in drafted else f"{order.drug.value}:{id(order)}"
        by_drug[key] = max(by_drug.get(key, 0.0), mg)
    return sum(by_drug.values())


def uninterpretable_glucocorticoids(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    return tuple(m for m in maintenance_glucocorticoids(facts) if m.dose is None)


def covered_days(orders: tuple[MedicationOrder, ...], until: date) -> int:
    """Cumulative medication duration (CMS eCQM): days covered by the orders, gaps not counted,
    overlaps counted once."""
    intervals = sorted(
        (o.start, min(o.end, until) if o.end else until) for o in orders if o.start is not None and not o.is_draft
    )
    total = 0
    cursor: date | None = None
    for start, stop in intervals:
        if cursor is not None and start < cursor:
            start = cursor
        if stop > start:
            total += (stop - start).days
            cursor = stop if cursor is None else max(cursor, stop)
    return total


def glucocorticoid_days(facts: ClinicalFacts) -> int:
    """Days of systemic glucocorticoid exposure so far (cumulative, on record)."""
    return covered_days(facts.history(SYSTEMIC_GLUCOCORTICOIDS), facts.today)


def describe(order: MedicationOrder) -> str:
    """One line for a card's facts list: drug, dose, start, and whether it is a draft."""
    dose = order.dose.text if order.dose else (order.dose_problem or "dose not stated")
    since = f" since {order.start.isoformat()}" if order.start and not order.is_draft else ""
    draft = " (draft order)" if order.is_draft else ""
    return f"{order.display}: {dose}{since}{draft}"


def days_ago(facts: ClinicalFacts, days: int) -> date:
    return facts.today - timedelta(days=days)
