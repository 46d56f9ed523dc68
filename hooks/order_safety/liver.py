"""Liver: chronic liver disease or cirrhosis (viral hepatitis included), alcohol use disorder, or a
recent ALT/AST above a multiple of the upper limit of normal. Fatty liver disease alone: methotrexate
offered but not pre-selected until liver fibrosis has been assessed. In myositis ALT and AST are largely
released from muscle: with CK raised and GGT normal or not measured, the order is offered but not
pre-selected, with that reading, rather than left out."""

from __future__ import annotations

from fhir_mappings.concepts import METHOTREXATE_LIVER_CONDITIONS, Condition, Drug, Lab
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.numbers import num
from hooks.criteria import recent_enzyme, upper_limit
from hooks.order_safety.decision import Candidate, Decision, leave_out, not_recommended, on_record
from hooks.recommendation import Params

#: Withheld while transaminases are raised (EULAR 2009 methotrexate; BSR 2017 DMARD monitoring).
HEPATOTOXIC_IMMUNOSUPPRESSANTS = frozenset({
    Drug.METHOTREXATE, Drug.AZATHIOPRINE, Drug.MERCAPTOPURINE, Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID})
NO_GGT = "no GGT measured"


def raised_transaminase(facts: ClinicalFacts, params: Params) -> str | None:
    """The recent ALT or AST above `transaminase_uln_multiple` x its upper limit (the laboratory's
    reference range when sent, else the configured one), described, or None."""
    for lab, default in ((Lab.ALT, params["alt_upper_limit_u_per_l"]), (Lab.AST, params["ast_upper_limit_u_per_l"])):
        result = recent_enzyme(facts, lab, params["result_max_days"])
        if result is not None and result.value > params["transaminase_uln_multiple"] * upper_limit(result, default):
            return f"{result.describe()} is above {num(params['transaminase_uln_multiple'])}x the upper limit"
    return None


def likely_muscle(facts: ClinicalFacts, params: Params) -> str | None:
    """Why raised transaminases are likely from muscle (CK raised, GGT normal or not measured), or None."""
    ck = recent_enzyme(facts, Lab.CREATINE_KINASE, params["result_max_days"])
    if ck is None or ck.value <= upper_limit(ck, params["ck_upper_limit_u_per_l"]):
        return None
    ggt = recent_enzyme(facts, Lab.GGT, params["result_max_days"])
    if ggt is not None and ggt.value > upper_limit(ggt, params["ggt_upper_limit_u_per_l"]):
        return None
    return f"{ck.describe()} raised and " + (f"{ggt.describe()} normal" if ggt else NO_GGT)


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    drug = candidate.drug
    conditions = facts.conditions_of(*METHOTREXATE_LIVER_CONDITIONS)
    if conditions and drug is Drug.METHOTREXATE:
        return leave_out(f"{on_record(conditions[0])}: label contraindication", contraindicated=True)
    fatty = facts.conditions_of(Condition.FATTY_LIVER_DISEASE)
    if fatty and drug is Drug.METHOTREXATE:
        return not_recommended(f"{on_record(fatty[0])}: assess liver fibrosis (FIB-4 or elastography) first")
    liver = facts.conditions_of(Condition.LIVER_DISEASE)
    if liver and drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return not_recommended(f"{on_record(liver[0])}: contraindicated with marked hepatic damage (label)")
    if drug in HEPATOTOXIC_IMMUNOSUPPRESSANTS:
        raised = raised_transaminase(facts, params)
        muscle = likely_muscle(facts, params) if raised else None
        if muscle:
            advice = "check GGT before starting" if muscle.endswith(NO_GGT) else "repeat with CK after starting"
            return not_recommended(f"{advice}: {raised}, likely from muscle ({muscle})")
        if raised:
            return leave_out(raised)
    return None
