"""`ClinicalFacts` whose fields are mapped from FHIR when a recommendation first reads them.

A hook call runs only the recommendations that apply to it (hook, myositis diagnosis), and those read
only some of the facts: a patient without myositis on patient-view needs the current medications, not
three years of laboratory results, immunizations or investigations. `OnDemandFacts` computes each
field from its `source` on first read and keeps it, so what no applicable rule reads is never mapped,
and what is read has the value the full mapping gives (the source computes each field the same way
whenever it is asked; `tests/test_on_demand_equivalence.py` compares the cards of both paths).

Built with keyword fields (as `dataclasses.replace` does) it is an ordinary `ClinicalFacts`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Protocol

from fhir_mappings.concepts import Antibody, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult


class FactSource(Protocol):
    """Gives the value of a `ClinicalFacts` field by its name (an attribute of the same name), and the
    results of one concept without mapping the others."""

    def __getattr__(self, name: str) -> Any: ...

    def results_of(self, concept: Lab | Antibody) -> tuple[LabResult, ...]: ...


class _Field:
    """A non-data descriptor: the source's value, kept in the instance on first read (an instance
    value set by `__init__` takes precedence, so keyword-built facts are eager)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = getattr(instance.__dict__["_source"], self.name)
        instance.__dict__[self.name] = value
        return value


class OnDemandFacts(ClinicalFacts):
    """`ClinicalFacts` read from `source` field by field; with keyword fields instead, plain facts."""

    def __init__(self, *args: Any, source: FactSource | None = None, **kwargs: Any) -> None:
        if source is None:
            super().__init__(*args, **kwargs)
        else:
            self.__dict__["_source"] = source

    def results_of(self, concept: Lab | Antibody) -> tuple[LabResult, ...]:
        """Results of one concept, newest first: mapped from that concept's Observations only, unless every
        result is mapped already."""
        source = self.__dict__.get("_source")
        if source is None or "results" in self.__dict__:
            return super().results_of(concept)
        return source.results_of(concept)


for _name in (f.name for f in fields(ClinicalFacts)):
    _descriptor = _Field()
    _descriptor.__set_name__(OnDemandFacts, _name)
    setattr(OnDemandFacts, _name, _descriptor)
del _name, _descriptor
