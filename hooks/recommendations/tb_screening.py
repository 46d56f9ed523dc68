"""Latent tuberculosis, HIV and varicella screening before immunosuppression (docs/evidence.md#tb-screening).

EULAR 2022 recommendations on screening and prophylaxis of chronic and opportunistic infections in AIIRD
(Fragoulis et al., Ann Rheum Dis 2023;82:742-753), tuberculosis recommendations: screening for latent TB
*should be performed* before biologic (or targeted synthetic) DMARDs and *could be considered* before
conventional synthetic DMARDs, glucocorticoids and immunosuppressants; an interferon-gamma release assay
(IGRA) is preferred to the tuberculin skin test. Varicella recommendation: patients not immune to VZV are
told about post-exposure prophylaxis, which needs their immune status (serology when the history of
chickenpox or vaccination is unknown). Overarching principles: screening follows individual risk and
national guidance (HIV testing by local prevalence and risk).

When: active IIM and a new order (draft, or started within `recent_start_days`) of
- rituximab (a biologic: screening recommended)                                   -> warning;
- methotrexate, azathioprine, mycophenolate, tacrolimus, ciclosporin or cyclophosphamide, or a systemic
  glucocorticoid at prednisone-equivalent >= `min_mg_per_day` (screening considered) -> info;
and no IGRA result within `igra_window_days`, or the latest one there is positive or unreadable.
A positive IGRA: exclude active TB and treat latent TB with a specialist before or alongside (warning
either way). The card also offers, not pre-selected, an HIV test when none is on record and VZV IgG when
none is on record and no zoster vaccine is recorded.
"""

from __future__ import annotations

from fhir_mappings.concepts import SECOND_IMMUNOSUPPRESSANTS, SYSTEMIC_GLUCOCORTICOIDS, Drug, Lab, Qualitative, Vaccine
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from hooks.criteria import describe, draft_references, is_start, measured_within
from hooks.lab_orders import LOINC, NAMES, lab_order
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation, Suggestion

#: Biologics among the myositis agents: before them TB screening is recommended, not only considered.
BIOLOGICS = frozenset({Drug.RITUXIMAB})
STATEMENT = (
    "EULAR 2022: screening for latent tuberculosis should be performed before biologic DMARDs and could be "
    "considered before conventional synthetic DMARDs, glucocorticoids and immunosuppressants; an "
    "interferon-gamma release assay is preferred to the tuberculin skin test. Patients not immune to varicella "
    "zoster virus are informed about post-exposure prophylaxis. Screening follows individual risk and national "
    "guidance."
)


def _new_triggers(facts: ClinicalFacts, params: Params) -> tuple[MedicationOrder, ...]:
    recent = params["recent_start_days"]
    agents = facts.current(SECOND_IMMUNOSUPPRESSANTS)
    steroids = tuple(m for m in facts.current(SYSTEMIC_GLUCOCORTICOIDS)
                     if (m.prednisone_equivalent_mg_per_day or 0.0) >= params["min_mg_per_day"])
    return tuple(m for m in agents + steroids if is_start(facts, m, recent))


def _optional(facts: ClinicalFacts, lab: Lab, reason: str) -> Suggestion:
    action = lab_order(facts.patient.reference, LOINC[lab], reason, f"Draft order: {NAMES[lab]}")
    return Suggestion(f"Order {NAMES[lab]}", (action,), is_recommended=False)


def _also_offered(facts: ClinicalFacts) -> tuple[tuple[Suggestion, ...], list[str], list[str]]:
    """HIV and VZV IgG offered (not pre-selected) when none is on record: suggestions, detail lines, facts."""
    suggestions: list[Suggestion] = []
    lines: list[str] = []
    found: list[str] = []
    if facts.latest(Lab.HIV) is None:
        suggestions.append(_optional(facts, Lab.HIV, "Before immunosuppression, by local prevalence and risk"))
        lines.append("- **HIV**: no test on record; test according to local prevalence and individual risk.")
        found.append("No HIV test on record")
    zoster_vaccine = any(i.vaccine is Vaccine.RECOMBINANT_ZOSTER for i in facts.immunizations)
    if facts.latest(Lab.VZV_IGG) is None and not zoster_vaccine:
        suggestions.append(_optional(facts, Lab.VZV_IGG, "Varicella immunity before immunosuppression"))
        lines.append("- **Varicella**: no VZV IgG or zoster vaccine on record; if the history of chickenpox or "
                     "vaccination is unknown, check VZV IgG so that a non-immune patient can be offered "
                     "post-exposure prophylaxis.")
        found.append("No VZV IgG on record")
    return tuple(suggestions), lines, found


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    new = _new_triggers(facts, params)
    if not new:
        return None
    biologic = any(m.drug in BIOLOGICS for m in new)
    latest = facts.latest(Lab.IGRA)
    igra: LabResult | None = latest if measured_within(facts, latest, params["igra_window_days"]) else None
    if igra is not None and igra.interpretation is Qualitative.NEGATIVE:
        return None
    facts_used = [describe(m) for m in new]
    extra, extra_lines, extra_facts = _also_offered(facts)
    if igra is not None and igra.interpretation is Qualitative.POSITIVE:
        indicator = Indicator.WARNING
        summary = "Positive IGRA before immunosuppression: exclude active TB and treat latent TB"
        first = ("**Positive interferon-gamma release assay**: exclude active tuberculosis (symptoms, chest "
                 "X-ray) and start latent-TB treatment with a TB specialist before, or alongside, immunosuppression; "
                 "urgent induction need not wait.")
        facts_used.append(igra.describe())
        suggestions = extra
    else:
        indicator = Indicator.WARNING if biologic else Indicator.INFO
        before = "rituximab (recommended)" if biologic else "immunosuppression (considered)"
        summary = f"Latent TB screening before {before}: no recent IGRA on record"
        window = params["igra_window_days"]
        if igra is not None:
            first = "The latest IGRA could not be read as positive or negative (indeterminate?): repeat it."
            facts_used.append(igra.describe())
        else:
            first = (f"**Screen for latent tuberculosis** with an interferon-gamma release assay (no result in the "
                     f"last {window} days is on record; one held elsewhere may not be visible). Urgent induction "
                     "need not wait for the result.")
            facts_used.append(f"No IGRA in the last {window} days")
        igra_order = lab_order(facts.patient.reference, LOINC[Lab.IGRA], "Latent TB screening before "
                               "immunosuppression", f"Draft order: {NAMES[Lab.IGRA]}")
        suggestions = (Suggestion("Order IGRA", (igra_order,), is_recommended=True),) + extra
    detail = "\n".join([first, *(["", "Also:", *extra_lines] if extra_lines else []), "", f"Guideline: {STATEMENT}"])
    return Finding(
        indicator=indicator,
        summary=summary,
        detail=detail,
        facts_used=tuple(facts_used + extra_facts),
        suggestions=suggestions,
        about_drafts=draft_references(new),
    )


RECOMMENDATION = Recommendation(
    id="tb-screening",
    title="Latent tuberculosis (with HIV and varicella) screening before immunosuppression",
    citation=Citation(
        label="EULAR 2022 recommendations for screening and prophylaxis of chronic and opportunistic infections in "
        "AIIRD (Fragoulis et al., Ann Rheum Dis 2023;82:742-753): tuberculosis and varicella zoster recommendations, "
        "overarching principles",
        url="https://doi.org/10.1136/ard-2022-223335",
        statement=STATEMENT,
        strength="EULAR 2022: TB screening 'should be performed' before biologics, 'could be considered' before "
        "csDMARDs, glucocorticoids and immunosuppressants (grades not restated here)",
    ),
    trigger=(
        "Active IIM and a draft (or order started within recent_start_days) of rituximab (warning), or of "
        "methotrexate, azathioprine, mycophenolate, tacrolimus, ciclosporin, cyclophosphamide or a systemic "
        "glucocorticoid at prednisone-equivalent >= min_mg_per_day (info); and no IGRA (LOINC 71773-6, or named "
        "QuantiFERON/T-SPOT) within igra_window_days, or the latest there positive (warning) or unreadable. HIV "
        "(56888-1) and VZV IgG (19162-7/15410-4) offered, not pre-selected, when none is on record"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING}),
    evaluate=evaluate,
    parameters={
        "min_mg_per_day": Parameter(
            15, "prednisone-equivalent mg/day from which a new glucocorticoid prompts TB screening (considered)",
            "policy: EULAR 2022 considers screening before glucocorticoids by dose and duration without a number; "
            "15 mg/day is the lower end of the dose EULAR 2022 relates to Pneumocystis risk"),
        "igra_window_days": Parameter(
            365, "an IGRA this recent (days) counts as the screening for a new treatment",
            "policy: EULAR 2022 screens before treatment without a validity period; one year is the service's choice"),
        "recent_start_days": Parameter(
            90, "an order on record started within this many days counts as new (patient-view)",
            "policy, as infection-screening's recent_start_days"),
    },
    asserts_absence_of=frozenset({"Observation", "Immunization"}),
)
