"""Allergies, the interactions the rules know, and a drug already on the regimen.

- An allergy to the drug (or another salt of it) on record: not offered.
- Sulfonamide allergy: no TMP-SMX; an allergy list that could not be obtained: TMP-SMX not pre-selected.
- Thiopurine (azathioprine, mercaptopurine) with allopurinol or febuxostat, either one ordered
  beside the other: not offered (azathioprine label: allopurinol needs a dose cut to one third to one quarter; febuxostat label:
  contraindicated with azathioprine or mercaptopurine).
- Methotrexate with TMP-SMX: neither offered beside the other at a treatment (or unreadable) dose of
  TMP-SMX; at a prophylactic dose offered with a blood-count note, not pre-selected when eGFR is
  reduced, the patient is older or no folate is given.
- A drug (or another salt of it) already current, on record or drafted: not offered again.
- A medication list that is missing or only partly obtained: what would be offered is not pre-selected.
"""

from __future__ import annotations

from fhir_mappings.concepts import FOLATES, XANTHINE_OXIDASE_INHIBITORS, Allergy, Drug
from fhir_mappings.facts import ClinicalFacts, MedicationOrder
from fhir_mappings.numbers import num
from fhir_mappings.suggested_orders import SuggestedOrder, read_suggested_order
from hooks.criteria import data_gap
from hooks.order_safety.decision import Candidate, Decision, Verdict, leave_out, not_recommended, offer
from hooks.order_safety.kidney import recent_egfr
from hooks.recommendation import Params

THIOPURINES = frozenset({Drug.AZATHIOPRINE, Drug.MERCAPTOPURINE})
#: Salts or pro-drugs of one drug: a second one is not offered while one is current. (Alternatives
#: of one class, e.g. atovaquone for dapsone, are the recommendations' business: they may replace.)
DUPLICATE_GROUPS = (
    frozenset({Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID}),
    THIOPURINES,
)
BLOOD_COUNT_NOTE = "methotrexate and TMP-SMX together: monitor the blood count"


def _group(drug: Drug) -> frozenset[Drug]:
    return next((group for group in DUPLICATE_GROUPS if drug in group), frozenset({drug}))


def _others(facts: ClinicalFacts, candidate: Candidate, drugs: frozenset[Drug], *,
            drafts: bool = True) -> tuple[MedicationOrder, ...]:
    """Current orders of `drugs` other than the candidate itself (a draft being screened), the draft it
    updates, the order it renews (`priorPrescription`) or the drafts the suggestion deletes; without the
    other drafts when `drafts` is False."""
    own = candidate.order.reference if not candidate.creates else None
    return tuple(m for m in facts.current(drugs)
                 if m.reference != own and (m.reference or "") not in candidate.replaces
                 and (m.reference is None or m.reference != candidate.order.renews)
                 and not (m.resource and m.resource is candidate.order.resource) and (drafts or not m.is_draft))


def _earlier(facts: ClinicalFacts, candidate: Candidate, orders: tuple[MedicationOrder, ...]) -> tuple[MedicationOrder, ...]:
    """For a draft being screened, the orders on record and the drafts before it in the call: of two
    drafts of one drug, the second carries the duplicate card."""
    if not candidate.is_draft:
        return orders
    position = next((i for i, m in enumerate(facts.medications) if m.resource is candidate.order.resource), None)
    before = {id(m) for m in facts.medications[:position]} if position is not None else set()
    return tuple(m for m in orders if not m.is_draft or id(m) in before)


INCOMPLETE_MEDICATIONS = "medication list not complete: check interactions and for a duplicate order"


def check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    """The decision of the checks below; an order they would offer is not pre-selected while the
    medication list is missing or only partly obtained (an interacting or duplicate drug may be on it)."""
    decision = _check(facts, candidate, params)
    if (decision is None or decision.verdict is Verdict.OFFER) and data_gap(facts, "MedicationRequest", "medications"):
        reason = "; ".join(filter(None, (decision.reason if decision else "", INCOMPLETE_MEDICATIONS)))
        return not_recommended(reason, missing_data=True)
    return decision


def _check(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    drug = candidate.drug
    allergic = _group(drug) & facts.drug_allergies
    if allergic:
        return leave_out(f"allergy to {sorted(allergic)[0].value.replace('-', ' ')} on record", contraindicated=True)
    if candidate.creates:
        already = _earlier(facts, candidate, _others(facts, candidate, _group(drug)))
        if already:
            renewal = " (if this renews it, end that order on signing)" if candidate.is_draft else ""
            return leave_out(f"already on the regimen: {already[0].display}{renewal}")
    if drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM:
        return _tmp_smx(facts, candidate, params)
    if drug in THIOPURINES or drug in XANTHINE_OXIDASE_INHIBITORS:
        # Two drafts that interact: the thiopurine's card says it (one card, not two).
        partners = _others(facts, candidate, XANTHINE_OXIDASE_INHIBITORS) if drug in THIOPURINES else (
            _others(facts, candidate, THIOPURINES, drafts=not candidate.is_draft))
        if partners:
            return leave_out(f"{partners[0].display} is current (thiopurine with a xanthine-oxidase inhibitor: "
                             "severe myelosuppression; specialist dosing)", contraindicated=True)
    if drug is Drug.METHOTREXATE:
        return _methotrexate(facts, candidate, params)
    return None


def _tmp_smx(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    if Allergy.SULFONAMIDE in facts.allergies:
        return leave_out("sulfonamide allergy on record", contraindicated=True)
    if data_gap(facts, "AllergyIntolerance", "allergies"):
        return not_recommended("allergy list not available: check for a sulfonamide allergy", missing_data=True)
    # Two drafts that interact: the methotrexate draft's card says it (one card, not two).
    methotrexate = _others(facts, candidate, frozenset({Drug.METHOTREXATE}), drafts=not candidate.is_draft)
    if not methotrexate:
        return None
    trimethoprim = _trimethoprim_mg_per_day(candidate.order, candidate.suggested)
    if trimethoprim is None or trimethoprim > params["trimethoprim_prophylaxis_max_mg_per_day"]:
        shown = "its dose cannot be read" if trimethoprim is None else f"trimethoprim {num(trimethoprim)} mg/day"
        return leave_out(f"{methotrexate[0].display} is current and this TMP-SMX is not a prophylactic dose "
                         f"({shown}): hold methotrexate during the course or choose another antibiotic",
                         contraindicated=trimethoprim is not None)
    return _with_combination_risks(facts, params)


def _methotrexate(facts: ClinicalFacts, candidate: Candidate, params: Params) -> Decision | None:
    cotrimoxazole = _others(facts, candidate, frozenset({Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM}))
    if not cotrimoxazole:
        return None
    for order in cotrimoxazole:
        trimethoprim = _trimethoprim_mg_per_day(order, read_suggested_order(order.resource, facts.today)
                                                if order.resource else None)
        if trimethoprim is None or trimethoprim > params["trimethoprim_prophylaxis_max_mg_per_day"]:
            shown = "dose not known" if trimethoprim is None else f"trimethoprim {num(trimethoprim)} mg/day"
            return leave_out(f"{order.display} is current ({shown}): not beside a treatment dose of TMP-SMX",
                             contraindicated=trimethoprim is not None)
    return _with_combination_risks(facts, params)


def _trimethoprim_mg_per_day(order: MedicationOrder, suggested: SuggestedOrder | None) -> float | None:
    """Trimethoprim mg/day of a TMP-SMX order: from its tablets and the product table, else from its
    dose (TMP-SMX doses are read in mg of trimethoprim); None when neither can be read."""
    from_tablets = suggested.ingredient_mg_per_day("trimethoprim") if suggested is not None else None
    if from_tablets is not None:
        return from_tablets
    return order.dose.mg_per_day_high if order.dose is not None else None


def _with_combination_risks(facts: ClinicalFacts, params: Params) -> Decision:
    """Methotrexate beside prophylactic TMP-SMX: offered with the blood-count note, not pre-selected
    with a risk factor of methotrexate toxicity (methotrexate label: renal impairment, older age,
    folate deficiency)."""
    risks = []
    egfr = recent_egfr(facts, params)
    if egfr is None or egfr.value < params["methotrexate_reduce_below_egfr"]:
        risks.append("no recent eGFR" if egfr is None else f"eGFR {egfr.value:.0f} on {egfr.when.date().isoformat()}")
    age = facts.patient.age_years
    if age is not None and age >= params["older_age_years"]:
        risks.append(f"age {int(age)}")
    if not facts.current(FOLATES):
        risks.append("no folic acid")
    if risks:
        return not_recommended(f"{BLOOD_COUNT_NOTE}; {', '.join(risks)}")
    return offer(BLOOD_COUNT_NOTE)
