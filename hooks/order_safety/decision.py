"""What the order-safety check decides about one suggested order, and what it looks at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ConditionFact, MedicationOrder
from fhir_mappings.suggested_orders import SuggestedOrder


class Verdict(IntEnum):
    """Ordered from least to most restrictive: the most restrictive verdict of all checks wins."""

    OFFER = 0
    ADJUST = 1
    NOT_RECOMMENDED = 2
    LEAVE_OUT = 3


@dataclass(frozen=True)
class Candidate:
    """One ingredient of a suggested MedicationRequest, as the checks see it."""

    order: MedicationOrder
    suggested: SuggestedOrder
    #: True for a `create` action (a drug added to the regimen), False for an update of a draft.
    creates: bool
    #: References of draft orders the same suggestion deletes (a replacement is no duplicate of them).
    replaces: frozenset[str] = frozenset()
    #: True for the clinician's own draft order as written (`drafts`): of two drafts that interact or
    #: duplicate each other, one carries the card.
    is_draft: bool = False

    @property
    def drug(self) -> Drug:
        return self.order.drug


@dataclass(frozen=True)
class Adjustment:
    """A changed dose, interval or product; what is not given is kept as suggested."""

    #: What is now ordered, for the label and the action ("methotrexate 7.5 mg once weekly").
    summary: str
    #: The patient instruction of the changed order.
    text: str
    dose_value: float | None = None
    dose_unit: str | None = None
    frequency: int | None = None
    period: float | None = None
    period_unit: str | None = None
    product: tuple[str, str] | None = None
    #: The dimension that asked for the change (set by `decide`).
    by: str = ""


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    #: Why, in a few words with the fact behind it ("eGFR 22 mL/min/1.73 m² on 2026-11-15: half dose").
    reason: str = ""
    adjustment: Adjustment | None = None
    #: True when the verdict comes from data that is missing (no recent eGFR), not from a finding:
    #: the next option is then not promoted in its place.
    missing_data: bool = False
    #: True when a label or guideline contraindicates the order for this patient (not merely a dose or
    #: route to change): a draft order the clinician wrote gets a critical card (`drafts`).
    contraindicated: bool = False


def offer(note: str = "") -> Decision:
    """Offer as is; a `note` (contraception, monitoring) goes into the label."""
    return Decision(Verdict.OFFER, note)


def not_recommended(reason: str, *, missing_data: bool = False) -> Decision:
    return Decision(Verdict.NOT_RECOMMENDED, reason, missing_data=missing_data)


def leave_out(reason: str, *, contraindicated: bool = False, missing_data: bool = False) -> Decision:
    return Decision(Verdict.LEAVE_OUT, reason, missing_data=missing_data, contraindicated=contraindicated)


def adjust(reason: str, adjustment: Adjustment) -> Decision:
    return Decision(Verdict.ADJUST, reason, adjustment)


def on_record(condition: ConditionFact) -> str:
    """A diagnosis behind a decision, as a card states it: its name, and its onset when known."""
    return f"{condition.display} on record{since(condition, ' (since {})')}"


def since(condition: ConditionFact, shape: str = ", since {}") -> str:
    """The onset of a diagnosis in `shape`, or "" when not recorded."""
    return shape.format(condition.onset.isoformat()) if condition.onset else ""
