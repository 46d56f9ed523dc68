"""Candidates of the order-safety checks, built from real suggested MedicationRequests."""

from __future__ import annotations

from fhir_mappings.builders import medication_request
from fhir_mappings.concepts import Lab
from fhir_mappings.suggested_orders import read_suggested_order
from hooks.order_safety import params as order_safety
from hooks.order_safety.decide import decide
from hooks.order_safety.decision import Candidate, Decision
from tests.factories import TODAY, result

PARAMS = order_safety.defaults()
EGFR_UNIT = "mL/min/{1.73_m2}"
NORMAL_EGFR = result(Lab.EGFR, value=90, unit=EGFR_UNIT)

METHOTREXATE = ("105585", "Methotrexate 2.5 MG Oral Tablet")
TMP_SMX_DS = ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet")
ALENDRONATE = ("904431", "Alendronic acid 70 MG Oral Tablet")
MYCOPHENOLATE = ("200060", "mycophenolate mofetil 500 MG Oral Tablet")
AZATHIOPRINE = ("197388", "Azathioprine 50 MG Oral Tablet")
ATOVAQUONE = ("60212", "atovaquone")
FOLIC_ACID = ("310410", "Folic Acid 1 MG Oral Tablet")
PREDNISONE = ("312615", "Prednisone 20 MG Oral Tablet")


def resource(product: tuple[str, str], dose: float, unit: str = "mg", *, frequency: int = 1, period: float = 1,
             period_unit: str = "d") -> dict:
    return medication_request(patient_reference="Patient/example", rxnorm_code=product[0], display=product[1],
                              dose_value=dose, dose_unit=unit, frequency=frequency, period=period,
                              period_unit=period_unit, text="as suggested")


def candidate(product: tuple[str, str], dose: float, unit: str = "mg", *, creates: bool = True, **schedule) -> Candidate:
    suggested = read_suggested_order(resource(product, dose, unit, **schedule), TODAY)
    return Candidate(suggested.orders[0], suggested, creates)


def weekly_methotrexate(mg: float = 15) -> Candidate:
    return candidate(METHOTREXATE, mg, period_unit="wk")


def tmp_smx_ds() -> Candidate:
    return candidate(TMP_SMX_DS, 1, "{tbl}")


def decision(facts, c: Candidate, **params) -> Decision:
    return decide(facts, c, {**PARAMS, **params})
