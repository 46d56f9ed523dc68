"""Teratogens (methotrexate, mycophenolate, cyclophosphamide) and pregnancy (docs/evidence.md#teratogens).

FDA methotrexate label: contraindicated in pregnancy for non-neoplastic disease. ACR 2020
reproductive health guideline (secondary source): discontinue methotrexate, mycophenolate and cyclophosphamide
before pregnancy (wash-out intervals not retrieved (unverified)). Mycophenolate REMS / MHRA (secondary source): counsel;
two pregnancy tests, the second 8-10 days after the first and immediately before starting;
effective contraception during treatment and for 6 weeks after stopping; men: condoms during
treatment and for at least 90 days after.

When (any patient, not only myositis): a current methotrexate, mycophenolate (mofetil or acid) or
cyclophosphamide order, and
- pregnancy: a pregnancy Condition, or the latest hCG within `hcg_window_days` positive -> critical,
  with a suggestion to remove the draft order;
- pregnancy planned (Condition) -> warning: stop before conception;
- of childbearing potential (female 12-55, no menopause/hysterectomy; the card says "if") and the
  drug is being ordered (draft) -> warning: confirm a negative pregnancy test and effective
  contraception, with a urine hCG order suggestion (LOINC 2106-3).
"""

from __future__ import annotations

from fhir_mappings.concepts import TERATOGENS, Condition, Drug, Lab, Qualitative
from fhir_mappings.facts import ClinicalFacts, LabResult, MedicationOrder
from fhir_mappings.numbers import years
from hooks.actions import delete_draft
from hooks.criteria import describe, draft_references, measured_within
from hooks.lab_orders import lab_order
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


def _remove_draft_suggestions(drafts: tuple[MedicationOrder, ...]) -> tuple[Suggestion, ...]:
    return tuple(
        Suggestion(
            label=f"Remove the {m.display} draft order",
            actions=(delete_draft(m),),
            is_recommended=len(drafts) == 1,
        )
        for m in drafts
        if m.reference
    )


def _pregnancy_test_suggestion(facts: ClinicalFacts) -> Suggestion:
    create = lab_order(
        facts.patient.reference, URINE_HCG,
        "Pregnancy test before a teratogenic drug (methotrexate / mycophenolate / cyclophosphamide)",
        "Draft order: urine hCG pregnancy test",
    )
    return Suggestion(label="Order a urine pregnancy test (hCG)", actions=(create,), is_recommended=True)


def evaluate(facts: ClinicalFacts, params: Params) -> Finding | None:
    orders = facts.current(TERATOGENS)
    if not orders:
        return None
    drafts = tuple(m for m in orders if m.is_draft)
    pregnancy = facts.conditions_of(Condition.PREGNANCY)
    hcg = _positive_hcg(facts, params["hcg_window_days"])
    planned = facts.conditions_of(Condition.PREGNANCY_PLANNED)
    mycophenolate = any(m.drug in MYCOPHENOLATES for m in orders)
    facts_used = [describe(m) for m in orders]
    latest_hcg = facts.latest(Lab.HCG)

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
                    "Stop or do not start the drug and discuss with obstetrics and rheumatology.",
                ]
            ),
            facts_used=tuple(facts_used),
            suggestions=_remove_draft_suggestions(drafts),
            about_drafts=draft_references(drafts),
        )
    if planned:
        facts_used += [f"Pregnancy planned: {c.display}" for c in planned]
        return Finding(
            indicator=Indicator.WARNING,
            summary="Pregnancy planned on a teratogenic drug: plan to stop it before conception",
            detail="\n\n".join([WASHOUT_NOTE] + ([MYCOPHENOLATE_REMS] if mycophenolate else [])),
            facts_used=tuple(facts_used),
            about_drafts=draft_references(drafts),
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
            ),
            facts_used=tuple(facts_used),
            suggestions=(_pregnancy_test_suggestion(facts),),
            about_drafts=draft_references(drafts),
        )
    return None


RECOMMENDATION = Recommendation(
    id="teratogen-pregnancy",
    title="Teratogenic immunosuppressants and pregnancy",
    citation=Citation(
        label="FDA methotrexate labeling (boxed warning); ACR 2020 reproductive health guideline (Sammaritano et al.); "
        "mycophenolate REMS",
        url="https://doi.org/10.1002/art.41191",
        statement="Methotrexate is contraindicated in pregnancy for non-neoplastic disease; discontinue methotrexate, "
        "mycophenolate and cyclophosphamide before pregnancy; mycophenolate requires pregnancy testing and "
        "contraception (REMS).",
        strength="FDA label; ACR 2020 (secondary source); REMS (secondary source)",
    ),
    trigger=(
        "Any patient with a current or draft methotrexate (RxNorm 6851), mycophenolate (68149 / 7145) or "
        "cyclophosphamide (3002) order, and: pregnancy Condition (Z33.1, O-chapter, SCT 77386006) or latest hCG "
        "(LOINC 2106-3 / 2118-8) positive within hcg_window_days -> critical; pregnancy planned -> warning; "
        "childbearing potential (female 12-55, no menopause/hysterectomy) with a draft order -> warning"
    ),
    hooks=ALL_HOOKS,
    indicators=frozenset({Indicator.WARNING, Indicator.CRITICAL}),
    evaluate=evaluate,
    parameters={
        "hcg_window_days": Parameter(30, "how recent a positive hCG must be to count as pregnancy", "docs/evidence.md#teratogens"),
    },
    requires_myositis=False,
    asserts_absence_of=frozenset({"Condition", "Observation"}),
)
