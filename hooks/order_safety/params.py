"""The order-safety thresholds: the `[order-safety]` table of the rule settings.

Each is a `Parameter` with its default and the source of that default, like a recommendation's
parameters; `hooks.settings` validates overrides against them and the catalog lists them.
Labels give creatinine clearance; the service reads eGFR (mL/min/1.73 m²) in its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hooks.recommendation import Parameter

#: The table name in the rule-settings file (not a recommendation id).
TABLE = "order-safety"

_MTX_LABEL = "Methotrexate prescribing information (FDA): renal impairment needs dose reduction or discontinuation"
_BACTRIM = "Sulfamethoxazole/trimethoprim prescribing information (Bactrim, FDA)"
_PAED_OI = "Guidelines for the Prevention and Treatment of Opportunistic Infections in Children with and Exposed to HIV (NIH/CDC/IDSA, Pneumocystis chapter)"

PARAMETERS: Mapping[str, Parameter] = {
    "result_max_days": Parameter(
        90, "an eGFR, creatinine, ALT or AST older than this (days) is not read as current",
        "BSR 2017 DMARD guideline (Ledingham et al., Rheumatology 2017;56:865-868): blood tests every 12 weeks on "
        "stable treatment"),
    "methotrexate_avoid_below_egfr": Parameter(
        30, "eGFR below which methotrexate is not offered", f"{_MTX_LABEL}; cut-off local policy, as methotrexate-renal"),
    "methotrexate_reduce_below_egfr": Parameter(
        60, "eGFR below which a methotrexate order is offered at a reduced dose",
        f"{_MTX_LABEL}; cut-off local policy, as methotrexate-renal"),
    "methotrexate_reduced_dose_fraction": Parameter(
        0.5, "fraction of the dose offered below methotrexate_reduce_below_egfr (rounded down to 2.5 mg)",
        "local policy (published reductions vary; British Association of Dermatologists 2016 halves the dose at "
        "creatinine clearance 20-50)"),
    "methotrexate_reduced_max_mg_per_week": Parameter(
        12.5, "below methotrexate_reduce_below_egfr: a methotrexate order above this (mg/week) is reduced; one at or "
        "below it is already a reduced dose", "local policy: half the usual 25 mg/week maximum (EULAR 2009 "
        "methotrexate recommendations, Visser et al., Ann Rheum Dis 2009;68:1086-1093), as the reduced-dose fraction"),
    "tmp_smx_half_dose_below_egfr": Parameter(
        30, "eGFR below which TMP-SMX is offered at half the usual regimen", f"{_BACTRIM}: CrCl 15-30 mL/min, half "
        "the usual regimen"),
    "tmp_smx_avoid_below_egfr": Parameter(
        15, "eGFR below which TMP-SMX is not offered", f"{_BACTRIM}: CrCl below 15 mL/min, use not recommended"),
    "alendronate_avoid_below_egfr": Parameter(
        35, "eGFR below which alendronate is not offered",
        "Alendronate prescribing information (Fosamax, FDA): not recommended for CrCl below 35 mL/min"),
    "risedronate_ibandronate_avoid_below_egfr": Parameter(
        30, "eGFR below which risedronate or ibandronate is not offered",
        "Risedronate (Actonel) and ibandronate (Boniva) prescribing information (FDA): not recommended below "
        "CrCl 30 mL/min"),
    "zoledronic_acid_avoid_below_egfr": Parameter(
        35, "eGFR below which zoledronic acid is not offered",
        "Zoledronic acid prescribing information (Reclast, FDA): contraindicated for CrCl below 35 mL/min"),
    "mycophenolate_renal_limit_egfr": Parameter(
        25, "eGFR below which mycophenolate mofetil is capped at mycophenolate_renal_max_mg_per_day",
        "Mycophenolate mofetil prescribing information (CellCept, FDA): GFR below 25 mL/min/1.73 m², avoid doses "
        "above 1 g twice a day"),
    "mycophenolate_renal_max_mg_per_day": Parameter(
        2000, "maximum mycophenolate mofetil mg/day below mycophenolate_renal_limit_egfr",
        "Mycophenolate mofetil prescribing information (CellCept, FDA)"),
    "transaminase_uln_multiple": Parameter(
        3.0, "ALT or AST above this multiple of the upper limit: no methotrexate, thiopurine or mycophenolate offered",
        "EULAR 2009 methotrexate recommendations (Visser et al., Ann Rheum Dis 2009;68:1086-1093): stop methotrexate "
        "above 3x ULN"),
    "alt_upper_limit_u_per_l": Parameter(
        40.0, "upper reference limit of ALT (U/L) when the result carries no reference range; set it to your laboratory's",
        "laboratory reference range (site setting)"),
    "ast_upper_limit_u_per_l": Parameter(
        40.0, "upper reference limit of AST (U/L) when the result carries no reference range; set it to your laboratory's",
        "laboratory reference range (site setting)"),
    "ck_upper_limit_u_per_l": Parameter(
        200.0, "upper reference limit of CK (U/L) when the result carries no reference range; set it to your laboratory's",
        "laboratory reference range (site setting)"),
    "ggt_upper_limit_u_per_l": Parameter(
        60.0, "upper reference limit of GGT (U/L) when the result carries no reference range; set it to your laboratory's",
        "laboratory reference range (site setting)"),
    "hcg_window_days": Parameter(
        294, "the latest hCG, when positive, counts as pregnancy for this many days (a pregnancy lasts up to 42 "
        "weeks) unless a later test is negative", "as teratogen-pregnancy"),
    "child_prednisone_max_mg_per_kg": Parameter(
        2.0, "under 18: prednisone/prednisolone maximum mg/kg/day",
        "BSR 2022 IIM guideline (paediatric): prednisolone 1-2 mg/kg/day"),
    "child_prednisone_max_mg_per_day": Parameter(
        60, "under 18: prednisone/prednisolone maximum mg/day", "as juvenile-dm-dosing gc_max_mg_per_day"),
    "child_methotrexate_max_mg_per_m2": Parameter(
        20, "under 18: methotrexate maximum mg/m²/week", "SHARE 2017 JDM (Bellutti Enders et al.): 15-20 mg/m²/week"),
    "child_methotrexate_max_mg_per_week": Parameter(
        40, "under 18: methotrexate maximum mg/week", "SHARE 2017 JDM: maximum absolute dose 40 mg/week"),
    "child_trimethoprim_mg_per_m2": Parameter(
        150, "under 18: TMP-SMX prophylaxis, trimethoprim mg/m²/day (once daily)",
        f"{_PAED_OI}: TMP-SMX 150/750 mg/m²/day (first line, AI); {_BACTRIM}: 150 mg/m²/day trimethoprim"),
    "child_dose_rounding_tolerance": Parameter(
        0.10, "under 18: a TMP-SMX dose within this fraction of the BSA dose is offered as is; the adjusted dose is "
        "the nearest whole tablet within it, else the suspension in 0.5 mL steps",
        "policy: the 10% margin of common dose-rounding practice (Hematology/Oncology Pharmacy Association dose "
        "rounding position statement, 2017); the paediatric OI guideline states no rounding rule"),
    "child_tablet_min_age_years": Parameter(
        6, "under 18: youngest age offered TMP-SMX tablets; younger children get the suspension",
        "policy: EMA reflection paper on the formulation of medicines for paediatric use (2006): tablets are "
        "generally acceptable from about 6 years"),
    "child_trimethoprim_max_mg_per_day": Parameter(
        320, "under 18: TMP-SMX prophylaxis, maximum trimethoprim mg/day",
        f"{_BACTRIM}: total daily dose not above 320 mg trimethoprim"),
    "child_atovaquone_mg_per_kg": Parameter(
        30, "under 18 (except 4-24 months): atovaquone prophylaxis mg/kg/day", _PAED_OI),
    "child_atovaquone_infant_mg_per_kg": Parameter(
        45, "age 4-24 months: atovaquone prophylaxis mg/kg/day", _PAED_OI),
    "child_atovaquone_max_mg_per_day": Parameter(
        1500, "under 18: atovaquone prophylaxis maximum mg/day", _PAED_OI),
    "child_dapsone_mg_per_kg": Parameter(2.0, "under 18: dapsone prophylaxis mg/kg/day", _PAED_OI),
    "child_dapsone_max_mg_per_day": Parameter(100, "under 18: dapsone prophylaxis maximum mg/day", _PAED_OI),
    "child_folic_acid_max_mg_per_day": Parameter(
        1.0, "under 18: folic acid with methotrexate, maximum mg/day (averaged over the week)",
        "BNF for Children (folic acid with methotrexate: 1 mg once daily or 5 mg once weekly)"),
    "older_age_years": Parameter(
        65, "age from which TMP-SMX with current methotrexate is not pre-selected",
        "Methotrexate prescribing information: elderly patients have diminished renal and hepatic function and "
        "folate stores"),
    "trimethoprim_prophylaxis_max_mg_per_day": Parameter(
        160, "trimethoprim mg/day above which current TMP-SMX is a treatment dose: no methotrexate offered",
        f"{_BACTRIM}: Pneumocystis prophylaxis 1 double-strength tablet (160 mg trimethoprim) daily"),
}


def defaults() -> dict[str, Any]:
    return {name: p.default for name, p in PARAMETERS.items()}
