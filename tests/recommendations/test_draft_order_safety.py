"""draft-order-safety (hooks/order_safety/drafts.py): the clinician's draft orders meet the order-safety check.

Every drug and dimension is covered registry-wide (tests/test_draft_order_safety_registry.py); here the
behaviours of the cards themselves: severity, the facts stated, the fix, missing data, which drafts are
screened, and that a problem is said once.
"""

from dataclasses import replace

from fhir_mappings.concepts import Allergy, Condition, Drug, Lab
from fhir_mappings.facts import ClinicalFacts
from hooks.engine import evaluate
from hooks.order_safety import params as order_safety_params
from hooks.order_safety.drafts import DRAFT_ORDER_SAFETY, screen_drafts
from hooks.recommendation import Indicator
from hooks.registry import all_recommendations
from hooks.settings import resolve
from tests.factories import condition, facts, order, result
from tests.risk_patients import EGFR_UNIT, NORMAL_EGFR, draft

PARAMS = order_safety_params.defaults()
MTX_15 = ("105585", "Methotrexate 2.5 MG Oral Tablet", 15)
MMF = ("200060", "mycophenolate mofetil 500 MG Oral Tablet")
TMP_SMX_DS = ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet")
AZATHIOPRINE = ("197388", "Azathioprine 50 MG Oral Tablet")


def methotrexate(mg=15, draft_id="draft-1"):
    return draft(MTX_15[0], MTX_15[1], mg, period_unit="wk", draft_id=draft_id)


def patient(*medications, hook="order-select", results=(NORMAL_EGFR,), **kwargs) -> ClinicalFacts:
    return facts(hook=hook, medications=medications, results=results, **kwargs)


def egfr(value, days_ago=3):
    return result(Lab.EGFR, value=value, unit=EGFR_UNIT, days_ago=days_ago)


def cards(f):
    return screen_drafts(f, PARAMS)


def test_methotrexate_at_egfr_20_is_critical_and_offers_the_removal():
    [card] = cards(patient(methotrexate(), results=(egfr(20),)))
    assert card.indicator is Indicator.CRITICAL
    assert card.summary.startswith("Do not order methotrexate: eGFR 20 on ")
    [fix] = card.suggestions
    assert fix.is_recommended and [(a.type, a.resource_id) for a in fix.actions] == [("delete", "MedicationRequest/draft-1")]


def test_methotrexate_at_egfr_40_is_a_warning_whose_fix_halves_the_dose():
    [card] = cards(patient(methotrexate(), results=(egfr(40),)))
    assert card.indicator is Indicator.WARNING
    [fix] = card.suggestions
    [update] = fix.actions
    assert update.type == "update" and update.resource["id"] == "draft-1"
    assert update.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 7.5


def test_a_reduced_methotrexate_dose_at_egfr_40_is_quiet():
    assert cards(patient(methotrexate(10), results=(egfr(40),))) == []


def test_the_card_states_the_draft_and_the_dated_fact_behind_it():
    [card] = cards(patient(methotrexate(), results=(egfr(20),)))
    assert card.facts_used[0].startswith("Methotrexate 2.5 MG Oral Tablet: 15 mg once weekly (draft order)")
    assert any(f.startswith("eGFR 20 on 20") for f in card.facts_used)
    assert card.about_drafts == ("MedicationRequest/draft-1",)


def test_no_recent_egfr_before_methotrexate_is_said_not_guessed():
    [card] = cards(patient(methotrexate(), results=(egfr(20, days_ago=200),)))
    assert card.indicator is Indicator.WARNING
    assert "no eGFR in the last 90 days" in card.summary
    assert card.suggestions == () and "missing data" in card.detail


def test_a_child_without_a_recent_weight_gets_no_guessed_dose():
    prednisone = draft("312615", "Prednisone 20 MG Oral Tablet", 20)
    [card] = cards(patient(prednisone, age=9, weight_kg=None))
    assert "no weight" in card.summary and not any(a.type == "update" for s in card.suggestions for a in s.actions)


def test_thresholds_are_the_order_safety_settings():
    [card] = cards(patient(methotrexate(), results=(egfr(35),)))
    assert card.indicator is Indicator.WARNING
    stricter = screen_drafts(patient(methotrexate(), results=(egfr(35),)), {**PARAMS, "methotrexate_avoid_below_egfr": 40})
    assert [c.indicator for c in stricter] == [Indicator.CRITICAL]


def test_a_draft_to_review_says_review_before_signing_once():
    tmp_smx = draft(*TMP_SMX_DS, 1, unit="{tbl}")
    [card] = cards(patient(tmp_smx, order(Drug.METHOTREXATE, 15, 1 / 7), results=(egfr(45),)))
    assert card.indicator is Indicator.WARNING and not card.suggestions
    assert card.detail.startswith("**Review before signing.** No change is offered.")
    assert card.detail.count("Review before signing") == 1


def test_tmp_smx_with_a_sulfonamide_allergy_is_critical_and_replaced_by_atovaquone():
    tmp_smx = draft(*TMP_SMX_DS, 1, unit="{tbl}")
    [card] = cards(patient(tmp_smx, allergies=frozenset({Allergy.SULFONAMIDE})))
    assert card.indicator is Indicator.CRITICAL
    replace_it, remove_it = card.suggestions
    assert replace_it.is_recommended and [a.type for a in replace_it.actions] == ["delete", "create"]
    assert replace_it.actions[1].resource["medicationCodeableConcept"]["coding"][0]["code"] == "60212"
    assert not remove_it.is_recommended and [a.type for a in remove_it.actions] == ["delete"]


def test_a_treatment_dose_of_tmp_smx_is_not_replaced_by_prophylactic_atovaquone():
    tmp_smx = draft(*TMP_SMX_DS, 4, unit="{tbl}")  # 2 DS tablets twice daily
    [card] = cards(patient(tmp_smx, allergies=frozenset({Allergy.SULFONAMIDE})))
    assert [s.label for s in card.suggestions] == ["Remove the draft order"]


def test_a_thiopurine_with_allopurinol_on_record_is_critical():
    azathioprine = draft(*AZATHIOPRINE, 100)
    [card] = cards(patient(azathioprine, order(Drug.ALLOPURINOL, 300)))
    assert card.indicator is Indicator.CRITICAL and "allopurinol" in card.summary


def test_two_drafts_that_interact_give_one_card_on_the_thiopurine():
    azathioprine = draft(*AZATHIOPRINE, 100, draft_id="aza")
    allopurinol = draft("519", "allopurinol", 300, draft_id="allo")
    [card] = cards(patient(azathioprine, allopurinol))
    assert card.about_drafts == ("MedicationRequest/aza",) and card.indicator is Indicator.CRITICAL


def test_an_allopurinol_draft_beside_azathioprine_on_record_is_critical():
    allopurinol = draft("519", "allopurinol", 300)
    [card] = cards(patient(allopurinol, order(Drug.AZATHIOPRINE, 100)))
    assert card.indicator is Indicator.CRITICAL


def test_a_second_salt_of_a_drug_on_record_is_a_duplicate_warning():
    acid = draft("7145", "mycophenolic acid", 720, frequency=2)
    [card] = cards(patient(acid, order(Drug.MYCOPHENOLATE_MOFETIL, 1000, 2)))
    assert card.indicator is Indicator.WARNING and "already on the regimen" in card.summary


def test_a_renewal_naming_the_current_order_as_its_prior_prescription_is_no_duplicate():
    current = order(Drug.METHOTREXATE, 15, 1 / 7, days=700, ref="MedicationRequest/mtx-1")
    drafted = methotrexate()
    renewal = replace(drafted, renews="MedicationRequest/mtx-1",
                      resource={**drafted.resource, "priorPrescription": {"reference": "MedicationRequest/mtx-1"}})
    assert cards(patient(renewal, current)) == []


def test_a_re_order_of_a_current_drug_without_that_link_is_a_duplicate_saying_how_to_renew():
    current = order(Drug.METHOTREXATE, 15, 1 / 7, days=700, ref="MedicationRequest/mtx-1")
    [card] = cards(patient(methotrexate(), current))
    assert card.indicator is Indicator.WARNING and "already on the regimen" in card.summary
    assert "if this renews it, end that order on signing" in " ".join(card.facts_used)


def test_two_drafts_of_one_drug_give_one_duplicate_card_on_the_second():
    first, second = draft(*MMF, 500, frequency=2, draft_id="a"), draft(*MMF, 1000, frequency=2, draft_id="b")
    [card] = cards(patient(first, second))
    assert card.about_drafts == ("MedicationRequest/b",)


def test_order_select_screens_the_selected_drafts_only():
    unselected = replace(methotrexate(), is_selected=False)
    assert cards(patient(unselected, results=(egfr(20),))) == []
    assert len(cards(patient(unselected, hook="order-sign", results=(egfr(20),)))) == 1


def test_patient_view_has_no_drafts_to_screen():
    assert cards(patient(methotrexate(), hook="patient-view", results=(egfr(20),))) == []


def test_teratogen_while_breastfeeding_is_critical():
    f = patient(methotrexate(), conditions=(condition(Condition.BREASTFEEDING),), sex="female", age=30)
    [card] = cards(f)
    assert card.indicator is Indicator.CRITICAL and "breastfeeding" in card.summary


def test_a_safe_draft_on_a_well_treated_patient_is_quiet():
    f = patient(methotrexate(), order(Drug.FOLIC_ACID, 1), order(Drug.PREDNISONE, 20))
    assert cards(f) == []


def test_through_the_engine_a_methotrexate_draft_at_egfr_20_is_said_once():
    f = patient(methotrexate(), results=(egfr(20),))
    shown = evaluate(all_recommendations(), f, resolve(all_recommendations(), {}), strict=True)
    critical = [r for r in shown if r.finding.indicator is Indicator.CRITICAL]
    assert [r.recommendation for r in critical] == [DRAFT_ORDER_SAFETY]
    removals = [a for r in shown for s in r.finding.suggestions for a in s.actions if a.type == "delete"]
    assert {a.resource_id for a in removals} == {"MedicationRequest/draft-1"}


def test_tmp_smx_written_in_mg_of_trimethoprim_is_read_by_its_dose_beside_methotrexate():
    on_record = (order(Drug.METHOTREXATE, 15, 1 / 7), order(Drug.FOLIC_ACID, 1))
    prophylaxis = draft("10831", "sulfamethoxazole / trimethoprim", 160)
    treatment = draft("10831", "sulfamethoxazole / trimethoprim", 320, frequency=2)
    assert cards(patient(prophylaxis, *on_record)) == []
    [card] = cards(patient(treatment, *on_record))
    assert card.indicator is Indicator.CRITICAL and "not a prophylactic dose" in card.summary


def test_a_methotrexate_draft_beside_prophylactic_tmp_smx_in_an_older_patient_is_a_warning_without_fix():
    tmp_smx = order(Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, 160)
    [card] = cards(patient(methotrexate(), tmp_smx, order(Drug.FOLIC_ACID, 1), age=72))
    assert card.indicator is Indicator.WARNING and "age 72" in card.summary and card.suggestions == ()


def test_methotrexate_with_raised_alt_from_the_liver_is_not_to_be_ordered_and_from_muscle_needs_a_ggt():
    alt = result(Lab.ALT, value=200, unit="U/L", days_ago=5, reference_high=40)
    [liver] = cards(patient(methotrexate(), results=(NORMAL_EGFR, alt)))
    assert liver.indicator is Indicator.WARNING and liver.summary.startswith("Do not order methotrexate: ALT 200")
    ck = result(Lab.CREATINE_KINASE, value=4000, unit="U/L", days_ago=5, reference_high=200)
    [muscle] = cards(patient(methotrexate(), results=(NORMAL_EGFR, alt, ck)))
    assert muscle.summary.startswith("Check before ordering methotrexate") and "GGT" in muscle.summary


def test_on_order_select_an_unselected_draft_is_the_regimen_a_selected_one_is_checked_against():
    azathioprine = draft(*AZATHIOPRINE, 100, draft_id="aza")
    allopurinol = replace(draft("519", "allopurinol", 300, draft_id="allo"), is_selected=False)
    [card] = cards(patient(azathioprine, allopurinol))
    assert card.about_drafts == ("MedicationRequest/aza",) and "allopurinol" in card.summary
