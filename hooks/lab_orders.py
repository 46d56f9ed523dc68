"""Laboratory tests that cards suggest ordering, with the LOINC code of each (docs/evidence.md#codes: verified codes only).

A test without a verified LOINC code (blood count, albumin) is named in the card text but not offered as
a one-click order: a wrong code on a suggested ServiceRequest would order the wrong test.
"""

from __future__ import annotations

from fhir_mappings.builders import service_request
from fhir_mappings.concepts import Condition, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult
from hooks.recommendation import Action, Suggestion

#: LOINC code and long name per concept, docs/evidence.md#codes.
LOINC: dict[Lab, tuple[str, str]] = {
    Lab.HBSAG: ("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"),
    Lab.ANTI_HBC: ("16933-4", "Hepatitis B virus core Ab [Presence] in Serum"),
    Lab.HCV_ANTIBODY: ("13955-0", "Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay"),
    Lab.CREATININE: ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    Lab.ALT: ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    Lab.HBV_DNA: ("29615-2", "Hepatitis B virus DNA [#/volume] (viral load) in Serum or Plasma by NAA with probe "
                  "detection"),
    Lab.HCV_RNA: ("11011-4", "Hepatitis C virus RNA [Units/volume] (viral load) in Serum or Plasma by NAA with probe "
                  "detection"),
    Lab.IGRA: ("71773-6", "Mycobacterium tuberculosis stimulated gamma interferon [Presence] in Blood"),
    Lab.HIV: ("56888-1", "HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay"),
    Lab.VZV_IGG: ("19162-7", "Varicella zoster virus IgG Ab [Presence] in Serum"),
    Lab.TROPONIN_I: ("10839-9", "Troponin I.cardiac [Mass/volume] in Serum or Plasma"),
    Lab.IGG: ("2465-3", "IgG [Mass/volume] in Serum or Plasma"),
    Lab.IGM: ("2472-9", "IgM [Mass/volume] in Serum or Plasma"),
}

#: Human names for card text.
NAMES: dict[Lab, str] = {
    Lab.HBSAG: "HBsAg",
    Lab.ANTI_HBC: "anti-HBc",
    Lab.HCV_ANTIBODY: "HCV antibody",
    Lab.BLOOD_COUNT: "full blood count",
    Lab.CREATININE: "creatinine/eGFR",
    Lab.EGFR: "eGFR",
    Lab.ALT: "ALT/AST",
    Lab.AST: "AST",
    Lab.ALBUMIN: "albumin",
    Lab.HBV_DNA: "HBV DNA",
    Lab.HCV_RNA: "HCV RNA",
    Lab.IGRA: "interferon-gamma release assay (IGRA)",
    Lab.HIV: "HIV antigen/antibody test",
    Lab.VZV_IGG: "VZV IgG",
    Lab.TROPONIN_I: "troponin I",
    Lab.IGG: "IgG",
    Lab.IGM: "IgM",
}

HEPATITIS_SEROLOGY = (Lab.HBSAG, Lab.ANTI_HBC, Lab.HCV_ANTIBODY)

#: Results that stand for a test when checking whether it was done (an eGFR for creatinine, an AST for
#: ALT); a test not listed is satisfied by its own results only.
SATISFIED_BY: dict[Lab, tuple[Lab, ...]] = {
    Lab.CREATININE: (Lab.CREATININE, Lab.EGFR),
    Lab.ALT: (Lab.ALT, Lab.AST),
}


def satisfying(lab: Lab) -> tuple[Lab, ...]:
    """The result concepts that show `lab` was done."""
    return SATISFIED_BY.get(lab, (lab,))


def latest_dated(facts: ClinicalFacts, lab: Lab) -> LabResult | None:
    """The newest dated result that shows `lab` was done (undated results are passed over)."""
    dated = [r for concept in satisfying(lab) for r in facts.results_of(concept) if r.when is not None]
    return max(dated, key=lambda r: r.when, default=None)


def screening_serology(facts: ClinicalFacts) -> tuple[Lab, ...]:
    """The hepatitis B/C screening tests that still have something to tell: a screening test is not asked for
    when the infection is already coded (chronic hepatitis C: HCV RNA and hepatology instead, EULAR 2022;
    chronic hepatitis B: HBsAg positive is known)."""
    moot: set[Lab] = set()
    if facts.has_condition(Condition.HEPATITIS_C):
        moot.add(Lab.HCV_ANTIBODY)
    if facts.has_condition(Condition.HEPATITIS_B):
        moot.update((Lab.HBSAG, Lab.ANTI_HBC))
    return tuple(lab for lab in HEPATITIS_SEROLOGY if lab not in moot)


def serology_on_record(facts: ClinicalFacts) -> dict[Lab, LabResult | None]:
    """Latest result of each `screening_serology` test, at any date (None when absent)."""
    return {lab: facts.latest(lab) for lab in screening_serology(facts)}


def lab_order(patient_reference: str | None, loinc: tuple[str, str], reason: str, description: str) -> Action:
    """Create a draft laboratory ServiceRequest for the test coded `loinc` (code, long name)."""
    code, display = loinc
    return Action("create", description, service_request(patient_reference=patient_reference, loinc_code=code,
                                                         display=display, reason=reason))


def order_suggestion(facts: ClinicalFacts, labs: tuple[Lab, ...], reason: str, label: str) -> Suggestion | None:
    """One suggestion creating a draft ServiceRequest per test that has a LOINC code; None if none has."""
    actions = tuple(
        lab_order(facts.patient.reference, LOINC[lab], reason, f"Draft order: {NAMES[lab]}")
        for lab in labs
        if lab in LOINC
    )
    if not actions:
        return None
    return Suggestion(label=label, actions=actions, is_recommended=True)
