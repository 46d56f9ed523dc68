"""Risk patients for the order-safety tests: base patients that make the order-offering
recommendations fire, and the risks (eGFR 20, pregnancy, a 20 kg child ...) laid over them.

A risk is a function of `ClinicalFacts` that returns the same patient with that risk added, so
every base patient can be combined with every risk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Allergy, Condition, Drug, Lab, MyositisSubtype
from fhir_mappings.facts import ClinicalFacts, Measurement, MedicationOrder
from fhir_mappings.medications import map_medication_request
from fhir_mappings.parse import build_facts
from hooks.recommendation import ORDER_SELECT
from tests.factories import NOW, TODAY, condition, facts, order, result

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
EGFR_UNIT = "mL/min/{1.73_m2}"
NORMAL_EGFR = result(Lab.EGFR, value=90, unit=EGFR_UNIT, days_ago=20)


def draft(rxcui: str, display: str, dose: float, unit: str = "mg", *, frequency: int = 1, period: float = 1,
          period_unit: str = "d", draft_id: str = "draft-1") -> MedicationOrder:
    """A draft order read from a real MedicationRequest, so that suggestions can update it."""
    resource = medication_request(patient_reference="Patient/example", rxnorm_code=rxcui, display=display,
                                  dose_value=dose, dose_unit=unit, frequency=frequency, period=period,
                                  period_unit=period_unit, text=f"{dose:g} {unit}")
    resource["id"] = draft_id
    outcome = map_medication_request(resource, medications={}, today=TODAY, weight_kg=None, bsa_m2=None,
                                     is_draft=True, selections=None)
    return outcome.orders[0]


def _base(**overrides) -> ClinicalFacts:
    overrides.setdefault("results", (NORMAL_EGFR,))
    return facts(**overrides)


PREDNISONE_40 = order(Drug.PREDNISONE, 40, days=50)

#: Patients that make the recommendations offering one-click medication orders fire.
BASE_PATIENTS: dict[str, Callable[[], ClinicalFacts]] = {
    "dm-on-prednisone-alone": lambda: _base(medications=(PREDNISONE_40,)),
    "dm-with-osteoporosis-on-prednisone": lambda: _base(
        conditions=(condition(Condition.OSTEOPOROSIS),), medications=(PREDNISONE_40,)),
    "methotrexate-without-folate": lambda: _base(medications=(order(Drug.METHOTREXATE, 15, 1 / 7),)),
    "dapsone-without-g6pd": lambda: _base(medications=(PREDNISONE_40, order(Drug.DAPSONE, 100))),
    "daily-methotrexate-draft": lambda: _base(hook=ORDER_SELECT, medications=(
        draft("105585", "Methotrexate 2.5 MG Oral Tablet", 15),)),
    "too-high-prednisone-draft": lambda: _base(hook=ORDER_SELECT, medications=(
        draft("312615", "Prednisone 20 MG Oral Tablet", 120),)),
    "too-high-mycophenolate-draft": lambda: _base(hook=ORDER_SELECT, medications=(
        PREDNISONE_40, draft("200060", "mycophenolate mofetil 500 MG Oral Tablet", 2000, frequency=2))),
    "methotrexate-draft-with-ild": lambda: _base(hook=ORDER_SELECT, conditions=(
        condition(Condition.INTERSTITIAL_LUNG_DISEASE),), medications=(
        PREDNISONE_40, draft("105585", "Methotrexate 2.5 MG Oral Tablet", 15, period_unit="wk"))),
    "juvenile-dm-prednisone-draft": lambda: _base(
        hook=ORDER_SELECT, myositis=MyositisSubtype.JUVENILE_DERMATOMYOSITIS, age=10, weight_kg=30, height_cm=135,
        medications=(draft("312615", "Prednisone 20 MG Oral Tablet", 100),)),
}


def fixture_patients() -> dict[str, Callable[[], ClinicalFacts]]:
    """Every hook request in fixtures/requests, as a base patient."""
    patients = {}
    for path in sorted(FIXTURES.glob("*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))
        patients[f"fixture:{path.stem}"] = (
            lambda r=request: build_facts(r["hook"], r["context"], r.get("prefetch", {}), NOW))
    return patients


def _with(f: ClinicalFacts, **changes) -> ClinicalFacts:
    return replace(f, **changes)


def _egfr(value: float) -> Callable[[ClinicalFacts], ClinicalFacts]:
    latest = result(Lab.EGFR, value=value, unit=EGFR_UNIT, days_ago=1)
    return lambda f: _with(f, results=(*f.results, latest))


def _add_condition(concept: Condition) -> Callable[[ClinicalFacts], ClinicalFacts]:
    return lambda f: _with(f, conditions=(*f.conditions, condition(concept)))


def _woman(f: ClinicalFacts, *extra: Condition) -> ClinicalFacts:
    patient = replace(f.patient, sex="female", age_years=30, childbearing_potential=True)
    return _with(f, patient=patient, conditions=(*f.conditions, *(condition(c) for c in extra)))


def _child(f: ClinicalFacts, weight: float | None) -> ClinicalFacts:
    measured = NOW - timedelta(days=5)
    return _with(f, patient=replace(f.patient, age_years=8),
                 weight_kg=Measurement(weight, measured) if weight is not None else None,
                 height_cm=Measurement(125, measured))


RISKS: dict[str, Callable[[ClinicalFacts], ClinicalFacts]] = {
    "egfr-20": _egfr(20),
    "egfr-40": _egfr(40),
    "cirrhosis": _add_condition(Condition.LIVER_DISEASE),
    "pregnant": lambda f: _woman(f, Condition.PREGNANCY),
    "breastfeeding": lambda f: _woman(f, Condition.BREASTFEEDING),
    "childbearing-potential": _woman,
    "child-20-kg": lambda f: _child(f, 20),
    "child-without-weight": lambda f: _child(f, None),
    "adult-without-weight": lambda f: _with(f, weight_kg=None),
    "dysphagia": _add_condition(Condition.DYSPHAGIA),
    "sulfonamide-allergy": lambda f: _with(f, allergies=f.allergies | {Allergy.SULFONAMIDE}),
    "methotrexate-allergy": lambda f: _with(f, drug_allergies=f.drug_allergies | {Drug.METHOTREXATE}),
    "on-allopurinol": lambda f: _with(f, medications=(*f.medications, order(Drug.ALLOPURINOL, 300))),
}
