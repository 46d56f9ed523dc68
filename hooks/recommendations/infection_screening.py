"""Hepatitis B/C before and during immunosuppression.

EULAR 2022 recommendations on screening and prophylaxis of chronic and opportunistic infections in
AIIRD (Fragoulis et al., Ann Rheum Dis 2023;82:742-753): screen for HBV (HBsAg, anti-HBc) and HCV
before immunosuppression; HBsAg-positive patients should receive antiviral prophylaxis; HBsAg-negative,
anti-HBc-positive patients are monitored (ALT, HBV DNA), with prophylaxis reserved for high-risk
treatment such as rituximab. AASLD 2018 HBV guidance (Terrault et al., Hepatology 2018;67:1560-1599)
and EASL 2017: prophylaxis for HBsAg-positive patients with entecavir or tenofovir (not lamivudine);
anti-HBc-positive, HBsAg-negative patients on lower-risk therapy: ALT and HBV DNA every 1-3 months,
antiviral on demand. Evidence and choices: docs/evidence.md#hepatitis-b.

When: active IIM and a current immunosuppressant (methotrexate, azathioprine, mycophenolate, tacrolimus,
ciclosporin, cyclophosphamide, rituximab, or a scheduled systemic glucocorticoid at any dose), and
- HBsAg positive (latest interpretable result, or chronic hepatitis B coded) without current entecavir
  or tenofovir, whatever the drug and however long it has been given          -> warning (lamivudine
  alone is said to be inadequate);
- otherwise, on a new order (draft, or started within `recent_start_days`):
  - HBsAg, anti-HBc or HCV antibody never on record, for a new azathioprine, mycophenolate,
    calcineurin inhibitor, cyclophosphamide or rituximab, or a new glucocorticoid at prednisone-equivalent
    >= `min_mg_per_day` (a new methotrexate alone is left to `methotrexate-baseline-tests`)
                                                         -> info with a lab-order suggestion (a
    monitoring gap, closed within weeks; induction is not delayed for it: docs/cards.md);
  - HCV antibody positive, or a hepatitis result that cannot be read      -> warning;
  - isolated anti-HBc without an antiviral, with glucocorticoid >= `min_mg_per_day` or cyclophosphamide
    (moderate risk)                                      -> warning: prophylaxis or monitoring decision;
  - isolated anti-HBc on lower-risk treatment (methotrexate, azathioprine, mycophenolate, calcineurin
    inhibitor, lower-dose glucocorticoid)                -> info: ALT and HBV DNA every 1-3 months.
With rituximab current, hepatitis B is left to `rituximab-hbv` (stricter rules before rituximab).
"""

from __future__ import annotations

from fhir_mappings.concepts import (
    SECOND_IMMUNOSUPPRESSANTS,
    SYSTEMIC_GLUCOCORTICOIDS,
    Condition,
    Drug,
    Lab,
    Qualitative,
)
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from hooks.criteria import (
    describe,
    draft_references,
    is_start,
    measured_within,
    prednisone_equivalent_mg_per_day,
)
from hooks.hepatitis_b import (
    adequate_prophylaxis_for_hbsag,
    any_hbv_antiviral,
    hbsag_positive_evidence,
    isolated_anti_hbc,
    lamivudine_note,
    latest_interpretable,
)
from hooks.lab_orders import NAMES, order_suggestion, serology_on_record
from hooks.recommendation import ALL_HOOKS, Citation, Finding, Indicator, Parameter, Params, Recommendation

#: Methotrexate is left to methotrexate-baseline-tests, whose baseline includes hepatitis serology.
SCREENING_TRIGGER_AGENTS = SECOND_IMMUNOSUPPRESSANTS - {Drug.METHOTREXATE}
HBV_TESTS = (Lab.HBSAG, Lab.ANTI_HBC)

STATEMENT = (
    "EULAR 2022: screen for HBV (HBsAg, anti-HBc) and HCV (anti-HCV) before immunosuppressive treatment; "
    "HBsAg-positive patients receive antiviral prophylaxis; HBsAg-negative, anti-HBc-positive patients are "
    "monitored (ALT, HBV DNA), prophylaxis for high-risk treatment; HCV RNA positive patients are referred for "
    "antiviral treatment. AASLD 2018 / EASL 2017: prophylaxis with entecavir or tenofovir."
)


def _is_new(order: MedicationOrder, facts: ClinicalFacts, recent_days: int) -> bool:
    """A draft or recent start that does not renew a current or recently ended course (`criteria.is_start`)."""
    return is_start(facts, order, recent_days)


def _immunosuppression(facts: ClinicalFacts) -> tuple[MedicationOrder, ...]:
    """Current immunosuppressants, glucocorticoids at any scheduled dose included."""
    steroids = tuple(m for m in facts.current(SYSTEMIC_GLUCOCORTICOIDS) if not m.is_as_needed)
    return facts.current(SECOND_IMMUNOSUPPRESSANTS) + steroids


def _screening_triggers(facts: ClinicalFacts, params: Params) -> tuple[MedicationOrder, ...]:
    """New orders before which missing serology is flagged."""
    recent = params["recent_start_days"]
    threshold = params["min_mg_per_day"]
    agents = tuple(m for m in facts.current(SCREENING_TRIGGER_AGENTS) if is_start(facts, m, recent))
    new_steroids = tuple(m for m in facts.current(SYSTEMIC_GLUCOCORTICOIDS) if is_start(facts, m, recent))
    high = tuple(m for m in new_steroids if (m.prednisone_equivalent_mg_per_day or 0.0) >= threshold)
    if not high and new_steroids and prednisone_equivalent_mg_per_day(facts) >= threshold:
        high = new_steroids
    return agents + high


def _hbsag_positive(facts: ClinicalFacts, orders: tuple[MedicationOrder, ...], evidence: tuple[str, ...]) -> Finding:
    return Finding(
        indicator=Indicator.WARNING,
        summary="HBsAg positive on immunosuppression without entecavir or tenofovir prophylaxis",
        detail="**HBsAg positive**: immunosuppression of any kind and duration can reactivate hepatitis B. Start "
        "antiviral prophylaxis with **entecavir or tenofovir** (with hepatology), check HBV DNA and ALT, and "
        "continue it after immunosuppression ends." + lamivudine_note(facts) + f"\n\nGuideline: {STATEMENT}",
        facts_used=tuple(describe(m) for m in orders) + evidence,
        about_drafts=draft_references(orders),
    )


def _higher_risk_for_isolated_core(facts: ClinicalFacts, params: Params) -> bool:
    """Treatment with a moderate reactivation risk in isolated anti-HBc (AASLD 2018): high-dose glucocorticoid
    or cyclophosphamide (rituximab is left to rituximab-hbv)."""
    return (prednisone_equivalent_mg_per_day(facts) >= params["min_mg_per_day"]
            or bool(facts.current((Drug.CYCLOPHOSPHAMIDE,))))


def _recent_result(facts: ClinicalFacts, lab: Lab, window_days: int) -> LabResult | None:
    """The newest dated result of `lab` (any value or reading) within `window_days`, else None."""
    return next((r for r in facts.results_of(lab) if measured_within(facts, r, window_days)), None)


def _monitoring_orders(facts: ClinicalFacts, params: Params) -> tuple[Lab, ...]:
    """HBV DNA and ALT when not measured within the monitoring interval (isolated anti-HBc, AASLD 2018)."""
    interval = params["hbv_monitoring_interval_days"]
    due = [] if _recent_result(facts, Lab.HBV_DNA, interval) else [Lab.HBV_DNA]
    if not any(_recent_result(facts, lab, interval) for lab in (Lab.ALT, Lab.AST)):
        due.append(Lab.ALT)
    return tuple(due)


def _core_monitoring(facts: ClinicalFacts, orders: tuple[MedicationOrder, ...], core: LabResult,
                     params: Params) -> Finding | None:
    """Isolated anti-HBc on continuing immunosuppression: ALT and HBV DNA every 1-3 months (AASLD 2018)."""
    due = _monitoring_orders(facts, params)
    if Lab.HBV_DNA not in due:
        return None
    interval = params["hbv_monitoring_interval_days"]
    surface = latest_interpretable(facts, Lab.HBSAG)
    facts_used = [describe(m) for m in orders] + [core.describe()]
    facts_used += [surface.describe()] if surface else []
    last = facts.latest(Lab.HBV_DNA)
    facts_used.append(f"Last HBV DNA: {last.describe()}" if last else "No HBV DNA on record")
    suggestion = order_suggestion(facts, due, "Isolated anti-HBc on immunosuppression: HBV reactivation monitoring",
                                  "Order " + " and ".join(NAMES[lab] for lab in due))
    return Finding(
        indicator=Indicator.INFO,
        summary="Isolated anti-HBc on immunosuppression: " + " and ".join(NAMES[lab] for lab in due)
        + " due (every 1-3 months)",
        detail="**Isolated anti-HBc** (HBsAg negative) while immunosuppression continues: monitor **ALT and HBV DNA "
        "every 1-3 months** and start entecavir or tenofovir if HBV DNA becomes detectable (or HBsAg "
        f"reappears). No HBV DNA in the last {interval} days is on record.\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(orders),
    )


def _hcv_evidence(facts: ClinicalFacts, serology: dict[Lab, LabResult | None]) -> tuple[str, ...]:
    """Fact lines showing hepatitis C infection (coded, or a positive HCV antibody); empty when not known."""
    found = [f"Diagnosis: {c.display} ({c.code})" for c in facts.conditions_of(Condition.HEPATITIS_C)]
    antibody = serology.get(Lab.HCV_ANTIBODY)
    if antibody is not None and antibody.interpretation is Qualitative.POSITIVE:
        found.append(antibody.describe())
    return tuple(found)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = _immunosuppression(facts)
    if not orders:
        return None
    hbv_here = not facts.current((Drug.RITUXIMAB,))  # before rituximab the stricter rituximab-hbv holds
    evidence = hbsag_positive_evidence(facts) if hbv_here else ()
    if evidence and not adequate_prophylaxis_for_hbsag(facts):
        return _hbsag_positive(facts, orders, evidence)
    core = isolated_anti_hbc(facts) if hbv_here and not any_hbv_antiviral(facts) else None
    new = tuple(m for m in orders if is_start(facts, m, params["recent_start_days"]))
    if not new:
        return _core_monitoring(facts, orders, core, params) if core else None
    serology = serology_on_record(facts)
    screening = bool(_screening_triggers(facts, params))
    # A methotrexate being started orders its serology on its own start-of-therapy card.
    methotrexate_start = any(m.drug is Drug.METHOTREXATE for m in new)
    checked = [lab for lab in serology if screening and (hbv_here or lab not in HBV_TESTS)]
    missing = () if methotrexate_start else tuple(lab for lab in checked if serology[lab] is None)
    unreadable = [serology[lab] for lab in checked
                  if serology[lab] is not None and serology[lab].interpretation is Qualitative.UNKNOWN]
    hcv = _hcv_evidence(facts, serology) if screening else ()
    hcv_rna = _recent_result(facts, Lab.HCV_RNA, params["hcv_rna_window_days"])
    hcv_due = bool(hcv) and hcv_rna is None
    core_warning = core is not None and _higher_risk_for_isolated_core(facts, params)
    if not (missing or unreadable or hcv_due or core):
        return None

    facts_used = [describe(m) for m in new]
    facts_used += [f"No {NAMES[lab]} result on record" for lab in missing]
    facts_used += [r.describe() for r in unreadable]
    facts_used += [*hcv, f"No HCV RNA in the last {params['hcv_rna_window_days']} days"] if hcv_due else []
    surface = latest_interpretable(facts, Lab.HBSAG)
    facts_used += [core.describe(), surface.describe()] if core and surface else []
    parts = []
    if core_warning:
        parts.append("**Isolated anti-HBc** (HBsAg negative) with high-dose glucocorticoid or cyclophosphamide: "
                     "moderate risk of HBV reactivation. Decide with hepatology between antiviral prophylaxis "
                     "(entecavir or tenofovir) and monitoring of ALT and HBV DNA every 1-3 months.")
    elif core:
        parts.append("**Isolated anti-HBc** (HBsAg negative) on lower-risk treatment: reactivation is uncommon. "
                     "Monitor **ALT and HBV DNA every 1-3 months** during treatment and start an antiviral if HBV DNA "
                     "becomes detectable; prophylaxis is needed before rituximab.")
    if hcv_due:
        parts.append("**Hepatitis C** (coded or HCV antibody positive): check **HCV RNA**, and refer to hepatology "
                     "for direct-acting antiviral treatment if it is detectable; a further HCV antibody test adds "
                     "nothing.")
    if unreadable:
        parts.append("A hepatitis result could not be read as positive or negative: review it.")
    if missing:
        parts.append("No " + ", ".join(NAMES[lab] for lab in missing) + " on record: screen before "
                     "immunosuppression (results held elsewhere may not be visible to this service). Do not "
                     "delay urgent induction for the results.")
    # Missing screening is a gap closed within weeks (information, docs/cards.md); a positive or unreadable
    # result, known hepatitis C without HCV RNA, or isolated anti-HBc on high-risk treatment is acted on now.
    warning = bool(unreadable or hcv_due or core_warning)
    if hcv_due and not (unreadable or core_warning or missing):
        summary = "Hepatitis C before immunosuppression: check HCV RNA and refer to hepatology"
    elif unreadable or hcv_due or core_warning:
        summary = "Positive or unreadable hepatitis B/C result before immunosuppression: specialist review"
    elif missing:
        summary = "Hepatitis B/C screening missing before immunosuppression"
    else:
        summary = "Isolated anti-HBc: monitor ALT and HBV DNA every 1-3 months during immunosuppression"
    to_order = missing + ((Lab.HCV_RNA,) if hcv_due else ())
    to_order += tuple(lab for lab in _monitoring_orders(facts, params) if core and lab is Lab.HBV_DNA)
    suggestion = order_suggestion(facts, to_order, "Hepatitis B/C before immunosuppression",
                                  "Order " + ", ".join(NAMES[lab] for lab in to_order)) if to_order else None
    return Finding(
        indicator=Indicator.WARNING if warning else Indicator.INFO,
        summary=summary,
        detail=" ".join(parts) + f"\n\nGuideline: {STATEMENT}",
        facts_used=tuple(facts_used),
        suggestions=(suggestion,) if suggestion else (),
        about_drafts=draft_references(new),
    )


RECOMMENDATION = Recommendation(
    id="infection-screening",
    title="Hepatitis B/C screening before immunosuppression",
    citation=Citation(
        label="EULAR 2022 recommendations for screening and prophylaxis of chronic and opportunistic infections "
        "in AIIRD (Fragoulis et al., Ann Rheum Dis 2023;82:742-753); AASLD 2018 hepatitis B guidance (Terrault "
        "et al., Hepatology 2018;67:1560-1599); EASL 2017 HBV guideline",
        url="https://doi.org/10.1136/ard-2022-223335",
        statement=STATEMENT,
        strength="EULAR 2022 and AASLD 2018 recommendations (grades not restated here); see docs/evidence.md#hepatitis-b",
    ),
    trigger=(
        "Active IIM and a current immunosuppressant (methotrexate, azathioprine, mycophenolate, tacrolimus, "
        "ciclosporin, cyclophosphamide, rituximab, scheduled systemic glucocorticoid). Warning at any time: latest "
        "interpretable HBsAg (LOINC 5196-1/5195-3/75410-1) positive or chronic hepatitis B coded, no current "
        "entecavir/tenofovir, no rituximab. On a draft or an order started within recent_start_days: info when "
        "HBsAg, anti-HBc (16933-4/13952-7) or HCV antibody (13955-0/16128-1) is never on record (new non-"
        "methotrexate agent or glucocorticoid >= min_mg_per_day); warning when HCV antibody positive, a result unreadable, or "
        "isolated anti-HBc with glucocorticoid >= min_mg_per_day or cyclophosphamide; info for isolated anti-HBc "
        "on other agents; no HBV card while rituximab is current (rituximab-hbv)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.INFO}),
    evaluate=evaluate,
    parameters={
        "min_mg_per_day": Parameter(20, "prednisone-equivalent mg/day from which a new glucocorticoid needs "
                                    "screening", "docs/evidence.md#hepatitis-b"),
        "recent_start_days": Parameter(90, "an order on record started within this many days counts as new "
                                       "(patient-view)", "policy: 'new order' given a window "
                                       "without a window"),
        "hbv_monitoring_interval_days": Parameter(
            90, "isolated anti-HBc on continuing immunosuppression: HBV DNA (and ALT) due when none is this recent",
            "AASLD 2018 HBV guidance (Terrault et al.): ALT and HBV DNA every 1-3 months; the 3-month upper end"),
        "hcv_rna_window_days": Parameter(
            365, "hepatitis C coded or HCV antibody positive: an HCV RNA this recent answers the question",
            "policy: EULAR 2022 asks for HCV RNA in HCV antibody-positive patients before immunosuppression; the "
            "one-year window is the service's choice"),
    },
    asserts_absence_of=frozenset({"Observation"}),
)
