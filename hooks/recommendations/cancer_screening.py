"""Cancer screening in adult-onset inflammatory myopathy (IMACS 2023; docs/evidence.md#cancer-screening).

IMACS 2023 (18 recommendations, modified Delphi): adult-onset IIM carries an increased cancer risk in
the 3 years before and after onset. Each patient is stratified into standard, moderate or high risk
by IIM subtype, myositis-specific/associated autoantibodies and clinical features; a 'basic'
screening panel (history and examination, chest radiograph, preliminary laboratory tests) or an
'enhanced' panel (CT and tumour markers) is done at diagnosis, and repeated in the first 3 years
according to the risk. PET-CT is considered in high risk when the first screen found nothing, or as a
single test in anti-TIF1-gamma dermatomyositis with onset after 40 and another high-risk feature;
upper and lower GI endoscopy in high risk; nasoendoscopy where nasopharyngeal carcinoma is common.
Juvenile-onset IIM needs no routine IIM-associated cancer screening; IBM is not covered (population
screening only). Both stay silent here.

Risk as this service reads it. The guideline's figure counts high-risk and intermediate-risk factors:
high risk = 2 high-risk factors; moderate = 1 high-risk factor or 2 intermediate-risk factors;
standard otherwise; high and moderate risk get basic and enhanced screening at diagnosis, standard
risk basic screening, and high risk annual screening for 3 years (as reported from the figure in a
conference report; the full text was not available here, so the counts are parameters and the card
names the category as this service's reading). Factors read from FHIR data:
- high-risk: dermatomyositis (adult, including amyopathic); anti-TIF1-gamma or anti-NXP2 positive;
  age over `age_threshold_years` at onset (current age when onset is unknown); dysphagia; cutaneous
  ulceration; refractory disease, read as treatment escalated to IVIG, rituximab or cyclophosphamide
  or two steroid-sparing agents at once (a rapidly progressive course is not visible in FHIR data
  and is named on the card instead);
- intermediate-risk: necrotizing myopathy other than anti-SRP (anti-HMGCR or seronegative), anti-SAE.
Antisynthetase syndrome, anti-SRP necrotizing myopathy and polymyositis carry no factor of their own.

Screening on record (Procedure completed, DiagnosticReport issued, or ServiceRequest active or
completed, by code or name): enhanced = CT chest/abdomen/pelvis or PET-CT; basic = chest radiograph,
either of those, or a procedure named as cancer screening. It counts from `days_before_diagnosis`
before the onset. High risk also needs a screening test (basic or enhanced) within
`high_risk_repeat_days`.

When: adult, active IIM other than juvenile DM and IBM, within `window_years` of onset (or onset
unknown), no cancer Condition, and the screening its risk needs is not on record ->
info (a gap closed within weeks, whatever the risk: docs/cards.md). Patient-view only. When Condition, Procedure, DiagnosticReport or
ServiceRequest data could not be obtained, or only in part, the engine shows the card as a request to
verify (`asserts_absence_of`): screening done elsewhere may not be visible.
"""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.concepts import (
    SECOND_IMMUNOSUPPRESSANTS,
    Antibody,
    Condition,
    Drug,
    Investigation,
    MyositisSubtype,
    Qualitative,
)
from fhir_mappings.facts import ClinicalFacts, InvestigationFact
from fhir_mappings.numbers import years
from hooks.criteria import diagnosis_fact, myositis_onset
from hooks.recommendation import PATIENT_VIEW, Citation, Finding, Indicator, Parameter, Params, Recommendation

HIGH, MODERATE, STANDARD = "high", "moderate", "standard"
NOT_SCREENED = frozenset({MyositisSubtype.JUVENILE_DERMATOMYOSITIS, MyositisSubtype.INCLUSION_BODY_MYOSITIS})
ENHANCED = (Investigation.CT_CHEST_ABDOMEN_PELVIS, Investigation.PET_CT)
BASIC = (Investigation.CHEST_RADIOGRAPH, Investigation.CANCER_SCREENING, *ENHANCED)
ESCALATED = frozenset({Drug.IVIG, Drug.RITUXIMAB, Drug.CYCLOPHOSPHAMIDE})
STATEMENT = (
    "IMACS 2023: stratify adult-onset IIM into standard, moderate or high risk of IIM-associated cancer by subtype, "
    "autoantibodies and clinical features; screen at diagnosis with a 'basic' panel (chest radiograph, preliminary "
    "laboratory tests) and, at moderate or high risk, an 'enhanced' panel (CT, tumour markers); at high risk "
    "screen annually for 3 years; consider PET-CT and GI endoscopy in high risk. Juvenile-onset IIM needs no "
    "routine IIM-associated cancer screening."
)
BASIC_PANEL = (
    "**Basic panel:** history and examination, full blood count, liver function, ESR/CRP, serum protein "
    "electrophoresis, urinalysis, chest radiograph, and age- and sex-appropriate national cancer screening."
)
ENHANCED_PANEL = (
    "**Enhanced panel:** CT of the neck, chest, abdomen and pelvis with tumour markers (e.g. CA-125, PSA), in "
    "addition to the basic panel; consider PET-CT if CT finds nothing, and upper and lower GI endoscopy."
)


def _age_at(facts: ClinicalFacts, day: date | None) -> float | None:
    birth = facts.patient.birth_date
    if day is not None and birth is not None:
        return (day - birth).days / 365.25
    return facts.patient.age_years


def high_risk_factors(facts: ClinicalFacts, params: Params, onset: date | None) -> list[str]:
    """IMACS high-risk factors: dermatomyositis, anti-TIF1-gamma or anti-NXP2, age over the threshold at onset,
    dysphagia, cutaneous ulceration, refractory disease (read as escalated treatment)."""
    found = ["Dermatomyositis"] if facts.myositis is MyositisSubtype.DERMATOMYOSITIS else []
    found += [f"{a.value} positive" for a in facts.positive_antibodies((Antibody.TIF1G, Antibody.NXP2))]
    age = _age_at(facts, onset)
    if age is not None and int(years(age)) > params["age_threshold_years"]:
        found.append(f"Age {years(age)} at {'onset' if onset else 'present (onset not recorded)'}")
    found += [f"{c.concept.value.capitalize()}: {c.display}"
              for c in facts.conditions_of(Condition.DYSPHAGIA, Condition.CUTANEOUS_ULCERATION)]
    escalated = {m.drug for m in facts.current(ESCALATED)}
    sparing = {m.drug for m in facts.current(SECOND_IMMUNOSUPPRESSANTS)}
    if escalated or len(sparing) >= 2:
        names = ", ".join(sorted(d.value for d in escalated | sparing))
        found.append(f"Refractory disease (treatment escalated: {names})")
    return found


def intermediate_risk_factors(facts: ClinicalFacts) -> list[str]:
    """IMACS intermediate-risk factors read here: necrotizing myopathy other than anti-SRP (anti-HMGCR or
    seronegative; a positive anti-HMGCR counts once) and anti-SAE."""
    found = []
    srp = facts.antibody(Antibody.SRP) is Qualitative.POSITIVE
    if facts.myositis is MyositisSubtype.IMMUNE_MEDIATED_NECROTIZING and not srp:
        found.append("Necrotizing myopathy (not anti-SRP)")
    elif facts.antibody(Antibody.HMGCR) is Qualitative.POSITIVE:
        found.append("anti-hmgcr positive")
    if facts.antibody(Antibody.SAE) is Qualitative.POSITIVE:
        found.append("anti-sae positive")
    return found


def risk(high: list[str], intermediate: list[str], params: Params) -> str:
    """High: enough high-risk factors; moderate: one, or enough intermediate-risk factors; else standard."""
    if len(high) >= params["high_risk_factor_count"]:
        return HIGH
    if high or len(intermediate) >= params["moderate_intermediate_factor_count"]:
        return MODERATE
    return STANDARD


def _since(tests: tuple[InvestigationFact, ...], start: date | None) -> InvestigationFact | None:
    """The newest test dated on or after `start` (any dated test when `start` is None)."""
    return next((t for t in tests if t.when is not None and (start is None or t.when >= start)), None)


def _missing(facts: ClinicalFacts, category: str, anchor: date | None, params: Params) -> tuple[str, str] | None:
    """The screening the risk category still needs (short name, what to arrange), or None when on record."""
    enhanced_tests = facts.investigations_of(*ENHANCED)
    at_diagnosis = ("enhanced screening", "enhanced screening (CT chest, abdomen and pelvis, or PET-CT) at diagnosis")
    if category == HIGH:
        if _since(enhanced_tests, anchor) is None:
            return at_diagnosis
        repeat_from = facts.today - timedelta(days=params["high_risk_repeat_days"])
        return None if _since(facts.investigations_of(*BASIC), repeat_from) else (
            "repeat screening", "repeat screening (at high risk, yearly in the first 3 years after onset)")
    if category == MODERATE:
        return None if _since(enhanced_tests, anchor) else at_diagnosis
    return None if _since(facts.investigations_of(*BASIC), anchor) else (
        "basic screening", "basic screening, including a chest radiograph, at diagnosis")


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if not facts.is_adult or facts.myositis in NOT_SCREENED or facts.has_condition(Condition.CANCER):
        return None
    onset = myositis_onset(facts)
    if onset is not None and (facts.today - onset).days > params["window_years"] * 365.25:
        return None
    high = high_risk_factors(facts, params, onset)
    intermediate = intermediate_risk_factors(facts)
    category = risk(high, intermediate, params)
    anchor = onset - timedelta(days=params["days_before_diagnosis"]) if onset else None
    needed = _missing(facts, category, anchor, params)
    if needed is None:
        return None
    onset_text = f"Onset {onset.isoformat()}" if onset else "Onset of myositis not recorded"
    facts_used = [diagnosis_fact(facts), onset_text, *[f"High-risk factor: {f}" for f in high],
                  *[f"Intermediate-risk factor: {f}" for f in intermediate],
                  f"Cancer risk: {category} (IMACS 2023 as read by this service)"]
    done = facts.investigations_of(*BASIC)
    facts_used += [f"Last screening test: {done[0].describe()}"] if done else ["No screening imaging on record"]
    panels = [ENHANCED_PANEL, BASIC_PANEL] if category in (HIGH, MODERATE) else [BASIC_PANEL]
    pet = ("With anti-TIF1-gamma, onset after 40 and another high-risk feature, PET-CT can be the single screening "
           "test. " if category == HIGH and facts.antibody(Antibody.TIF1G) is Qualitative.POSITIVE else "")
    return Finding(
        indicator=Indicator.INFO,
        summary=f"{category.capitalize()} cancer risk in myositis: arrange {needed[0]}",
        detail=f"Arrange {needed[1]}. {pet}\n\n" + "\n\n".join(panels)
        + "\n\nCancer risk is highest within 3 years of myositis onset. A rapidly progressive course also raises "
        f"the risk: screen as high risk if so.\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
    )


RECOMMENDATION = Recommendation(
    id="cancer-screening",
    title="Cancer screening by risk in adult-onset inflammatory myopathy",
    citation=Citation(
        label="International Guideline for IIM-Associated Cancer Screening: an IMACS initiative (Oldroyd et al., Nat "
        "Rev Rheumatol 2023;19:805-817)",
        url="https://doi.org/10.1038/s41584-023-01045-w",
        statement=STATEMENT,
        strength="Consensus (modified Delphi) recommendations informed by a systematic review",
    ),
    trigger=(
        "Age >= 18, active IIM Condition other than juvenile DM or IBM, onset (earliest IIM Condition onset) within "
        "window_years or not recorded, no cancer Condition (C00-C96). High-risk factors: DM, anti-TIF1-gamma, "
        "anti-NXP2, age > age_threshold_years at onset, dysphagia, skin ulceration, IVIG/rituximab/cyclophosphamide "
        "or two steroid-sparing agents; intermediate: IMNM without anti-SRP (or anti-HMGCR), anti-SAE. High = "
        ">= high_risk_factor_count high-risk factors; moderate = one, or >= moderate_intermediate_factor_count "
        "intermediate; else standard. Fires when no CT chest/abdomen/pelvis or PET-CT (high, moderate) or chest "
        "radiograph (standard) Procedure, DiagnosticReport or ServiceRequest since days_before_diagnosis before "
        "onset, or (high) no screening test within high_risk_repeat_days: info"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    # "No screening on record" (Procedure, DiagnosticReport, ServiceRequest), and no cancer Condition.
    asserts_absence_of=frozenset({"Condition", "Procedure", "DiagnosticReport", "ServiceRequest"}),
    parameters={
        "window_years": Parameter(3, "years after myositis onset during which screening is recommended",
                                  "IMACS 2023: increased cancer risk within 3 years of IIM onset"),
        "age_threshold_years": Parameter(40, "age at onset above which age counts as a cancer risk feature",
                                         "IMACS 2023 (age > 40 at onset)"),
        "high_risk_factor_count": Parameter(
            2, "number of high-risk factors that make the cancer risk high",
            "IMACS 2023 figure (2 high-risk factors), as reported at EULAR 2024; full text not verified"),
        "moderate_intermediate_factor_count": Parameter(
            2, "number of intermediate-risk factors that make the cancer risk moderate",
            "IMACS 2023 figure (2 intermediate-risk factors), as reported at EULAR 2024; full text not verified"),
        "high_risk_repeat_days": Parameter(
            365, "at high risk, screening is repeated when the last screening test is older than this (days)",
            "IMACS 2023: annual screening for 3 years after onset at high risk (as reported at EULAR 2024)"),
        "days_before_diagnosis": Parameter(
            90, "a screening test this many days before the recorded onset still counts as screening at diagnosis",
            "policy choice: onset dates are approximate"),
    },
)
