"""What each recommendation reads, derived from its code (so the export cannot drift from it).

A recommendation's module and the `hooks` helpers it calls name the concepts they look at:
enum members (`Lab.CREATININE`, `Drug.METHOTREXATE`), concept sets of `fhir_mappings.concepts`
(`STATINS`), and facts about the patient (`facts.is_child`, `facts.weight_kg`). Their source is
parsed (not run) and every name is resolved in the module's own globals, following calls into
functions of the `hooks` package. The result over-approximates what one evaluation reads (a
concept named only to build a suggestion is listed too), which is what a data requirement needs.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import FunctionType, ModuleType
from typing import Any

from fhir_mappings.concepts import Allergy, Antibody, Condition, Drug, Investigation, Lab, MyositisSubtype, Vaccine
from fhir_mappings.valuesets import BODY_HEIGHT, BODY_WEIGHT
from hooks.recommendation import Recommendation

CONCEPT_ENUMS: tuple[type[StrEnum], ...] = (
    Drug, MyositisSubtype, Condition, Lab, Antibody, Vaccine, Allergy, Investigation)

#: ClinicalFacts attributes that read Observations by concept.
_BODY_ATTRIBUTES = {
    "weight_kg": (BODY_WEIGHT,),
    "height_cm": (BODY_HEIGHT,),
    "bsa_m2": (BODY_WEIGHT, BODY_HEIGHT),
    "ideal_body_weight_kg": (BODY_HEIGHT,),
}
#: ClinicalFacts / PatientInfo attributes that read Patient elements.
_PATIENT_ATTRIBUTES = {
    "is_child": "birthDate",
    "is_adult": "birthDate",
    "age_years": "birthDate",
    "birth_date": "birthDate",
    "sex": "gender",
    "ideal_body_weight_kg": "gender",
    "childbearing_potential": "gender",
}
#: ClinicalFacts attributes that read every concept of a kind.
_WHOLE_KIND_ATTRIBUTES: dict[str, tuple[StrEnum, ...]] = {
    "myositis": tuple(MyositisSubtype),
    "has_active_myositis": tuple(MyositisSubtype),
    # female, 12-55, and no menopause or hysterectomy on record (the mapping's heuristic)
    "childbearing_potential": (Condition.MENOPAUSE, Condition.HYSTERECTOMY),
}


@dataclass(frozen=True)
class Reads:
    """The concepts (enum members, or the body-measurement names) and Patient elements a rule reads."""

    concepts: frozenset[StrEnum | str]
    patient_elements: frozenset[str]


def _concept_members(value: Any) -> tuple[StrEnum, ...]:
    """Members of a concept enum held by a module-level value (a member, or a set/dict/tuple of them)."""
    if isinstance(value, CONCEPT_ENUMS):
        return (value,)
    if isinstance(value, (frozenset, set, tuple, list, dict)) and value:
        members = tuple(v for v in value if isinstance(v, CONCEPT_ENUMS))
        return members if len(members) == len(value) else ()
    return ()


def _is_hooks_function(value: Any) -> bool:
    return isinstance(value, FunctionType) and value.__module__.split(".")[0] == "hooks"


@dataclass
class _Walker:
    concepts: set[StrEnum | str]
    patient: set[str]
    seen: set[Any]

    def source(self, tree: ast.AST, namespace: dict[str, Any]) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                self.attribute(node, namespace)
            elif isinstance(node, ast.Name):
                self.name(namespace.get(node.id))

    def attribute(self, node: ast.Attribute, namespace: dict[str, Any]) -> None:
        if isinstance(node.value, ast.Name):
            owner = namespace.get(node.value.id)
            if owner in CONCEPT_ENUMS:
                self.concepts.add(getattr(owner, node.attr))
                return
        self.concepts.update(_BODY_ATTRIBUTES.get(node.attr, ()))
        self.concepts.update(_WHOLE_KIND_ATTRIBUTES.get(node.attr, ()))
        if node.attr in _PATIENT_ATTRIBUTES:
            self.patient.add(_PATIENT_ATTRIBUTES[node.attr])

    def name(self, value: Any) -> None:
        if isinstance(value, str) and value in (BODY_WEIGHT, BODY_HEIGHT):
            self.concepts.add(value)
            return
        self.concepts.update(_concept_members(value))
        if _is_hooks_function(value) and value not in self.seen:
            self.seen.add(value)
            self.source(ast.parse(inspect.getsource(value).lstrip()), value.__globals__)


def _module_of(recommendation: Recommendation) -> ModuleType:
    return sys.modules[recommendation.evaluate.__module__]


def reads(recommendation: Recommendation) -> Reads:
    """What `recommendation` reads: its module's source, the hooks helpers it calls, and the scope
    the engine applies (an active myositis diagnosis; inclusion body myositis for escalating rules)."""
    module = _module_of(recommendation)
    walker = _Walker(set(), set(), set())
    walker.source(ast.parse(inspect.getsource(module)), vars(module))
    if recommendation.requires_myositis:
        walker.concepts.update(MyositisSubtype)
    if recommendation.escalates_immunosuppression:
        walker.concepts.add(MyositisSubtype.INCLUSION_BODY_MYOSITIS)
    return Reads(frozenset(walker.concepts), frozenset(walker.patient))


def kind_order(concepts: Iterable[StrEnum | str]) -> list[StrEnum | str]:
    """Concepts in a stable order: by kind (drugs, diagnoses, observations, ...), then by name."""
    def key(concept: StrEnum | str) -> tuple[int, str]:
        kind = type(concept)
        index = CONCEPT_ENUMS.index(kind) if kind in CONCEPT_ENUMS else CONCEPT_ENUMS.index(Lab)
        return index, str(concept)
    return sorted(concepts, key=key)
