"""Terminology: codes and names -> concepts, loaded once from the versioned files in `terminology/`.

Every entry of those files carries code, system, display, source and verification status; codes
whose status is "unverified" are not used for matching (their concepts are recognised by name, see
docs/evidence.md#codes). `published-codes.json` adds the reviewed published value sets (SNOMED CT
descendants, ICD-10-CM codes, every LOINC code of a test, CVX; built by
`tools/build_published_codes.py`, each row naming its value set and source). Lab-specific codes (myositis antibodies, TPMT ...) come from the site's
code list named by the environment variable `CDS_LAB_CODES` (see docs/mappings.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fhir_mappings.concepts import Antibody, Condition, Drug, Lab, MyositisSubtype, Vaccine
from fhir_mappings.systems import ICD10, ICD10CM, RXNORM, canonical

TERMINOLOGY = Path(__file__).resolve().parent / "terminology"
LAB_CODES_ENV = "CDS_LAB_CODES"
UNVERIFIED = "unverified"

#: Observation concepts that are body measurements rather than `Lab`/`Antibody` results.
BODY_WEIGHT = "body-weight"
BODY_HEIGHT = "body-height"

ObservationConcept = Lab | Antibody | str
ConditionConcept = Condition | MyositisSubtype


class LabCodesError(ValueError):
    """The site's lab code list (CDS_LAB_CODES) is missing or malformed."""


@cache
def load(name: str) -> Mapping[str, Any]:
    """One terminology file, parsed once per process."""
    return json.loads((TERMINOLOGY / name).read_text(encoding="utf-8"))


def _usable(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("code")) and entry.get("status") != UNVERIFIED


PUBLISHED = "published-codes.json"


@cache
def _published_codes() -> Mapping[str, tuple[tuple[str, str, str], ...]]:
    """The published rows without their displays and sources: the file is parsed once and not kept
    (about 2 MB parsed; the indexes need only concept, system and code)."""
    table = json.loads((TERMINOLOGY / PUBLISHED).read_text(encoding="utf-8"))
    return {section: tuple((row[0], row[1], row[2]) for row in rows)
            for section, rows in table.items() if isinstance(rows, list)}


def published(section: str) -> tuple[tuple[str, str, str], ...]:
    """(concept, system, code) of the reviewed published value-set rows of one section
    ("conditions", "observations", "vaccines")."""
    return _published_codes()[section]


# --- name matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _NameIndex:
    """One regular expression over all names, each matched as a whole word, case-insensitively."""

    pattern: re.Pattern[str]
    concept_of: Mapping[str, str]

    @staticmethod
    def build(names: Mapping[str, Iterable[str]]) -> "_NameIndex":
        concept_of: dict[str, str] = {}
        for concept, spellings in names.items():
            for spelling in spellings:
                concept_of.setdefault(spelling.lower(), concept)
        alternatives = "|".join(re.escape(n) for n in sorted(concept_of, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if concept_of else r"(?!)", re.IGNORECASE)
        return _NameIndex(pattern, concept_of)

    def find(self, text: str) -> list[str]:
        return [self.concept_of[m.group(0).lower()] for m in self.pattern.finditer(text)]


# --- drugs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DrugIndex:
    by_code: Mapping[str, Drug]
    names: _NameIndex
    requires_all: Mapping[Drug, tuple[str, ...]]
    excludes: Mapping[Drug, re.Pattern[str]]


@cache
def _drug_index() -> _DrugIndex:
    data = load("rxnorm-ingredients.json")
    by_code: dict[str, Drug] = {}
    names: dict[str, list[str]] = {}
    requires_all: dict[Drug, tuple[str, ...]] = {}
    excludes: dict[Drug, re.Pattern[str]] = {}
    known = {d.value for d in Drug}
    for entry in data["entries"]:
        if entry["concept"] not in known:
            continue
        drug = Drug(entry["concept"])
        if _usable(entry):
            by_code[entry["code"]] = drug
        names[drug.value] = list(entry.get("names", ()))
        if entry.get("requires_all"):
            requires_all[drug] = tuple(entry["requires_all"])
        if entry.get("excludes"):
            excludes[drug] = re.compile("|".join(re.escape(x) for x in entry["excludes"]), re.IGNORECASE)
    for drug in Drug:  # a concept without an entry is recognised by its own name
        names.setdefault(drug.value, [drug.value.replace("-", " ")])
    return _DrugIndex(by_code, _NameIndex.build(names), requires_all, excludes)


def ingredient_coding(drug: Drug) -> tuple[str, str] | None:
    """(RxCUI, display) of the drug's verified RxNorm ingredient code, if there is one."""
    for entry in load("rxnorm-ingredients.json")["entries"]:
        if entry["concept"] == drug.value and _usable(entry):
            return entry["code"], entry["display"]
    return None


def drug_for_ingredient_code(code: str) -> Drug | None:
    """The drug of a verified RxNorm ingredient RxCUI."""
    return _drug_index().by_code.get(code)


def preload() -> None:
    """Build every code index now (start-up), not on the first request: the published value sets
    make them large, and a preforked server shares what the master built."""
    _drug_index()
    _condition_index()
    _observation_index()
    _vaccine_index()
    _allergy_index()


def combination_parts(drug: Drug) -> tuple[str, ...]:
    """Ingredient names that together make a combination concept (sulfamethoxazole + trimethoprim)."""
    return _drug_index().requires_all.get(drug, ())


@lru_cache(maxsize=4096)
def drugs_named(text: str) -> tuple[Drug, ...]:
    """Drugs named in free text or an RxNorm-style name, in order of appearance, without repeats."""
    index = _drug_index()
    found: list[Drug] = []
    for value in index.names.find(text):
        drug = Drug(value)
        if drug not in found:
            found.append(drug)
    for drug, parts in index.requires_all.items():
        if drug not in found and all(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.IGNORECASE) for p in parts):
            found.append(drug)
    return tuple(d for d in found if not (d in index.excludes and index.excludes[d].search(text)))


def drug_names(drug: Drug) -> tuple[str, ...]:
    """The names under which product names and free text refer to `drug` (for the timeline app, which
    reads the record in the browser and must recognise the same drugs by the same names)."""
    return tuple(name for name, found in _drug_index().names.concept_of.items() if found == drug.value)


# --- conditions ------------------------------------------------------------------------------


_CONDITION_CONCEPTS: Mapping[str, ConditionConcept] = {c.value: c for c in (*Condition, *MyositisSubtype)}


def _concept(value: str) -> ConditionConcept:
    return _CONDITION_CONCEPTS[value]


def _icd_key(code: str) -> str:
    return code.replace(".", "").upper().strip()


@dataclass(frozen=True)
class _ConditionIndex:
    exact: Mapping[tuple[str, str], tuple[ConditionConcept, ...]]
    #: ICD-10(-CM) code without dots -> concepts; a code also covers its extensions (M33.1 -> M33.10).
    icd_prefixes: Mapping[str, tuple[ConditionConcept, ...]]
    icd_exclusions: tuple[str, ...]


def _add(index: dict[Any, tuple[ConditionConcept, ...]], key: Any, concepts: Iterable[ConditionConcept]) -> None:
    known = index.get(key, ())
    index[key] = known + tuple(c for c in concepts if c not in known)


@cache
def _condition_index() -> _ConditionIndex:
    data = load("conditions.json")
    exact: dict[tuple[str, str], tuple[ConditionConcept, ...]] = {}
    prefixes: dict[str, tuple[ConditionConcept, ...]] = {}
    for entry in data["entries"]:
        if not _usable(entry):
            continue
        concepts = (_concept(entry["concept"]), *(_concept(c) for c in entry.get("also", ())))
        if entry["match"] == "prefix":
            _add(prefixes, _icd_key(entry["code"]), concepts)
        else:
            _add(exact, (entry["system"], entry["code"]), concepts)
    for concept, system, code in published("conditions"):
        if system in (ICD10CM, ICD10):
            _add(prefixes, _icd_key(code), (_concept(concept),))
        else:
            _add(exact, (system, code), (_concept(concept),))
    exclusions = tuple(_icd_key(e["code"]) for e in data["exclusions"])
    return _ConditionIndex(exact, prefixes, exclusions)


@lru_cache(maxsize=4096)
def condition_concepts(system: str, code: str) -> tuple[ConditionConcept, ...]:
    """Concepts of one coded diagnosis (SNOMED CT exactly, ICD-10-CM by prefix), possibly several."""
    index = _condition_index()
    system = canonical(system)
    if system in (ICD10CM, ICD10):
        key = _icd_key(code)
        if any(key.startswith(x) for x in index.icd_exclusions):
            return ()
        found: list[ConditionConcept] = []
        for end in range(len(key), 0, -1):  # longest prefix first: M33.11 (respiratory) with M33.1 (DM)
            found.extend(c for c in index.icd_prefixes.get(key[:end], ()) if c not in found)
        return tuple(found)
    return index.exact.get((system, code), ())


# --- observations ----------------------------------------------------------------------------


def _observation_concept(value: str) -> ObservationConcept:
    for kind in (Lab, Antibody):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


@dataclass(frozen=True)
class _ObservationIndex:
    by_code: Mapping[tuple[str, str], ObservationConcept]
    names: _NameIndex
    antibody_names: frozenset[str]


_ANTIBODY_WORD = re.compile(r"(?<![a-z])(ab|abs|antibod|anti|autoantibod|igg)", re.IGNORECASE)


@cache
def _observation_index() -> _ObservationIndex:
    data = load("observations.json")
    by_code = {(system, code): _observation_concept(concept) for concept, system, code in published("observations")}
    by_code.update({(e["system"], e["code"]): _observation_concept(e["concept"]) for e in data["entries"] if _usable(e)})
    names = {concept: spec["patterns"] for concept, spec in data["names"].items()}
    antibody_names = frozenset(c for c, spec in data["names"].items() if spec.get("antibody"))
    return _ObservationIndex(by_code, _NameIndex.build(names), antibody_names)


def observation_concept(codings: Iterable[tuple[str, str]], names: Iterable[str]) -> ObservationConcept | None:
    """The concept of an Observation from its codes (shipped, then site-configured), then its test name."""
    index = _observation_index()
    site = configured_lab_codes()
    for system, code in codings:
        key = (canonical(system), code)
        if key in index.by_code:
            return index.by_code[key]
        if key in site:
            return site[key]
    for name in names:
        concept = _observation_named(name)
        if concept is not None:
            return concept
    return None


@lru_cache(maxsize=4096)
def _observation_named(name: str) -> ObservationConcept | None:
    index = _observation_index()
    for value in index.names.find(name):
        if value in index.antibody_names and not _ANTIBODY_WORD.search(name):
            continue
        return _observation_concept(value)
    return None


def observation_codes(concept: ObservationConcept) -> tuple[str, ...]:
    """`system|code` tokens of `concept`: shipped, published and the site's codes (for the timeline app)."""
    index = _observation_index()
    known = [*index.by_code.items(), *configured_lab_codes().items()]
    return tuple(dict.fromkeys(f"{system}|{code}" for (system, code), found in known if found == concept))


def antibody_word() -> str:
    """The regular expression an antibody test's name must also match to be read by name (for the timeline app)."""
    return _ANTIBODY_WORD.pattern


def observation_name_patterns(concepts: Iterable[ObservationConcept]) -> Mapping[str, tuple[str, ...]]:
    """The test-name patterns of `concepts` (lab-specific tests such as the myositis antibodies)."""
    names = load("observations.json")["names"]
    return {str(c): tuple(names[str(c)]["patterns"]) for c in concepts if str(c) in names}


#: Published codes asked for by code in the prefetch: body measurements are vital signs, outside the
#: laboratory-category query that brings every other lab result.
_PREFETCH_PUBLISHED = frozenset({BODY_WEIGHT, BODY_HEIGHT})


def prefetch_observation_codes() -> tuple[str, ...]:
    """`system|code` tokens of the Observation prefetch query: shipped codes, the published codes of
    body weight and height, plus the site's lab codes."""
    entries = load("observations.json")["entries"]
    tokens = [f"{e['system']}|{e['code']}" for e in entries if _usable(e) and e.get("prefetch")]
    tokens.extend(f"{system}|{code}" for concept, system, code in published("observations")
                  if concept in _PREFETCH_PUBLISHED)
    tokens.extend(f"{system}|{code}" for system, code in configured_lab_codes())
    return tuple(dict.fromkeys(tokens))


@cache
def configured_lab_codes() -> Mapping[tuple[str, str], Lab | Antibody]:
    """The site's lab-specific codes: a JSON object `{concept: ["system|code", ...]}` in the file
    named by CDS_LAB_CODES (concepts are `Lab`/`Antibody` values such as "anti-jo-1", "tpmt").

    Read once per process; call at start-up so a bad file fails fast (raises `LabCodesError`).
    """
    path = os.environ.get(LAB_CODES_ENV)
    if not path:
        return {}
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise LabCodesError(f"{LAB_CODES_ENV}={path!r}: cannot read the file: {error.strerror}") from None
    except ValueError as error:
        raise LabCodesError(f"{LAB_CODES_ENV}={path!r}: not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise LabCodesError(f"{LAB_CODES_ENV}={path!r}: expected an object of concept -> list of 'system|code'")
    codes: dict[tuple[str, str], Lab | Antibody] = {}
    for concept_name, tokens in raw.items():
        concept = _observation_concept(concept_name)
        if not isinstance(concept, (Lab, Antibody)):
            raise LabCodesError(f"{LAB_CODES_ENV}={path!r}: unknown concept {concept_name!r}")
        if not isinstance(tokens, list) or not all(isinstance(t, str) and "|" in t for t in tokens):
            raise LabCodesError(f"{LAB_CODES_ENV}={path!r}: {concept_name!r} must list 'system|code' strings")
        for token in tokens:
            system, code = token.split("|", 1)
            codes[(canonical(system.strip()), code.strip())] = concept
    return codes


# --- vaccines and allergies ------------------------------------------------------------------


def _cvx_key(code: str) -> str:
    """CVX codes are sent with and without leading zeros ("03" and "3")."""
    return code.strip().lstrip("0") or "0"


@cache
def _vaccine_index() -> tuple[Mapping[str, frozenset[Vaccine]], _NameIndex]:
    data = load("vaccines.json")
    by_code: dict[str, set[Vaccine]] = {}
    for entry in data["entries"]:
        if _usable(entry):
            found = by_code.setdefault(_cvx_key(entry["code"]), set())
            found.add(Vaccine(entry["concept"]))
            if entry.get("live"):
                found.add(Vaccine.LIVE)
    for concept, _, code in published("vaccines"):
        by_code.setdefault(_cvx_key(code), set()).add(Vaccine(concept))
    return {k: frozenset(v) for k, v in by_code.items()}, _NameIndex.build(data["names"])


def vaccine_concepts(cvx_codes: Iterable[str], names: Iterable[str]) -> frozenset[Vaccine]:
    """Vaccines of an Immunization from its CVX codes, else from its names."""
    by_code, index = _vaccine_index()
    found: set[Vaccine] = set()
    for code in cvx_codes:
        found |= by_code.get(_cvx_key(code), frozenset())
    if not found:
        for name in names:
            found |= {Vaccine(v) for v in index.find(name)}
    return frozenset(found)


@dataclass(frozen=True)
class _AllergyIndex:
    by_code: Mapping[tuple[str, str], str]
    names: _NameIndex
    drug_by_code: Mapping[tuple[str, str], Drug]
    classes: _NameIndex
    class_drugs: Mapping[str, frozenset[Drug]]


@cache
def _allergy_index() -> _AllergyIndex:
    data = load("allergies.json")
    classes = data["drug_classes"]
    return _AllergyIndex(
        by_code={(e["system"], e["code"]): e["concept"] for e in data["entries"] if _usable(e)},
        names=_NameIndex.build(data["names"]),
        drug_by_code={(e["system"], e["code"]): Drug(e["drug"]) for e in data["drug_entries"] if _usable(e)},
        classes=_NameIndex.build({name: c["names"] for name, c in classes.items()}),
        class_drugs={name: frozenset(Drug(d) for d in c["drugs"]) for name, c in classes.items()},
    )


def allergy_concepts(codings: Iterable[tuple[str, str]], names: Iterable[str]) -> frozenset[str]:
    """Allergy concepts (sulfonamide) of an allergy's codes, else of its names."""
    index = _allergy_index()
    found = {index.by_code[(canonical(s), c)] for s, c in codings if (canonical(s), c) in index.by_code}
    for name in names:
        found.update(index.names.find(name))
    return frozenset(found)


def allergy_drugs(codings: Iterable[tuple[str, str]], names: Iterable[str]) -> frozenset[Drug]:
    """The guideline drugs an allergy names: by RxNorm ingredient or allergy-substance code, by drug
    name, or by a drug class it names (every drug of the class)."""
    index = _allergy_index()
    found: set[Drug] = set()
    for system, code in codings:
        key = (canonical(system), code)
        drug = index.drug_by_code.get(key) or (drug_for_ingredient_code(code) if key[0] == RXNORM else None)
        if drug is not None:
            found.add(drug)
    for name in names:
        found.update(drugs_named(name))
        for drug_class in index.classes.find(name):
            found |= index.class_drugs[drug_class]
    return frozenset(found)
