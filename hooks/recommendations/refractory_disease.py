"""Refractory myositis: creatine kinase not falling after 12 weeks of combination therapy.

Source document 003 (Coyle, Plotz, Gourley, "Myositis Mysteries", The Rheumatologist 2008): the
question "Is this IIM?" should not be dismissed after the initial diagnosis; with persistent
enzymes or weakness despite treatment reassess it (steroid myopathy, muscle damage, inclusion body
myositis), "when in doubt, re-biopsy"; IVIG for treatment-resistant disease, combination of
steroid-sparing agents, cyclophosphamide for resistant cases. Source document 000: consider
treatment intensification within the first 12 weeks if the response is inadequate. IVIG for
refractory severe disease (PMC11646336); IVIG, rituximab and cyclophosphamide for refractory
disease are BSR 2022 topics whose wording and grades were not retrieved (docs/evidence.md#refractory-disease).

When: active inflammatory myopathy (not IBM), a systemic glucocorticoid and a steroid-sparing agent
both on record now, at least `min_combination_weeks` weeks of days covered by both, and the latest
creatine kinase (taken after that many weeks of combination) at or above `ck_ratio` times the
pre-treatment CK (the highest CK on or before the first glucocorticoid or steroid-sparing order).
With the default ratio 1.0, "not falling" means no fall at all from the pre-treatment value, which
includes any rise above it. No pre-treatment CK on record: silent (nothing to compare with).
Then: info "reassess the diagnosis; consider IVIG, rituximab or combination therapy".
Patient-view only.
"""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.concepts import STEROID_SPARING_AGENTS, SYSTEMIC_GLUCOCORTICOIDS, Drug, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from hooks.criteria import covered_intervals, describe, diagnosis_fact, intersect_intervals, measured_within
from hooks.recommendation import PATIENT_VIEW, Citation, Course, Finding, Indicator, Parameter, Params, Recommendation

#: Orders that were never given do not count as treatment.
NOT_GIVEN = frozenset({"cancelled", "entered-in-error"})


def _given(facts: ClinicalFacts, drugs: frozenset[Drug]) -> tuple[MedicationOrder, ...]:
    return tuple(m for m in facts.history(drugs) if m.status not in NOT_GIVEN and m.start is not None)


def _combination_start_plus(facts: ClinicalFacts, min_days: int) -> date | None:
    """The day on which glucocorticoid + steroid-sparing coverage reached `min_days` (None if not yet)."""
    both = intersect_intervals(
        covered_intervals(_given(facts, SYSTEMIC_GLUCOCORTICOIDS), facts.today),
        covered_intervals(_given(facts, STEROID_SPARING_AGENTS), facts.today),
    )
    remaining = min_days
    for start, stop in both:
        length = (stop - start).days
        if length >= remaining:
            return start + timedelta(days=remaining)
        remaining -= length
    return None


def _baseline(facts: ClinicalFacts) -> LabResult | None:
    """The highest CK with a value on or before the first glucocorticoid or steroid-sparing order.

    The highest, not the latest: the prefetch holds current orders only, so a renewed prescription
    can look like a late start; the peak before it is still the disease activity that was treated.
    """
    starts = [m.start for m in _given(facts, SYSTEMIC_GLUCOCORTICOIDS | STEROID_SPARING_AGENTS) if m.start]
    if not starts:
        return None
    treatment_start = min(starts)
    before = [
        r for r in facts.results_of(Lab.CREATINE_KINASE)
        if r.when is not None and r.value is not None and r.when.date() <= treatment_start
    ]
    return max(before, key=lambda r: r.value or 0.0, default=None)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    glucocorticoids = facts.on_record(SYSTEMIC_GLUCOCORTICOIDS)
    sparing = facts.on_record(STEROID_SPARING_AGENTS)
    if not glucocorticoids or not sparing:
        return None
    weeks = params["min_combination_weeks"]
    reached = _combination_start_plus(facts, weeks * 7)
    latest = facts.latest(Lab.CREATINE_KINASE)
    baseline = _baseline(facts)
    if reached is None or latest is None or baseline is None or baseline.value is None:
        return None
    if latest.when is None or latest.value is None or latest.when.date() < reached:
        return None
    if not measured_within(facts, latest, params["ck_window_days"]):
        return None  # an old CK is history, not the current response
    if latest.value < params["ck_ratio"] * baseline.value:
        return None
    facts_used = [diagnosis_fact(facts)]
    facts_used += [describe(m) for m in glucocorticoids + sparing]
    facts_used.append(f"Glucocorticoid plus steroid-sparing agent for at least {weeks} weeks")
    facts_used.append(f"Pre-treatment creatine kinase: {baseline.describe()}")
    facts_used.append(f"Latest creatine kinase: {latest.describe()}")
    detail = (
        f"Creatine kinase has not fallen after at least {weeks} weeks of glucocorticoid plus a steroid-sparing "
        "agent. Treat the patient, not the number, but review the response:\n\n"
        "1. **Is this IIM?** Reassess the diagnosis: persistent CK with improving strength (muscle MRI can show "
        "active inflammation), weakness from **steroid myopathy** or muscle damage, **inclusion body myositis** "
        "or a muscular dystrophy. When in doubt, **re-biopsy**.\n"
        "2. **Check adherence and dose**: steroid-sparing agent at target dose (e.g. methotrexate up to 25 mg/week).\n"
        "3. **Escalate if active myositis is confirmed**: IVIG (2 g/kg per course, every 4-6 weeks), rituximab, "
        "or a combination of steroid-sparing agents (e.g. methotrexate plus azathioprine); tacrolimus or "
        "ciclosporin especially with ILD; cyclophosphamide for disease resistant to these. Specialist decision.\n\n"
        "Basis: Coyle, Plotz, Gourley, *The Rheumatologist* 2008 (reassess the diagnosis, re-biopsy, IVIG, "
        "combination therapy) and secondary source (intensify within 12 weeks if inadequate response): expert "
        "opinion. IVIG for refractory severe disease (2024 IIM review, PMC11646336). The BSR 2022 text on IVIG, "
        "rituximab and cyclophosphamide for refractory disease was not verified. See docs/evidence.md#refractory-disease."
    )
    return Finding(
        indicator=Indicator.INFO,
        summary=f"CK not falling after {weeks}+ weeks of combination therapy: reassess diagnosis, consider escalation",
        detail=detail,
        facts_used=tuple(facts_used),
    )


RECOMMENDATION = Recommendation(
    id="refractory-disease",
    title="Refractory myositis: reassess the diagnosis and consider escalation",
    citation=Citation(
        label="Coyle KM, Plotz PH, Gourley MF. Myositis Mysteries. The Rheumatologist, January 2008; BSR guideline on the management of IIM (Oldroyd et al., Rheumatology 2022)",
        url="https://doi.org/10.1093/rheumatology/keac115",
        statement="If the myositis is not responding, rethink the diagnosis (\"Is this IIM?\"; steroid myopathy; "
        "when in doubt, re-biopsy) and consider IVIG, combination therapy, rituximab or cyclophosphamide.",
        strength="Expert opinion; BSR refractory-disease recommendations not verified (unverified)",
    ),
    trigger=(
        "Active IIM Condition (not IBM) + systemic glucocorticoid and steroid-sparing agent both active on record "
        "+ >= min_combination_weeks weeks covered by both + latest creatine kinase (LOINC 2157-6), taken after that "
        "point and within ck_window_days, >= ck_ratio x the highest CK on or before the first glucocorticoid/steroid-sparing order"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "min_combination_weeks": Parameter(
            12, "weeks of glucocorticoid plus steroid-sparing agent before the response is judged",
            "Expert opinion: intensify within the first 12 weeks if the response is inadequate (docs/evidence.md#refractory-disease)",
        ),
        "ck_ratio": Parameter(
            1.0, "fires when latest CK >= this fraction of the pre-treatment CK (1.0 = no fall at all)",
            "Policy choice (no published threshold; docs/evidence.md#refractory-disease): 'CK not falling' read literally",
        ),
        "ck_window_days": Parameter(
            90, "the latest CK must be this recent to count as the current response",
            "policy: docs/evidence.md#result-windows",
        ),
    },
    escalates_immunosuppression=True,
    course=Course.MUSCLE,
)
