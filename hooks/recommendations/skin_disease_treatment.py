"""Dermatomyositis skin disease without skin-directed therapy; hydroxychloroquine dose and eye screening
(BSR 2022; AAO 2016; docs/evidence.md#skin-disease-treatment).

BSR 2022 myositis guideline (Oldroyd et al.): skin disease in dermatomyositis, including amyopathic
dermatomyositis, is treated in its own right: photoprotection (sun avoidance, broad-spectrum sunscreen),
topical corticosteroids or calcineurin inhibitors, and hydroxychloroquine as the first systemic agent
for skin disease (exact wording and grades of the BSR skin statements were not verified here).
AAO 2016 (Marmor et al.): hydroxychloroquine at no more than 5.0 mg/kg real body weight per day;
a baseline fundus examination within the first year of use, then annual screening (SD-OCT and
automated visual fields) from 5 years of use, or earlier with major risk factors (higher dose,
kidney disease, tamoxifen, macular disease).

"Active skin disease" is read from codes that say the disease is in the skin: skin-predominant
(amyopathic or hypomyopathic) dermatomyositis, or dermatomyositis with a skin-ulceration Condition.
Gottron's papules, heliotrope rash and CDASI scores have no verified codes in this service's value
sets, so a classic dermatomyositis rash recorded only as free text is not seen.

When (the hydroxychloroquine cards also on order-select/order-sign, about a hydroxychloroquine draft):
- active dermatomyositis (adult or juvenile) with one of those Conditions, and no current
  hydroxychloroquine order -> info (patient-view): photoprotection, topical therapy, hydroxychloroquine
  with its eye screening. Topical therapy is not visible (topical forms are left out of the medication mapping),
  so the card says so instead of asserting it is absent;
- active IIM on hydroxychloroquine:
  - daily dose above `hydroxychloroquine_max_mg_per_kg` of a recent weight -> warning;
  - no retinal examination (Procedure, DiagnosticReport or ServiceRequest: fundus examination, SD-OCT,
    visual fields) dated from a year before the first dose on -> info "baseline examination within the
    first year", from the order on (AAO 2016: baseline within the first year of use); or taken for
    `annual_screening_after_years` (from the first year when eGFR is below `annual_screening_egfr_below`:
    kidney disease is a major risk factor) and none within a year -> info.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import Condition, Drug, Investigation, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts
from fhir_mappings.numbers import num
from hooks.criteria import (
    covered_days,
    describe,
    diagnosis_fact,
    draft_references,
    latest_egfr,
    mg_per_kg_per_day,
    recent_weight_kg,
)
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

HYDROXYCHLOROQUINE = frozenset({Drug.HYDROXYCHLOROQUINE})
#: Where a retinal examination may be on record: the retinal-screening card states its absence from these.
INVESTIGATION_RECORDS = frozenset({"Procedure", "DiagnosticReport", "ServiceRequest"})

DERMATOMYOSITIS = frozenset({MyositisSubtype.DERMATOMYOSITIS, MyositisSubtype.JUVENILE_DERMATOMYOSITIS})
STATEMENT = (
    "BSR 2022: treat dermatomyositis skin disease, including amyopathic disease, with photoprotection, topical "
    "corticosteroids or calcineurin inhibitors and hydroxychloroquine. AAO 2016: hydroxychloroquine at no more "
    "than 5.0 mg/kg real body weight per day, a baseline fundus examination within the first year, and annual "
    "retinal screening from 5 years of use (earlier with risk factors)."
)


def _skin_disease(facts: ClinicalFacts) -> list[str]:
    skin = facts.conditions_of(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS, Condition.CUTANEOUS_ULCERATION)
    if facts.myositis not in DERMATOMYOSITIS and not facts.has_condition(Condition.SKIN_PREDOMINANT_DERMATOMYOSITIS):
        return []
    return [f"Skin disease: {c.display}" for c in skin]


def _dose_line(facts: ClinicalFacts, params: Params) -> str:
    max_mg_per_kg, max_mg = params["hydroxychloroquine_max_mg_per_kg"], params["hydroxychloroquine_max_mg_per_day"]
    weight = recent_weight_kg(facts)
    if weight is None:
        return (f"Hydroxychloroquine at no more than {num(max_mg_per_kg)} mg/kg real body weight per day (and "
                f"{num(max_mg)} mg/day): a recent weight is needed to set the dose.")
    return (f"Hydroxychloroquine at no more than {num(max_mg_per_kg)} mg/kg real body weight per day: at "
            f"{num(weight, 1)} kg, up to {num(min(max_mg_per_kg * weight, max_mg), 0)} mg/day (at most "
            f"{num(max_mg)} mg/day; round down to tablet strengths).")


def _hydroxychloroquine_review(facts: ClinicalFacts, params: Params) -> Finding | None:
    """Dose per kg of real body weight and retinal screening for a patient on hydroxychloroquine."""
    orders = facts.current(HYDROXYCHLOROQUINE)
    facts_used = [diagnosis_fact(facts), *(describe(m) for m in orders)]
    ceiling = params["hydroxychloroquine_max_mg_per_kg"]
    over = [(m, dose) for m in orders if (dose := mg_per_kg_per_day(facts, m)) is not None and dose > ceiling + 1e-9]
    if over:
        facts_used += [f"{num(dose, 1)} mg/kg/day at {num(recent_weight_kg(facts), 1)} kg" for _, dose in over]
        examined = any(i.when is not None for i in facts.investigations_of(Investigation.RETINAL_SCREENING))
        eye = "" if examined else (" No retinal examination is on record: arrange the baseline examination within "
                                   "the first year of use.")
        return Finding(
            indicator=Indicator.WARNING,
            summary=f"Hydroxychloroquine above {num(ceiling)} mg/kg/day: lower the dose (retinopathy risk)",
            detail=f"{_dose_line(facts, params)} Higher daily doses per kg of real body weight raise the risk of "
            f"retinal toxicity.{eye}\n\nGuideline: {STATEMENT}",
            facts_used=tuple(facts_used),
            about_drafts=draft_references(tuple(m for m, _ in over)),
            rests_on_absence_of=frozenset(),  # the dose and weight on record, nothing missing
        )
    history = facts.history(HYDROXYCHLOROQUINE)
    days = covered_days(history, facts.today)
    first_dose = min((m.start for m in history if m.start is not None), default=facts.today)
    exams = [i for i in facts.investigations_of(Investigation.RETINAL_SCREENING) if i.when is not None]
    egfr = latest_egfr(facts)
    kidney = egfr is not None and bool(egfr.below(params["annual_screening_egfr_below"]))
    annual = days >= params["annual_screening_after_years"] * 365.25 or kidney
    recent = [i for i in exams if i.when >= facts.today - timedelta(days=365)]
    # A baseline examination counts from a year before the first dose (AAO 2016: within the first year of use).
    baseline = [i for i in exams if i.when >= first_dose - timedelta(days=365)]
    if recent if annual else baseline:
        return None
    if days >= 365:
        facts_used.append(f"On hydroxychloroquine for {num(days / 365.25, 1)} years")
    elif history:
        facts_used.append(f"Hydroxychloroquine since {first_dose.isoformat()}")
    facts_used += [f"Kidney function: {egfr.text} (major risk factor)"] if kidney else []
    facts_used.append(f"Last retinal examination: {exams[0].describe()}" if exams else
                      "No retinal examination on record")
    due = "annual retinal screening" if annual else "the baseline retinal examination"
    when = "" if annual or days >= 365 else " within the first year of use"
    return Finding(
        indicator=Indicator.INFO,
        summary=f"On hydroxychloroquine: {due} is due{when} (fundus, SD-OCT, visual fields)",
        detail=f"Arrange {due}{when} with an ophthalmologist: fundus examination, SD-OCT and automated visual "
        "fields. If it was done elsewhere, record it so that it counts.\n\nGuideline: " + STATEMENT,
        facts_used=tuple(facts_used),
        about_drafts=draft_references(orders),
        rests_on_absence_of=INVESTIGATION_RECORDS,
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    if facts.current(HYDROXYCHLOROQUINE):
        return _hydroxychloroquine_review(facts, params)
    skin = _skin_disease(facts)
    if not skin:
        return None
    detail = "\n".join(
        [
            "Treat the skin disease in its own right:",
            "- **Photoprotection:** sun avoidance, broad-spectrum sunscreen every day (skin disease is photosensitive).",
            "- **Topical therapy:** corticosteroid or calcineurin inhibitor (tacrolimus) on active lesions. "
            "Topical prescriptions are not visible to this service; skip this if one is in use.",
            f"- **{_dose_line(facts, params)}**",
            "- **Eye screening for hydroxychloroquine:** baseline fundus examination within the first year, then "
            "annual retinal screening (SD-OCT, visual fields) from 5 years of use, earlier with kidney disease, "
            "tamoxifen or macular disease.",
            "",
            f"Guideline: {STATEMENT}",
        ]
    )
    facts_used = [diagnosis_fact(facts), *skin, "No hydroxychloroquine on the current regimen"]
    return Finding(
        indicator=Indicator.INFO,
        summary="Dermatomyositis skin disease: photoprotection, topical therapy, consider hydroxychloroquine",
        detail=detail,
        facts_used=tuple(facts_used),
        rests_on_absence_of=frozenset({"MedicationRequest"}),  # "no hydroxychloroquine"
    )


RECOMMENDATION = Recommendation(
    id="skin-disease-treatment",
    title="Skin-directed therapy for dermatomyositis skin disease; hydroxychloroquine dose and eye screening",
    citation=Citation(
        label="BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022;61:1760-1768); AAO 2016 "
        "hydroxychloroquine retinopathy screening (Marmor et al., Ophthalmology 2016;123:1386-1394)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement=STATEMENT,
        strength="BSR 2022 skin statements: wording and grade not verified; AAO 2016 recommendation",
    ),
    trigger=(
        "Active dermatomyositis (adult or juvenile) + skin-predominant dermatomyositis Condition (ICD-10-CM "
        "M33.03/M33.13/M33.93, SCT 1144977002) or skin-ulceration Condition (L98.4x, SCT 46742003) + no current "
        "hydroxychloroquine order (RxNorm 5521) -> info. On hydroxychloroquine: dose above "
        "hydroxychloroquine_max_mg_per_kg of a recent weight -> warning; no retinal examination (Procedure, "
        "DiagnosticReport, ServiceRequest) dated from a year before the first dose (a draft order included) -> "
        "info; >= annual_screening_after_years (or eGFR below annual_screening_egfr_below) and none within a "
        "year -> info. On order-select/order-sign only the cards about a hydroxychloroquine draft"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    # "No hydroxychloroquine" (MedicationRequest); "no retinal examination" (Procedure, report or order).
    asserts_absence_of=frozenset({"MedicationRequest"}) | INVESTIGATION_RECORDS,
    parameters={
        "hydroxychloroquine_max_mg_per_kg": Parameter(
            5.0, "highest daily hydroxychloroquine dose per kg of real body weight",
            "AAO 2016 (Marmor et al.): no more than 5.0 mg/kg real weight per day"),
        "hydroxychloroquine_max_mg_per_day": Parameter(
            400, "highest daily hydroxychloroquine dose whatever the weight",
            "Plaquenil (hydroxychloroquine) prescribing information: lupus 200-400 mg daily"),
        "annual_screening_after_years": Parameter(
            5, "years of hydroxychloroquine after which retinal screening is annual",
            "AAO 2016: annual screening after 5 years of use (earlier with major risk factors)"),
        "annual_screening_egfr_below": Parameter(
            60, "eGFR (mL/min/1.73 m²) below which retinal screening is annual from the first year",
            "AAO 2016: kidney disease is a major risk factor calling for earlier screening; the eGFR threshold is a "
            "policy choice"),
    },
)
