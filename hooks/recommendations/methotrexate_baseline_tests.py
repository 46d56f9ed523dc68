"""Baseline tests before methotrexate (docs/evidence.md#methotrexate-baseline).

BSR/BHPR 2017 non-biologic DMARD guideline (Ledingham et al.): baseline assessment before methotrexate is
a full blood count, calculated GFR (creatinine), ALT and/or AST and albumin, with screening for occult
viral infection (hepatitis B and C). EULAR 2022: HBV status before antirheumatic drugs guides antiviral
treatment. Also: chest imaging (not checkable here) and a pregnancy test in women of childbearing
potential (see `teratogen-pregnancy`).

When: methotrexate at the start of therapy, i.e. a draft order or an order started within
`start_window_days` that does not renew a current or recently ended course (`criteria.is_start`: a
baseline belongs to the start; an established or renewed course is left to `methotrexate-monitoring`), and
- a new methotrexate order (a draft with no methotrexate on record): blood tests must be dated within
  `lab_window_days` before today; serology at any time, or within `serology_window_days` when set;
- otherwise (a recent start): one of the tests with no result on record at all.
Then: warning listing what is missing, with one suggestion creating lab orders for the tests that have a
verified LOINC code (blood count and albumin are named but not coded).
"""

from __future__ import annotations

from datetime import date

from fhir_mappings.concepts import Drug, Lab
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import days_ago, describe, draft_references, is_start
from hooks.lab_orders import NAMES, order_suggestion, satisfying, screening_serology
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    StartCheck,
)

#: The required blood tests (each satisfied by the results `hooks.lab_orders.satisfying` names).
BLOOD_TESTS = (Lab.BLOOD_COUNT, Lab.CREATININE, Lab.ALT, Lab.ALBUMIN)

STATEMENT = (
    "BSR/BHPR 2017: before methotrexate check full blood count, calculated GFR (creatinine), ALT and/or AST and "
    "albumin, and screen for occult viral infection (hepatitis B and C); EULAR 2022: HBV status before "
    "antirheumatic drugs guides antiviral treatment."
)


def _has_result(facts: ClinicalFacts, lab: Lab, since: date | None) -> bool:
    return any(
        since is None or (r.when is not None and r.when.date() >= since)
        for concept in satisfying(lab)
        for r in facts.results_of(concept)
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    methotrexate = tuple(m for m in facts.current({Drug.METHOTREXATE})
                         if is_start(facts, m, params["start_window_days"]))
    if not methotrexate:
        return None
    new_start = not facts.history({Drug.METHOTREXATE})
    lab_since = days_ago(facts, params["lab_window_days"]) if new_start else None
    serology_since = (
        days_ago(facts, params["serology_window_days"]) if new_start and params["serology_window_days"] > 0 else None
    )
    missing = [lab for lab in BLOOD_TESTS if not _has_result(facts, lab, lab_since)]
    missing += [lab for lab in screening_serology(facts) if not _has_result(facts, lab, serology_since)]
    if not missing:
        return None
    window = f" in the last {params['lab_window_days']} days" if new_start else " on record"
    facts_used = [describe(m) for m in methotrexate]
    facts_used.append("Missing" + window + ": " + ", ".join(NAMES[lab] for lab in missing))
    uncoded = [NAMES[lab] for lab in missing if lab in (Lab.BLOOD_COUNT, Lab.ALBUMIN)]
    detail = (
        ("Before starting methotrexate" if new_start else "Methotrexate is current and")
        + " the baseline is incomplete: no " + ", ".join(NAMES[lab] for lab in missing) + window + "."
        + (" Order " + " and ".join(uncoded) + " from the local catalogue (not offered as a one-click order)."
           if uncoded else "")
        + " Also: chest X-ray at baseline (not visible to this service) and a pregnancy test if of childbearing "
        "potential. Results held elsewhere may not be visible to this service."
        + f"\n\nGuideline: {STATEMENT}"
    )
    suggestion = order_suggestion(facts, tuple(missing), "Baseline before methotrexate", "Order missing baseline tests")
    return Finding(
        indicator=Indicator.WARNING,
        summary="Methotrexate: baseline tests missing (" + ", ".join(NAMES[lab] for lab in missing) + ")",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(methotrexate),
        start_check=StartCheck("methotrexate", "order the missing baseline tests"),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-baseline-tests",
    title="Baseline tests before methotrexate",
    citation=Citation(
        label="BSR/BHPR guideline for the prescription and monitoring of non-biologic DMARDs (Ledingham et al., "
        "Rheumatology 2017;56:865); EULAR 2022 infection screening recommendations",
        url="https://doi.org/10.1093/rheumatology/kew479",
        statement=STATEMENT,
        strength="BSR/BHPR 2017 baseline assessment (secondary source); EULAR 2022 (secondary source)",
    ),
    trigger=(
        "Draft methotrexate, or current methotrexate started within start_window_days; for a new start (no methotrexate on record) no full blood count, "
        "creatinine or eGFR, ALT or AST, albumin within lab_window_days before today, or no HBsAg, anti-HBc or "
        "HCV antibody (any date, or within serology_window_days when > 0); for a recent start, one of "
        "these never on record"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "start_window_days": Parameter(90, "an order on record started within this many days is at the start of "
                                       "therapy (a baseline is checked); older courses are left to monitoring",
                                       "BSR/BHPR 2017 (baseline assessment is at the start of therapy; monitoring "
                                       "thereafter); window: policy, as infection-screening's recent_start_days"),
        "lab_window_days": Parameter(30, "blood tests must be this recent before a new start",
                                     "docs/evidence.md#methotrexate-baseline"),
        "serology_window_days": Parameter(0, "hepatitis serology must be this recent before a new start "
                                          "(0 = any date)", "docs/evidence.md#methotrexate-baseline (serologies at any time)"),
    },
    requires_myositis=False,
    asserts_absence_of=frozenset({"MedicationRequest", "Observation"}),
    # Its serology is part of the drug's baseline: ordered here rather than on the generic screening card.
    specificity=1,
)
