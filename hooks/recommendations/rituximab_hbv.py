"""Rituximab: hepatitis B status before and during treatment (docs/evidence.md#hepatitis-b).

EULAR 2022 recommendations on screening and prophylaxis of infections in AIIRD: hepatitis B status
(HBsAg, anti-HBc) should be known before antirheumatic drugs and guides antiviral treatment or
prophylaxis (secondary source). Rituximab carries a boxed warning for HBV reactivation, fulminant hepatitis and
death (label text not retrieved (unverified)). HBsAg-positive patients need antiviral prophylaxis;
HBsAg-negative/anti-HBc-positive patients on rituximab are at high risk of reactivation and need
antiviral prophylaxis (EULAR 2022: prophylaxis for high-risk treatment such as rituximab; AASLD 2018:
prophylaxis with anti-CD20 therapy), HBV-DNA monitoring instead only on hepatology advice.

When: current rituximab (on record or draft), any patient (a drug-safety check), and
  - HBsAg positive (or a hepatitis B diagnosis) and no entecavir or tenofovir current (lamivudine
    is not adequate for HBsAg-positive patients: EASL 2017, AASLD 2018)  -> critical
  - HBsAg or anti-HBc without an interpretable result        -> critical, with one suggestion
    creating the missing lab orders (LOINC codes of hooks.lab_orders)
  - anti-HBc positive, HBsAg negative, no antiviral (entecavir, tenofovir or lamivudine) current
                                                              -> warning
Then: one card: hepatology referral / antiviral prophylaxis, or screen before the infusion.
"""

from __future__ import annotations

from fhir_mappings.concepts import Condition, Drug, Lab, Qualitative
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import describe, draft_references
from hooks.hepatitis_b import adequate_prophylaxis_for_hbsag, any_hbv_antiviral, lamivudine_note, latest_interpretable
from hooks.lab_orders import NAMES, order_suggestion
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Params, Recommendation

SEROLOGY_TESTS = (Lab.HBSAG, Lab.ANTI_HBC)
STATEMENT = (
    "Source: EULAR 2022 recommendations on screening and prophylaxis of infections in AIIRD (HBV status "
    "before antirheumatic drugs guides antiviral treatment); rituximab boxed warning on HBV reactivation."
)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    rituximab = facts.current((Drug.RITUXIMAB,))
    if not rituximab:
        return None
    # The latest readable result decides (an HBsAg positive years ago and negative since is not current).
    readings = {lab: (r.interpretation if (r := latest_interpretable(facts, lab)) else Qualitative.UNKNOWN)
                for lab in SEROLOGY_TESTS}
    hepatitis_b = facts.conditions_of(Condition.HEPATITIS_B)
    protected = any_hbv_antiviral(facts)
    results = [r.describe() for lab in SEROLOGY_TESTS for r in facts.results_of(lab)]
    facts_used = [describe(m) for m in rituximab] + results + [f"Diagnosis: {c.display}" for c in hepatitis_b]
    about = draft_references(rituximab)
    if (readings[Lab.HBSAG] is Qualitative.POSITIVE or hepatitis_b) and not adequate_prophylaxis_for_hbsag(facts):
        return Finding(
            indicator=Indicator.CRITICAL,
            summary="Rituximab with hepatitis B (HBsAg positive) and no antiviral prophylaxis",
            detail="**HBsAg positive / chronic hepatitis B**: rituximab can reactivate HBV, with fulminant "
            "hepatitis and death. Start antiviral prophylaxis (entecavir or tenofovir) **before** rituximab and "
            "continue it after the last dose, with hepatology." + lamivudine_note(facts) + "\n\n" + STATEMENT,
            facts_used=tuple(facts_used),
            about_drafts=about,
        )
    missing = [lab for lab, reading in readings.items() if reading is Qualitative.UNKNOWN]
    if missing:
        names = " and ".join(NAMES[lab] for lab in missing)
        suggestion = order_suggestion(facts, tuple(missing), "Hepatitis B screening before rituximab", f"Order {names}")
        return Finding(
            indicator=Indicator.CRITICAL,
            summary=f"Rituximab without hepatitis B screening: no {names} result",
            detail=f"No interpretable **{names}** result is on record. Check HBsAg and anti-HBc before rituximab: "
            "HBsAg-positive patients need antiviral prophylaxis, and anti-HBc-positive patients need prophylaxis "
            "or HBV-DNA monitoring, because rituximab can reactivate HBV (fulminant hepatitis, death).\n\n"
            + STATEMENT,
            facts_used=tuple(facts_used + [f"No interpretable {NAMES[lab]} result on record" for lab in missing]),
            suggestions=(suggestion,) if suggestion else (),
            about_drafts=about,
        )
    if readings[Lab.ANTI_HBC] is Qualitative.POSITIVE and not protected:
        return Finding(
            indicator=Indicator.WARNING,
            summary="Rituximab with anti-HBc positive: start antiviral prophylaxis (entecavir or tenofovir)",
            detail="**Anti-HBc positive, HBsAg negative** (past or occult hepatitis B): rituximab carries a high "
            "risk of HBV reactivation. Start antiviral prophylaxis (entecavir or tenofovir) before the infusion "
            "and continue it after the last dose, with hepatology; HBV-DNA monitoring instead of prophylaxis "
            "only on hepatology advice. EULAR 2022 and the AASLD 2018 hepatitis B guidance (Terrault et al., "
            "Hepatology 2018;67:1560-1599) advise prophylaxis with anti-CD20 therapy.\n\n" + STATEMENT,
            facts_used=tuple(facts_used),
            about_drafts=about,
        )
    return None


RECOMMENDATION = Recommendation(
    id="rituximab-hbv",
    title="Rituximab: hepatitis B screening and prophylaxis",
    citation=Citation(
        label="EULAR 2022 recommendations for screening and prophylaxis of chronic and opportunistic infections "
        "in AIIRD (Fragoulis et al., Ann Rheum Dis 2023); rituximab label boxed warning",
        url="https://doi.org/10.1136/ard-2022-223335",
        statement="Hepatitis B status (HBsAg, anti-HBc) should be checked before antirheumatic drugs; HBsAg-positive "
        "patients, and anti-HBc-positive patients on rituximab, need antiviral prophylaxis (HBV-DNA monitoring "
        "instead only on hepatology advice).",
        strength="EULAR 2022 (level of evidence not restated here); rituximab HBV boxed warning (unverified)",
    ),
    trigger=(
        "Current rituximab MedicationRequest (RxNorm 121191, on record or draft), any patient; and HBsAg "
        "(LOINC 5196-1/5195-3/75410-1) positive or hepatitis B Condition without current entecavir/tenofovir "
        "(lamivudine not adequate); or no interpretable HBsAg or anti-HBc (LOINC 16933-4/13952-7) result ever; or anti-HBc "
        "positive without a current antiviral"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.CRITICAL, Indicator.WARNING}),
    evaluate=evaluate,
    requires_myositis=False,
    asserts_absence_of=frozenset({"MedicationRequest", "Observation"}),
)
