"""RxNorm products (SCD/SBD) of the guideline drugs, from the table shipped in `terminology/`.

Reads the table derived by `tools/build_product_table.py`; lets the mappings read a product-coded
order ("RxCUI 198335" -> sulfamethoxazole/trimethoprim 800/160 mg tablet) and lets suggestions ask
for an orderable product ("methotrexate 2.5 mg oral tablet").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from fhir_mappings.concepts import DOSING_COMPONENT, Drug
from fhir_mappings.rxnames import Component
from fhir_mappings.valuesets import load
from fhir_mappings.valuesets import preload as preload_codes

#: Dose forms that are themselves a countable unit: a unitless amount is a number of them.
_COUNTABLE_FORM = re.compile(r"\b(tablet|capsule)s?\b", re.I)


def count_form(dose_form: str) -> str | None:
    """"tablet" or "capsule" when a dose form is that countable unit, else None."""
    match = _COUNTABLE_FORM.search(dose_form or "")
    return match.group(1).lower() if match else None


@dataclass(frozen=True)
class Product:
    rxcui: str
    name: str
    drugs: tuple[Drug, ...]
    components: tuple[tuple[Drug, Component], ...]
    dose_form: str
    brand: str | None

    def mg_per_unit(self, drug: Drug) -> float | None:
        """Milligrams of `drug` per dose unit (tablet, capsule), None if not a single mg strength. A
        combination concept counts the component named in `DOSING_COMPONENT` (TMP-SMX: trimethoprim)."""
        strengths = [c for d, c in self.components if d == drug]
        if len(strengths) > 1 and drug in DOSING_COMPONENT:
            strengths = [c for c in strengths if c.ingredient.lower() == DOSING_COMPONENT[drug]]
        if len(strengths) != 1 or strengths[0].per_ml:
            return None
        return strengths[0].mg

    def mg_per_ml(self, drug: Drug) -> float | None:
        """Milligrams of `drug` per mL of a liquid (injection, oral solution), None otherwise; a
        combination concept counts the component named in `DOSING_COMPONENT`, as `mg_per_unit`."""
        strengths = [c for d, c in self.components if d == drug]
        if len(strengths) > 1 and drug in DOSING_COMPONENT:
            strengths = [c for c in strengths if c.ingredient.lower() == DOSING_COMPONENT[drug]]
        if len(strengths) != 1 or not strengths[0].per_ml:
            return None
        return strengths[0].mg

    @property
    def is_oral(self) -> bool:
        return "oral" in self.dose_form.lower() or self.dose_form.lower() in {"tablet", "capsule"}


@cache
def _products() -> dict[str, Product]:
    table = load("rxnorm-products.json")["products"]
    products = {}
    for rxcui, entry in table.items():
        components = tuple(
            (Drug(c["drug"]), Component(c["ingredient"], float(c["strength"]), c["unit"])) for c in entry["components"]
        )
        products[rxcui] = Product(rxcui, entry["name"], tuple(Drug(d) for d in entry["drugs"]), components,
                                  entry["dose_form"], entry.get("brand"))
    return products


def preload() -> None:
    """Build the product table now (start-up), with the code indexes (`valuesets.preload`)."""
    preload_codes()
    _forms_by_strengths()


def _strengths(item: Product) -> tuple[tuple[str, float, str], ...]:
    return tuple(sorted((drug.value, c.strength, c.unit.upper()) for drug, c in item.components))


@cache
def _forms_by_strengths() -> dict[tuple[tuple[str, float, str], ...], frozenset[str | None]]:
    forms: dict[tuple[tuple[str, float, str], ...], set[str | None]] = {}
    for item in _products().values():
        if item.dose_form:
            forms.setdefault(_strengths(item), set()).add(count_form(item.dose_form))
    return {key: frozenset(value) for key, value in forms.items()}


def component_count_form(item: Product) -> str | None:
    """For a component code without a dose form ("Simvastatin 10 MG", RxNorm SCDC): the countable
    unit every product of the table with exactly these ingredients and strengths comes in ("tablet";
    "unit" when tablets and capsules), or None when one is not countable (an injection vial of the
    same strength) or there are none. Read from the terminology, not guessed: a strength without a
    denominator is per dose unit, and every product of the component is counted in such units."""
    forms = _forms_by_strengths().get(_strengths(item), frozenset())
    if not forms or None in forms:
        return None
    return next(iter(forms)) if len(forms) == 1 else "unit"


#: Whole multiples of a strength that a written mg dose may be (one or two tablets, or 5 mL or 10 mL of a liquid).
_DOSE_MULTIPLES = (1, 2)
_LIQUID_DOSE_ML = 5


@cache
def combination_mg(drug: Drug) -> dict[float, float]:
    """For a combination product counted by one component (co-trimoxazole by trimethoprim): each mg amount a
    dose or a name may state, as a whole product ("960 mg" = 800/160 mg) or as that component ("160 mg"),
    mapped to mg of the component; one or two units (5 or 10 mL of a liquid) of a product of the table.
    An amount that is none of these (or would be both) is not read."""
    component = DOSING_COMPONENT.get(drug)
    readings: dict[float, set[float]] = {}
    for item in products_of(drug):
        parts = [c for d, c in item.components if d == drug]
        per_ml = all(c.per_ml for c in parts)
        if not parts or any(c.mg is None for c in parts) or any(c.per_ml != per_ml for c in parts):
            continue
        volume = _LIQUID_DOSE_ML if per_ml else 1
        total = sum(c.mg or 0.0 for c in parts) * volume
        counted = sum(c.mg or 0.0 for c in parts if c.ingredient.lower() == component) * volume
        for n in _DOSE_MULTIPLES:
            readings.setdefault(round(n * total, 3), set()).add(n * counted)
            readings.setdefault(round(n * counted, 3), set()).add(n * counted)
    return {mg: next(iter(read)) for mg, read in readings.items() if len(read) == 1}


def product(rxcui: str) -> Product | None:
    """The product of an RxNorm SCD/SBD code, if it is one of the guideline drugs' products."""
    return _products().get(rxcui)


def products_of(drug: Drug) -> tuple[Product, ...]:
    return tuple(p for p in _products().values() if p.drugs == (drug,))


def orderable_product(drug: Drug, strength_mg: float, *, dose_form: str = "Oral Tablet") -> Product | None:
    """The generic (unbranded) single-ingredient product of `drug` at `strength_mg` in `dose_form`."""
    candidates = [
        p for p in products_of(drug)
        if p.dose_form.lower() == dose_form.lower() and p.mg_per_unit(drug) == strength_mg
    ]
    candidates.sort(key=lambda p: (p.brand is not None, int(p.rxcui)))
    return candidates[0] if candidates else None
