"""MedicationRequest (with its contained or referenced Medication) -> `MedicationOrder`s.

The drug is recognised by ingredient from, in order: verified RxNorm ingredient codes, product-level
RxNorm codes (the shipped product table), then RxNorm-style names in displays and text. A product of
two guideline ingredients without a combined concept (calcium + vitamin D) gives one order each.
Non-systemic forms (eye drops, creams, inhalers: topical tacrolimus, ciclosporin eye drops, a
hydrocortisone cream) are not the treatments the rules reason about and are left out, except
aerosolised pentamidine, which is PJP prophylaxis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from fhir_mappings.concepts import DOSING_COMPONENT, Drug, Route
from fhir_mappings.dosage import PROBLEM, DoseContext, has_unitless_amount, read_dose, total_course_days
from fhir_mappings.facts import MedicationOrder
from fhir_mappings.products import Product, combination_mg, component_count_form, count_form, product
from fhir_mappings.read import (
    add_days,
    as_list,
    codings,
    date_of,
    first_text,
    mapping,
    number,
    reference_id,
    string,
    texts,
)
from fhir_mappings.records import quick_init
from fhir_mappings.rxnames import Component, parse_product_name
from fhir_mappings.systems import RXNORM, SNOMED, V3_ROUTE, canonical
from fhir_mappings.units import MASS_MG, TIME_DAYS, VOLUME_ML, unit_keys
from fhir_mappings.valuesets import drug_for_ingredient_code, drugs_named

#: Drugs whose local form is still the therapy the rules look for.
LOCAL_FORMS_COUNT = frozenset({Drug.PENTAMIDINE})
#: Statuses of orders that were never given: not part of the regimen nor of its history.
NEVER_GIVEN = frozenset({"entered-in-error", "cancelled"})

ROUTES: dict[tuple[str, str], Route] = {
    (SNOMED, "26643006"): Route.ORAL,
    (SNOMED, "47625008"): Route.INTRAVENOUS,
    (SNOMED, "34206005"): Route.SUBCUTANEOUS,
    (SNOMED, "78421000"): Route.INTRAMUSCULAR,
    (V3_ROUTE, "PO"): Route.ORAL,
    (V3_ROUTE, "IVINJ"): Route.INTRAVENOUS,
    (V3_ROUTE, "IVINFUS"): Route.INTRAVENOUS,
    (V3_ROUTE, "IV"): Route.INTRAVENOUS,
    (V3_ROUTE, "SQ"): Route.SUBCUTANEOUS,
    (V3_ROUTE, "SC"): Route.SUBCUTANEOUS,
    (V3_ROUTE, "IM"): Route.INTRAMUSCULAR,
}
_ROUTE_WORDS: tuple[tuple[re.Pattern[str], Route], ...] = (
    (re.compile(r"\b(oral|by mouth|po|per os|tablet|capsule)\b", re.I), Route.ORAL),
    (re.compile(r"\b(intravenous|iv|i\.v\.|infusion)\b", re.I), Route.INTRAVENOUS),
    (re.compile(r"\b(subcutaneous|subcut|sc|sq|s\.c\.)\b", re.I), Route.SUBCUTANEOUS),
    (re.compile(r"\b(intramuscular|im|i\.m\.)\b", re.I), Route.INTRAMUSCULAR),
)
#: Dose forms and routes that are not systemic (matched in product names, dose forms and routes).
_LOCAL = re.compile(
    r"\b(topical|cream|ointment|lotion|gel|foam|shampoo|ophthalmic|eye|otic|ear|nasal|inhal\w*|"
    r"rectal|enema|suppositor\w*|vaginal|transdermal|dental|mouthwash|intra-?articular|"
    r"intralesional|cutaneous)\b",
    re.I,
)


@lru_cache(maxsize=4096)
def _names_local_form(text: str) -> bool:
    """Whether a product name, dose form or route text names a non-systemic form (`_LOCAL`); names repeat
    across orders and records, and the pattern takes microseconds per text."""
    return _LOCAL.search(text) is not None


UNITLESS_NOTE = "unitless dose amount read as a number of tablets or capsules of the product"


@quick_init
@dataclass(frozen=True)
class MedicationOutcome:
    """The orders of one MedicationRequest; `recognised` is False when no guideline drug was found."""

    orders: tuple[MedicationOrder, ...]
    recognised: bool
    notes: tuple[str, ...] = ()
    #: The `medicationReference` that could not be resolved when nothing else names the drug: the
    #: order is present, but which drug it is cannot be read.
    unresolved: str | None = None


@quick_init
@dataclass(frozen=True)
class _Identified:
    drug: Drug
    rxnorm: str | None
    display: str
    mg_per_unit: float | None
    mg_per_ml: float | None
    dose_form: str
    #: Why the product code and the order's own name disagree on the strength (no dose is read then).
    conflict: str | None = None
    #: For a component code without a dose form: the countable unit all its products come in.
    component_form: str | None = None

    @property
    def count_form(self) -> str | None:
        """"tablet" or "capsule" when a unitless amount counts those units of the product."""
        return count_form(self.dose_form) or self.component_form


def map_medication_request(
    resource: Mapping[str, Any],
    *,
    medications: Mapping[str, Mapping[str, Any]],
    today: date,
    weight_kg: float | None,
    bsa_m2: float | None,
    is_draft: bool,
    selections: frozenset[str] | None,
) -> MedicationOutcome:
    """Map one MedicationRequest. `medications` holds Medication resources by reference
    ("Medication/1"); `selections` is None when the hook sends none (order-sign: all drafts selected)."""
    status = string(resource.get("status")) or "unknown"
    if status in NEVER_GIVEN and not is_draft:
        return MedicationOutcome((), False, (f"MedicationRequest with status {status} ignored",))
    medication = _medication(resource, medications)
    concept = resource.get("medicationCodeableConcept")
    reference_display = string(mapping(resource.get("medicationReference")).get("display"))
    identified = _identify(concept, medication, reference_display)
    if not identified:
        reference = reference_id(resource.get("medicationReference"))
        unnamed = reference is not None and not medication and not reference_display and not concept
        return MedicationOutcome((), False, unresolved=reference if unnamed else None)
    notes: list[str] = []
    intent = string(resource.get("intent"))
    if intent is None:
        notes.append("MedicationRequest without intent read as an order")
        intent = "order"
    resource_id = string(resource.get("id"))
    reference = f"{resource.get('resourceType') or 'MedicationRequest'}/{resource_id}" if resource_id else None
    dosages = as_list(resource.get("dosageInstruction"))
    route = _route(dosages)
    start = _start(resource)
    elapsed = float((today - start).days) if start and not is_draft else None
    named_form = " ".join([*texts(concept), *texts(medication.get("code")), *texts(medication.get("form")),
                           reference_display or ""])
    end = _end(resource, start, status, dosages, today)
    prior = reference_id(resource.get("priorPrescription"))
    orders = []
    for item in identified:
        local = route is Route.OTHER or _names_local_form(f"{item.dose_form} {named_form}")
        if local and item.drug not in LOCAL_FORMS_COUNT:
            notes.append("non-systemic form (cream, eye drops, inhaler ...) ignored")
            continue
        if item.conflict is not None:
            dose, problem = None, PROBLEM + item.conflict
        else:
            context = DoseContext(item.mg_per_unit, item.mg_per_ml, weight_kg, bsa_m2, elapsed,
                                  mg_of=DOSING_COMPONENT.get(item.drug, ""), count_form=item.count_form,
                                  combination_mg=combination_mg(item.drug) if item.drug in DOSING_COMPONENT else None)
            dose, problem = read_dose(dosages, context)
            if dose is not None and has_unitless_amount(dosages):
                notes.append(UNITLESS_NOTE)
        orders.append(MedicationOrder(
            drug=item.drug,
            display=item.display,
            status="draft" if is_draft else status,
            intent=intent,
            reference=reference,
            rxnorm=item.rxnorm,
            route=route or _route_from_form(item.dose_form),
            dose=dose,
            dose_problem=problem,
            start=start,
            end=end,
            is_draft=is_draft,
            is_selected=is_draft and (selections is None or (reference is not None and reference in selections)),
            strength_conflict=item.conflict,
            renews=relative_reference(prior) if prior else None,
            resource=resource,
        ))
    return MedicationOutcome(tuple(orders), bool(orders), tuple(notes))


#: MedicationStatement.status -> the MedicationRequest status it reads as (not-taken: never given).
_STATEMENT_STATUS = {"active": "active", "intended": "active", "on-hold": "on-hold", "completed": "completed",
                     "stopped": "stopped", "not-taken": "cancelled", "entered-in-error": "entered-in-error",
                     "unknown": "unknown"}


def statement_as_request(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A MedicationStatement (the IPS and patient-reported shape of "current medication") in the
    fields `map_medication_request` reads: status, medication, dosage and when it started and ended.
    An intended medication is planned (intent `plan`); a taken one is on the regimen (intent `order`)."""
    status = string(statement.get("status")) or "unknown"
    period = mapping(statement.get("effectivePeriod"))
    started = statement.get("effectiveDateTime") or period.get("start") or statement.get("dateAsserted")
    request: dict[str, Any] = {
        key: statement[key] for key in ("resourceType", "id", "contained", "medicationCodeableConcept",
                                        "medicationReference") if key in statement}
    request.update(status=_STATEMENT_STATUS.get(status, "unknown"), intent="plan" if status == "intended" else "order",
                   dosageInstruction=as_list(statement.get("dosage")))
    if started is not None:
        request["authoredOn"] = started
    if period:
        request["effectivePeriod"] = period
    return request


def _medication(resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    reference = reference_id(resource.get("medicationReference"))
    if reference is None:
        return {}
    if reference.startswith("#"):
        for contained in as_list(resource.get("contained")):
            contained = mapping(contained)
            if contained.get("resourceType") == "Medication" and contained.get("id") == reference[1:]:
                return contained
        return {}
    return medications.get(relative_reference(reference), {})


def order_text(resource: Mapping[str, Any], display: str = "") -> str:
    """An order as a clinician knows it: its medication's text and its dosage text
    ("Prednisone 20 mg tab, 3 tabs daily"), or the reference of an unnamed medication."""
    named = (first_text(resource.get("medicationCodeableConcept"))
             or string(mapping(resource.get("medicationReference")).get("display")) or display
             or reference_id(resource.get("medicationReference")) or "medication order")
    dosage = next((string(mapping(d).get("text")) for d in as_list(resource.get("dosageInstruction"))
                   if string(mapping(d).get("text"))), None)
    return f"{named}, {dosage}" if dosage and dosage.lower() not in named.lower() else named


def relative_reference(reference: str) -> str:
    """"Medication/1" from a relative or absolute reference ("https://ehr/fhir/Medication/1")."""
    parts = reference.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _identify(concept: Any, medication: Mapping[str, Any], reference_display: str | None) -> list[_Identified]:
    """Each guideline drug of the order, with its RxNorm code, strength and dose form if known.

    `reference_display` is `medicationReference.display`: Epic sends the name there, and the
    referenced Medication is often not in the prefetch."""
    concepts = [concept, medication.get("code")]
    ingredients = [mapping(i) for i in as_list(medication.get("ingredient"))]
    concepts.extend(i.get("itemCodeableConcept") for i in ingredients)
    rx_codes = tuple(code for c in concepts for system, code, _ in codings(c) if canonical(system) == RXNORM)
    names = [t for c in concepts for t in texts(c)]
    if reference_display:
        names.append(reference_display)
    named = _identify_named(rx_codes, tuple(names), " ".join(texts(medication.get("form"))))
    return [item if known else _strength_from_ingredients(item, ingredients) for item, known in named]


@lru_cache(maxsize=4096)
def _identify_named(rx_codes: tuple[str, ...], names: tuple[str, ...],
                    form: str) -> tuple[tuple[_Identified, bool], ...]:
    """The drugs the codes and names give, each with whether its strength is settled (else a
    Medication.ingredient strength may give it). Products and names repeat across orders and records,
    and reading them (product table, name parsing) is most of identifying an order."""
    found: dict[Drug, _Identified] = {}
    display = names[0] if names else ""
    for code in rx_codes:
        drug = drug_for_ingredient_code(code)
        if drug is not None and drug not in found:
            found[drug] = _Identified(drug, code, display or drug.value, None, None, form)
        item = product(code)
        if item is not None:
            for drug in item.drugs:
                found[drug] = _from_product(drug, item, names)
    for name in names:
        for drug in drugs_named(name):
            if drug not in found:
                found[drug] = _Identified(drug, None, name, None, None, form)
    settled = []
    for item in found.values():
        if item.mg_per_unit is not None:
            settled.append((item, True))
        else:
            from_names = _strength_from_names(item, names)
            settled.append((item, False) if from_names is None else (from_names, True))
    return tuple(settled)


def _from_product(drug: Drug, item: Product, names: Sequence[str]) -> _Identified:
    mg = item.mg_per_unit(drug)
    dose_form = item.dose_form or _named_form(names)
    return _Identified(drug, item.rxcui, item.name, mg, item.mg_per_ml(drug), dose_form,
                       _strength_conflict(drug, item, mg, names), None if dose_form else component_count_form(item))


def _named_form(names: Sequence[str]) -> str:
    """The dose form an order's own name states, for a product code that names none (an RxNorm
    component such as "Simvastatin 10 MG")."""
    for name in names:
        parsed = parse_product_name(name)
        if parsed is not None and parsed.dose_form:
            return parsed.dose_form
    return ""


def _strength_conflict(drug: Drug, item: Product, mg: float | None, names: Sequence[str]) -> str | None:
    """A reason when a name of the order (display, text) states another strength of `drug` than the
    product code does: which of the two was meant cannot be known, so no dose is read."""
    if mg is None:
        return None
    for name in names:
        parsed = parse_product_name(name)
        if parsed is None:
            continue
        parts = [c for c in parsed.components if drug in drugs_named(c.ingredient)]
        if not parts and len(parsed.components) == 1 == len(item.components):
            parts = list(parsed.components)  # a misspelt ingredient ("Simvistatin 10 MG")
        for part in parts:
            if part.mg is not None and not part.per_ml and abs(part.mg - mg) > 1e-9:
                return (f"RxNorm {item.rxcui} is {mg:g} mg per {item.dose_form.lower() or 'unit'}, "
                        f"the order's name says {part.strength:g} {part.unit}")
    return None


def _strength_from_names(item: _Identified, names: Iterable[str]) -> _Identified | None:
    """The item with the strength an RxNorm-style name of the order states, or None when none does."""
    for name in names:
        parsed = parse_product_name(name)
        if parsed is None:
            continue
        parts = [c for c in parsed.components if item.drug in drugs_named(c.ingredient)]
        if len(parsed.components) == 1 and not parts and item.drug in drugs_named(name):
            parts = list(parsed.components)
        if item.drug in DOSING_COMPONENT:
            parts = _counted_component(item.drug, parsed.components, parts)
        if len(parts) == 1 and parts[0].mg is not None:
            per_ml = parts[0].per_ml
            return _Identified(item.drug, item.rxnorm, item.display, None if per_ml else parts[0].mg,
                               parts[0].mg if per_ml else None, parsed.dose_form or item.dose_form)
    return None


def _strength_from_ingredients(item: _Identified, ingredients: list[Mapping[str, Any]]) -> _Identified:
    """The item with the strength of its Medication.ingredient, when one names its drug and states it."""
    for ingredient in ingredients:
        if item.drug not in [d for t in texts(ingredient.get("itemCodeableConcept")) for d in drugs_named(t)]:
            continue
        strength = _ratio_mg(ingredient.get("strength"))
        if strength is not None:
            mg, per_ml = strength
            return _Identified(item.drug, item.rxnorm, item.display, None if per_ml else mg,
                               mg if per_ml else None, item.dose_form)
    return item


def _counted_component(drug: Drug, components: tuple[Component, ...], parts: list[Component]) -> list[Component]:
    """The strength of a combination product's dosing component in its name: the component named
    ("Trimethoprim 160 MG"), or a whole-product strength that is one of its products' ("co-trimoxazole
    960 mg" = 800/160 mg); nothing otherwise (a strength of the other component is not the dose's)."""
    counted = DOSING_COMPONENT[drug]
    named = [c for c in components if counted in c.ingredient.lower() and "-" not in c.ingredient]
    if named:
        return named[:1]
    if len(parts) != 1 or parts[0].mg is None or parts[0].per_ml:
        return []
    component = combination_mg(drug).get(round(parts[0].mg, 3))
    if component is None:
        return []
    return [Component(counted, component, "MG")]


def _ratio_mg(ratio: Any) -> tuple[float, bool] | None:
    """(mg, per mL?) from a strength Ratio: 20 mg / 1 tablet -> (20, False); 3 mg / 1 mL -> (3, True)."""
    numerator, denominator = mapping(mapping(ratio).get("numerator")), mapping(mapping(ratio).get("denominator"))
    amount = number(numerator.get("value"))
    unit = string(numerator.get("code")) or string(numerator.get("unit"))
    per = number(denominator.get("value")) if denominator else 1.0
    if amount is None or unit is None or unit.lower() not in MASS_MG or not per:
        return None
    ml = next((VOLUME_ML[k.lower()] for k in unit_keys(denominator) if k.lower() in VOLUME_ML), None)
    return amount * MASS_MG[unit.lower()] / (per * (ml or 1.0)), ml is not None


def _route(dosages: Iterable[Any]) -> Route | None:
    for dosage in dosages:
        concept = mapping(mapping(dosage).get("route"))
        for system, code, _ in codings(concept):
            route = ROUTES.get((canonical(system), code))
            if route is not None:
                return route
        for text in texts(concept):
            found = _route_from_text(text)
            if found is not None:
                return found
    return None


def _route_from_text(text: str) -> Route | None:
    if _names_local_form(text):
        return Route.OTHER
    for pattern, route in _ROUTE_WORDS:
        if pattern.search(text):
            return route
    return None


def _route_from_form(dose_form: str) -> Route | None:
    if not dose_form:
        return None
    if _names_local_form(dose_form):
        return Route.OTHER
    return Route.ORAL if re.search(r"\b(oral|tablet|capsule|pill)\b", dose_form, re.I) else None


def _start(resource: Mapping[str, Any]) -> date | None:
    started = date_of(resource.get("authoredOn"))
    if started:
        return started
    validity = mapping(mapping(resource.get("dispenseRequest")).get("validityPeriod"))
    started = date_of(validity.get("start"))
    if started:
        return started
    for dosage in as_list(resource.get("dosageInstruction")):
        bounds = mapping(mapping(mapping(mapping(dosage).get("timing")).get("repeat")).get("boundsPeriod"))
        if date_of(bounds.get("start")):
            return date_of(bounds.get("start"))
    return None


def _end(resource: Mapping[str, Any], start: date | None, status: str, dosages: list[Any],
         today: date) -> date | None:
    """End of therapy: the last `boundsPeriod.end`, or start + the course length of the timing bounds
    (a taper's steps added up); for an order no longer current without bounds, the supply it covered.
    A MedicationStatement's `effectivePeriod.end` (kept by `statement_as_request`) is its end."""
    stated = date_of(mapping(resource.get("effectivePeriod")).get("end"))
    if stated:
        return stated
    ends = [date_of(mapping(mapping(mapping(mapping(d).get("timing")).get("repeat")).get("boundsPeriod")).get("end"))
            for d in dosages]
    if any(ends):
        return max(e for e in ends if e)
    days = total_course_days(dosages)
    if start and days:
        return add_days(start, days)
    if status in {"active", "on-hold", "draft", "unknown"} or start is None:
        return None
    supply = _supply_days(mapping(resource.get("dispenseRequest")))
    covered = add_days(start, supply) if supply else None
    return min(covered, today) if covered else start


def _supply_days(dispense: Mapping[str, Any]) -> float | None:
    """Days covered by the dispenses (CMS cumulative medication duration: supply x (1 + refills))."""
    duration = mapping(dispense.get("expectedSupplyDuration"))
    value, unit = number(duration.get("value")), string(duration.get("code")) or string(duration.get("unit"))
    if value is None or unit not in TIME_DAYS:
        return None
    refills = number(dispense.get("numberOfRepeatsAllowed")) or 0
    return value * TIME_DAYS[unit] * (1 + refills)
