"""Swallowing: dysphagia or an oesophageal disorder rules out oral bisphosphonates (label: oesophageal
abnormalities that delay emptying); ACR 2022 GIOP alternatives are IV zoledronic acid, denosumab
or teriparatide."""

from __future__ import annotations

from fhir_mappings.concepts import Condition, Drug, Route
from fhir_mappings.facts import ClinicalFacts
from hooks.order_safety.decision import Candidate, Decision, leave_out, on_record
from hooks.recommendation import Params

ORAL_BISPHOSPHONATES = frozenset({Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE})
ALTERNATIVES = "ACR 2022 GIOP alternatives: IV zoledronic acid, denosumab or teriparatide"


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    if candidate.drug not in ORAL_BISPHOSPHONATES or candidate.order.route not in (Route.ORAL, None):
        return None
    found = facts.conditions_of(Condition.DYSPHAGIA, Condition.OESOPHAGEAL_DISEASE)
    if not found:
        return None
    return leave_out(f"{on_record(found[0])}; {ALTERNATIVES}")
