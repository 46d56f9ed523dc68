"""`quick_init`: a frozen dataclass made through `__dict__` is the same value, as frozen as before."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import pytest

from fhir_mappings import facts, medications, observations
from fhir_mappings.records import quick_init


@dataclass(frozen=True)
class Plain:
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    extra: dict[str, int] = field(default_factory=dict, compare=False)


@quick_init
@dataclass(frozen=True)
class Quick:
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    extra: dict[str, int] = field(default_factory=dict, compare=False)


def test_the_quick_init_takes_the_parameters_and_defaults_of_the_dataclass_init():
    assert list(inspect.signature(Quick.__init__).parameters) == list(inspect.signature(Plain.__init__).parameters)
    assert dataclasses.astuple(Quick("a")) == dataclasses.astuple(Plain("a"))
    assert dataclasses.astuple(Quick("a", 2, ("t",), {"x": 1})) == ("a", 2, ("t",), {"x": 1})


def test_a_default_factory_gives_each_instance_its_own_value():
    first, second = Quick("a"), Quick("b")
    assert first.extra == {} and first.extra is not second.extra


def test_instances_stay_frozen_comparable_and_hashable():
    item = Quick("a", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.count = 2  # type: ignore[misc]
    assert item == Quick("a", 1, extra={"ignored": 1}) and hash(item) == hash(Quick("a", 1))
    assert dataclasses.replace(item, count=3).count == 3


def test_a_missing_argument_is_still_an_error():
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]


def test_only_frozen_dataclasses_without_post_init_are_accepted():
    @dataclass
    class Open:
        a: int

    with pytest.raises(TypeError):
        quick_init(Open)

    @dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError):
        quick_init(Checked)


@pytest.mark.parametrize("cls", [facts.LabResult, facts.MedicationOrder, facts.Dose, facts.Measurement,
                                 observations.ObservationOutcome, medications.MedicationOutcome])
def test_the_facts_made_in_bulk_use_the_quick_init(cls):
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
    assert "__dict__" in cls.__init__.__code__.co_names
