"""Suggestion actions on medication orders, built one way for every recommendation.

CDS Hooks 2.0: a `delete` action names the resource by its relative `resourceId`
("MedicationRequest/123") and carries no resource; an `update` action carries the resource in its
entirety (fhir_mappings.builders builds it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir_mappings.builders import medication_request, stopped_medication_request, updated_medication_request
from fhir_mappings.concepts import Route
from fhir_mappings.facts import MedicationOrder
from hooks.recommendation import Action


def new_order(patient_reference: str | None, product: tuple[str, str], description: str, *, dose_value: float,
              dose_unit: str, frequency: int, period: float, period_unit: str, text: str,
              route: Route = Route.ORAL) -> Action:
    """Create a draft MedicationRequest for `product` (RxCUI, display): a `create` action."""
    code, display = product
    resource = medication_request(
        patient_reference=patient_reference, rxnorm_code=code, display=display, dose_value=dose_value,
        dose_unit=dose_unit, frequency=frequency, period=period, period_unit=period_unit, text=text, route=route,
    )
    return Action("create", description, resource)


AZATHIOPRINE_50_MG_TABLET = ("197388", "Azathioprine 50 MG Oral Tablet")
AZATHIOPRINE_START_TEXT = "Azathioprine 50 mg by mouth once daily; titrate to 2-3 mg/kg/day after TPMT/NUDT15 result"
MYCOPHENOLATE_500_MG_TABLET = ("200060", "mycophenolate mofetil 500 MG Oral Tablet")
MYCOPHENOLATE_START_TEXT = "Mycophenolate mofetil 500 mg by mouth twice daily"


def start_azathioprine(patient_reference: str | None, description: str) -> Action:
    """Draft azathioprine 50 mg once daily, to be titrated after the TPMT/NUDT15 result."""
    return new_order(patient_reference, AZATHIOPRINE_50_MG_TABLET, description, dose_value=50, dose_unit="mg",
                     frequency=1, period=1, period_unit="d", text=AZATHIOPRINE_START_TEXT)


def start_mycophenolate(patient_reference: str | None, description: str) -> Action:
    """Draft mycophenolate mofetil 500 mg twice daily (starting dose)."""
    return new_order(patient_reference, MYCOPHENOLATE_500_MG_TABLET, description, dose_value=500, dose_unit="mg",
                     frequency=2, period=1, period_unit="d", text=MYCOPHENOLATE_START_TEXT)


ATOVAQUONE_INGREDIENT = ("60212", "atovaquone")
ZOLEDRONIC_ACID_INGREDIENT = ("77655", "zoledronic acid")


def start_atovaquone(patient_reference: str | None) -> Action:
    """Draft atovaquone 1500 mg once daily, the adult PJP prophylaxis dose (the order-safety check sets a
    child's dose by weight)."""
    return new_order(
        patient_reference, ATOVAQUONE_INGREDIENT, "Draft order: atovaquone 1500 mg orally once daily",
        dose_value=1500, dose_unit="mg", frequency=1, period=1, period_unit="d",
        text="Atovaquone oral suspension 1500 mg (10 mL of 750 mg/5 mL) once daily with a fatty meal",
    )


def start_zoledronic_acid(patient_reference: str | None) -> Action:
    """Draft zoledronic acid 5 mg IV once yearly (Reclast label: treatment and prevention of
    glucocorticoid-induced osteoporosis)."""
    return new_order(
        patient_reference, ZOLEDRONIC_ACID_INGREDIENT, "Draft order: zoledronic acid 5 mg IV once yearly",
        dose_value=5, dose_unit="mg", frequency=1, period=1, period_unit="a", route=Route.INTRAVENOUS,
        text="Zoledronic acid 5 mg in 100 mL by intravenous infusion over at least 15 minutes, once yearly; "
        "hydrate first; calcium and vitamin D replete",
    )


def delete_draft(order: MedicationOrder, description: str | None = None) -> Action:
    """Remove a draft order: a `delete` action with its relative reference and no resource."""
    if not order.is_draft or not order.reference:
        raise ValueError(f"only a draft order with an id can be deleted: {order.display}")
    return Action("delete", description or f"Remove the draft order {order.display}", resource_id=order.reference)


def update_draft(order: MedicationOrder, description: str, *, text: str, dose_value: float | None = None,
                 dose_unit: str | None = None, frequency: int | None = None, period: float | None = None,
                 period_unit: str | None = None) -> Action:
    """Change a draft order's dose and/or schedule (`updated_medication_request`; what is not given
    is kept as sent, a patient instruction is replaced by `text`)."""
    if not order.is_draft or not order.resource:
        raise ValueError(f"only a draft order sent as a resource can be updated: {order.display}")
    resource = updated_medication_request(
        order.resource, text=text, dose_value=dose_value, dose_unit=dose_unit, frequency=frequency,
        period=period, period_unit=period_unit,
    )
    return Action("update", description, resource)


def stop_order(order: MedicationOrder, patient_reference: str | None, description: str | None = None) -> Action:
    """Stop an order on record: an `update` action setting its status to `stopped`."""
    if order.is_draft or not order.reference:
        raise ValueError(f"only an order on record with an id can be stopped: {order.display}")
    resource = stopped_medication_request(
        order.resource, reference=order.reference, intent=order.intent, rxnorm_code=order.rxnorm,
        display=order.display, patient_reference=patient_reference,
    )
    return Action("update", description or f"Stop {order.display}", resource)


def one_mg_dose(resource: Mapping[str, Any]) -> bool:
    """True when the order has one dosage instruction with one dose in mg, so a suggestion can
    change that dose without guessing what the other doses or units meant."""
    dosages = resource.get("dosageInstruction") or []
    if len(dosages) != 1 or len(dosages[0].get("doseAndRate") or []) != 1:
        return False
    quantity = dosages[0]["doseAndRate"][0].get("doseQuantity") or {}
    return (quantity.get("code") or quantity.get("unit")) == "mg"
