"""Hepatitis B status as the infection rules read it, named once.

HBsAg-positive means the latest interpretable HBsAg result is positive, or chronic hepatitis B is coded;
isolated anti-HBc means the latest interpretable anti-HBc is positive and HBsAg negative. Adequate
prophylaxis differs between the two (EASL 2017 HBV guideline; AASLD 2018 HBV guidance, Terrault et
al.): an HBsAg-positive patient needs entecavir or tenofovir (lamivudine selects resistance and is not
adequate); for isolated anti-HBc any of entecavir, tenofovir or lamivudine counts as prophylaxis.
"""

from __future__ import annotations

from fhir_mappings.concepts import HBV_ANTIVIRALS, HBV_HIGH_BARRIER_ANTIVIRALS, Condition, Drug, Lab, Qualitative
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder


def latest_interpretable(facts: ClinicalFacts, lab: Lab) -> LabResult | None:
    """The newest result read as positive or negative (an unreadable result does not overrule it)."""
    return next((r for r in facts.results_of(lab) if r.interpretation is not Qualitative.UNKNOWN), None)


def hbsag_positive_evidence(facts: ClinicalFacts) -> tuple[str, ...]:
    """Fact lines showing the patient is HBsAg positive (empty when not known to be)."""
    found: list[str] = []
    hbsag = latest_interpretable(facts, Lab.HBSAG)
    if hbsag is not None and hbsag.interpretation is Qualitative.POSITIVE:
        found.append(hbsag.describe())
    found += [f"Diagnosis: {c.display} ({c.code})" for c in facts.conditions_of(Condition.HEPATITIS_B)]
    return tuple(found)


def isolated_anti_hbc(facts: ClinicalFacts) -> LabResult | None:
    """The positive anti-HBc result when HBsAg is negative (resolved or occult infection), else None."""
    core = latest_interpretable(facts, Lab.ANTI_HBC)
    surface = latest_interpretable(facts, Lab.HBSAG)
    if core is None or core.interpretation is not Qualitative.POSITIVE:
        return None
    if surface is None or surface.interpretation is not Qualitative.NEGATIVE:
        return None
    return core


def adequate_prophylaxis_for_hbsag(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    """Current entecavir or tenofovir."""
    return facts.current(HBV_HIGH_BARRIER_ANTIVIRALS)


def any_hbv_antiviral(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    return facts.current(HBV_ANTIVIRALS)


def lamivudine_note(facts: ClinicalFacts) -> str:
    """A sentence for an HBsAg-positive card when lamivudine is the only antiviral on the regimen."""
    if facts.current((Drug.LAMIVUDINE,)) and not adequate_prophylaxis_for_hbsag(facts):
        return (" **Lamivudine is not adequate prophylaxis** for an HBsAg-positive patient (high rate of "
                "resistance): EASL 2017 and AASLD 2018 recommend entecavir or tenofovir.")
    return ""
