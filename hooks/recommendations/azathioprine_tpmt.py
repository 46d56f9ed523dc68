"""Azathioprine: TPMT/NUDT15 status and xanthine-oxidase inhibitors (docs/evidence.md#azathioprine).

CPIC thiopurine guideline (2018 update with 2020/2024 updates): for non-malignant conditions, TPMT
or NUDT15 *poor* metabolizers should consider a non-thiopurine alternative (strong); *intermediate*
metabolizers (either gene) start at 30-80% of the normal starting dose (normal azathioprine
starting dose 2-3 mg/kg/day), intermediate for both genes 20-50% (2024 update); allow 2-4 weeks to
reach steady state after each dose change; an indeterminate TPMT result calls for erythrocyte TPMT
activity (2020 update). Allopurinol and febuxostat inhibit xanthine oxidase, which inactivates
azathioprine: the combination causes severe myelotoxicity (label; docs/evidence.md#azathioprine).

When: current azathioprine (on record or draft), in any patient (a drug-safety check), and
  - allopurinol or febuxostat current                       -> critical
  - TPMT or NUDT15 poor metabolizer                          -> critical
  - intermediate metabolizer and dose above the reduced maximum (fraction x normal starting
    dose, in mg/kg/day)                                       -> warning
  - no usable TPMT result (none, or only indeterminate)     -> warning, with a test-order suggestion
  - intermediate metabolizer, draft order whose mg/kg cannot be computed -> info
Then: one card, the most severe problem first; any other problem found is listed in its detail.
An established course with recent normal blood counts gets at most an information card: azathioprine
on record (no draft) whose current order started at least `established_days` ago, any
allopurinol/febuxostat also started at least that long ago, and the blood counts of the last
`blood_count_window_days` normal: by the lab's flag or range, else (a count sent without either) white
cells and platelets at or above the configured limits, the BSR/BHPR 2017 action thresholds (blood
counts every 12 weeks once stable; WBC < 3.5, platelets < 140 x10^9/L: withhold). Most thiopurine myelotoxicity appears in the first weeks (CPIC: 2-4 weeks to
steady state); a dose increase (a draft, or a newer order) or a newly added xanthine-oxidase
inhibitor raises the card again. Evidence: docs/evidence.md#azathioprine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from fhir_mappings.builders import SNOMED
from fhir_mappings.concepts import XANTHINE_OXIDASE_INHIBITORS, Analyte, Drug, Lab, Metabolizer
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from fhir_mappings.numbers import num
from hooks.actions import delete_draft
from hooks.criteria import (
    days_ago,
    describe,
    draft_references,
    mg_per_kg_per_day,
    recent_normal_blood_count,
    recent_weight_kg,
    weight_fact,
)
from hooks.recommendation import (
    ALL_HOOKS,
    Action,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    Suggestion,
)

GENOTYPE_TEST = "TPMT and NUDT15 genotype (or erythrocyte TPMT enzyme activity)"


@dataclass(frozen=True)
class _Problem:
    indicator: Indicator
    summary: str
    text: str
    about: tuple[MedicationOrder, ...]
    facts_used: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] = ()


def _genotype_test_request(patient_reference: str | None) -> dict[str, Any]:
    """A draft lab ServiceRequest coded by text only: no TPMT LOINC code is verified (docs/evidence.md#codes)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(uuid.uuid4()),
        "status": "draft",
        "intent": "order",
        "category": [{"coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]}],
        "code": {"text": GENOTYPE_TEST},
        "reasonCode": [{"text": "Before azathioprine (CPIC thiopurine guideline)"}],
    }
    if patient_reference:
        resource["subject"] = {"reference": patient_reference}
    return resource


def _remove_drafts(orders: tuple[MedicationOrder, ...], label: str) -> tuple[Suggestion, ...]:
    drafts = [m for m in orders if m.is_draft and m.reference]
    if not drafts:
        return ()
    actions = tuple(delete_draft(m) for m in drafts)
    return (Suggestion(label=label, actions=actions, is_recommended=True),)


def _with_phenotype(facts: ClinicalFacts, phenotype: Metabolizer) -> tuple[LabResult, ...]:
    """For each gene, its newest result reporting `phenotype`: a genotype does not change, so an older
    poor/intermediate result is not overridden by a newer activity result (e.g. after transfusion)."""
    found = []
    for gene in (Lab.TPMT, Lab.NUDT15):
        matching = [r for r in facts.results_of(gene) if r.phenotype is phenotype]
        if matching:
            found.append(matching[0])
    return tuple(found)


def _xanthine_oxidase(facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...], _: Params) -> _Problem | None:
    inhibitors = facts.current(XANTHINE_OXIDASE_INHIBITORS)
    if not inhibitors:
        return None
    involved = azathioprine + inhibitors
    if any(m.is_draft for m in involved):
        return None  # a draft that creates the interaction: draft-order-safety's critical card, with its removal
    names = " / ".join(sorted({m.drug.value for m in inhibitors}))
    return _Problem(
        Indicator.CRITICAL,
        f"Azathioprine with {names}: risk of severe myelosuppression",
        "Avoid the combination; if it is unavoidable, reduce azathioprine to one third to one quarter of the "
        "usual dose with close blood-count monitoring (specialist decision).\n\n"
        f"**{names.capitalize()} inhibits xanthine oxidase**, which inactivates azathioprine: the combination "
        "raises 6-mercaptopurine/thioguanine levels and can cause life-threatening myelosuppression. "
        "Source: azathioprine label interaction (not verified against the label text: docs/evidence.md#azathioprine).",
        involved,
        tuple(describe(m) for m in involved),
        (),
    )


def _poor_metabolizer(facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...], _: Params) -> _Problem | None:
    poor = _with_phenotype(facts, Metabolizer.POOR)
    if not poor:
        return None
    genes = " and ".join(r.concept.value.upper() for r in poor)
    return _Problem(
        Indicator.CRITICAL,
        f"Azathioprine in a {genes} poor metabolizer: consider a non-thiopurine alternative",
        "Use a non-thiopurine immunosuppressant instead: in myositis, methotrexate or mycophenolate.\n\n"
        f"The patient is a **{genes} poor metabolizer**. CPIC (strong): for non-malignant conditions, consider an "
        "alternative non-thiopurine immunosuppressant; normal doses cause life-threatening myelosuppression.",
        azathioprine,
        tuple(describe(m) for m in azathioprine) + tuple(r.describe() for r in poor),
        _remove_drafts(azathioprine, "Remove the draft azathioprine order"),
    )


def _intermediate(facts: ClinicalFacts) -> tuple[LabResult, ...]:
    return _with_phenotype(facts, Metabolizer.INTERMEDIATE)


def _intermediate_dose(
    facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...], params: Params
) -> _Problem | None:
    intermediate = _intermediate(facts)
    if not intermediate:
        return None
    both = len(intermediate) == 2
    fraction = params["both_intermediate_max_fraction"] if both else params["intermediate_max_fraction"]
    limit = fraction * params["normal_starting_dose_mg_per_kg_day"]
    doses = {m: mg_per_kg_per_day(facts, m) for m in azathioprine}
    over = tuple(m for m, mg_kg in doses.items() if mg_kg is not None and mg_kg > limit)
    if not over or facts.weight_kg is None:
        return None
    genes = " and ".join(r.concept.value.upper() for r in intermediate)
    shown = f"{num(max(doses[m] or 0.0 for m in over))} mg/kg/day"
    band = "20-50%" if both else "30-80%"
    return _Problem(
        Indicator.WARNING,
        f"Azathioprine {shown} in a {genes} intermediate metabolizer: reduce the dose",
        f"Reduce the dose to at most {num(limit)} mg/kg/day, unless it was titrated up on blood counts.\n\n"
        f"The patient is a **{genes} intermediate metabolizer**. CPIC: start at **{band} of the normal starting "
        f"dose** (normal 2-3 mg/kg/day), i.e. at most {num(limit)} mg/kg/day here, and adjust to myelosuppression "
        "and disease activity, allowing 2-4 weeks to steady state after each change. The current dose is above "
        "that unless it was titrated up on the basis of blood counts.",
        over,
        tuple(describe(m) for m in over)
        + tuple(r.describe() for r in intermediate)
        + (weight_fact(facts, facts.weight_kg.value),),
    )


def _untested(facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...], _: Params) -> _Problem | None:
    tpmt = facts.results_of(Lab.TPMT)
    if any(r.phenotype is not Metabolizer.INDETERMINATE for r in tpmt):
        return None
    indeterminate = bool(tpmt)
    why = (
        "The TPMT result on record is **indeterminate**: CPIC (2020 update) advises measuring erythrocyte TPMT "
        "activity."
        if indeterminate
        else "**No TPMT phenotype, genotype or enzyme activity is on record.**"
    )
    suggestion = Suggestion(
        label=f"Order {GENOTYPE_TEST}",
        actions=(
            Action("create", f"Draft lab order: {GENOTYPE_TEST}", _genotype_test_request(facts.patient.reference)),
        ),
        is_recommended=True,
    )
    facts_used = tuple(describe(m) for m in azathioprine) + (
        tuple(r.describe() for r in tpmt) if indeterminate else ("No TPMT result on record",)
    )
    return _Problem(
        Indicator.WARNING,
        "Azathioprine without a usable TPMT result: test TPMT/NUDT15 before starting",
        f"Order {GENOTYPE_TEST} before starting azathioprine.\n\n"
        + why + " CPIC: test TPMT (and NUDT15, especially in patients of East Asian or Hispanic ancestry) before "
        "starting a thiopurine; poor metabolizers need an alternative and intermediate metabolizers a reduced "
        "dose. A normal result does not replace blood-count monitoring.",
        azathioprine,
        facts_used,
        (suggestion,),
    )


def _intermediate_unknown_dose(
    facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...], _: Params
) -> _Problem | None:
    intermediate = _intermediate(facts)
    unknown = tuple(m for m in azathioprine if m.is_draft and mg_per_kg_per_day(facts, m) is None)
    if not intermediate or not unknown:
        return None
    missing = "a recent body weight" if recent_weight_kg(facts) is None else "an interpretable dose"
    return _Problem(
        Indicator.INFO,
        "Intermediate TPMT/NUDT15 metabolizer: confirm the azathioprine dose is reduced",
        "Confirm the azathioprine dose is reduced for an intermediate metabolizer.\n\n"
        f"The patient is an intermediate metabolizer; the dose per kg could not be checked ({missing} needed). "
        "CPIC: start at 30-80% of the normal starting dose (20-50% if intermediate for both TPMT and NUDT15).",
        unknown,
        tuple(describe(m) for m in unknown) + tuple(r.describe() for r in intermediate),
    )


_CHECKS: tuple[Callable[[ClinicalFacts, tuple[MedicationOrder, ...], Params], _Problem | None], ...] = (
    _xanthine_oxidase,
    _poor_metabolizer,
    _intermediate_dose,
    _untested,
    _intermediate_unknown_dose,
)


def _settled(orders: tuple[MedicationOrder, ...], since: date) -> bool:
    """On record (no draft) and started on or before `since`."""
    return all(not m.is_draft and m.start is not None and m.start <= since for m in orders)


def _established_and_tolerated(facts: ClinicalFacts, azathioprine: tuple[MedicationOrder, ...],
                               params: Params) -> tuple[str, ...]:
    """Fact lines showing an established, tolerated course, or () when it is new, changed or unproven."""
    since = days_ago(facts, params["established_days"])
    if not _settled(azathioprine + facts.current(XANTHINE_OXIDASE_INHIBITORS), since):
        return ()
    limits = {Analyte.WBC: params["wbc_lower_limit_10e9_per_l"],
              Analyte.PLATELETS: params["platelets_lower_limit_10e9_per_l"]}
    counts = recent_normal_blood_count(facts, params["blood_count_window_days"], limits)
    if not counts:
        return ()
    started = max(m.start for m in azathioprine if m.start is not None)
    return (f"Established course: current azathioprine order since {started.isoformat()}",
            *(f"Normal: {r.describe()}" for r in counts))


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    azathioprine = facts.current((Drug.AZATHIOPRINE,))
    if not azathioprine:
        return None
    problems = [p for check in _CHECKS if (p := check(facts, azathioprine, params)) is not None]
    if not problems:
        return None
    first, others = problems[0], problems[1:]
    tolerated = _established_and_tolerated(facts, azathioprine, params)
    if tolerated:
        first = replace(
            first, indicator=Indicator.INFO, facts_used=first.facts_used + tolerated,
            text=first.text + "\n\nShown as information: the course is established and recent blood counts are "
            "normal. A dose increase or a newly added allopurinol/febuxostat raises this card again.",
        )
    detail = first.text
    if others:
        detail += "\n\nAlso:\n" + "\n".join(f"- {p.summary}" for p in others)
    detail += (
        "\n\nSource: CPIC guideline for thiopurine dosing based on TPMT and NUDT15 (2018 update; 2020/2024 updates)."
    )
    return Finding(
        indicator=first.indicator,
        summary=first.summary,
        detail=detail,
        facts_used=first.facts_used,
        suggestions=first.suggestions,
        about_drafts=draft_references(first.about),
    )


RECOMMENDATION = Recommendation(
    id="azathioprine-tpmt",
    title="Azathioprine: TPMT/NUDT15 status and xanthine-oxidase inhibitors",
    citation=Citation(
        label="CPIC guideline for thiopurine dosing based on TPMT and NUDT15 genotypes (Relling et al., "
        "Clin Pharmacol Ther 2019;105:1095; 2020 and 2024 updates)",
        url="https://cpicpgx.org/guidelines/guideline-for-thiopurines-and-tpmt/",
        statement="Poor metabolizers (TPMT or NUDT15), non-malignant conditions: consider an alternative "
        "non-thiopurine agent. Intermediate metabolizers: start at 30-80% of the normal starting dose "
        "(2-3 mg/kg/day azathioprine); intermediate for both genes: 20-50%.",
        strength="CPIC strong (poor metabolizer); CPIC moderate-strong (intermediate). Xanthine-oxidase "
        "interaction: drug label, not verified (unverified)",
    ),
    trigger=(
        "Current azathioprine MedicationRequest (RxNorm 1256, on record or draft), any patient; and allopurinol "
        "(519) or febuxostat current, or latest TPMT/NUDT15 phenotype poor, or intermediate with dose "
        "> fraction x normal_starting_dose_mg_per_kg_day (weight: LOINC 29463-7 within 90 days, 30 for children), or no TPMT result "
        "other than indeterminate (TPMT has no verified LOINC: mapped from the local catalogue). At most info when "
        "azathioprine and any xanthine-oxidase inhibitor are on record since >= established_days and every blood "
        "count (LOINC 58410-2/6690-2/718-7/777-3) within blood_count_window_days is read as normal: the lab's flag "
        "or range, else white cells >= wbc_lower_limit_10e9_per_l and platelets >= platelets_lower_limit_10e9_per_l "
        "(a count readable by neither is passed over once white cells and platelets are read normal)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.CRITICAL, Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "normal_starting_dose_mg_per_kg_day": Parameter(
            3.0,
            "normal azathioprine starting dose (mg/kg/day) that the intermediate-metabolizer fractions apply to; "
            "the upper end of CPIC's 2-3 mg/kg/day, so the card fires only when the dose is clearly not reduced",
            "CPIC thiopurine guideline 2018 (docs/evidence.md#azathioprine)",
        ),
        "intermediate_max_fraction": Parameter(
            0.8, "maximum fraction of the normal starting dose for a TPMT or NUDT15 intermediate metabolizer",
            "CPIC thiopurine guideline 2018: 30-80% (docs/evidence.md#azathioprine)",
        ),
        "both_intermediate_max_fraction": Parameter(
            0.5, "maximum fraction of the normal starting dose when intermediate for both TPMT and NUDT15",
            "CPIC thiopurine 2024 update: 20-50% (docs/evidence.md#azathioprine)",
        ),
        "established_days": Parameter(
            84, "an azathioprine (and allopurinol/febuxostat) order on record this long is an established course",
            "BSR/BHPR 2017 DMARD monitoring (stable phase after 12 weeks); docs/evidence.md#azathioprine",
        ),
        "blood_count_window_days": Parameter(
            90, "blood counts within this many days count as recent",
            "BSR/BHPR 2017 DMARD monitoring (every 12 weeks once stable); docs/evidence.md#azathioprine",
        ),
        "wbc_lower_limit_10e9_per_l": Parameter(
            3.5, "a white-cell count (10^9/L) sent without a range or flag is read as normal from this value up",
            "BSR/BHPR 2017 DMARD monitoring, actions on abnormal results: WBC below 3.5 x10^9/L, withhold",
        ),
        "platelets_lower_limit_10e9_per_l": Parameter(
            140, "a platelet count (10^9/L) sent without a range or flag is read as normal from this value up",
            "BSR/BHPR 2017 DMARD monitoring, actions on abnormal results: platelets below 140 x10^9/L, withhold",
        ),
    },
    requires_myositis=False,
    asserts_absence_of=frozenset({"Observation"}),
)
