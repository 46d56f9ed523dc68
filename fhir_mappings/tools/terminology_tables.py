"""Render the terminology files as the Markdown tables of docs/mappings.md.

    .venv/bin/python -m fhir_mappings.tools.terminology_tables --write   # refresh docs/mappings.md

The generated part of docs/mappings.md sits between two marker comments; a test fails when it is
out of date, so the documentation always lists exactly what the code recognises.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from fhir_mappings.concepts import Drug
from fhir_mappings.valuesets import PUBLISHED, load

DOC = Path(__file__).resolve().parents[2] / "docs" / "mappings.md"
BEGIN = "<!-- BEGIN GENERATED TERMINOLOGY (fhir_mappings/tools/terminology_tables.py) -->"
END = "<!-- END GENERATED TERMINOLOGY -->"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|")


_SYSTEM_NAMES = {"http://snomed.info/sct": "SNOMED CT", "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
                 "http://hl7.org/fhir/sid/icd-10": "ICD-10", "http://loinc.org": "LOINC",
                 "http://hl7.org/fhir/sid/cvx": "CVX"}


def _published() -> list[str]:
    """Counts per concept and code system of `published-codes.json`, and its review rules."""
    table = load(PUBLISHED)
    lines = ["### Published value sets (`published-codes.json`)", "",
             f"Reviewed rows of {len(table['sources'])} published value sets (each row names its value set and "
             "source file), added to the curated codes above.", "",
             "| Section | Concept | Codes per system |", "|---|---|---|"]
    for section in ("conditions", "observations", "vaccines"):
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for concept, system, *_ in table[section]:
            counts[concept][_SYSTEM_NAMES.get(system, system)] += 1
        lines += [f"| {section} | {concept} | " + ", ".join(f"{s} {n}" for s, n in sorted(by.items())) + " |"
                  for concept, by in sorted(counts.items())]
    review = table["review"]
    lines += ["", "Dropped on review (display pattern, case-insensitive):", "", "| Concept | Pattern | Why |",
              "|---|---|---|"]
    lines += [f"| {c} | `{_cell(r['pattern'])}` | {_cell(r['reason'])} |" for c, r in review["excluded_displays"].items()]
    lines += ["", "Dropped codes: " + "; ".join(f"{code} ({why})" for code, why in review["excluded_codes"].items())
              + "."]
    return lines


def render() -> str:
    lines = ["### Drugs (RxNorm ingredients, `rxnorm-ingredients.json`)", "",
             "| Concept | RxCUI | Status | Also recognised by name |", "|---|---|---|---|"]
    for e in load("rxnorm-ingredients.json")["entries"]:
        code = e["code"] or "-"
        if e["status"] == "unverified" and e["code"]:
            code += " (not matched)"
        lines.append(f"| {e['concept']} | {code} | {e['status']} | {_cell(', '.join(e['names']))} |")
    listed = {e["concept"] for e in load("rxnorm-ingredients.json")["entries"]}
    unlisted = sorted(d.value for d in Drug if d.value not in listed)
    if unlisted:
        lines += ["", "Recognised by their concept name only: " + ", ".join(unlisted) + "."]
    products = load("rxnorm-products.json")["products"]
    counts: dict[str, int] = defaultdict(int)
    for product in products.values():
        counts[" + ".join(product["drugs"])] += 1
    lines += ["", f"Product table (`rxnorm-products.json`): {len(products)} SCD/SBD products: "
              + ", ".join(f"{drug} {n}" for drug, n in sorted(counts.items())) + ".", ""]

    conditions = load("conditions.json")
    lines += ["### Conditions (`conditions.json`)", "", "| Concept | System | Code | Status |", "|---|---|---|---|"]
    for e in conditions["entries"]:
        system = "ICD-10-CM" if "icd" in e["system"] else "SNOMED CT"
        also = f" (+ {', '.join(e['also'])})" if e.get("also") else ""
        code = e["code"] + ("*" if e["match"] == "prefix" else "")
        lines.append(f"| {e['concept']}{also} | {system} | {code} | {e['status']} |")
    lines += ["", "`*`: prefix match. Excluded (map to nothing): "
              + ", ".join(f"{x['code']}* ({x['display']})" for x in conditions["exclusions"]) + ".", ""]

    observations = load("observations.json")
    lines += ["### Observations (LOINC, `observations.json`)", "", "| Concept | LOINC | Status |", "|---|---|---|"]
    lines += [f"| {e['concept']} | {e['code']} | {e['status']} |" for e in observations["entries"]]
    lines += ["", "Qualitative value codes (SNOMED CT): "
              + ", ".join(f"{q['code']} {q['reading']}" for q in observations["qualitative"]) + ".", "",
              "Test-name patterns (whole words, case-insensitive):", "", "| Concept | Patterns |", "|---|---|"]
    lines += [f"| {c} | {_cell(', '.join(spec['patterns']))} |" for c, spec in observations["names"].items()]

    vaccines = load("vaccines.json")
    by_concept: dict[str, list[str]] = defaultdict(list)
    for e in vaccines["entries"]:
        live = " (live)" if e.get("live") and e["concept"] != "live-vaccine" else ""
        by_concept[e["concept"]].append(e["code"] + live)
    lines += ["", "### Vaccines (CVX, `vaccines.json`)", "", "| Concept | CVX | Names |", "|---|---|---|"]
    lines += [f"| {c} | {', '.join(codes)} | {_cell(', '.join(vaccines['names'].get(c, [])))} |"
              for c, codes in by_concept.items()]

    lines += ["", *_published()]

    allergies = load("allergies.json")
    lines += ["", "### Allergies (`allergies.json`)", ""]
    for concept, names in allergies["names"].items():
        codes = ", ".join(f"RxNorm {e['code']}" for e in allergies["entries"] if e["concept"] == concept)
        lines.append(f"- {concept}: {codes}; names: {', '.join(names)}.")
    return "\n".join(lines) + "\n"


def refreshed(document: str) -> str:
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOC.write_text(refreshed(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(render())
