"""Cyclophosphamide: pulse dose and pre-cycle checks (docs/evidence.md#cyclophosphamide).

2024 IIM review treatment table (PMC11646336 Table 2): IV cyclophosphamide 0.5-1 g/m²
monthly, or 10-15 mg/kg monthly, for 6-12 months (RP-ILD regimen 600 mg/m² every 4 weeks x 6 (secondary source)).
Checks before each cycle: pregnancy, Pneumocystis prophylaxis and a blood count.

When: active inflammatory myopathy and a current cyclophosphamide order, and
  - an IV order above `max_g_per_m2` per administration (BSA by Mosteller from the latest weight
    and height), or above `max_mg_per_kg` when no height is on record      -> warning
  - a draft cyclophosphamide order with any pre-cycle check open: no current PJP prophylaxis
    (TMP-SMX, atovaquone, dapsone, pentamidine); no blood count within `pre_cycle_window_days`;
    of childbearing potential and no negative hCG within `pre_cycle_window_days`; or no weight
    and height to check the dose                                             -> info checklist
Then: one card; a dose warning also lists the open checks. Pregnancy itself is the critical
card of teratogen-pregnancy, not repeated here.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import PJP_PROPHYLAXIS, Drug, Lab, Qualitative, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, dosing_bsa_m2, draft_references, recent_weight_kg
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

SOURCE = (
    "Source: 2024 IIM review treatment table (PMC11646336): IV cyclophosphamide 0.5-1 g/m² (or 10-15 mg/kg) "
    "monthly for 6-12 months. docs/evidence.md#cyclophosphamide."
)


def _excess(facts: ClinicalFacts, order: MedicationOrder, params: Params) -> str | None:
    """Why an IV order's dose per administration is above the maximum, or None."""
    if order.route is not Route.INTRAVENOUS or order.dose is None:
        return None
    mg = order.dose.mg_per_administration_high
    bsa = dosing_bsa_m2(facts)
    if bsa:
        g_per_m2 = mg / 1000 / bsa
        return f"{num(mg)} mg = {num(g_per_m2)} g/m² (BSA {num(bsa)} m²)" if g_per_m2 > params["max_g_per_m2"] else None
    weight = recent_weight_kg(facts)
    if weight is not None:
        mg_per_kg = mg / weight
        return f"{num(mg)} mg = {num(mg_per_kg, 1)} mg/kg (no height for BSA)" if mg_per_kg > params["max_mg_per_kg"] else None
    return None


def _recent(facts: ClinicalFacts, lab: Lab, days: int, negative_only: bool = False) -> bool:
    since = facts.now - timedelta(days=days)
    return any(
        r.when is not None and r.when >= since and (not negative_only or r.interpretation is Qualitative.NEGATIVE)
        for r in facts.results_of(lab)
    )


def _open_checks(facts: ClinicalFacts, params: Params) -> list[tuple[str, str]]:
    """(check, what to do) for each pre-cycle check that is open."""
    window = params["pre_cycle_window_days"]
    checks = []
    if not facts.current(PJP_PROPHYLAXIS):
        checks.append(
            ("Pneumocystis prophylaxis", "none current; consider TMP-SMX (atovaquone if sulfonamide allergy)")
        )
    if not _recent(facts, Lab.BLOOD_COUNT, window):
        checks.append(("Blood count", f"none in the last {window} days; check before each cycle"))
    if facts.patient.childbearing_potential and not _recent(facts, Lab.HCG, window, negative_only=True):
        checks.append((
            "Pregnancy test",
            f"no negative hCG in the last {window} days; cyclophosphamide is teratogenic, confirm a negative test "
            "and effective contraception",
        ))
    if dosing_bsa_m2(facts) is None:
        checks.append(("Weight and height", "needed to check the dose per m²"))
    return checks


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current((Drug.CYCLOPHOSPHAMIDE,))
    if not orders:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    checks = _open_checks(facts, params) if drafts else []
    checklist = "\n".join(f"- **{name}**: {todo}" for name, todo in checks)
    excesses = {m: why for m in orders if (why := _excess(facts, m, params)) is not None}
    if excesses:
        detail = (
            f"Cyclophosphamide pulse above {num(params['max_g_per_m2'])} g/m² (or {num(params['max_mg_per_kg'])} mg/kg): "
            + "; ".join(excesses.values())
            + ". Usual IV pulse: 0.5-1 g/m² monthly (e.g. 600 mg/m² every 4 weeks for RP-ILD); reduce for "
            "renal impairment and the leucocyte nadir."
            + (f"\n\nOpen pre-cycle checks:\n{checklist}" if checks else "")
            + "\n\n" + SOURCE
        )
        return Finding(
            indicator=Indicator.WARNING,
            summary=f"Cyclophosphamide pulse above {num(params['max_g_per_m2'])} g/m²: check the dose",
            detail=detail,
            facts_used=tuple(f"{describe(m)}: {why}" for m, why in excesses.items()),
            about_drafts=draft_references(tuple(excesses)),
        )
    if not checks:
        return None
    return Finding(
        indicator=Indicator.INFO,
        summary="Cyclophosphamide cycle: pre-cycle checks open (PJP prophylaxis, blood count, pregnancy)",
        detail="Before each cyclophosphamide cycle:\n" + checklist + "\n\n" + SOURCE,
        facts_used=tuple(describe(m) for m in drafts) + tuple(f"{name}: {todo}" for name, todo in checks),
        about_drafts=draft_references(drafts),
    )


RECOMMENDATION = Recommendation(
    id="cyclophosphamide-checks",
    title="Cyclophosphamide: pulse dose per m² and pre-cycle checks",
    citation=Citation(
        label="Treatment of idiopathic inflammatory myopathies: 2024 review, Table 2 (PMC11646336)",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336/",
        statement="IV cyclophosphamide 0.5-1 g/m² monthly, or 10-15 mg/kg monthly, for 6-12 months; check "
        "pregnancy, Pneumocystis prophylaxis and the blood count before each cycle.",
        strength="IIM treatment review 2024 table; pre-cycle checks are the service's policy (no guideline grade)",
    ),
    trigger=(
        "Active IIM Condition and current cyclophosphamide (RxNorm 3002): IV dose per administration / BSA "
        "(Mosteller, LOINC 29463-7 and 8302-2) > max_g_per_m2, or / weight > max_mg_per_kg without height; draft "
        "order with no current TMP-SMX/atovaquone/dapsone/pentamidine, no blood count within "
        "pre_cycle_window_days, or (childbearing potential) no negative hCG (LOINC 2106-3/2118-8) in that window"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "max_g_per_m2": Parameter(
            1.0, "maximum IV pulse dose (g/m² per administration)", "PMC11646336 (docs/evidence.md#cyclophosphamide)"
        ),
        "max_mg_per_kg": Parameter(
            15, "maximum IV pulse dose (mg/kg) when no height is on record for BSA", "PMC11646336 (docs/evidence.md#cyclophosphamide)"
        ),
        "pre_cycle_window_days": Parameter(
            7,
            "days before a cycle within which a blood count (and, if of childbearing potential, a negative "
            "pregnancy test) must be on record",
            "policy: a blood count before each cycle, window chosen by the service (docs/evidence.md#cyclophosphamide)",
        ),
    },
    asserts_absence_of=frozenset({"MedicationRequest", "Observation"}),
)
