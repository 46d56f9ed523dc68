"""Hepatitis B/C screening before immunosuppression (REFERENCE.md R23).

EULAR 2022 (Fragoulis et al.): screen for hepatitis B (HBsAg, anti-HBc) and hepatitis C (anti-HCV)
before starting immunosuppressive therapy; HBV status guides antiviral prophylaxis or monitoring;
HBsAg or anti-HBc positive -> specialist / antiviral prophylaxis decision; HCV RNA positive -> refer for
antiviral treatment. TB screening could be considered before csDMARDs/glucocorticoid and should be done
before biologics (IGRA preferred).

When: active IIM and a new (draft, or started within `recent_start_days`) azathioprine, mycophenolate,
tacrolimus, ciclosporin, cyclophosphamide or rituximab, or a new glucocorticoid at prednisone-equivalent
>= `min_mg_per_day` (a new methotrexate alone is left to `methotrexate-baseline-tests`, which includes this
serology, so the clinician gets one card), and
- HBsAg, anti-HBc or HCV antibody never on record -> warning with a lab-order suggestion, or
- one of them positive (HBV positive and no entecavir/tenofovir/lamivudine) or unreadable -> warning
  prompting the specialist/antiviral decision.
"""

from __future__ import annotations

from fhir_mappings.concepts import (
    HBV_ANTIVIRALS,
    SECOND_IMMUNOSUPPRESSANTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    Drug,
    Lab,
    Qualitative,
)
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from hooks.criteria import days_ago, describe, draft_references, prednisone_equivalent_mg_per_day
from hooks.lab_orders import NAMES, order_suggestion, serology_on_record
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

#: Methotrexate is left to methotrexate-baseline-tests (R7), whose baseline includes hepatitis serology.
TRIGGER_AGENTS = SECOND_IMMUNOSUPPRESSANTS - {Drug.METHOTREXATE}
HBV_TESTS = (Lab.HBSAG, Lab.ANTI_HBC)

STATEMENT = (
    "EULAR 2022: screen for HBV (HBsAg, anti-HBc) and HCV (anti-HCV) before immunosuppressive treatment; "
    "HBsAg or anti-HBc positive patients need a specialist decision on antiviral prophylaxis or monitoring; "
    "HCV RNA positive patients are referred for antiviral treatment. TB screening could be considered before "
    "csDMARDs and glucocorticoids and should be done before biologics (IGRA preferred)."
)


def _is_new(order: MedicationOrder, facts: ClinicalFacts, recent_days: int) -> bool:
    return order.is_draft or (order.start is not None and order.start >= days_ago(facts, recent_days))


def _triggers(facts: ClinicalFacts, params: Params) -> tuple[MedicationOrder, ...]:
    recent = params["recent_start_days"]
    threshold = params["min_mg_per_day"]
    agents = tuple(m for m in facts.current(TRIGGER_AGENTS) if _is_new(m, facts, recent))
    new_steroids = tuple(m for m in facts.current(SYSTEMIC_GLUCOCORTICOIDS) if _is_new(m, facts, recent))
    high = tuple(m for m in new_steroids if (m.prednisone_equivalent_mg_per_day or 0.0) >= threshold)
    if not high and new_steroids and prednisone_equivalent_mg_per_day(facts) >= threshold:
        high = new_steroids
    return agents + high


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    triggers = _triggers(facts, params)
    if not triggers:
        return None
    serology = serology_on_record(facts)
    missing = tuple(lab for lab, found in serology.items() if found is None)
    on_antiviral = bool(facts.current(HBV_ANTIVIRALS))
    flagged = [
        found
        for lab, found in serology.items()
        if found is not None
        and (found.interpretation is Qualitative.UNKNOWN
             or (found.interpretation is Qualitative.POSITIVE and not (lab in HBV_TESTS and on_antiviral)))
    ]
    if not missing and not flagged:
        return None
    facts_used = [describe(m) for m in triggers]
    facts_used += [f"No {NAMES[lab]} result on record" for lab in missing]
    facts_used += [found.describe() for found in flagged]
    parts = []
    if flagged:
        hbv = [r for r in flagged if r.concept in HBV_TESTS and r.interpretation is Qualitative.POSITIVE]
        hcv = [r for r in flagged if r.concept is Lab.HCV_ANTIBODY and r.interpretation is Qualitative.POSITIVE]
        unreadable = [r for r in flagged if r.interpretation is Qualitative.UNKNOWN]
        if hbv:
            parts.append("**Hepatitis B marker positive**: hepatology/infectious-disease decision on antiviral "
                         "prophylaxis (or monitoring) before immunosuppression; check HBV DNA.")
        if hcv:
            parts.append("**HCV antibody positive**: check HCV RNA; if positive refer for antiviral treatment.")
        if unreadable:
            parts.append("A hepatitis result could not be read as positive or negative: review it.")
    if missing:
        parts.append("No " + ", ".join(NAMES[lab] for lab in missing) + " on record: screen before "
                     "immunosuppression (results held elsewhere may not be visible to this service). Do not "
                     "delay urgent induction for the results.")
    summary = (
        "Positive or unreadable hepatitis B/C result before immunosuppression: specialist review"
        if flagged else "Hepatitis B/C screening missing before immunosuppression"
    )
    suggestion = order_suggestion(facts, missing, "Hepatitis B/C screening before immunosuppression",
                                  "Order hepatitis B and C screening") if missing else None
    return Finding(
        indicator=Indicator.WARNING,
        summary=summary,
        detail=" ".join(parts) + f"\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(triggers),
    )


RECOMMENDATION = Recommendation(
    id="infection-screening",
    title="Hepatitis B/C screening before immunosuppression",
    citation=Citation(
        label="EULAR 2022 recommendations for screening and prophylaxis of chronic and opportunistic infections "
        "in AIIRD (Fragoulis et al., Ann Rheum Dis 2023); BSR DMARD guideline",
        url="https://doi.org/10.1136/ard-2022-223335",
        statement=STATEMENT,
        strength="EULAR 2022 (LoE/GoR not retrieved, V2)",
    ),
    trigger=(
        "Active IIM and a draft or recently started (recent_start_days) azathioprine, mycophenolate, tacrolimus, "
        "ciclosporin, cyclophosphamide or rituximab, or glucocorticoid at prednisone-equivalent >= min_mg_per_day; "
        "and no HBsAg (LOINC 5196-1/5195-3/75410-1), anti-HBc (16933-4/13952-7) or HCV antibody "
        "(13955-0/16128-1) result on record, or one positive (HBV markers: unless on entecavir/tenofovir/"
        "lamivudine) or unreadable"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "min_mg_per_day": Parameter(20, "prednisone-equivalent mg/day from which a new glucocorticoid needs "
                                    "screening", "REFERENCE.md R23"),
        "recent_start_days": Parameter(90, "an order on record started within this many days counts as new "
                                       "(patient-view)", "policy choice: REFERENCE.md R23 says 'new order' "
                                       "without a window"),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
