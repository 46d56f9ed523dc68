"""Blood monitoring on methotrexate (docs/evidence.md#methotrexate-monitoring).

BSR/BHPR 2017 non-biologic DMARD guideline: full blood count, creatinine/calculated GFR and ALT (and/or
AST) every 2 weeks until on a stable dose for 6 weeks, then monthly for 3 months, then every 3 months.
docs/evidence.md#methotrexate-monitoring simplifies this to a reminder when there is no result within 4 weeks in the first 3 months
after starting or changing the dose, or within 12 weeks when stable. BSR 2025 moves to risk-adaptive
monitoring, so the intervals are settings.

When: methotrexate on record (a new start is left to `methotrexate-baseline-tests`) and the latest blood
count, creatinine (or eGFR) or ALT (or AST) is older than the interval of the phase: `early_interval_days`
while the current order started (start or dose change) less than `early_phase_days` ago, else
`stable_interval_days`; an order without a start date is treated as stable.
Then: info reminder with lab-order suggestions for the coded tests.
"""

from __future__ import annotations

from fhir_mappings.concepts import Drug, Lab
from fhir_mappings.facts import ClinicalFacts
from hooks.criteria import days_ago, describe, draft_references
from hooks.lab_orders import NAMES, latest_dated, order_suggestion
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

#: The monitored tests (each satisfied by the results `hooks.lab_orders.satisfying` names).
MONITORED = (Lab.BLOOD_COUNT, Lab.CREATININE, Lab.ALT)

STATEMENT = (
    "BSR/BHPR 2017: on methotrexate check full blood count, creatinine/calculated GFR and ALT and/or AST every "
    "2 weeks until the dose has been stable for 6 weeks, then monthly for 3 months, then at least every 12 weeks; "
    "BSR 2025 moves to risk-adaptive monitoring."
)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    on_record = facts.on_record({Drug.METHOTREXATE})
    if not on_record:
        return None
    starts = [m.start for m in on_record if m.start is not None]
    early = bool(starts) and max(starts) > days_ago(facts, params["early_phase_days"])
    interval = params["early_interval_days"] if early else params["stable_interval_days"]
    since = days_ago(facts, interval)
    latest = {lab: latest_dated(facts, lab) for lab in MONITORED}
    overdue = tuple(lab for lab, found in latest.items() if found is None or found.when.date() < since)
    if not overdue:
        return None
    phase = (f"first {params['early_phase_days']} days after starting or changing the dose" if early
             else "stable dose")
    facts_used = [describe(m) for m in on_record]
    facts_used += [found.describe() if found else f"No {NAMES[lab]} result on record" for lab, found in latest.items()
                   if lab in overdue]
    facts_used.append(f"Monitoring interval for this phase ({phase}): {interval} days")
    detail = (
        f"Methotrexate monitoring is overdue ({phase}: every {interval} days): "
        + ", ".join(NAMES[lab] for lab in overdue) + "."
        + (" Order the full blood count from the local catalogue (not offered as a one-click order)."
           if Lab.BLOOD_COUNT in overdue else "")
        + " Results held elsewhere may not be visible to this service."
        + f"\n\nGuideline: {STATEMENT}"
    )
    suggestion = order_suggestion(facts, overdue, "Methotrexate monitoring", "Order overdue monitoring tests")
    return Finding(
        indicator=Indicator.INFO,
        summary="Methotrexate monitoring overdue (" + ", ".join(NAMES[lab] for lab in overdue) + ")",
        detail=detail,
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(facts.drafts({Drug.METHOTREXATE})),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-monitoring",
    title="Blood monitoring on methotrexate",
    citation=Citation(
        label="BSR/BHPR guideline for the prescription and monitoring of non-biologic DMARDs (Ledingham et al., "
        "Rheumatology 2017;56:865)",
        url="https://doi.org/10.1093/rheumatology/kew479",
        statement=STATEMENT,
        strength="BSR/BHPR 2017 monitoring schedule (secondary source); intervals simplified in "
        "docs/evidence.md#methotrexate-monitoring",
    ),
    trigger=(
        "Methotrexate on record (current, not draft) and the latest full blood count, creatinine (LOINC 2160-0) or "
        "eGFR, or ALT (1742-6) or AST (1920-8) older than early_interval_days when the current order started less "
        "than early_phase_days ago, else older than stable_interval_days"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "early_phase_days": Parameter(90, "days after a start or dose change with the shorter interval",
                                      "docs/evidence.md#methotrexate-monitoring (BSR/BHPR 2017: first 3 months)"),
        "early_interval_days": Parameter(28, "monitoring interval in the early phase",
                                         "docs/evidence.md#methotrexate-monitoring simplification (BSR/BHPR 2017: 2-weekly then monthly)"),
        "stable_interval_days": Parameter(84, "monitoring interval on a stable dose",
                                          "docs/evidence.md#methotrexate-monitoring (BSR/BHPR 2017: every 12 weeks)"),
    },
    requires_myositis=False,
    asserts_absence_of=frozenset({"Observation"}),
)
