"""Derive `terminology/rxnorm-products.json` from an RxNorm product name list.

Run once when the source list or the drug concepts change (the output is versioned with the code):

    .venv/bin/python -m fhir_mappings.tools.build_product_table SOURCE.json [MORE.json ...]

Each SOURCE is either `{"source": "<where the names come from>", "rxcui_to_name": {RxCUI: name}}`
with RxNorm normalized names, or a list of published value-set rows `{system, code, display,
valueset, source}` (RxNorm rows are used; each product keeps its row's value set and source). The
first source naming a code wins. The shipped table was built from the medication list of the CDS
Hooks sandbox (cds-hooks/sandbox `src/assets/medication-list.js`, Apache-2.0), whose codes are the
ones the sandbox sends in `draftOrders`, then the RxNorm rows of the published drug value sets (VSAC
and PEDSnet lists, with injectables: methylprednisolone, rituximab, cyclophosphamide, methotrexate).

A product is kept when every one of its ingredients is a guideline drug (a multivitamin with folic
acid is not a folic-acid product). Each product lists its components with strength and unit as
RxNorm names them ("Methotrexate 2.5 MG Oral Tablet [Trexall]" -> methotrexate, 2.5, MG, "Oral
Tablet", brand "Trexall"). Component names without a dose form (SCDC, "Simvastatin 10 MG") are
kept with an empty dose form: EHRs send them as order codes (Synthea does), and they still give
ingredient and strength; a unitless amount on them counts the unit all the table's products of that
component come in (`products.component_count_form`).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from fhir_mappings.concepts import Drug
from fhir_mappings.rxnames import parse_product_name
from fhir_mappings.valuesets import combination_parts, drugs_named

OUTPUT = Path(__file__).resolve().parent.parent / "terminology" / "rxnorm-products.json"


def _component_drug(ingredient: str, whole_name_drugs: tuple[Drug, ...]) -> Drug | None:
    """The drug of one component, or the combination concept it is a part of."""
    drugs = drugs_named(ingredient)
    if len(drugs) == 1:
        return drugs[0]
    for drug in whole_name_drugs:
        if ingredient.lower() in combination_parts(drug):
            return drug
    return None


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _names(source: Any) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """(description of the source, RxCUI -> (name, per-code source or None))."""
    if isinstance(source, dict):
        return source.get("source", ""), {k: (v, None) for k, v in source["rxcui_to_name"].items()}
    rows = {r["code"]: (r["display"], f"{r['valueset']}, {r['source']}") for r in source
            if r.get("system") == RXNORM and r.get("display")}
    return "published value sets (RxNorm rows; each product names its value set and source file)", rows


def build(*sources: Any) -> dict[str, Any]:
    names: dict[str, tuple[str, str | None]] = {}
    described = []
    for source in sources:
        description, found = _names(source)
        described.append(description)
        for rxcui, item in found.items():
            names.setdefault(rxcui, item)
    products: dict[str, Any] = {}
    for rxcui, (name, origin) in sorted(names.items(), key=lambda item: int(item[0])):
        parsed = parse_product_name(name)
        if parsed is None:
            continue
        combined = drugs_named(name)
        components = []
        for component in parsed.components:
            drug = _component_drug(component.ingredient, combined)
            if drug is None:
                components = []
                break
            components.append({"drug": drug.value, "ingredient": component.ingredient,
                               "strength": component.strength, "unit": component.unit})
        if not components:
            continue
        products[rxcui] = {
            "name": name,
            "drugs": sorted({d.value for d in combined} if combined else {c["drug"] for c in components}),
            "components": components,
            "dose_form": parsed.dose_form or "",
            "brand": parsed.brand,
        }
        if origin:
            products[rxcui]["source"] = origin
    return {
        "version": date.today().isoformat(),
        "description": "RxNorm SCD/SBD products of the guideline drugs (RxCUI -> ingredients, strength, dose "
                       "form), derived by fhir_mappings/tools/build_product_table.py.",
        "source": "; then ".join(d for d in described if d),
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "products": products,
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    table = build(*(json.loads(Path(name).read_text(encoding="utf-8")) for name in argv[1:]))
    lines = [f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table["products"].items()]
    head = "".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in table.items()
                   if k != "products")
    OUTPUT.write_text("{\n" + head + '  "products": {\n' + ",\n".join(lines) + "\n  }\n}\n", encoding="utf-8")
    print(f"{len(lines)} products -> {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
