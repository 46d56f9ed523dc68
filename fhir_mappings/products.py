"""RxNorm products (SCD/SBD) of the guideline drugs, from the table shipped in `terminology/`.

Reads the table derived by `tools/build_product_table.py`; lets the mappings read a product-coded
order ("RxCUI 198335" -> sulfamethoxazole/trimethoprim 800/160 mg tablet) and lets suggestions ask
for an orderable product ("methotrexate 2.5 mg oral tablet").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fhir_mappings.concepts import Drug
from fhir_mappings.rxnames import Component
from fhir_mappings.valuesets import load
from fhir_mappings.valuesets import preload as preload_codes


@dataclass(frozen=True)
class Product:
    rxcui: str
    name: str
    drugs: tuple[Drug, ...]
    components: tuple[tuple[Drug, Component], ...]
    dose_form: str
    brand: str | None

    def mg_per_unit(self, drug: Drug) -> float | None:
        """Milligrams of `drug` per dose unit (tablet, capsule), None if not a single mg strength."""
        strengths = [c for d, c in self.components if d == drug]
        if len(strengths) != 1 or strengths[0].per_ml:
            return None  # a combination concept (sulfamethoxazole/trimethoprim) has no single strength
        return strengths[0].mg

    def mg_per_ml(self, drug: Drug) -> float | None:
        """Milligrams of `drug` per mL of a liquid (injection, oral solution), None otherwise."""
        strengths = [c for d, c in self.components if d == drug]
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
    _products()


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
