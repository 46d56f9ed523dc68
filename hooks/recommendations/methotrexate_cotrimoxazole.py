"""Methotrexate with trimethoprim-sulfamethoxazole (TMP-SMX), by TMP-SMX dose and patient risk.

Methotrexate label (drug interactions): trimethoprim/sulfamethoxazole has been reported to increase
bone-marrow suppression in patients receiving methotrexate (reduced tubular secretion and an additive
antifolate effect); toxicity is more likely with renal impairment, in the elderly and with folate
deficiency. Prophylactic TMP-SMX (one single- or double-strength tablet daily, or a double-strength
tablet three times weekly; EULAR 2022 and the PJP prophylaxis regimens) is commonly given with weekly
low-dose methotrexate; treatment doses (PJP or other infections) are several times higher.
Evidence and choices: docs/evidence.md#methotrexate-tmp-smx.

When: methotrexate and TMP-SMX both on the current regimen (on record or draft), any patient. The
TMP-SMX dose is read in mg of trimethoprim per day (`DOSING_COMPONENT`).
Then:
- critical: a TMP-SMX dose above `prophylaxis_max_tmp_mg_per_day` (a treatment dose): hold
  methotrexate during the course or choose another antibiotic;
- warning: a TMP-SMX dose that cannot be read (treatment or prophylaxis unknown), or a prophylactic
  dose with a risk factor: eGFR below `risk_below_egfr` within `egfr_window_days`, age
  `risk_age` or over, or no current folic acid/folinic acid;
- info: a prophylactic dose without risk factors, once, when starting: a draft of either drug, or
  either started within `recent_start_days`. An established combination without risk factors is
  not shown again at every chart opening.
A draft of either drug with a treatment or unreadable TMP-SMX dose or a risk factor gets its card from the
order-safety check (`hooks.order_safety.drafts`, the same thresholds in `[order-safety]`), not from this rule.
"""

from __future__ import annotations

from fhir_mappings.concepts import FOLATES, Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num, years
from hooks.criteria import describe, draft_references, is_start, latest_egfr
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

LABEL = (
    "Methotrexate label: trimethoprim/sulfamethoxazole increases bone-marrow suppression with methotrexate "
    "(reduced renal tubular secretion, additive antifolate effect); risk is higher with renal impairment, in "
    "older patients and with folate deficiency."
)
PROPHYLAXIS_NOTE = (
    "Keep folic acid, and check the full blood count and renal function more often while both are given. "
    "Prophylactic TMP-SMX with weekly low-dose methotrexate is common practice and **not a contraindication**; "
    "if the combination is not wanted, atovaquone is an alternative for PJP prophylaxis."
)


def _risk_factors(facts: ClinicalFacts, params: Params) -> list[str]:
    found = []
    egfr = latest_egfr(facts, params["egfr_window_days"])
    if egfr is not None and egfr.below(params["risk_below_egfr"]):
        found.append(f"Reduced renal function: {egfr.text}")
    age = facts.patient.age_years
    if age is not None and age >= params["risk_age"]:
        found.append(f"Age {years(age)} years")
    if not facts.current(FOLATES):
        found.append("No folic acid or folinic acid on the current regimen")
    return found


def _starting(orders: tuple[MedicationOrder, ...], facts: ClinicalFacts, recent_days: int) -> bool:
    """Either drug started (a draft or a recent order) and not renewing a current or recently ended course."""
    return any(is_start(facts, m, recent_days) for m in orders)


def _tmp_line(order: MedicationOrder) -> str:
    if order.dose is None:
        return f"{describe(order)} (trimethoprim dose per day unknown)"
    return f"{describe(order)}: trimethoprim {num(order.dose.mg_per_day_high)} mg/day"


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    methotrexate = facts.current((Drug.METHOTREXATE,))
    cotrimoxazole = facts.current((Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM,))
    if not methotrexate or not cotrimoxazole:
        return None
    limit = params["prophylaxis_max_tmp_mg_per_day"]
    treatment = tuple(m for m in cotrimoxazole if m.dose is not None and m.dose.mg_per_day_high > limit)
    unknown = tuple(m for m in cotrimoxazole if m.dose is None)
    risks = _risk_factors(facts, params)
    orders = methotrexate + cotrimoxazole
    facts_used = [describe(m) for m in methotrexate] + [_tmp_line(m) for m in cotrimoxazole]
    if (treatment or unknown or risks) and any(m.is_draft for m in orders):
        return None  # a draft with a dose or risk problem: draft-order-safety's card (the same check)
    if treatment:
        indicator = Indicator.CRITICAL
        summary = "Treatment-dose co-trimoxazole with methotrexate: risk of severe marrow suppression"
        advice = (
            "Hold methotrexate during the course or choose another antibiotic, and check the full blood count.\n\n"
            f"TMP-SMX above {num(limit)} mg trimethoprim a day is a **treatment dose**. With methotrexate it has "
            "caused severe pancytopenia."
        )
    elif unknown:
        indicator = Indicator.WARNING
        summary = "Methotrexate with co-trimoxazole of unreadable dose: check it is a prophylactic dose"
        advice = (
            f"Check that the TMP-SMX dose is prophylactic (at most {num(limit)} mg trimethoprim a day).\n\n"
            "The TMP-SMX dose could not be read, so it is not known whether this is prophylaxis (up to "
            f"{num(limit)} mg trimethoprim a day) or a treatment dose, which with methotrexate risks severe marrow "
            "suppression. " + PROPHYLAXIS_NOTE
        )
    elif risks:
        indicator = Indicator.WARNING
        summary = "Methotrexate with prophylactic co-trimoxazole and a toxicity risk factor: monitor closely"
        advice = PROPHYLAXIS_NOTE + (
            "\n\nThe TMP-SMX dose is prophylactic, but this patient has a risk factor for methotrexate toxicity "
            "(below): monitor closely."
        )
    elif _starting(orders, facts, params["recent_start_days"]):
        indicator = Indicator.INFO
        summary = "Methotrexate with prophylactic co-trimoxazole: keep folic acid, check blood count"
        advice = PROPHYLAXIS_NOTE
    else:
        return None
    return Finding(
        indicator=indicator,
        summary=summary,
        detail=f"{advice}\n\nSource: {LABEL}",
        facts_used=tuple(facts_used + risks),
        about_drafts=draft_references(orders),
    )


RECOMMENDATION = Recommendation(
    id="methotrexate-cotrimoxazole",
    title="Methotrexate with trimethoprim-sulfamethoxazole: by dose and risk factors",
    citation=Citation(
        label="Methotrexate prescribing information, drug interactions (trimethoprim/sulfamethoxazole); EULAR 2022 "
        "infection recommendations (PJP prophylaxis)",
        url="https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=methotrexate",
        statement="Trimethoprim/sulfamethoxazole increases bone-marrow suppression with methotrexate; renal "
        "impairment, older age and folate deficiency raise the risk. Prophylactic doses are commonly co-prescribed "
        "with monitoring.",
        strength="Label interaction statement; dose and risk-factor cut-offs are the service's policy "
        "(docs/evidence.md#methotrexate-tmp-smx)",
    ),
    trigger=(
        "Current methotrexate (RxNorm 6851) and current sulfamethoxazole-trimethoprim (RxNorm 10831), on record or "
        "draft, any patient. Critical: trimethoprim > prophylaxis_max_tmp_mg_per_day. Warning: TMP-SMX dose "
        "unreadable; or prophylactic dose with eGFR < risk_below_egfr within egfr_window_days, age >= risk_age or "
        "no current folic/folinic acid. Info: prophylactic dose without risk factors when either drug is a draft or "
        "started within recent_start_days"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "prophylaxis_max_tmp_mg_per_day": Parameter(
            160, "trimethoprim mg/day above which TMP-SMX is a treatment dose (prophylaxis: 1 DS tablet daily at most)",
            "EULAR 2022 / PJP prophylaxis regimens (80-160 mg trimethoprim daily or 160 mg three times weekly)",
        ),
        "risk_below_egfr": Parameter(
            60, "eGFR (mL/min/1.73 m²) below which renal function raises the card", "Methotrexate label (renal "
            "impairment); KDIGO CKD stage 3 cut-off",
        ),
        "risk_age": Parameter(65, "age (years) from which older age raises the card", "Methotrexate label "
                              "(elderly patients); docs/evidence.md#methotrexate-tmp-smx"),
        "egfr_window_days": Parameter(90, "an eGFR (or creatinine) older than this is not current",
                                      "policy: docs/evidence.md#result-windows"),
        "recent_start_days": Parameter(30, "either drug started within this many days counts as starting",
                                       "policy: docs/evidence.md#methotrexate-tmp-smx"),
    },
    requires_myositis=False,
)
