"""The terminology of `fhir_mappings/terminology/` as FHIR R4 ValueSet resources, one per concept.

Each value set lists what the service matches for that concept: the verified codes (unverified
ones are not used for matching, so they are left out), RxNorm products of a drug, ICD-10-CM codes
matched by prefix as `is-a` filters (with the exclusions that apply to them as `compose.exclude`).
Each code or filter carries its source in the extension `{base}/StructureDefinition/code-source`
(valueString). Names the service also recognises in free text are stated in the description. Every
value set is CRMI Computable (cvs-1: a `compose`, or rules text): a concept recognised by name only
(most myositis antibodies: no universal LOINC) states its matching rule as `valueset-rules-text`
instead of a `compose`, since a compose listing no code would claim an empty set. `date` is the date
of the terminology file's version (CRMI Publishable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fhir_mappings import valuesets as terminology
from fhir_mappings.concepts import Allergy, Antibody, Condition, Drug, Investigation, Lab, MyositisSubtype, Vaccine
from fhir_mappings.systems import ICD10, ICD10CM

LIVE_VACCINE = Vaccine.LIVE
RULES_TEXT = "http://hl7.org/fhir/StructureDefinition/valueset-rules-text"
CRMI = "http://hl7.org/fhir/uv/crmi/StructureDefinition"
PROFILES = [f"{CRMI}/crmi-shareablevalueset", f"{CRMI}/crmi-publishablevalueset", f"{CRMI}/crmi-computablevalueset"]


@dataclass(frozen=True)
class Kind:
    """How a concept kind appears in FHIR: the resource types, the coded element, the id prefix."""

    resource_types: tuple[str, ...]
    path: str
    prefix: str
    noun: str
    file: str


DRUG = Kind(("MedicationRequest",), "medication", "medication", "medication", "rxnorm-ingredients.json")
DIAGNOSIS = Kind(("Condition",), "code", "condition", "diagnosis", "conditions.json")
OBSERVATION = Kind(("Observation",), "code", "observation", "observation", "observations.json")
IMMUNIZATION = Kind(("Immunization",), "vaccineCode", "immunization", "vaccine", "vaccines.json")
ALLERGY = Kind(("AllergyIntolerance",), "code", "allergy", "allergy", "allergies.json")
INVESTIGATION = Kind(("Procedure", "DiagnosticReport", "ServiceRequest"), "code", "investigation", "investigation",
                     "investigations.json")

_KINDS: dict[type, Kind] = {
    Drug: DRUG, MyositisSubtype: DIAGNOSIS, Condition: DIAGNOSIS, Lab: OBSERVATION, Antibody: OBSERVATION,
    Vaccine: IMMUNIZATION, Allergy: ALLERGY, Investigation: INVESTIGATION,
}

Concept = StrEnum | str


def kind_of(concept: Concept) -> Kind:
    """Body measurements are plain strings (`body-weight`), the rest concept enum members."""
    return _KINDS.get(type(concept), OBSERVATION)


def all_concepts() -> tuple[Concept, ...]:
    return (*Drug, *MyositisSubtype, *Condition, terminology.BODY_WEIGHT, terminology.BODY_HEIGHT, *Lab, *Antibody,
            *Vaccine, *Allergy, *Investigation)


def valueset_id(concept: Concept) -> str:
    return f"{kind_of(concept).prefix}-{concept}"


def valueset_url(base: str, concept: Concept) -> str:
    return f"{base}/ValueSet/{valueset_id(concept)}"


def source_extension_url(base: str) -> str:
    return f"{base}/StructureDefinition/code-source"


def source_extension(base: str, source: str) -> list[dict[str, Any]]:
    return [{"url": source_extension_url(base), "valueString": source}]


def source_extension_definition(base: str, version: str, date: str) -> dict[str, Any]:
    """The StructureDefinition of the code-source extension, so the value sets can be validated."""
    url = source_extension_url(base)
    contexts = ("ValueSet.compose.include.concept", "ValueSet.compose.include.filter", "ValueSet.compose.exclude.filter")
    return {
        "resourceType": "StructureDefinition", "id": "code-source", "url": url, "version": version,
        "name": "CodeSource", "title": "Source of a value set code", "status": "active", "experimental": False,
        "date": date, "publisher": "myositis-cds",
        "description": "Where myositis-cds took a code (or an ICD-10-CM filter) of its value sets from: the "
        "terminology table, guideline or reference, as recorded in its terminology files.",
        "fhirVersion": "4.0.1", "kind": "complex-type", "abstract": False,
        "context": [{"type": "element", "expression": expression} for expression in contexts],
        "type": "Extension", "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": [
            {"id": "Extension", "path": "Extension", "short": "Source of the code", "min": 0, "max": "1"},
            {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
            {"id": "Extension.url", "path": "Extension.url", "fixedUri": url},
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1, "type": [{"code": "string"}]},
        ]},
    }


def _name(concept: Concept) -> str:
    return "".join(part.capitalize() for part in f"{kind_of(concept).prefix}-{concept}".split("-") if part.isalnum())


# --- what the terminology files say about one concept -----------------------------------------


@dataclass
class _Members:
    codes: dict[str, list[dict[str, Any]]]
    filters: dict[str, list[dict[str, Any]]]
    excludes: dict[str, list[dict[str, Any]]]
    names: list[str]

    def code(self, base: str, system: str, code: str, display: str, source: str) -> None:
        entry = {"code": code, "display": display, "extension": source_extension(base, source)} if display else \
            {"code": code, "extension": source_extension(base, source)}
        self.codes.setdefault(system, []).append(entry)

    def prefix(self, base: str, system: str, code: str, source: str, into: dict[str, list[dict[str, Any]]]) -> None:
        into.setdefault(system, []).append(
            {"extension": source_extension(base, source), "property": "concept", "op": "is-a", "value": code}
        )


def _usable(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("code")) and entry.get("status") != terminology.UNVERIFIED


def _drug_members(base: str, concept: Concept, members: _Members) -> None:
    ingredients = terminology.load(DRUG.file)
    for entry in ingredients["entries"]:
        if entry["concept"] == concept:
            members.names += entry.get("names", [])
            if _usable(entry):
                members.code(base, ingredients["system"], entry["code"], entry["display"], entry["source"])
    products = terminology.load("rxnorm-products.json")
    for code in sorted(products["products"], key=int):
        product = products["products"][code]
        if concept in product["drugs"]:
            members.code(base, products["system"], code, product["name"], products["source"])


def _icd_key(code: str) -> str:
    return code.replace(".", "").upper()


def _diagnosis_members(base: str, concept: Concept, members: _Members) -> None:
    data = terminology.load(DIAGNOSIS.file)
    prefixes = []
    for entry in data["entries"]:
        if not _usable(entry) or concept not in (entry["concept"], *entry.get("also", ())):
            continue
        if entry["match"] == "prefix":
            prefixes.append(_icd_key(entry["code"]))
            members.prefix(base, entry["system"], entry["code"], entry["source"], members.filters)
        else:
            members.code(base, entry["system"], entry["code"], entry["display"], entry["source"])
    for exclusion in data["exclusions"]:
        if exclusion["system"] in (ICD10CM, ICD10) and any(_icd_key(exclusion["code"]).startswith(p) for p in prefixes):
            members.prefix(base, exclusion["system"], exclusion["code"], exclusion["source"], members.excludes)


def _coded_members(kind: Kind, base: str, concept: Concept, members: _Members) -> None:
    data = terminology.load(kind.file)
    for entry in data["entries"]:
        live = concept == LIVE_VACCINE and entry.get("live")
        if (entry["concept"] == concept or live) and _usable(entry):
            members.code(base, entry["system"], entry["code"], entry["display"], entry["source"])
    members.names += _names(data.get("names", {}).get(str(concept), []))


def _names(spec: list[str] | Mapping[str, Any]) -> list[str]:
    """The name rules of a terminology file: a list, `patterns` (observations), or `any_of` phrases and
    `all_of` word groups (investigations: one word of each group, shown as `ct/cat + chest/thorax`)."""
    if not isinstance(spec, Mapping):
        return list(spec)
    if "patterns" in spec:
        return list(spec["patterns"])
    groups = spec.get("all_of", ())
    return [*spec.get("any_of", ()), *([" + ".join("/".join(group) for group in groups)] if groups else [])]


def _members(base: str, concept: Concept) -> _Members:
    members = _Members({}, {}, {}, [])
    kind = kind_of(concept)
    if kind is DRUG:
        _drug_members(base, concept, members)
    elif kind is DIAGNOSIS:
        _diagnosis_members(base, concept, members)
    else:
        _coded_members(kind, base, concept, members)
    return members


# --- the resource -----------------------------------------------------------------------------


def _includes(codes: Mapping[str, list[dict[str, Any]]], filters: Mapping[str, list[dict[str, Any]]]) -> list[dict]:
    out: list[dict[str, Any]] = []
    for system in sorted(codes):
        out.append({"system": system, "concept": codes[system]})
    for system in sorted(filters):
        out += [{"system": system, "filter": [f]} for f in filters[system]]  # one filter per include: OR, not AND
    return out


def _description(concept: Concept, members: _Members) -> str:
    kind = kind_of(concept)
    text = f"The {'/'.join(kind.resource_types)}.{kind.path} codes myositis-cds reads as {kind.noun} '{concept}'."
    if members.filters:
        text += " ICD-10-CM codes match with all their descendants."
    if members.names:
        text += f" Also recognised by name ({_NAME_MATCH}) in the text and displays: {_listed(members.names)}."
    return text


_NAME_MATCH = "whole words, case-insensitive"


def _listed(names: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(names))


def _rules_text(concept: Concept, members: _Members) -> str:
    """The matching rule of a concept no verified code defines (CRMI: rules text instead of a compose)."""
    kind = kind_of(concept)
    text = f"No verified code is shipped for {kind.noun} '{concept}'. "
    if members.names:
        text += (f"A {'/'.join(kind.resource_types)} matches when the text or a display of its {kind.path} names "
                 f"one of ({_NAME_MATCH}): {_listed(members.names)}.")
    else:
        text += "Nothing in a record maps to it until codes for it are added."
    if kind is OBSERVATION:
        text += " Sites add their own codes in the lab code list named by CDS_LAB_CODES."
    return text


def valueset(base: str, concept: Concept) -> dict[str, Any]:
    kind = kind_of(concept)
    members = _members(base, concept)
    version = terminology.load(kind.file)["version"]
    resource: dict[str, Any] = {
        "resourceType": "ValueSet",
        "id": valueset_id(concept),
        "meta": {"profile": PROFILES},
        "url": valueset_url(base, concept),
        "version": version,
        "name": _name(concept),
        "title": f"{concept} ({kind.noun})",
        "status": "active",
        "experimental": False,
        "date": version[:10],
        "publisher": "myositis-cds",
        "description": _description(concept, members),
    }
    includes = _includes(members.codes, members.filters)
    if includes:
        resource["compose"] = {"include": includes}
        if members.excludes:
            resource["compose"]["exclude"] = _includes({}, members.excludes)
    else:
        resource["extension"] = [{"url": RULES_TEXT, "valueMarkdown": _rules_text(concept, members)}]
    return resource


def valuesets(base: str, concepts: Iterable[Concept] | None = None) -> list[dict[str, Any]]:
    return [valueset(base, c) for c in (all_concepts() if concepts is None else concepts)]
