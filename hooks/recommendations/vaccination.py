"""Vaccination before and during immunosuppression (docs/evidence.md#vaccination; ACR 2022 vaccination guideline).

ACR 2022 (Bass et al.): give recommended non-live vaccines regardless of disease activity and continue
immunosuppression; for patients on immunosuppressants: influenza (high-dose or adjuvanted, conditional),
recombinant zoster from age 18, pneumococcal. Exceptions: hold methotrexate 2 weeks after influenza
vaccination if disease allows; time non-live vaccines for the next rituximab dose and hold rituximab >= 2
weeks after; at prednisone >= 20 mg/day defer non-live vaccines except influenza until tapered. Live
vaccines: defer while on immunosuppressants; give >= 4 weeks before starting where possible. Mostly
conditional recommendations on low-quality evidence. Never a reason to delay induction of severe myositis.

When: active IIM on (or being started on) a glucocorticoid or immunosuppressant, and
- a live vaccine being ordered now (a draft Immunization, or a draft MedicationRequest naming a live
  vaccine) -> warning, critical with `ordered_live_vaccine_critical`. IDSA 2013 (Rubin et al.): live
  vaccines are contraindicated in highly immunocompromised patients (high-level immunosuppression:
  prednisone-equivalent >= 20 mg/day for >= 14 days, methotrexate > 0.4 mg/kg/week, azathioprine
  > 3 mg/kg/day, biologics such as rituximab, and cyclophosphamide); some live vaccines may be given
  at low-level immunosuppression, hence a warning by default;
- a live vaccine within `live_vaccine_interval_days` while methotrexate, azathioprine, mycophenolate,
  calcineurin inhibitor, rituximab, cyclophosphamide or prednisone-equivalent >= `high_dose_mg_per_day` is
  current -> warning;
- influenza not given since the season start, or (adults) no pneumococcal or recombinant zoster vaccine on
  record (not counted while prednisone-equivalent >= `high_dose_mg_per_day`, when they are deferred; recombinant
  zoster not counted in pregnancy, CDC/ACIP: no recommendation for its use in pregnancy) -> info;
- Immunization data not available -> info asking to verify.
"""

from __future__ import annotations

from datetime import date

from fhir_mappings.concepts import SECOND_IMMUNOSUPPRESSANTS, SYSTEMIC_GLUCOCORTICOIDS, Condition, Drug, Vaccine
from fhir_mappings.facts import ClinicalFacts, ImmunizationFact, MedicationOrder
from hooks.criteria import data_gap, days_ago, describe, draft_references, prednisone_equivalent_mg_per_day
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

STATEMENT = (
    "ACR 2022: give recommended non-live vaccines (influenza, pneumococcal, recombinant zoster from age 18) to "
    "patients on immunosuppressants without stopping therapy; hold methotrexate 2 weeks after influenza "
    "vaccination if disease activity allows; time vaccines for the next rituximab dose and hold rituximab "
    ">= 2 weeks after; at prednisone >= 20 mg/day defer non-live vaccines except influenza; defer live vaccines "
    "while on immunosuppressants (give >= 4 weeks before starting where possible)."
)
NAMES = {
    Vaccine.INFLUENZA: "influenza (this season)",
    Vaccine.PNEUMOCOCCAL: "pneumococcal",
    Vaccine.RECOMBINANT_ZOSTER: "recombinant zoster (2 doses)",
}
SHORT_NAMES = {Vaccine.INFLUENZA: "influenza", Vaccine.PNEUMOCOCCAL: "pneumococcal",
               Vaccine.RECOMBINANT_ZOSTER: "recombinant zoster"}
PREGNANCY_NOTE = ("Pregnancy on record: recombinant zoster is given after pregnancy (CDC/ACIP: no recommendation "
                  "for its use in pregnancy); influenza vaccination is recommended in pregnancy.")


def season_start(today: date, start_month: int) -> date:
    """First day of the influenza season that contains `today`."""
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1)


def _given(immunizations: tuple[ImmunizationFact, ...], vaccine: Vaccine, since: date | None = None) -> bool:
    return any(
        i.vaccine is vaccine and (since is None or (i.when is not None and i.when >= since)) for i in immunizations
    )


def _missing(facts: ClinicalFacts, params: Params, high_dose: bool) -> list[Vaccine]:
    missing = []
    if not _given(facts.immunizations, Vaccine.INFLUENZA,
                  season_start(facts.today, params["influenza_season_start_month"])):
        missing.append(Vaccine.INFLUENZA)
    if facts.is_adult and not high_dose:
        deferred = {Vaccine.RECOMBINANT_ZOSTER} if facts.has_condition(Condition.PREGNANCY) else set()
        missing += [v for v in (Vaccine.PNEUMOCOCCAL, Vaccine.RECOMBINANT_ZOSTER)
                    if v not in deferred and not _given(facts.immunizations, v)]
    return missing


def _timing_notes(facts: ClinicalFacts, high_dose: bool) -> list[str]:
    notes = []
    if facts.current({Drug.METHOTREXATE}):
        notes.append("Methotrexate: hold it for 2 weeks after the influenza vaccine if disease activity allows "
                     "(conditional).")
    if facts.current({Drug.RITUXIMAB}):
        notes.append("Rituximab: time non-live vaccines for when the next dose is due and hold rituximab >= 2 weeks "
                     "after; give influenza on schedule and delay the next rituximab >= 2 weeks.")
    if high_dose:
        notes.append("Prednisone-equivalent >= 20 mg/day: defer non-live vaccines other than influenza until the "
                     "dose is below 20 mg/day.")
    if facts.has_condition(Condition.PREGNANCY):
        notes.append(PREGNANCY_NOTE)
    return notes


IDSA_STATEMENT = (
    "IDSA 2013: live vaccines should not be given to highly immunosuppressed patients (prednisone-equivalent >= 20 "
    "mg/day for >= 14 days, methotrexate > 0.4 mg/kg/week, azathioprine > 3 mg/kg/day, biologics such as "
    "rituximab, cyclophosphamide); some live vaccines may be considered at low-level immunosuppression."
)


def _live_vaccine_ordered(facts: ClinicalFacts, params: Params, regimen: tuple[MedicationOrder, ...],
                          ordered: list[ImmunizationFact]) -> Finding:
    facts_used = [describe(m) for m in regimen]
    facts_used += [f"Live vaccine being ordered: {i.display or 'live vaccine'}" for i in ordered]
    return Finding(
        indicator=Indicator.CRITICAL if params["ordered_live_vaccine_critical"] else Indicator.WARNING,
        summary="Live vaccine ordered on immunosuppression: do not give unless the specialist confirms it is safe",
        detail=(
            "A live vaccine is being ordered while a glucocorticoid or immunosuppressant is current or being started. "
            "Live vaccines can cause vaccine-strain infection in immunosuppressed patients: use a non-live "
            "alternative where one exists (e.g. recombinant zoster instead of live zoster), or give the live vaccine "
            ">= 4 weeks before starting immunosuppression. At low-level immunosuppression some live vaccines may be "
            f"given after specialist review.\n\nGuidelines: {IDSA_STATEMENT} {STATEMENT}"
        ),
        facts_used=tuple(facts_used),
        about_drafts=tuple(i.reference or i.display for i in ordered) + draft_references(regimen),
    )


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    regimen = facts.current(SECOND_IMMUNOSUPPRESSANTS | SYSTEMIC_GLUCOCORTICOIDS)
    if not regimen:
        return None
    ordered_live = [i for i in facts.immunizations if i.ordered and i.vaccine is Vaccine.LIVE]
    if ordered_live:
        return _live_vaccine_ordered(facts, params, regimen, ordered_live)
    high_dose = prednisone_equivalent_mg_per_day(facts) >= params["high_dose_mg_per_day"]
    strongly_suppressed = high_dose or bool(facts.current(SECOND_IMMUNOSUPPRESSANTS))
    facts_used = [describe(m) for m in regimen]
    never_delay = "Vaccination must never delay induction treatment of severe myositis."
    since = days_ago(facts, params["live_vaccine_interval_days"])
    recent_live = [
        i for i in facts.immunizations if i.vaccine is Vaccine.LIVE and i.when is not None and i.when >= since
    ]
    if recent_live and strongly_suppressed:
        facts_used += [f"Live vaccine given on {i.when.isoformat()}: {i.display or 'live vaccine'}" for i in recent_live]
        return Finding(
            indicator=Indicator.WARNING,
            summary="Live vaccine within 4 weeks of immunosuppression",
            detail=(
                "A live vaccine was given within the last "
                f"{params['live_vaccine_interval_days']} days while immunosuppressive treatment is current or being "
                "started. Live vaccines are deferred on immunosuppressants and given >= 4 weeks before starting "
                "where possible: watch for vaccine-strain infection and discuss timing with the specialist. "
                f"{never_delay} (Drug-specific hold intervals not verified.)\n\nGuideline: {STATEMENT}"
            ),
            facts_used=tuple(facts_used),
            about_drafts=draft_references(regimen),
        )
    notes = _timing_notes(facts, high_dose)
    if data_gap(facts, "Immunization", "immunizations"):
        wanted = ["influenza this season"] + (["pneumococcal", "recombinant zoster"] if facts.is_adult else [])
        facts_used.append("Immunization records not available to this service")
        detail = ("**Verify** vaccination status (immunization records were not available): " + ", ".join(wanted)
                  + ". Non-live vaccines can be given during immunosuppression. " + " ".join(notes)
                  + f" {never_delay}\n\nGuideline: {STATEMENT}")
        return Finding(
            indicator=Indicator.INFO,
            summary="On immunosuppression: verify influenza, pneumococcal and zoster vaccination",
            detail=detail,
            facts_used=tuple(facts_used),
            about_drafts=draft_references(regimen),
        )
    missing = _missing(facts, params, high_dose)
    if not missing:
        return None
    facts_used.append("No record of: " + ", ".join(NAMES[v] for v in missing))
    detail = " ".join([
        "Recommended non-live vaccines not on record: " + ", ".join(NAMES[v] for v in missing) + ".",
        "Give them without stopping immunosuppression.", *notes, never_delay,
    ]) + f"\n\nGuideline: {STATEMENT}"
    return Finding(
        indicator=Indicator.INFO,
        summary="On immunosuppression: vaccines due (" + ", ".join(SHORT_NAMES[v] for v in missing) + ")",
        detail=detail,
        facts_used=tuple(facts_used),
        about_drafts=draft_references(regimen),
    )


RECOMMENDATION = Recommendation(
    id="vaccination",
    title="Vaccination before and during immunosuppression",
    citation=Citation(
        label="2022 ACR guideline for vaccinations in patients with rheumatic and musculoskeletal diseases "
        "(Bass et al., Arthritis Care Res 2023;75:449-464); 2013 IDSA guideline for vaccination of the "
        "immunocompromised host (Rubin et al., Clin Infect Dis 2014;58:e44-100)",
        url="https://doi.org/10.1002/acr.25045",
        statement=STATEMENT,
        strength="Mostly conditional, low-quality evidence (secondary source)",
    ),
    trigger=(
        "Active IIM and a current or draft systemic glucocorticoid or methotrexate, azathioprine, mycophenolate, "
        "tacrolimus, ciclosporin, rituximab or cyclophosphamide. Warning (critical with "
        "ordered_live_vaccine_critical): a live vaccine in the draft orders (Immunization, or MedicationRequest "
        "naming one by CVX code or name). Warning: Immunization of a live vaccine within "
        "live_vaccine_interval_days and an immunosuppressant or prednisone-equivalent >= high_dose_mg_per_day. "
        "Info: no influenza Immunization since the season start (influenza_season_start_month), or (age >= 18, "
        "prednisone-equivalent below high_dose_mg_per_day) no pneumococcal or recombinant zoster Immunization; "
        "'verify' when Immunization data is unavailable"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "high_dose_mg_per_day": Parameter(20, "prednisone-equivalent mg/day at which non-live vaccines other than "
                                          "influenza are deferred and live vaccines contraindicated",
                                          "docs/evidence.md#vaccination (ACR 2022)"),
        "live_vaccine_interval_days": Parameter(28, "a live vaccine this recent conflicts with immunosuppression",
                                                "docs/evidence.md#vaccination (ACR 2022: >= 4 weeks before starting)"),
        "ordered_live_vaccine_critical": Parameter(
            False, "a live vaccine ordered on immunosuppression is a critical card instead of a warning",
            "IDSA 2013: contraindicated at high-level immunosuppression, some live vaccines acceptable at low level "
            "(hence warning by default)"),
        "influenza_season_start_month": Parameter(8, "month (1-12) in which the influenza season's vaccination "
                                                  "starts (8 = August, northern hemisphere)",
                                                  "policy choice: local influenza programme"),
    },
)
