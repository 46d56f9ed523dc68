"""Methotrexate and renal function (docs/evidence.md#methotrexate-renal).

FDA methotrexate label: elimination is reduced in impaired renal function; such patients need close
monitoring and dose reduction or discontinuation. Published cut-offs vary (e.g. British Association of
Dermatologists: halve the dose at creatinine clearance 20-50), so the service uses conservative cut-offs
labelled **local policy**.

When: methotrexate current on record (any patient: drug safety) and the latest eGFR (reported, or
computed by CKD-EPI 2021 from a newer serum creatinine) is below `warning_below_egfr`.
Then: critical below `critical_below_egfr` ("avoid / specialist review"), else warning ("reduce the dose
and monitor closely"). A methotrexate draft order is the order-safety check's (`hooks.order_safety.drafts`,
the same cut-offs in `[order-safety]`): it gets one card there, with the reduced dose or the removal.
"""

from __future__ import annotations

from fhir_mappings.concepts import Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from hooks.criteria import describe, latest_egfr
from hooks.recommendation import (
    PATIENT_VIEW,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
)

STATEMENT = (
    "FDA label: methotrexate elimination is reduced in patients with impaired renal function, who need close "
    "monitoring and dose reduction or discontinuation. Local policy cut-offs: eGFR < 30 avoid / specialist "
    "review; eGFR 30-59 reduce the dose and monitor closely."
)


def _stale_low_egfr(facts: ClinicalFacts, methotrexate: tuple[MedicationOrder, ...], params: Params) -> Finding | None:
    """A reduced eGFR older than the window is not current: ask for a new result instead of asserting it."""
    last = latest_egfr(facts, None)
    if last is None or not last.below(params["warning_below_egfr"]):
        return None
    window = params["egfr_window_days"]
    return Finding(
        indicator=Indicator.WARNING,
        summary=f"Methotrexate: last eGFR was reduced and is older than {window} days: check renal function",
        detail=f"The last eGFR on record was below {num(params['warning_below_egfr'])} but is older than {window} "
        "days (or undated), so current renal function is unknown. Check creatinine/eGFR before continuing or "
        f"starting methotrexate.\n\nBasis: {STATEMENT}",
        facts_used=tuple(describe(m) for m in methotrexate) + (f"Last on record: {last.text}",),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    methotrexate = facts.on_record({Drug.METHOTREXATE})
    if not methotrexate:
        return None
    egfr = latest_egfr(facts, params["egfr_window_days"])
    if egfr is None:
        return _stale_low_egfr(facts, methotrexate, params)
    if not egfr.below(params["warning_below_egfr"]):
        return None  # not below, or a bound that cannot be compared (named by the unreadable-data notice)
    value, shown = egfr.value, egfr.text
    critical = value < params["critical_below_egfr"]
    advice = (
        f"eGFR below {num(params['critical_below_egfr'])}: **avoid methotrexate**; specialist review before any use."
        if critical else
        f"eGFR below {num(params['warning_below_egfr'])}: reduce the methotrexate dose and monitor blood count and "
        "renal function closely."
    )
    return Finding(
        indicator=Indicator.CRITICAL if critical else Indicator.WARNING,
        summary=(f"Methotrexate with eGFR {num(value, 0)}: avoid (local policy)" if critical
                 else f"Methotrexate with eGFR {num(value, 0)}: reduce dose, monitor closely (local policy)"),
        detail=(
            f"{advice} Methotrexate is renally eliminated; accumulation causes marrow and mucosal toxicity. "
            "The cut-offs are **local policy** (published thresholds vary).\n\n"
            f"Basis: {STATEMENT}"
        ),
        facts_used=tuple(describe(m) for m in methotrexate) + (shown,),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-renal",
    title="Methotrexate and renal function",
    citation=Citation(
        label="FDA methotrexate prescribing information (renal impairment); local policy cut-offs",
        url="https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=methotrexate",
        statement=STATEMENT,
        strength="Label statement (secondary source); cut-offs are local policy, not a graded recommendation",
    ),
    trigger=(
        "Methotrexate current on record (a draft: draft-order-safety) and latest eGFR within egfr_window_days (LOINC 98979-8/62238-1/33914-3, or CKD-EPI 2021 from a "
        "newer creatinine 2160-0) < warning_below_egfr (60): critical when < critical_below_egfr (30); warning when the last eGFR < warning_below_egfr is older than "
        "egfr_window_days"
    ),
    hooks=frozenset({PATIENT_VIEW}),
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "critical_below_egfr": Parameter(30, "eGFR (mL/min/1.73 m²) below which methotrexate is avoided",
                                         "docs/evidence.md#methotrexate-renal (local policy)"),
        "warning_below_egfr": Parameter(60, "eGFR below which the dose is reduced and monitored closely",
                                        "docs/evidence.md#methotrexate-renal (local policy)"),
        "egfr_window_days": Parameter(90, "an eGFR (or creatinine) older than this is not current",
                                      "policy: docs/evidence.md#result-windows"),
    },
    requires_myositis=False,
)
