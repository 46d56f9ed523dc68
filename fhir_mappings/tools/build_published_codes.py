"""Derive `terminology/published-codes.json` from published value-set expansions.

Run once when the source lists, the review rules below or the concepts change (the output is
versioned with the code):

    .venv/bin/python -m fhir_mappings.tools.build_published_codes VALUESETS_DIR

VALUESETS_DIR holds `conditions.json`, `labs.json` and `vaccines.json`, each a JSON list of rows
`{concept, system, code, display, valueset, valueset_url_or_oid, source}` read from public FHIR
ValueSet expansions (mostly VSAC value sets of the cqframework eCQM content repositories, CC0-1.0),
`source` naming `owner/repo@commit:path`. The rows are the published *descendants* and siblings of
the curated parent codes in `conditions.json`/`observations.json`/`vaccines.json`: SNOMED CT
descendants (type 2 diabetes 44054006, essential hypertension 59621000, normal pregnancy 72892002),
every ICD-10-CM code, every LOINC code of a test.

Each published concept is renamed to the service's concept (`CONCEPTS`), and reviewed: a row is
dropped when its display matches the concept's exclusion pattern or its code is listed in
`EXCLUDED_CODES` (pregnancy outcomes, benign/in-situ neoplasms, localised forms of a systemic
disease, component results that are not the test itself). Provenance stays per code: every row
keeps its value set and source.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from fhir_mappings.concepts import Antibody, Condition, Lab, MyositisSubtype, Vaccine
from fhir_mappings.valuesets import BODY_HEIGHT, BODY_WEIGHT

OUTPUT = Path(__file__).resolve().parent.parent / "terminology" / "published-codes.json"
SECTIONS = {"conditions": "conditions.json", "observations": "labs.json", "vaccines": "vaccines.json"}

#: Published concept name -> the service's concept (absent: not used, e.g. "myositis" = M60.x myositis
#: NOS, deliberately not an inflammatory myopathy; neutrophils, BMD, COVID-19 and hepatitis B vaccines: no
#: rule reads them).
CONCEPTS: dict[str, str] = {
    **{c.value: c.value for c in Condition},
    **{s.value: s.value for s in MyositisSubtype},
    **{lab.value: lab.value for lab in Lab},
    **{a.value: a.value for a in Antibody},
    BODY_WEIGHT: BODY_WEIGHT,
    BODY_HEIGHT: BODY_HEIGHT,
    "wbc": Lab.BLOOD_COUNT.value,
    "hemoglobin": Lab.BLOOD_COUNT.value,
    "platelets": Lab.BLOOD_COUNT.value,
    "cbc-panel": Lab.BLOOD_COUNT.value,
    "fvc": Lab.LUNG_FUNCTION.value,
    **{v.value: v.value for v in Vaccine},
}

#: Review of each concept's published list: displays that are not the concept as the rules mean it.
EXCLUDED_DISPLAYS: dict[str, tuple[str, str]] = {
    Condition.HYPERTENSION.value: (
        r"of pregnancy|gestational|toxemia|eclampsia|pulmonary|ocular|portal|intracranial|white coat|"
        r"perioperative|postoperative|^(?!.*hypertens).*renal artery",
        "pregnancy-induced, non-systemic or transient forms; renal-artery disease not named hypertension",
    ),
    Condition.DIABETES.value: (r"affecting fetus|newborn|neonatal|prediabet", "a newborn's condition; prediabetes"),
    Condition.CHRONIC_KIDNEY_DISEASE.value: (r"\bprogram\b|acute kidney|acute renal", "administrative programmes; "
                                             "acute kidney injury"),
    Condition.OSTEOPOROSIS.value: (
        r"gorham|disappearing bone|transient|regional|locali[sz]ed|lequesne|bone marrow defect|site of neoplasm",
        "localised (non-systemic) osteoporosis and fractures at a neoplasm",
    ),
    Condition.FRAGILITY_FRACTURE.value: (r"site of neoplasm", "pathological fracture at a neoplasm"),
    Condition.CANCER.value: (
        r"\bbenign|in situ|history of|in remission|uncertain behavio|suspected",
        "benign, in-situ, uncertain-behaviour, historical or remitted neoplasms",
    ),
    Condition.PREGNANCY.value: (
        r"^(?!.*continuing pregnancy).*(abortion|miscarriage|ectopic|tubal|molar|delivered|postpartum|puerper|"
        r"stillbirth|history of|blighted)",
        "pregnancy outcomes, delivery and the puerperium (not an ongoing pregnancy)",
    ),
    Condition.HYSTERECTOMY.value: (r"cervix only|of cervix\b", "cervix-only procedures"),
    Condition.GLAUCOMA.value: (r"suspect", "glaucoma suspects"),
    Condition.SJOGREN.value: (r"\) or \(|^sicca syndrome$", "sicca or keratoconjunctivitis sicca without Sjögren's"),
    MyositisSubtype.UNSPECIFIED.value: (r"^symptomatic inflammatory myopathy", "myopathy secondary to another disorder "
                                        "(sarcoidosis, lupus ...), not an idiopathic inflammatory myopathy"),
    Lab.CREATININE.value: (r"dialysis|vasopressin", "dialysis-timed and stimulation-test creatinine (misread as "
                           "a steady state for eGFR)"),
    Lab.HCG.value: (r"free|cord blood|24 hour", "free beta subunit (tumour/screening marker), cord blood, 24-hour "
                    "urine"),
    Lab.HCV_ANTIBODY.value: (
        r"5-1-1|100-3|22-3|c33c|c22p|c100p|superoxide|NS3|NS4|NS5|E2 Ab|c1 Ab|c2 Ab|band pattern|IgM",
        "single immunoblot bands and IgM (not the screening antibody result)",
    ),
    BODY_WEIGHT: (r"usual|dry body", "usual and dry (target) weights"),
    Lab.LUNG_FUNCTION.value: (r"percent change", "bronchodilator change"),
}

#: Codes dropped on review whose display gives no pattern (code -> reason).
EXCLUDED_CODES: dict[str, str] = {
    "239147000": "mast cell nevus: benign",
    "1177173001": "bone marrow failure syndrome with skeletal dysplasia: not a malignancy",
    "430941000124106": "prison dialysis programme: administrative",
    "430951000124108": "veterans' dialysis programme: administrative",
    "57557005": "chronic milk-alkali syndrome: not chronic kidney disease",
    "418435001": "macular corneal dystrophy type II: not glaucoma",
}

#: Code systems that Condition resources carry (ICD-10-PCS procedure codes are left out).
CONDITION_SYSTEMS = frozenset({"http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm",
                               "http://hl7.org/fhir/sid/icd-10"})


def _excluded(concept: str, row: dict[str, Any]) -> bool:
    if row["code"] in EXCLUDED_CODES:
        return True
    rule = EXCLUDED_DISPLAYS.get(concept)
    return rule is not None and re.search(rule[0], row.get("display") or "", re.IGNORECASE) is not None


def build(sources: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The published-codes table from the rows of each section (see the module docstring)."""
    source_ids: dict[tuple[str, str, str], str] = {}
    table: dict[str, list[list[str]]] = {}
    dropped: dict[str, int] = {}
    for section, rows in sources.items():
        kept: dict[tuple[str, str, str], list[str]] = {}
        for row in rows:
            concept = CONCEPTS.get(row["concept"])
            if concept is None or (section == "conditions" and row["system"] not in CONDITION_SYSTEMS):
                continue
            if _excluded(concept, row):
                dropped[concept] = dropped.get(concept, 0) + 1
                continue
            key = (row["valueset"], row["valueset_url_or_oid"], row["source"])
            source_id = source_ids.setdefault(key, f"s{len(source_ids) + 1}")
            kept.setdefault((concept, row["system"], row["code"]),
                            [concept, row["system"], row["code"], row.get("display") or "", source_id])
        table[section] = sorted(kept.values())
    return {
        "version": date.today().isoformat(),
        "description": "Published value-set codes (SNOMED CT descendants, ICD-10-CM, every LOINC code of a test, "
                       "CVX) after review, derived by fhir_mappings/tools/build_published_codes.py. Rows are "
                       "[concept, system, code, display, source id]; `sources` names each value set and the "
                       "repository file it was read from.",
        "sources": {sid: {"valueset": k[0], "url_or_oid": k[1], "source": k[2]} for k, sid in source_ids.items()},
        "review": {
            "excluded_displays": {c: {"pattern": p, "reason": r} for c, (p, r) in EXCLUDED_DISPLAYS.items()},
            "excluded_codes": EXCLUDED_CODES,
            "dropped": dict(sorted(dropped.items())),
        },
        **table,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1])
    sources = {section: json.loads((folder / name).read_text(encoding="utf-8")) for section, name in SECTIONS.items()}
    table = build(sources)
    head = "".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in table.items()
                   if k not in SECTIONS)
    sections = [f"  {json.dumps(s)}: [\n" + ",\n".join(f"    {json.dumps(r, ensure_ascii=False)}" for r in table[s])
                + "\n  ]" for s in SECTIONS]
    OUTPUT.write_text("{\n" + head + ",\n".join(sections) + "\n}\n", encoding="utf-8")
    print(", ".join(f"{len(table[s])} {s}" for s in SECTIONS) + f" -> {OUTPUT.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
