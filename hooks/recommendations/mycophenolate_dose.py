"""Mycophenolate dose in myositis (docs/evidence.md#mycophenolate).

2024 IIM review treatment table (PMC11646336 Table 2): mycophenolate mofetil 2-3 g/day
(common practice: start 500 mg twice daily, up to 1000-1500 mg twice daily). Mycophenolic acid
(enteric-coated mycophenolate sodium) is a different salt: 720 mg is roughly equivalent to
mycophenolate mofetil 1000 mg (unverified), so the two are never summed naively; each is checked against
its own maximum, and both current at once is flagged as a probable duplication.

When: active inflammatory myopathy and a current mycophenolate order (on record or draft) with
  - mycophenolate mofetil above `mofetil_max_mg_per_day` (3 g/day), or
  - mycophenolic acid above `mycophenolic_acid_max_mg_per_day` (3 g MMF x 720/1000 = 2160 mg/day,
    an unverified conversion that the card labels as such), or
  - both mycophenolate mofetil and mycophenolic acid current.
Then: warning; the dose problem first, a duplication listed in the detail. A draft order above
its maximum comes with a suggestion updating that draft to the maximum, given twice daily.
"""

from __future__ import annotations

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.actions import update_draft
from hooks.criteria import describe, draft_references
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)


def _above(orders: tuple[MedicationOrder, ...], limit_mg: float) -> tuple[MedicationOrder, ...]:
    return tuple(m for m in orders if m.dose is not None and m.dose.mg_per_day_high > limit_mg)


def _cap_suggestions(over: tuple[MedicationOrder, ...], params: Params) -> tuple[Suggestion, ...]:
    limits = {
        Drug.MYCOPHENOLATE_MOFETIL: params["mofetil_max_mg_per_day"],
        Drug.MYCOPHENOLIC_ACID: params["mycophenolic_acid_max_mg_per_day"],
    }
    suggestions = []
    for order in over:
        if not (order.is_draft and order.resource):
            continue
        mg = limits[order.drug] / 2
        text = f"{order.display} {num(mg)} mg by mouth twice daily ({num(limits[order.drug] / 1000)} g/day)"
        action = update_draft(order, f"Draft order: {text}", text=text, dose_value=mg, dose_unit="mg",
                              frequency=2, period=1, period_unit="d")
        suggestions.append(Suggestion(label=f"Change the draft to {num(mg)} mg twice daily", actions=(action,)))
    return tuple(suggestions)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    mofetil = facts.current((Drug.MYCOPHENOLATE_MOFETIL,))
    acid = facts.current((Drug.MYCOPHENOLIC_ACID,))
    over = _above(mofetil, params["mofetil_max_mg_per_day"]) + _above(acid, params["mycophenolic_acid_max_mg_per_day"])
    duplicated = bool(mofetil and acid)
    if not over and not duplicated:
        return None
    limits = (
        f"mycophenolate mofetil at most {num(params['mofetil_max_mg_per_day'] / 1000)} g/day (usual 2-3 g/day); "
        f"mycophenolic acid at most {num(params['mycophenolic_acid_max_mg_per_day'])} mg/day (from 720 mg ≈ mofetil "
        "1000 mg, an unverified conversion)"
    )
    duplication = (
        "**Mycophenolate mofetil and mycophenolic acid are both current**: they are two salts of the same drug "
        "and must not be given together. If this is a switch, stop the old order (720 mg mycophenolic acid ≈ "
        "1000 mg mofetil)."
    )
    if over:
        doses = "; ".join(f"{m.display} {num(m.dose.mg_per_day_high)} mg/day" for m in over if m.dose)
        detail = (
            f"Daily dose above the usual maximum in myositis: {doses}. Usual range: {limits}. Higher doses add "
            "marrow, gastrointestinal and infection toxicity without evidence of benefit."
            + (f"\n\nAlso: {duplication}" if duplicated else "")
        )
        summary = "Mycophenolate above the usual maximum daily dose for myositis"
        involved = over + ((mofetil + acid) if duplicated else ())
    else:
        detail = duplication
        summary = "Mycophenolate mofetil and mycophenolic acid both current: probable duplication"
        involved = mofetil + acid
    detail += "\n\nSource: 2024 IIM review treatment table (PMC11646336): mycophenolate mofetil 2-3 g/day."
    unique = tuple(dict.fromkeys(involved))
    return Finding(
        indicator=Indicator.WARNING,
        summary=summary,
        detail=detail,
        facts_used=tuple(describe(m) for m in unique),
        suggestions=_cap_suggestions(over, params),
        about_drafts=draft_references(unique),
    )


RECOMMENDATION = Recommendation(
    id="mycophenolate-dose",
    title="Mycophenolate: maximum daily dose, mofetil and mycophenolic acid kept apart",
    citation=Citation(
        label="Treatment of idiopathic inflammatory myopathies: 2024 review, Table 2 (PMC11646336)",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336/",
        statement="Mycophenolate mofetil 2-3 g/day. Mycophenolic acid 720 mg ≈ mycophenolate mofetil 1000 mg "
        "(conversion not verified): doses of the two salts are not summed.",
        strength="IIM treatment review 2024 table; no guideline grade; conversion (unverified)",
    ),
    trigger=(
        "Active IIM Condition and current mycophenolate mofetil (RxNorm 68149) with daily dose > "
        "mofetil_max_mg_per_day, or mycophenolic acid (RxNorm 7145) > mycophenolic_acid_max_mg_per_day, "
        "or both salts current (on record or draft)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "mofetil_max_mg_per_day": Parameter(
            3000, "maximum daily dose of mycophenolate mofetil (mg/day)", "PMC11646336 Table 2 (docs/evidence.md#mycophenolate)"
        ),
        "mycophenolic_acid_max_mg_per_day": Parameter(
            2160,
            "maximum daily dose of mycophenolic acid (mg/day): 3 g mofetil converted at 720 mg per 1000 mg",
            "unverified conversion (docs/evidence.md#mycophenolate)",
        ),
    },
)
