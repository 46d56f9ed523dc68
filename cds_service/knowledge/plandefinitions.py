"""Recommendations and services as FHIR R4 PlanDefinition resources (HL7 CPG IG STU2 style).

- One `cpg-recommendationdefinition` per recommendation: type `eca-rule`; the citation as a
  `relatedArtifact` (type `citation`, its DOI or URL); one action whose `trigger`s are the hooks as
  `named-event`s, whose `condition` (kind `applicability`, language `text/plain`) is the trigger in
  data terms, whose `input` lists a DataRequirement per value set the rule reads, and which carries
  the grading in the extensions the CPG profile slices for it (STU2: `cqf-strengthOfRecommendation`
  and `cqf-qualityOfEvidence` of FHIR core). The knowledge representation level is
  `semi-structured` (`cqf-knowledgeRepresentationLevel`): the conditions are prose, with no logic
  library, so "structured" would overclaim until they are computable.
  The guidelines grade in their own schemes (BSR "1, C, 100%", SHARE "1B, A", CPIC "strong") and
  several grades were not retrieved, so both extensions carry the source's grading statement as
  CodeableConcept.text rather than a code of the CPG value sets.
- One `cdshooksserviceplandefinition` per CDS service: the service endpoint as `cqf-cdsHooksEndpoint`
  (relative to the deployment's base URL), its hook as a `named-event` trigger, and one action per
  recommendation that runs on the hook, pointing at its definition (`definitionCanonical`).

Both claim the CRMI Shareable and Publishable PlanDefinition profiles too (`date` is the release's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cds_service.knowledge.reads import Reads, kind_order, reads
from cds_service.knowledge.valuesets import kind_of, valueset_url
from hooks.recommendation import ORDER_SELECT, ORDER_SIGN, PATIENT_VIEW, Recommendation
from hooks.services import Service

CORE = "http://hl7.org/fhir/StructureDefinition"
CRMI = "http://hl7.org/fhir/uv/crmi/StructureDefinition"
RECOMMENDATION_PROFILE = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-recommendationdefinition"
SERVICE_PROFILE = f"{CORE}/cdshooksserviceplandefinition"
CRMI_PROFILES = (f"{CRMI}/crmi-shareableplandefinition", f"{CRMI}/crmi-publishableplandefinition")
ENDPOINT_EXTENSION = f"{CORE}/cqf-cdsHooksEndpoint"
STRENGTH_EXTENSION = f"{CORE}/cqf-strengthOfRecommendation"
EVIDENCE_EXTENSION = f"{CORE}/cqf-qualityOfEvidence"
LEVEL_EXTENSION = f"{CORE}/cqf-knowledgeRepresentationLevel"
TOPIC_SYSTEM = "urn:myositis-cds:recommendation"
_HOOK_ORDER = (PATIENT_VIEW, ORDER_SELECT, ORDER_SIGN)


def _type(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type", "code": code,
                        "display": display}]}


def _triggers(hooks: Iterable[str]) -> list[dict[str, str]]:
    return [{"type": "named-event", "name": hook} for hook in _HOOK_ORDER if hook in hooks]


def _patient_requirement(elements: Iterable[str]) -> dict[str, Any]:
    requirement: dict[str, Any] = {"type": "Patient", "profile": ["http://hl7.org/fhir/StructureDefinition/Patient"]}
    if elements:
        requirement["mustSupport"] = sorted(elements)
    return requirement


def data_requirements(base: str, rule_reads: Reads) -> list[dict[str, Any]]:
    """The Patient (always: the hook's context), then one requirement per concept's value set."""
    out = [_patient_requirement(rule_reads.patient_elements)]
    for concept in kind_order(rule_reads.concepts):
        kind = kind_of(concept)
        out += [{"type": resource_type, "codeFilter": [{"path": kind.path, "valueSet": valueset_url(base, concept)}]}
                for resource_type in kind.resource_types]
    return out


def _grading(text: str) -> list[dict[str, Any]]:
    if not text:
        return []
    return [{"url": STRENGTH_EXTENSION, "valueCodeableConcept": {"text": text}},
            {"url": EVIDENCE_EXTENSION, "valueCodeableConcept": {"text": text}}]


def _description(recommendation: Recommendation) -> str:
    scope = ("Needs an active inflammatory myopathy diagnosis." if recommendation.requires_myositis
             else "Applies to any patient.")
    if recommendation.escalates_immunosuppression:
        scope += " Silent in inclusion body myositis (it starts or escalates immunosuppression)."
    lines = [recommendation.citation.statement, "", scope]
    if recommendation.parameters:
        lines += ["", "Parameters (defaults; a deployment may change them in its rule settings file):"]
        lines += [f"- `{name}` = {p.default!r}: {p.description} (source: {p.source})"
                  for name, p in recommendation.parameters.items()]
    return "\n".join(lines)


def recommendation_url(base: str, recommendation: Recommendation) -> str:
    return f"{base}/PlanDefinition/{recommendation.id}"


@dataclass(frozen=True)
class Release:
    """The artifacts' business version and date (CRMI Shareable `version`, Publishable `date`)."""

    version: str
    date: str


def _common(base: str, resource_id: str, release: Release, profile: str) -> dict[str, Any]:
    return {"resourceType": "PlanDefinition", "id": resource_id, "meta": {"profile": [profile, *CRMI_PROFILES]},
            "url": f"{base}/PlanDefinition/{resource_id}", "version": release.version}


def _publication(release: Release) -> dict[str, Any]:
    return {"status": "active", "experimental": False, "date": release.date, "publisher": "myositis-cds"}


def recommendation_plan(base: str, release: Release, recommendation: Recommendation) -> dict[str, Any]:
    citation = recommendation.citation
    action: dict[str, Any] = {
        "extension": _grading(citation.strength),
        "title": recommendation.title,
        "description": citation.statement,
        "code": [{"coding": [{"system": TOPIC_SYSTEM, "code": recommendation.id}]}],
        "trigger": _triggers(recommendation.hooks),
        "condition": [{"kind": "applicability",
                       "expression": {"language": "text/plain", "expression": recommendation.trigger}}],
        "input": data_requirements(base, reads(recommendation)),
    }
    if not action["extension"]:
        del action["extension"]
    return {
        **_common(base, recommendation.id, release, RECOMMENDATION_PROFILE),
        "extension": [{"url": LEVEL_EXTENSION, "valueCode": "semi-structured"}],
        "name": "".join(part.capitalize() for part in recommendation.id.split("-")),
        "title": recommendation.title,
        "type": _type("eca-rule", "ECA Rule"),
        **_publication(release),
        "description": _description(recommendation),
        "topic": [{"coding": [{"system": TOPIC_SYSTEM, "code": recommendation.id}]}],
        "relatedArtifact": [{"type": "citation", "label": "primary source", "display": citation.label,
                             "citation": citation.statement, "url": citation.url}],
        "action": [action],
    }


def service_plan(base: str, release: Release, service: Service, recommendations: Iterable[Recommendation]) -> dict:
    actions = [
        {"title": r.title, "code": [{"coding": [{"system": TOPIC_SYSTEM, "code": r.id}]}],
         "definitionCanonical": f"{recommendation_url(base, r)}|{release.version}"}
        for r in recommendations if service.hook in r.hooks
    ]
    return {
        **_common(base, service.id, release, SERVICE_PROFILE),
        "extension": [{"url": ENDPOINT_EXTENSION, "valueUri": f"cds-services/{service.id}"}],
        "name": "".join(part.capitalize() for part in service.id.split("-")),
        "title": service.title,
        "type": _type("eca-rule", "ECA Rule"),
        **_publication(release),
        "description": service.description,
        "usage": service.usage_requirements,
        "action": [{"title": service.title, "trigger": _triggers({service.hook}), "action": actions}],
    }
