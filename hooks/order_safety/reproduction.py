"""Pregnancy, planned pregnancy and breastfeeding block teratogens and bisphosphonates;
childbearing potential alone does not (ACR 2020 reproductive health guideline: use with effective
contraception), so those orders carry the contraception and pregnancy-test note instead."""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import BISPHOSPHONATES, TERATOGENS, Condition, Drug, Lab, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.order_safety.decision import Candidate, Decision, leave_out, offer, since
from hooks.recommendation import Params

#: Not in pregnancy, planned pregnancy or breastfeeding (ACR 2022 GIOP; denosumab label).
BONE_DRUGS = BISPHOSPHONATES | {Drug.DENOSUMAB}
CONTRACEPTION_NOTE = "effective contraception and a negative pregnancy test first"


def pregnancy_state(facts: ClinicalFacts, params: Params) -> str | None:
    """"pregnancy" / "planned pregnancy" / "breastfeeding" with the fact behind it, or None."""
    for concept, word in ((Condition.PREGNANCY, "pregnancy"), (Condition.PREGNANCY_PLANNED, "planned pregnancy"),
                          (Condition.BREASTFEEDING, "breastfeeding")):
        found = facts.conditions_of(concept)
        if found:
            return f"{word} on record ({found[0].display}{since(found[0])})"
    hcg = facts.latest(Lab.HCG)
    if hcg is not None and hcg.when is not None and hcg.interpretation is Qualitative.POSITIVE and (
            facts.now - hcg.when <= timedelta(days=params["hcg_window_days"])):
        return f"pregnancy: {hcg.describe()}"
    return None


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    drug = candidate.drug
    if drug not in TERATOGENS and drug not in BONE_DRUGS:
        return None
    state = pregnancy_state(facts, params)
    if state is not None:
        source = "ACR 2020 reproductive health" if drug in TERATOGENS else "ACR 2022 GIOP"
        return leave_out(f"{state} ({source})", contraindicated=drug in TERATOGENS)
    if drug in TERATOGENS and facts.patient.childbearing_potential:
        return offer(CONTRACEPTION_NOTE)
    return None
