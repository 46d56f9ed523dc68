"""Teratogens (methotrexate, mycophenolate, cyclophosphamide) and pregnancy (docs/evidence.md#teratogens).

FDA methotrexate label: contraindicated in pregnancy for non-neoplastic disease. ACR 2020
reproductive health guideline (secondary source): discontinue methotrexate, mycophenolate and cyclophosphamide
before pregnancy (wash-out intervals not retrieved (unverified)). Mycophenolate REMS / MHRA (secondary source): counsel;
two pregnancy tests, the second 8-10 days after the first and immediately before starting;
effective contraception during treatment and for 6 weeks after stopping; men: condoms during
treatment and for at least 90 days after.

When (any patient, not only myositis): a current methotrexate, mycophenolate (mofetil or acid) or
cyclophosphamide order, and
- pregnancy: a pregnancy Condition, or the latest hCG within `hcg_window_days` positive -> critical
  for an order on record;
- breastfeeding (a breastfeeding Condition): warning for an order on record;
- pregnancy planned (Condition) -> warning for an order on record: stop before conception;
- a draft order in any of these states is the order-safety check's (`hooks.order_safety.drafts`: one
  critical card per draft, with its removal); this rule then says nothing about it;
- of childbearing potential (female 12-55, no menopause/hysterectomy; the card says "if") and the
  drug is being ordered (draft) -> warning: confirm a negative pregnancy test and effective
  contraception, with a urine hCG order suggestion (LOINC 2106-3);
- of childbearing potential and the drug current on record (no draft) -> info, with the hCG order
  suggestion, when the pregnancy test its source asks for is not on record: mycophenolate, no hCG
  within `mycophenolate_pregnancy_test_interval_days` (the label repeats pregnancy tests at routine
  follow-up visits, without a figure); methotrexate or cyclophosphamide, no hCG since the drug was
  started (their labels ask for a negative test before starting, with no repeat interval).
Cyclophosphamide being ordered for a patient up to `fertility_counselling_max_age_years` (any sex):
fertility counselling is added to the card, or is an info card of its own when no other fires. ACR
2020: offer GnRH-agonist (leuprolide) co-therapy to premenopausal women receiving monthly IV
cyclophosphamide, and sperm cryopreservation to men, before treatment.
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.concepts import TERATOGENS, Condition, Drug, Lab, Qualitative
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from fhir_mappings.numbers import years
from hooks.criteria import describe, draft_references, is_start, measured_within
from hooks.lab_orders import lab_order
from hooks.recommendation import (
    ALL_HOOKS,
    Citation,
    Finding,
    Indicator,
    Parameter,
    Params,
    Recommendation,
    StartCheck,
    Suggestion,
)

MYCOPHENOLATES = frozenset({Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID})
URINE_HCG = ("2106-3", "Choriogonadotropin (pregnancy test) [Presence] in Urine")

MYCOPHENOLATE_REMS = (
    "**Mycophenolate (REMS / MHRA):** counsel on the risk of miscarriage and birth defects; two negative "
    "pregnancy tests, the second 8-10 days after the first and immediately before starting; effective "
    "contraception during treatment and for 6 weeks after stopping; male patients: condoms during treatment and "
    "for at least 90 days after."
)
WASHOUT_NOTE = (
    "ACR 2020: discontinue methotrexate, mycophenolate and cyclophosphamide before conception. Wash-out intervals "
    "(commonly quoted: methotrexate 1-3 months, mycophenolate at least 6 weeks) were not verified; check the "
    "product label."
)


def _positive_hcg(facts: ClinicalFacts, window_days: int) -> LabResult | None:
    latest = facts.latest(Lab.HCG)
    if not measured_within(facts, latest, window_days) or latest.interpretation is not Qualitative.POSITIVE:
        return None
    return latest


def _pregnancy_test_suggestion(facts: ClinicalFacts) -> Suggestion:
    create = lab_order(
        facts.patient.reference, URINE_HCG,
        "Pregnancy test before a teratogenic drug (methotrexate / mycophenolate / cyclophosphamide)",
        "Draft order: urine hCG pregnancy test",
    )
    return Suggestion(label="Order a urine pregnancy test (hCG)", actions=(create,), is_recommended=True)


FERTILITY_NOTE = (
    "**Cyclophosphamide and fertility:** it is gonadotoxic. Before starting, counsel on infertility and premature "
    "ovarian insufficiency and discuss fertility preservation: GnRH-agonist (leuprolide) co-therapy for "
    "premenopausal women receiving monthly IV cyclophosphamide, sperm cryopreservation for men (ACR 2020)."
)


def _fertility_counselling_due(facts: ClinicalFacts, drafts: tuple[MedicationOrder, ...], params: Params) -> bool:
    age = facts.patient.age_years
    return any(m.drug is Drug.CYCLOPHOSPHAMIDE for m in drafts) and (
        age is None or age <= params["fertility_counselling_max_age_years"])


def _test_due(facts: ClinicalFacts, orders: tuple[MedicationOrder, ...], params: Params) -> list[MedicationOrder]:
    """The orders on record whose pregnancy test is not on record (see the module docstring)."""
    latest = next((r.when.date() for r in facts.results_of(Lab.HCG) if r.when is not None), None)
    due = []
    for order in orders:
        if order.drug in MYCOPHENOLATES:
            since = facts.today - timedelta(days=params["mycophenolate_pregnancy_test_interval_days"])
        else:
            since = order.start
        if latest is None or (since is not None and latest < since):
            due.append(order)
    return due


def _on_record_review(facts: ClinicalFacts, orders: tuple[MedicationOrder, ...], params: Params,
                      facts_used: list[str]) -> Finding | None:
    due = _test_due(facts, orders, params)
    if not due:
        return None
    mycophenolate = any(m.drug in MYCOPHENOLATES for m in due)
    interval = params["mycophenolate_pregnancy_test_interval_days"]
    return Finding(
        indicator=Indicator.INFO,
        summary="If of childbearing potential: pregnancy test and effective contraception on a teratogenic drug",
        detail="\n\n".join(
            ["If the patient can become pregnant: confirm effective contraception and order a pregnancy test "
             + (f"(mycophenolate: repeated at follow-up visits; due when none in the last {interval} days)."
                if mycophenolate else "(none is on record since the drug was started).")]
            + ([MYCOPHENOLATE_REMS] if mycophenolate else []) + [WASHOUT_NOTE]
        ),
        facts_used=tuple(facts_used),
        suggestions=(_pregnancy_test_suggestion(facts),),
    )


def _start_check(drafts: tuple[MedicationOrder, ...]) -> StartCheck | None:
    """The pregnancy test as a start-of-therapy check when one drug is being started (not renewed)."""
    drugs = {m.drug for m in drafts}
    return StartCheck(str(drugs.pop()), "pregnancy test if of childbearing potential") if len(drugs) == 1 else None


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current(TERATOGENS)
    if not orders:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    pregnancy = facts.conditions_of(Condition.PREGNANCY)
    hcg = _positive_hcg(facts, params["hcg_window_days"])
    planned = facts.conditions_of(Condition.PREGNANCY_PLANNED)
    breastfeeding = facts.conditions_of(Condition.BREASTFEEDING)
    if pregnancy or hcg or breastfeeding or planned:
        # The orders on record only: each draft gets its own critical card from the order-safety check.
        orders = tuple(m for m in orders if not m.is_draft)
        if not orders:
            return None
    mycophenolate = any(m.drug in MYCOPHENOLATES for m in orders)
    facts_used = [describe(m) for m in orders]
    latest_hcg = facts.latest(Lab.HCG)
    fertility = _fertility_counselling_due(facts, drafts, params)

    if pregnancy or hcg:
        facts_used += [f"Pregnancy: {c.display}" for c in pregnancy]
        facts_used += [f"Pregnancy test: {hcg.describe()}"] if hcg else []
        return Finding(
            indicator=Indicator.CRITICAL,
            summary="Teratogenic drug in pregnancy: methotrexate/mycophenolate/cyclophosphamide contraindicated",
            detail="\n\n".join(
                [
                    "Methotrexate is contraindicated in pregnancy for non-neoplastic disease (FDA boxed warning); "
                    "mycophenolate and cyclophosphamide are teratogenic. ACR 2020: these drugs are stopped before "
                    "and during pregnancy. Azathioprine is the usual steroid-sparing alternative when pregnancy is "
                    "present or planned.",
                    "Stop the drug and discuss with obstetrics and rheumatology.",
                ]
            ),
            facts_used=tuple(facts_used),
        )
    if breastfeeding:
        facts_used += [f"Breastfeeding: {c.display}" for c in breastfeeding]
        return Finding(
            indicator=Indicator.WARNING,
            summary="Breastfeeding: methotrexate/mycophenolate/cyclophosphamide are not compatible; review",
            detail="\n\n".join(
                [
                    "Review the drug with the patient: stop it, or stop breastfeeding.",
                    "ACR 2020 reproductive health: methotrexate, mycophenolate and cyclophosphamide are not "
                    "compatible with breastfeeding; the methotrexate label advises against breastfeeding.",
                ]
            ),
            facts_used=tuple(facts_used),
        )
    if planned:
        facts_used += [f"Pregnancy planned: {c.display}" for c in planned]
        return Finding(
            indicator=Indicator.WARNING,
            summary="Pregnancy planned on a teratogenic drug: plan to stop it before conception",
            detail="\n\n".join([WASHOUT_NOTE] + ([MYCOPHENOLATE_REMS] if mycophenolate else [])),
            facts_used=tuple(facts_used),
        )
    if drafts and facts.patient.childbearing_potential:
        facts_used.append(
            f"Female, {years(facts.patient.age_years)} years, no menopause or hysterectomy recorded"
            if facts.patient.age_years is not None else "Female of possible childbearing potential"
        )
        facts_used.append(f"Latest pregnancy test: {latest_hcg.describe()}" if latest_hcg else "No pregnancy test on record")
        return Finding(
            indicator=Indicator.WARNING,
            summary="If of childbearing potential: confirm a negative pregnancy test and effective contraception",
            detail="\n\n".join(
                [
                    "Methotrexate, mycophenolate and cyclophosphamide are teratogenic. If the patient can become "
                    "pregnant, confirm a negative pregnancy test before starting and effective contraception during "
                    "treatment (methotrexate label: effective contraception; post-treatment duration per current "
                    "label, not verified here).",
                ]
                + ([MYCOPHENOLATE_REMS] if mycophenolate else [])
                + [WASHOUT_NOTE]
                + ([FERTILITY_NOTE] if fertility else [])
            ),
            facts_used=tuple(facts_used),
            suggestions=(_pregnancy_test_suggestion(facts),),
            about_drafts=draft_references(drafts),
            start_check=_start_check(tuple(m for m in drafts if is_start(facts, m, 0))),
        )
    if not drafts and facts.patient.childbearing_potential:
        facts_used.append(f"Latest pregnancy test: {latest_hcg.describe()}" if latest_hcg
                          else "No pregnancy test on record")
        return _on_record_review(facts, orders, params, facts_used)
    if fertility:
        cyclophosphamide = tuple(m for m in drafts if m.drug is Drug.CYCLOPHOSPHAMIDE)
        return Finding(
            indicator=Indicator.INFO,
            summary="Before cyclophosphamide: fertility counselling and fertility preservation",
            detail=FERTILITY_NOTE,
            facts_used=tuple(describe(m) for m in cyclophosphamide)
            + ((f"Age {years(facts.patient.age_years)}",) if facts.patient.age_years is not None else ()),
            about_drafts=draft_references(cyclophosphamide),
        )
    return None


RECOMMENDATION = Recommendation(
    id="teratogen-pregnancy",
    title="Teratogenic immunosuppressants and pregnancy",
    citation=Citation(
        label="FDA methotrexate labeling (boxed warning); ACR 2020 reproductive health guideline (Sammaritano et al., "
        "Arthritis Rheumatol 2020;72:529-556); mycophenolate REMS",
        url="https://doi.org/10.1002/art.41191",
        statement="Methotrexate is contraindicated in pregnancy for non-neoplastic disease; discontinue methotrexate, "
        "mycophenolate and cyclophosphamide before pregnancy; mycophenolate requires pregnancy testing and "
        "contraception (REMS).",
        strength="FDA label; ACR 2020 (secondary source); REMS (secondary source)",
    ),
    trigger=(
        "Any patient with a current or draft methotrexate (RxNorm 6851), mycophenolate (68149 / 7145) or "
        "cyclophosphamide (3002) order, and: pregnancy Condition (Z33.1, O-chapter, SCT 77386006) or latest hCG "
        "(LOINC 2106-3 / 2118-8) positive within hcg_window_days -> critical; breastfeeding Condition (Z39.1, SCT "
        "413712001, 169750002) -> warning; pregnancy planned -> warning; each for an order on record (a draft in "
        "these states: draft-order-safety); "
        "childbearing potential (female 12-55, no menopause/hysterectomy) with a draft order -> warning; "
        "childbearing potential, order on record, no hCG within mycophenolate_pregnancy_test_interval_days "
        "(mycophenolate) or since the start (methotrexate, cyclophosphamide) -> info; draft cyclophosphamide, age "
        "<= fertility_counselling_max_age_years -> fertility counselling (on the card, or info)"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.INFO, Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "hcg_window_days": Parameter(
            294, "the latest hCG, when positive, counts as pregnancy for this many days (a pregnancy lasts up to 42 "
            "weeks) unless a later test is negative", "docs/evidence.md#teratogens"),
        "mycophenolate_pregnancy_test_interval_days": Parameter(
            90, "on mycophenolate, a pregnancy test is due when none is this recent (days)",
            "policy choice: the mycophenolate label repeats pregnancy tests at routine follow-up visits without a "
            "figure; set to the local follow-up interval"),
        "fertility_counselling_max_age_years": Parameter(
            50, "cyclophosphamide being ordered up to this age brings fertility counselling",
            "policy choice: ACR 2020 fertility preservation applies to patients who may want children"),
    },
    requires_myositis=False,
    asserts_absence_of=frozenset({"Condition", "Observation"}),
)
