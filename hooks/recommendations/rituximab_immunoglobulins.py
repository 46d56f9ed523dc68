"""Immunoglobulins before each rituximab cycle (docs/evidence.md#rituximab-immunoglobulins).

BSR biologic DMARD safety guideline (Holroyd et al., Rheumatology 2019;58:e3-e42), rituximab section:
patients receiving rituximab should have serum immunoglobulins (especially IgG and IgM) checked before
each cycle; low IgG before or during repeated courses is associated with serious infection, so a low level
calls for a review of the infection history and of the benefit of a further cycle.

When: active IIM and a rituximab cycle being started, i.e. a draft rituximab order, or one started within
`recent_start_days` (patient-view), and
- the latest IgG within `window_days` before the cycle is below `igg_low_g_per_l` -> warning: review before
  giving the cycle;
- no IgG or no IgM within `window_days` before the cycle -> info with one-click IgG/IgM orders.
IgG in mg/dL is converted (1 g/L = 100 mg/dL); other units are not read.
"""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.concepts import Drug, Lab
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, draft_references, is_new_treatment
from hooks.lab_orders import order_suggestion
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

#: IgG units read, as the factor to g/L.
_G_PER_L = {"g/l": 1.0, "mg/dl": 0.01, "g/dl": 10.0}
STATEMENT = (
    "BSR 2019 biologic DMARD safety: check serum immunoglobulins (especially IgG and IgM) before each cycle of "
    "rituximab; low IgG is associated with serious infection: review before further cycles."
)


def _cycle_start(order: MedicationOrder, facts: ClinicalFacts) -> date:
    return facts.today if order.is_draft or order.start is None else order.start


def _before(facts: ClinicalFacts, lab: Lab, start: date, window_days: int) -> LabResult | None:
    """The newest dated result of `lab` from `window_days` before `start` up to today."""
    since = start - timedelta(days=window_days)
    return next((r for r in facts.results_of(lab) if r.when is not None and r.when.date() >= since), None)


def _igg_g_per_l(result: LabResult) -> float | None:
    factor = _G_PER_L.get((result.unit or "").lower())
    return None if factor is None or result.value is None else result.value * factor


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    cycles = tuple(m for m in facts.current((Drug.RITUXIMAB,)) if is_new_treatment(m, facts, params["recent_start_days"]))
    if not cycles:
        return None
    start = min(_cycle_start(m, facts) for m in cycles)
    window = params["window_days"]
    igg, igm = _before(facts, Lab.IGG, start, window), _before(facts, Lab.IGM, start, window)
    facts_used = [describe(m) for m in cycles]
    level = _igg_g_per_l(igg) if igg is not None else None
    if level is not None and level < params["igg_low_g_per_l"]:
        return Finding(
            indicator=Indicator.WARNING,
            summary=f"IgG {num(level, 1)} g/L before rituximab: review infection risk before this cycle",
            detail=f"**IgG is low** (below {num(params['igg_low_g_per_l'])} g/L): the risk of serious infection rises "
            "with further rituximab. Review the infection history, weigh the benefit of this cycle, and consider "
            "immunology advice (immunoglobulin replacement if infections recur).\n\nGuideline: " + STATEMENT,
            facts_used=tuple(facts_used + [igg.describe()]),
            about_drafts=draft_references(cycles),
            rests_on_absence_of=frozenset(),
        )
    missing = tuple(lab for lab, found in ((Lab.IGG, igg), (Lab.IGM, igm)) if found is None)
    if not missing:
        return None
    names = " and ".join("IgG" if lab is Lab.IGG else "IgM" for lab in missing)
    facts_used += [f"No {names} within {window} days before the cycle"]
    suggestion = order_suggestion(facts, missing, "Immunoglobulins before a rituximab cycle", f"Order {names}")
    return Finding(
        indicator=Indicator.INFO,
        summary=f"Rituximab cycle: check {names} before the infusion",
        detail=f"Check serum **{names}** before this rituximab cycle (none within {window} days on record): a low "
        f"IgG raises the risk of serious infection with further cycles.\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(cycles),
    )


RECOMMENDATION = Recommendation(
    id="rituximab-immunoglobulins",
    title="Immunoglobulins before each rituximab cycle",
    citation=Citation(
        label="BSR guideline on the safety of biologic DMARDs (Holroyd et al., Rheumatology 2019;58:e3-e42), "
        "rituximab: immunoglobulins before each cycle",
        url="https://doi.org/10.1093/rheumatology/key208",
        statement=STATEMENT,
        strength="BSR 2019 recommendation (grade not restated here)",
    ),
    trigger=(
        "Active IIM and a draft rituximab order (RxNorm 121191), or one started within recent_start_days: latest "
        "IgG (LOINC 2465-3, g/L or mg/dL) within window_days before the cycle below igg_low_g_per_l -> warning; "
        "no IgG or no IgM (2472-9) within window_days before the cycle -> info with lab orders"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "window_days": Parameter(
            90, "an IgG/IgM this many days before the cycle counts as checked before it",
            "policy: BSR 2019 says before each cycle without a window; 90 days, as the service's other result windows"),
        "igg_low_g_per_l": Parameter(
            6.0, "IgG (g/L) below which a further cycle is reviewed first",
            "policy: a common adult lower limit of normal for IgG; set it to your laboratory's"),
        "recent_start_days": Parameter(
            90, "a rituximab order on record started within this many days is a cycle being started (patient-view)",
            "policy, as infection-screening's recent_start_days"),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
