"""Registry-wide: every draft order of a drug the service knows meets the order-safety check (issue 20).

For every drug (a draft MedicationRequest at a usual adult dose) and every risk of tests/risk_patients.py,
the draft goes through the whole engine on order-sign, as in production. The oracle of
tests/test_order_safety_registry.py states each dimension in its own terms, independently of
hooks/order_safety: where the draft breaks it, the response carries a draft-order-safety card about that
draft (critical where a label or guideline contraindicates it), and the card's one-click fix breaks no
dimension and draws no card when posted back. On a patient without risk no draft gets a card, and no
response changes one draft on two cards.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import TERATOGENS, Drug, Route
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.medications import map_medication_request
from hooks import engine
from hooks.consolidate import order_key
from hooks.order_safety.drafts import DRAFT_ORDER_SAFETY
from hooks.recommendation import ORDER_SIGN, Action, Result, Suggestion
from hooks.registry import all_recommendations
from tests.factories import TODAY, facts
from tests.risk_patients import NORMAL_EGFR, RISKS
from tests.test_order_safety_registry import SETTINGS, offered, violation

#: drug -> (RxCUI or None for a draft named by text only, name, dose, unit, times per period, period, period unit,
#: route): a usual adult dose, product-level where the service suggests that product.
DRAFTS: dict[Drug, tuple] = {
    Drug.PREDNISONE: ("312615", "Prednisone 20 MG Oral Tablet", 40, "mg", 1, 1, "d"),
    Drug.PREDNISOLONE: ("8638", "prednisolone", 40, "mg", 1, 1, "d"),
    Drug.METHYLPREDNISOLONE: ("6902", "methylprednisolone", 32, "mg", 1, 1, "d"),
    Drug.DEXAMETHASONE: ("3264", "dexamethasone", 4, "mg", 1, 1, "d"),
    Drug.HYDROCORTISONE: ("5492", "hydrocortisone", 20, "mg", 1, 1, "d"),
    Drug.METHOTREXATE: ("105585", "Methotrexate 2.5 MG Oral Tablet", 15, "mg", 1, 1, "wk"),
    Drug.FOLIC_ACID: (None, "folic acid 1 mg tablet", 1, "mg", 1, 1, "d"),
    Drug.LEUCOVORIN: ("6313", "leucovorin", 5, "mg", 1, 1, "wk"),
    Drug.AZATHIOPRINE: ("197388", "Azathioprine 50 MG Oral Tablet", 150, "mg", 1, 1, "d"),
    Drug.MERCAPTOPURINE: ("103", "mercaptopurine", 75, "mg", 1, 1, "d"),
    Drug.MYCOPHENOLATE_MOFETIL: ("200060", "mycophenolate mofetil 500 MG Oral Tablet", 1000, "mg", 2, 1, "d"),
    Drug.MYCOPHENOLIC_ACID: ("7145", "mycophenolic acid", 720, "mg", 2, 1, "d"),
    Drug.TACROLIMUS: ("42316", "tacrolimus", 2, "mg", 2, 1, "d"),
    Drug.CICLOSPORIN: ("3008", "cyclosporine", 100, "mg", 2, 1, "d"),
    Drug.CYCLOPHOSPHAMIDE: ("3002", "cyclophosphamide", 750, "mg", 1, 1, "mo", Route.INTRAVENOUS),
    Drug.RITUXIMAB: ("121191", "rituximab", 1000, "mg", 1, 2, "wk", Route.INTRAVENOUS),
    Drug.IVIG: (None, "immune globulin intravenous", 140000, "mg", 1, 1, "mo", Route.INTRAVENOUS),
    Drug.HYDROXYCHLOROQUINE: ("5521", "hydroxychloroquine", 400, "mg", 1, 1, "d"),
    Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM: ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet", 1,
                                         "{tbl}", 1, 1, "d"),
    Drug.ATOVAQUONE: ("60212", "atovaquone", 1500, "mg", 1, 1, "d"),
    Drug.DAPSONE: ("197557", "Dapsone 100 MG Oral Tablet", 100, "mg", 1, 1, "d"),
    Drug.ALENDRONATE: ("904431", "Alendronic acid 70 MG Oral Tablet", 70, "mg", 1, 1, "wk"),
    Drug.RISEDRONATE: ("73056", "risedronate", 35, "mg", 1, 1, "wk"),
    Drug.IBANDRONATE: ("115264", "ibandronate", 150, "mg", 1, 1, "mo"),
    Drug.ZOLEDRONIC_ACID: ("77655", "zoledronic acid", 5, "mg", 1, 1, "a", Route.INTRAVENOUS),
    Drug.DENOSUMAB: (None, "denosumab", 60, "mg", 1, 6, "mo", Route.SUBCUTANEOUS),
    Drug.CALCIUM: ("1897", "calcium carbonate", 1250, "mg", 2, 1, "d"),
    Drug.ATORVASTATIN: ("83367", "atorvastatin", 20, "mg", 1, 1, "d"),
    Drug.ALLOPURINOL: ("519", "allopurinol", 300, "mg", 1, 1, "d"),
    Drug.FEBUXOSTAT: (None, "febuxostat", 80, "mg", 1, 1, "d"),
}
#: Where a label or guideline contraindicates the draft: a critical card.
CRITICAL = {
    "egfr-20": {Drug.METHOTREXATE, Drug.ZOLEDRONIC_ACID},
    "cirrhosis": {Drug.METHOTREXATE},
    "pregnant": set(TERATOGENS),
    "breastfeeding": set(TERATOGENS),
    "sulfonamide-allergy": {Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM},
    "methotrexate-allergy": {Drug.METHOTREXATE},
    "on-allopurinol": {Drug.AZATHIOPRINE, Drug.MERCAPTOPURINE},
}
#: Risks the draft check speaks to with a card; childbearing potential alone asks for contraception, which
#: teratogen-pregnancy says (the check offers the order with that note).
DRAFT_RISKS = sorted(set(RISKS) - {"childbearing-potential"})


def draft_resource(drug: Drug, draft_id: str = "draft-1") -> dict:
    code, name, dose, unit, frequency, period, period_unit, *route = DRAFTS[drug]
    resource = medication_request(patient_reference="Patient/example", rxnorm_code=code or "", display=name,
                                  dose_value=dose, dose_unit=unit, frequency=frequency, period=period,
                                  period_unit=period_unit, text=f"{name} {dose:g} {unit}",
                                  route=route[0] if route else Route.ORAL)
    if code is None:
        resource["medicationCodeableConcept"] = {"text": name}
    resource["id"] = draft_id
    return resource


def as_drafts(*resources: dict) -> tuple[MedicationOrder, ...]:
    return tuple(o for r in resources for o in map_medication_request(
        r, medications={}, today=TODAY, weight_kg=None, bsa_m2=None, is_draft=True, selections=None).orders)


def no_risk_patient(*resources: dict) -> ClinicalFacts:
    return facts(hook=ORDER_SIGN, results=(NORMAL_EGFR,), medications=as_drafts(*resources))


def results(f: ClinicalFacts) -> list[Result]:
    return engine.evaluate(all_recommendations(), f, SETTINGS, strict=True)


def draft_card(shown: list[Result], draft_id: str = "draft-1") -> Result | None:
    """The draft check's finding about this draft: a card of its own, or a part of the drug's start card."""
    about = [part for r in shown for part in r.findings() if part.recommendation is DRAFT_ORDER_SAFETY
             and f"MedicationRequest/{draft_id}" in part.finding.about_drafts]
    assert len(about) <= 1
    return about[0] if about else None


def offered_by(resource: dict):
    return list(offered((Suggestion("draft", (Action("create", "", resource),)),)))


def test_every_drug_of_the_table_is_read_as_itself():
    """The table is not vacuous: each draft is read as the drug it names."""
    for drug in DRAFTS:
        assert [o.drug for o in as_drafts(draft_resource(drug))] == [drug], drug


@pytest.mark.parametrize("drug", sorted(DRAFTS), ids=str)
def test_a_draft_on_a_patient_without_risk_gets_no_card(drug):
    assert draft_card(results(no_risk_patient(draft_resource(drug)))) is None


@pytest.mark.parametrize("risk", DRAFT_RISKS)
def test_every_unsafe_draft_gets_its_card_and_a_fix_that_passes_the_check(risk):
    problems = []
    for drug in DRAFTS:
        resource = draft_resource(drug)
        f = RISKS[risk](no_risk_patient(resource))
        unsafe = [why for o in offered_by(resource) if (why := violation(risk, o))]
        card = draft_card(results(f))
        if unsafe and card is None:
            problems.append(f"{drug}: {unsafe[0]}, and no card")
            continue
        if card is None:
            continue
        critical = card.finding.indicator.value == "critical"
        if critical != (drug in CRITICAL.get(risk, set())):
            problems.append(f"{drug}: {card.finding.indicator.value}: {card.finding.summary}")
        problems += [f"{drug}: fix {p}" for p in fix_problems(card, f, risk)]
    assert not problems


def fix_problems(card: Result, f: ClinicalFacts, risk: str) -> list[str]:
    """What is wrong with the card's fixes: an order that breaks a dimension, or draws a card again."""
    problems = []
    for suggestion in card.finding.suggestions:
        changed = [a.resource for a in suggestion.actions if a.type in ("create", "update")]
        problems += [why for r in changed for o in offered_by(r) if (why := violation(risk, o))]
        kept = tuple(m for m in f.medications if not m.is_draft)
        fixed = replace(f, medications=kept + as_drafts(*changed))
        problems += [r.finding.summary for r in results(fixed) if r.recommendation is DRAFT_ORDER_SAFETY]
    return problems


@pytest.mark.parametrize("risk", DRAFT_RISKS)
def test_every_risk_has_a_draft_it_makes_unsafe(risk):
    """The oracle is not vacuous for drafts: each risk fires on some drug of the table."""
    assert any(violation(risk, o) for drug in DRAFTS for o in offered_by(draft_resource(drug)))


@pytest.mark.parametrize("risk", DRAFT_RISKS)
def test_no_response_says_a_draft_problem_twice(risk):
    """One card changes a given draft, and at most one critical card is about it."""
    for drug in DRAFTS:
        shown = results(RISKS[risk](no_risk_patient(draft_resource(drug))))
        changes = [k for r in shown for k in {order_key(a) for s in r.finding.suggestions for a in s.actions}
                   if k is not None and k[1] == "change"]
        assert len(changes) == len(set(changes)), (drug, [r.recommendation.id for r in shown])
        critical = [r.recommendation.id for r in shown
                    if r.finding.indicator.value == "critical" and "MedicationRequest/draft-1" in r.finding.about_drafts]
        assert len(critical) <= 1, (drug, critical)
