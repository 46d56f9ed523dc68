"""What a guideline recommendation is, and what it produces.

A `Recommendation` is a frozen declaration (id, title, citation, trigger in data terms, the hooks
it runs on, its configurable parameters) plus one pure function `evaluate(facts, params)` that
returns at most one `Finding`. Findings are plain data; `cds_service` renders them as cards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fhir_mappings.facts import ClinicalFacts

PATIENT_VIEW = "patient-view"
ORDER_SELECT = "order-select"
ORDER_SIGN = "order-sign"
ALL_HOOKS = frozenset({PATIENT_VIEW, ORDER_SELECT, ORDER_SIGN})
ORDER_HOOKS = frozenset({ORDER_SELECT, ORDER_SIGN})


class Course(StrEnum):
    """A part of the patient's course that the timeline app (`/app/`, issue 26) draws. A recommendation
    whose cards are about one names it (`Recommendation.course`): its cards link to the app, and the app
    points each card to that part."""

    MUSCLE = "muscle"  # CK and aldolase: disease activity and treatment response
    GLUCOCORTICOID = "glucocorticoid"  # prednisone-equivalent dose per day, cumulative dose
    AGENTS = "agents"  # steroid-sparing agents, IVIG, rituximab
    LUNG = "lung"  # FVC % predicted, DLCO


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Citation:
    """Where a recommendation comes from. `statement` quotes or closely paraphrases the source."""

    label: str
    url: str
    statement: str
    strength: str = ""


@dataclass(frozen=True)
class Parameter:
    """A configurable threshold with its default and the source of that default."""

    default: float | int | str | bool
    description: str
    source: str


@dataclass(frozen=True)
class Action:
    """A FHIR action of a suggestion: create/update carry a resource, delete a resource id."""

    type: str
    description: str
    resource: Mapping[str, Any] | None = None
    resource_id: str | None = None


@dataclass(frozen=True)
class Suggestion:
    label: str
    actions: tuple[Action, ...]
    is_recommended: bool = False


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class StartCheck:
    """Marks a finding as one of a new drug's start-of-therapy checks (baseline tests, serology, pregnancy
    test, folate): the checks for one drug are shown as one card (`hooks.consolidate`). `action` is the
    check as a short imperative ("add folic acid"), joined into that card's summary."""

    drug: str
    action: str
    #: False for a check that joins a drug's start card without leading it (the draft-order safety check's
    #: missing data): the card keeps the source of its own start-of-therapy recommendation.
    leads: bool = True


@dataclass(frozen=True)
class Finding:
    """What a recommendation found, ready to become a card.

    `facts_used` lists the data that triggered it ("prednisone 60 mg/day since 2026-10-01"); the
    card detail ends with them. `about_drafts` names the draft orders the finding concerns: on
    order-select/order-sign a finding that concerns no draft order is not shown.
    """

    indicator: Indicator
    summary: str
    detail: str
    facts_used: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] = ()
    about_drafts: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    #: The resource types whose absence this card states, when narrower than its recommendation's
    #: `asserts_absence_of` (e.g. a dose warning of a rule whose other cards say a test is missing);
    #: None: the recommendation's declaration.
    rests_on_absence_of: frozenset[str] | None = None
    #: Set when this finding is a start-of-therapy check of a drug being started.
    start_check: StartCheck | None = None

    def __post_init__(self) -> None:
        if not self.summary or len(self.summary) >= 140:
            raise ValueError(f"card summary must be 1-139 characters: {self.summary!r}")
        if not self.facts_used:
            raise ValueError("a finding must state the facts that triggered it")


Params = Mapping[str, Any]
Evaluate = Callable[[ClinicalFacts, Params], "Finding | None"]


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    citation: Citation
    #: The trigger in data terms (codes, thresholds, time windows), shown in the catalog.
    trigger: str
    hooks: frozenset[str]
    indicators: frozenset[Indicator]
    evaluate: Evaluate
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    #: True when the recommendation is myositis-specific (needs an active IIM diagnosis).
    requires_myositis: bool = True
    #: True when its cards start or escalate immunosuppression: never shown in inclusion body myositis.
    escalates_immunosuppression: bool = False
    #: FHIR resource types whose *absence* its cards state ("no PJP prophylaxis": MedicationRequest).
    #: When one of them was not obtained or only in part, the engine makes the card ask to verify.
    asserts_absence_of: frozenset[str] = frozenset()
    #: Among equally severe cards the card of the recommendation with the higher specificity comes first and keeps
    #: an order two cards suggest (`hooks.consolidate`); equal: the first by id.
    specificity: int = 0
    #: The treatment decision its warning belongs to ("Glucocorticoid plan"): warnings of one plan are shown as
    #: one card (`hooks.consolidate`); empty: a card of its own.
    plan: str = ""
    #: False when an override may never snooze its findings (PJP prophylaxis: `hooks.snooze`); a critical finding
    #: is never snoozed whatever this says.
    snoozable: bool = True
    #: The part of the course its cards are about; None: the course does not matter for it (no app link).
    course: Course | None = None

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.parameters.items()}


@dataclass(frozen=True)
class Result:
    """A finding and the recommendation it is shown under (its card's `source`). A card that holds several
    findings (`hooks.consolidate`) keeps each of them in `parts`, so every recommendation that fired stays readable
    (and feedback can be counted per finding); a card of one finding has no parts."""

    recommendation: Recommendation
    finding: Finding
    parts: tuple[Result, ...] = ()

    def findings(self) -> tuple[Result, ...]:
        """The findings this card carries: its parts, or itself."""
        return self.parts or (self,)
