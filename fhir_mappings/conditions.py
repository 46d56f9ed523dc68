"""Condition -> `ConditionFact`s, and the myositis subtype in docs/evidence.md#subtype-and-scope priority order.

Only active diagnoses count (clinicalStatus active, recurrence or relapse; a missing clinicalStatus is
read as active), and never a refuted or entered-in-error one. Menopause and hysterectomy are states,
so they count whatever their clinicalStatus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir_mappings.concepts import (
    ANTISYNTHETASE_ANTIBODIES,
    NECROTIZING_MYOPATHY_ANTIBODIES,
    Antibody,
    Condition,
    MyositisSubtype,
)
from fhir_mappings.facts import ConditionFact, Unreadable, UnreadableReason
from fhir_mappings.read import add_days, code_of, codings, date_of, first_text, mapping, number, string
from fhir_mappings.records import quick_init
from fhir_mappings.systems import ICD10, ICD10CM, SNOMED, canonical
from fhir_mappings.units import TIME_DAYS
from fhir_mappings.valuesets import condition_concepts

ACTIVE = frozenset({"active", "recurrence", "relapse"})
NOT_A_DIAGNOSIS = frozenset({"refuted", "entered-in-error"})
STATES = frozenset({Condition.MENOPAUSE, Condition.HYSTERECTOMY})
JUVENILE_ONSET_BEFORE_YEARS = 18

#: Scope order (docs/evidence.md#subtype-and-scope) after the antibody-driven subtypes; IBM first, unspecified last.
_CODED_PRIORITY = (
    MyositisSubtype.INCLUSION_BODY_MYOSITIS,
    MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING,
    MyositisSubtype.ANTISYNTHETASE,
    MyositisSubtype.JUVENILE_DERMATOMYOSITIS,
    MyositisSubtype.DERMATOMYOSITIS,
    MyositisSubtype.POLYMYOSITIS,
    MyositisSubtype.UNSPECIFIED,
)


@quick_init
@dataclass(frozen=True)
class ConditionOutcome:
    facts: tuple[ConditionFact, ...] = ()
    recognised: bool = False
    #: Why a recognised diagnosis was not kept ("refuted", "inactive"), for the report.
    dropped: str | None = None


def map_condition(resource: Mapping[str, Any], birth_date: date | None) -> ConditionOutcome:
    found: list[tuple[Condition | MyositisSubtype, str, str, str]] = []
    for system, code, display in codings(resource.get("code")):
        for concept in condition_concepts(system, code):
            if all(concept != f[0] for f in found):
                found.append((concept, code, system, display))
    if not found:
        return ConditionOutcome()
    verification = code_of(resource.get("verificationStatus"))
    if verification in NOT_A_DIAGNOSIS:
        return ConditionOutcome(recognised=True, dropped=verification)
    clinical = code_of(resource.get("clinicalStatus"))
    if clinical is not None and clinical not in ACTIVE:
        found = [f for f in found if f[0] in STATES]
        if not found:
            return ConditionOutcome(recognised=True, dropped="not active")
    onset = _onset(resource, birth_date)
    text = string(mapping(resource.get("code")).get("text"))
    facts = tuple(ConditionFact(concept, code, system, display or text or concept.value, onset)
                  for concept, code, system, display in found)
    return ConditionOutcome(facts, recognised=True)


#: The code systems diagnoses are read in: a diagnosis coded in none of them cannot be read.
READ_SYSTEMS = frozenset({SNOMED, ICD10CM, ICD10})
#: Myositis named in a diagnosis's text, most specific first: used only to decide whether an unreadable
#: diagnosis is worth a notice, never to count it as a diagnosis.
_MYOSITIS_NAMES: tuple[tuple[re.Pattern[str], MyositisSubtype], ...] = (
    (re.compile(r"inclusion[- ]body myositis|\bs?IBM\b", re.I), MyositisSubtype.INCLUSION_BODY_MYOSITIS),
    (re.compile(r"necroti[sz]ing (autoimmune )?myo(pathy|sitis)|\bIMNM\b", re.I),
     MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING),
    (re.compile(r"anti-?synthetase", re.I), MyositisSubtype.ANTISYNTHETASE),
    (re.compile(r"juvenile dermatomyositis|\bJDM\b", re.I), MyositisSubtype.JUVENILE_DERMATOMYOSITIS),
    (re.compile(r"dermatomyositis", re.I), MyositisSubtype.DERMATOMYOSITIS),
    (re.compile(r"polymyositis", re.I), MyositisSubtype.POLYMYOSITIS),
    (re.compile(r"myositis|inflammatory myopathy", re.I), MyositisSubtype.UNSPECIFIED),
)


def unreadable_diagnosis(resource: Mapping[str, Any]) -> Unreadable | None:
    """A current diagnosis that cannot be read: coded only as text, or only in code systems the service
    does not read (a vendor's own codes, ICD-9). None for a diagnosis that is readable (whatever its
    concept), not current, refuted or entered in error."""
    concept = resource.get("code")
    codes = list(codings(concept))
    if any(canonical(system) in READ_SYSTEMS for system, _, _ in codes):
        return None
    if code_of(resource.get("verificationStatus")) in NOT_A_DIAGNOSIS:
        return None
    clinical = code_of(resource.get("clinicalStatus"))
    if clinical is not None and clinical not in ACTIVE:
        return None
    text = first_text(concept)
    if not text and not codes:
        return None
    problem = ("coded only in " + ", ".join(sorted({s or "no system" for s, _, _ in codes})) if codes
               else "coded only as text")
    named = next((subtype for pattern, subtype in _MYOSITIS_NAMES if pattern.search(text)), None)
    return Unreadable(UnreadableReason.CODE_SYSTEM, text or codes[0][1], problem,
                      named=(named,) if named else ())


def _onset(resource: Mapping[str, Any], birth_date: date | None) -> date | None:
    """Onset date; else birth date + onsetAge; else the recorded date (an upper bound of onset)."""
    onset = date_of(resource.get("onsetDateTime")) or date_of(mapping(resource.get("onsetPeriod")).get("start"))
    if onset:
        return onset
    age = mapping(resource.get("onsetAge"))
    years = number(age.get("value"))
    unit = string(age.get("code")) or string(age.get("unit"))
    if birth_date and years is not None and unit in TIME_DAYS:
        onset = add_days(birth_date, years * TIME_DAYS[unit])
        if onset:
            return onset
    return date_of(resource.get("recordedDate"))


def resolve_subtype(
    conditions: Iterable[ConditionFact],
    positive_antibodies: Iterable[Antibody],
    birth_date: date | None,
    age_years: float | None,
) -> MyositisSubtype | None:
    """The myositis subtype (docs/evidence.md#subtype-and-scope), or None without an active myositis diagnosis.

    Antibodies refine a coded myositis (anti-HMGCR/SRP -> IMNM, anti-synthetase -> antisynthetase);
    they never create one. Juvenile: a JDM code, or myositis with onset before 18 (or a patient
    under 18 now when onset is unknown).
    """
    myositis = [c for c in conditions if isinstance(c.concept, MyositisSubtype)]
    if not myositis:
        return None
    coded = {c.concept for c in myositis}
    antibodies = set(positive_antibodies)
    if MyositisSubtype.INCLUSION_BODY_MYOSITIS in coded:
        return MyositisSubtype.INCLUSION_BODY_MYOSITIS
    if MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING in coded or antibodies & NECROTIZING_MYOPATHY_ANTIBODIES:
        return MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING
    if MyositisSubtype.ANTISYNTHETASE in coded or antibodies & ANTISYNTHETASE_ANTIBODIES:
        return MyositisSubtype.ANTISYNTHETASE
    if MyositisSubtype.JUVENILE_DERMATOMYOSITIS in coded or any(
        _juvenile_onset(c.onset, birth_date, age_years) for c in myositis
    ):
        return MyositisSubtype.JUVENILE_DERMATOMYOSITIS
    return next(s for s in _CODED_PRIORITY if s in coded)


def _juvenile_onset(onset: date | None, birth_date: date | None, age_years: float | None) -> bool:
    if onset is not None and birth_date is not None:
        return (onset - birth_date).days < JUVENILE_ONSET_BEFORE_YEARS * TIME_DAYS["a"]
    return age_years is not None and age_years < JUVENILE_ONSET_BEFORE_YEARS
