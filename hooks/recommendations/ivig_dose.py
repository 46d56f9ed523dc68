"""Intravenous immunoglobulin dose per course (REFERENCE.md R17).

2024 IIM review treatment table (PMC11646336 Table 2) [V1]: IVIG "2 g per kg every 4-6 weeks",
for dysphagia and refractory severe disease; harms: thrombosis and renal toxicity. Source
documents: 1 g/kg/day on 2 consecutive days (commonly given over 2-5 days).

When: active inflammatory myopathy and a current IVIG order (on record or draft), and
  - the course total (dose x number of administrations, or daily dose x course length) exceeds
    `max_g_per_kg_course` (2.2 g/kg, i.e. 2 g/kg plus 10% for vial rounding), or a single day's
    dose exceeds it when the course length is not stated                   -> warning
  - a draft order and no body weight, so g/kg cannot be checked            -> info "weight needed"
  - a draft order in a patient with eGFR < `caution_egfr` or age > `caution_age` (thresholds
    marked [U] in REFERENCE.md)                                              -> info: thrombosis and
    renal-toxicity precautions
Then: one card, the dose problem first; the renal/thrombosis caution is added to its detail.
"""

from __future__ import annotations

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts, Dose, MedicationOrder
from hooks.criteria import describe, draft_references, latest_egfr, recent_weight_kg
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

SOURCE = (
    "Source: 2024 IIM review treatment table (PMC11646336): IVIG 2 g/kg every 4-6 weeks; harms thrombosis "
    "and renal toxicity. REFERENCE.md R17."
)


def _course_mg(dose: Dose) -> float | None:
    """Total of one course, when the order bounds it (number of administrations or course length)."""
    if dose.administration_count:
        return dose.mg_per_administration_high * dose.administration_count
    if dose.course_days:
        return dose.mg_per_day_high * dose.course_days
    return None


def _excess(order: MedicationOrder, weight_kg: float, limit: float) -> str | None:
    """Why the order exceeds `limit` g/kg per course, or None."""
    if order.dose is None:
        return None
    course = _course_mg(order.dose)
    if course is not None:
        g_per_kg = course / 1000 / weight_kg
        return f"{order.display}: {g_per_kg:.2f} g/kg per course" if g_per_kg > limit else None
    per_day = order.dose.mg_per_day_high / 1000 / weight_kg
    return f"{order.display}: {per_day:.2f} g/kg in a single day" if per_day > limit else None


def _cautions(facts: ClinicalFacts, params: Params) -> list[str]:
    found = []
    egfr = latest_egfr(facts)
    if egfr is not None and egfr.value < params["caution_egfr"]:
        found.append(egfr.text)
    age = facts.patient.age_years
    if age is not None and age > params["caution_age"]:
        found.append(f"Age {age:.0f} years")
    return found


CAUTION_TEXT = (
    "**Thrombosis and renal risk** (eGFR below {egfr:g} or age over {age:g}; thresholds are expert opinion, not "
    "verified): ensure hydration, use the slowest practical infusion rate and a sucrose-free product, spread "
    "the course over more days, and check creatinine after the course."
)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current((Drug.IVIG,))
    if not orders:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    cautions = _cautions(facts, params)
    caution_text = CAUTION_TEXT.format(egfr=params["caution_egfr"], age=params["caution_age"])
    weight = recent_weight_kg(facts)
    if weight is not None:
        limit = params["max_g_per_kg_course"]
        excesses = {m: why for m in orders if (why := _excess(m, weight, limit)) is not None}
        if excesses:
            detail = (
                f"IVIG dose above {limit:g} g/kg per course: " + "; ".join(excesses.values()) + ". The usual course "
                "is **2 g/kg** (e.g. 1 g/kg/day on 2 days, or divided over 2-5 days), repeated every 4-6 weeks."
                + (f"\n\n{caution_text}" if cautions else "")
                + "\n\n" + SOURCE
            )
            return Finding(
                indicator=Indicator.WARNING,
                summary=f"IVIG above {limit:g} g/kg per course: usual course is 2 g/kg",
                detail=detail,
                facts_used=tuple(describe(m) for m in excesses) + (f"Weight {weight:g} kg",) + tuple(cautions),
                about_drafts=draft_references(tuple(excesses)),
            )
    if not drafts:
        return None
    if weight is None:
        return Finding(
            indicator=Indicator.INFO,
            summary="IVIG ordered without a body weight: dose per kg cannot be checked",
            detail="IVIG is dosed by weight (usual course 2 g/kg over 2-5 days). No recent body weight is on "
            "record, so the g/kg dose of this order was not checked: record a weight."
            + (f"\n\n{caution_text}" if cautions else "") + "\n\n" + SOURCE,
            facts_used=tuple(describe(m) for m in drafts) + ("No recent body weight on record",) + tuple(cautions),
            about_drafts=draft_references(drafts),
        )
    if cautions:
        return Finding(
            indicator=Indicator.INFO,
            summary="IVIG: thrombosis and renal-toxicity precautions for this patient",
            detail=caution_text + "\n\n" + SOURCE,
            facts_used=tuple(describe(m) for m in drafts) + tuple(cautions),
            about_drafts=draft_references(drafts),
        )
    return None


RECOMMENDATION = Recommendation(
    id="ivig-dose",
    title="IVIG: 2 g/kg per course, weight and renal/thrombosis precautions",
    citation=Citation(
        label="Treatment of idiopathic inflammatory myopathies: 2024 review, Table 2 (PMC11646336)",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336/",
        statement="IVIG 2 g per kg every 4-6 weeks (indications: dysphagia, refractory severe disease); harms: "
        "thrombosis and renal toxicity.",
        strength="Review table [V1]; caution thresholds (eGFR < 60, age > 65) unverified [U]",
    ),
    trigger=(
        "Active IIM Condition and current immune globulin IV order (no verified RxNorm code: local product list); "
        "course total (dose x timing.repeat.count, or daily dose x boundsDuration) / weight (LOINC 29463-7 within 90 days, 30 for children) "
        "> max_g_per_kg_course, or single-day dose > max_g_per_kg_course when unbounded; draft order without a "
        "weight; draft order with latest eGFR < caution_egfr or age > caution_age"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "max_g_per_kg_course": Parameter(
            2.2, "IVIG g/kg per course above which the card warns (2 g/kg + 10%)", "REFERENCE.md R17"
        ),
        "caution_egfr": Parameter(
            60, "eGFR (mL/min/1.73 m²) below which thrombosis/renal precautions are shown", "REFERENCE.md R17 [U]"
        ),
        "caution_age": Parameter(
            65, "age (years) above which thrombosis/renal precautions are shown", "REFERENCE.md R17 [U]"
        ),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
