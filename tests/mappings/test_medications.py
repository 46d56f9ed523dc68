"""MedicationRequest -> MedicationOrder: which drug, which strength, which dates, which status."""

import pytest

from fhir_mappings.concepts import Drug, Route
from tests.factories import TODAY
from tests.fhir_builders import (
    bundle,
    dosage,
    draft_orders,
    medication,
    medication_request,
)
from tests.mappings.conftest import facts_of

ORAL = "26643006"
IV = "47625008"


def orders(*resources, **kwargs):
    return facts_of(*resources, **kwargs).medications


def only(*resources, **kwargs):
    (order,) = orders(*resources, **kwargs)
    return order


# --- which drug ------------------------------------------------------------------------------


def test_ingredient_rxcui_is_recognised():
    assert only(medication_request("8640", dose=20)).drug is Drug.PREDNISONE


def test_product_rxcui_is_recognised_with_its_strength():
    order = only(medication_request("312615", dose=3, unit="{tbl}"))
    assert (order.drug, order.dose.mg_per_day_high) == (Drug.PREDNISONE, 60)


def test_branded_product_rxcui_is_recognised():
    assert only(medication_request("284595", dose=1, unit="{tbl}", period_unit="wk")).dose.mg_per_week_high == 15


def test_rxnorm_style_display_gives_drug_and_strength():
    order = only(medication_request("999999", display="predniSONE 20 MG Oral Tablet", dose=2, unit="{tbl}"))
    assert (order.drug, order.dose.mg_per_day_high) == (Drug.PREDNISONE, 40)


def test_text_only_medication_is_recognised_by_name():
    assert only(medication_request(text="Methotrexate 2.5 mg tablet", dose=6, unit="TAB",
                                   period_unit="wk")).dose.mg_per_week_high == 15


def test_medication_from_contained_resource():
    request = medication_request(dose=1, unit="{tbl}", medicationReference={"reference": "#m1"},
                                 contained=[medication("105585", display="Methotrexate 2.5 MG Oral Tablet", id="m1")])
    assert only(request).dose.mg_per_administration_high == 2.5


def test_medication_referenced_in_the_bundle():
    request = medication_request(dose=1, unit="g", medicationReference={"reference": "Medication/mmf"})
    order = only(request, medication(text="Mycophenolate mofetil 500 MG Oral Tablet", id="mmf"))
    assert order.drug is Drug.MYCOPHENOLATE_MOFETIL


def test_medication_ingredient_strength_gives_mg_per_tablet():
    ingredient = {"itemCodeableConcept": {"text": "azathioprine"},
                  "strength": {"numerator": {"value": 50, "unit": "mg", "code": "mg"},
                               "denominator": {"value": 1, "unit": "tablet"}}}
    request = medication_request(dose=2, unit="tablet", medicationReference={"reference": "#aza"},
                                 contained=[medication(text="Imuran", id="aza", ingredient=[ingredient])])
    assert only(request).dose.mg_per_day_high == 100


def test_unrelated_medication_is_not_an_order():
    assert orders(medication_request("197361", display="Amlodipine 5 MG Oral Tablet", dose=5)) == ()


def test_combination_product_is_its_combined_concept():
    order = only(medication_request("198335", dose=1, unit="{tbl}"))
    assert order.drug is Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM


def test_tablets_of_tmp_smx_are_counted_in_mg_of_trimethoprim():
    order = only(medication_request("198335", dose=1, unit="{tbl}", frequency=2))
    assert order.dose.mg_per_day_high == 320
    assert "160 mg trimethoprim" in order.dose.text


def test_a_component_without_a_mg_strength_has_no_mg_dose():
    problems = {o.drug: o.dose_problem for o in orders(medication_request("198542", dose=1, unit="{tbl}"))}
    assert "unknown strength" in problems[Drug.VITAMIN_D]  # 200 units, not mg


def test_calcium_with_vitamin_d_gives_an_order_for_each():
    drugs = {o.drug for o in orders(medication_request("198542", dose=1, unit="{tbl}"))}
    assert drugs == {Drug.CALCIUM, Drug.VITAMIN_D}


def test_hepatitis_b_immune_globulin_is_not_ivig():
    assert orders(medication_request(text="hepatitis B immune globulin", dose=1, unit="mL")) == ()


def test_immune_globulin_by_name_is_ivig():
    assert only(medication_request(text="Immune globulin (human) 10% IV", dose=2, unit="g/kg")).drug is Drug.IVIG


def test_topical_glucocorticoid_is_not_a_systemic_order():
    assert orders(medication_request(text="Hydrocortisone 1% topical cream", dose=1, unit="g")) == ()


def test_eye_drops_of_prednisolone_are_not_a_systemic_order():
    dosages = [dosage(1, "{drop}", route=None, text="1 drop", frequency=4)]
    request = medication_request(text="prednisolone acetate 10 MG/ML Ophthalmic Suspension",
                                 dosage_instruction=dosages)
    assert orders(request) == ()


# --- route, dates, status --------------------------------------------------------------------


@pytest.mark.parametrize(("route", "expected"), [(ORAL, Route.ORAL), (IV, Route.INTRAVENOUS),
                                                 ("34206005", Route.SUBCUTANEOUS)])
def test_route_from_snomed_code(route, expected):
    assert only(medication_request("6902", dose=500, route=route)).route is expected


V3_ROUTE = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"


def test_route_from_v3_code():
    route = {"coding": [{"system": V3_ROUTE, "code": "IVINFUS"}]}
    request = medication_request("6902", dosage_instruction=[{**dosage(1, "g"), "route": route}])
    assert only(request).route is Route.INTRAVENOUS


def test_route_from_text():
    request = medication_request("6851", dosage_instruction=[{**dosage(15, period_unit="wk"),
                                                              "route": {"text": "subcut"}}])
    assert only(request).route is Route.SUBCUTANEOUS


def test_route_of_an_oral_product_without_a_route():
    assert only(medication_request("312615", dose=1, unit="{tbl}")).route is Route.ORAL


def test_start_from_authored_on():
    assert only(medication_request("8640", dose=20, authored_on="2026-09-01")).start.isoformat() == "2026-09-01"


def test_start_from_validity_period_without_authored_on():
    request = medication_request("8640", dose=20, authored_on=None,
                                 dispenseRequest={"validityPeriod": {"start": "2026-08-15"}})
    assert only(request).start.isoformat() == "2026-08-15"


def test_start_from_timing_bounds_without_other_dates():
    request = medication_request("8640", authored_on=None, dosage_instruction=[
        dosage(20, boundsPeriod={"start": "2026-07-01", "end": "2026-07-31"})])
    order = only(request)
    assert (order.start.isoformat(), order.end.isoformat()) == ("2026-07-01", "2026-07-31")


def test_stopped_order_is_history_not_current():
    order = only(medication_request("8640", dose=20, status="stopped"))
    assert not order.is_current


def test_stopped_order_ends_after_its_supply():
    request = medication_request("8640", dose=20, status="completed", authored_on="2026-01-01",
                                 dispenseRequest={"expectedSupplyDuration": {"value": 30, "code": "d"},
                                                  "numberOfRepeatsAllowed": 1})
    assert only(request).days_taken(TODAY) == 60


def test_stopped_order_without_supply_counts_no_days():
    assert only(medication_request("8640", dose=20, status="stopped")).days_taken(TODAY) == 0


def test_active_order_counts_days_until_today():
    assert only(medication_request("8640", dose=20, authored_on="2026-11-01")).days_taken(TODAY) == 19


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_orders_never_given_are_dropped(status):
    assert orders(medication_request("8640", dose=20, status=status)) == ()


def test_plan_intent_is_current():
    assert only(medication_request("8640", dose=20, intent="plan")).is_current


def test_proposal_intent_is_not_current():
    assert not only(medication_request("8640", dose=20, intent="proposal")).is_current


def test_missing_intent_is_read_as_an_order_and_noted():
    facts = facts_of(medication_request("8640", dose=20, intent=None))
    assert facts.medications[0].intent == "order"
    assert "MedicationRequest without intent read as an order" in facts.report.notes


def test_the_sent_resource_is_kept_for_updates():
    request = medication_request("6851", dose=15, id="mtx-1")
    assert only(request).resource["id"] == "mtx-1"


def test_reference_is_relative_to_the_resource_id():
    order = only(medication_request("6851", dose=15, period_unit="wk", id="mtx-1"))
    assert order.reference == "MedicationRequest/mtx-1"


# --- draft orders ----------------------------------------------------------------------------


def test_sandbox_draft_with_category_object_and_no_intent_is_read():
    draft = medication_request("105585", dose=1, unit="{tbl}", intent=None, id="d1",
                               category={"coding": [{"code": "outpatient"}]})
    facts = facts_of(context={"draftOrders": draft_orders(draft), "selections": ["MedicationRequest/d1"]},
                     hook="order-select")
    (order,) = facts.medications
    assert (order.is_draft, order.is_selected, order.dose.mg_per_day_high) == (True, True, 2.5)


def test_draft_not_in_selections_is_not_selected():
    facts = facts_of(context={"draftOrders": draft_orders(medication_request("8640", dose=20, id="d2")),
                              "selections": ["MedicationRequest/other"]}, hook="order-select")
    assert not facts.medications[0].is_selected


def test_every_draft_is_selected_when_the_hook_sends_no_selections():
    facts = facts_of(context={"draftOrders": draft_orders(medication_request("8640", dose=20, id="d3"))},
                     hook="order-sign")
    assert facts.medications[0].is_selected


def test_draft_orders_bundle_without_type_is_read():
    facts = facts_of(context={"draftOrders": bundle(medication_request("8640", dose=20, status="draft"), type=None)},
                     hook="order-sign")
    assert facts.medications[0].is_draft


def test_a_draft_replaces_the_same_order_from_the_prefetch():
    record = medication_request("6851", dose=15, id="same")
    draft = medication_request("6851", dose=15, period_unit="wk", id="same")
    facts = facts_of(record, context={"draftOrders": draft_orders(draft)}, hook="order-sign")
    assert [o.is_draft for o in facts.medications] == [True]


def test_non_medication_drafts_are_ignored():
    nutrition = {"resourceType": "NutritionOrder", "id": "n1", "status": "draft"}
    facts = facts_of(context={"draftOrders": draft_orders(nutrition)}, hook="order-select")
    assert (facts.medications, facts.report.ignored) == ((), 1)


def test_absolute_reference_in_selections_matches():
    facts = facts_of(context={"draftOrders": draft_orders(medication_request("8640", dose=20, id="d9")),
                              "selections": ["https://ehr.example/fhir/MedicationRequest/d9"]}, hook="order-select")
    assert facts.medications[0].is_selected


def test_rxnorm_system_given_as_oid_is_recognised():
    request = medication_request(dose=20, medicationCodeableConcept={
        "coding": [{"system": "urn:oid:2.16.840.1.113883.6.88", "code": "8640"}]})
    assert only(request).drug is Drug.PREDNISONE


def test_rxnorm_code_under_another_system_is_not_read_as_rxnorm():
    request = medication_request(dose=20, medicationCodeableConcept={
        "coding": [{"system": "http://example.org/local", "code": "8640"}]})
    assert orders(request) == ()



def test_topical_tacrolimus_is_not_a_steroid_sparing_agent():
    assert orders(medication_request(text="tacrolimus 0.1% topical ointment", dose=1, unit="g")) == ()


def test_ciclosporin_eye_drops_are_not_systemic_ciclosporin():
    request = medication_request(text="cycloSPORINE 0.5 MG/ML Ophthalmic Emulsion", dosage_instruction=[
        {**dosage(1, "{drop}", frequency=2), "route": {"text": "ophthalmic"}}])
    assert orders(request) == ()


def test_aerosolised_pentamidine_is_pjp_prophylaxis():
    request = medication_request(text="pentamidine isethionate 300 MG Inhalation Solution", dose=300,
                                 period_unit="mo")
    assert only(request).drug is Drug.PENTAMIDINE


def test_epic_medication_reference_display_names_the_drug():
    request = medication_request(dose=20, medicationReference={"reference": "Medication/e1",
                                                               "display": "predniSONE 20 MG tablet"})
    assert only(request).drug is Drug.PREDNISONE


def test_medication_ingredient_strength_per_ml_gives_a_concentration():
    ingredient = {"itemCodeableConcept": {"text": "prednisolone"},
                  "strength": {"numerator": {"value": 15, "code": "mg"}, "denominator": {"value": 5, "code": "mL"}}}
    request = medication_request(dose=10, unit="mL", medicationReference={"reference": "#liquid"},
                                 contained=[medication(text="Orapred", id="liquid", ingredient=[ingredient])])
    assert only(request).dose.mg_per_administration_high == 30


def test_orders_without_ids_are_never_taken_for_a_draft():
    record = medication_request("6851", dose=15, period_unit="wk")
    record.pop("id")
    draft = medication_request("8640", dose=20)
    draft.pop("id")
    facts = facts_of(record, context={"draftOrders": draft_orders(draft)}, hook="order-sign")
    assert sorted(o.drug for o in facts.medications) == [Drug.METHOTREXATE, Drug.PREDNISONE]


def test_a_taper_ends_after_all_its_steps():
    two_weeks = {"boundsDuration": {"value": 14, "unit": "d", "code": "d"}}
    steps = [{**dosage(60, **two_weeks), "sequence": 1}, {**dosage(40, **two_weeks), "sequence": 2}]
    order = only(medication_request("8640", authored_on="2026-10-01", dosage_instruction=steps))
    assert order.end.isoformat() == "2026-10-29"


def test_an_open_ended_last_step_leaves_the_order_without_an_end():
    steps = [{**dosage(60, boundsDuration={"value": 14, "code": "d"}), "sequence": 1},
             {**dosage(40), "sequence": 2}]
    assert only(medication_request("8640", dosage_instruction=steps)).end is None


# --- dose shapes of real EHR data (issue 11) ---------------------------------------------------


def test_a_unitless_amount_on_a_tablet_product_is_that_many_tablets():
    order = only(medication_request("312617", dose=2, unit=None))  # prednisone 5 mg oral tablet
    assert (order.dose.mg_per_day_high, order.dose.text) == (10, "2 tablets (10 mg) once daily")


def test_a_unitless_amount_read_as_tablets_is_noted_in_the_parse_report():
    report = facts_of(medication_request("312617", dose=1, unit=None)).report
    assert any("unitless dose amount read as a number of tablets" in note for note in report.notes)


def test_a_unitless_amount_on_a_component_code_counts_the_unit_all_its_products_come_in():
    order = only(medication_request("316672", dose=1, unit=None, display="Simvistatin 10 MG"))  # tablets only
    assert (order.drug, order.dose.text) == (Drug.SIMVASTATIN, "1 tablet (10 mg) once daily")


def test_a_unitless_amount_on_a_component_code_sold_as_tablets_and_capsules_counts_units():
    order = only(medication_request("316584", dose=2, unit=None, display="Prednisone 5 MG"))
    assert order.dose.text == "2 units (10 mg) once daily"


def test_a_unitless_amount_on_a_component_code_that_is_also_an_injection_is_not_read():
    order = only(medication_request("316317", dose=1, unit=None, display="mycophenolate mofetil 500 MG"))
    assert (order.dose, order.dose_problem) == (None, "dose not interpretable: dose without a unit")


def test_a_component_code_takes_its_dose_form_from_the_order_name():
    order = only(medication_request("316672", dose=1, unit=None, display="Simvastatin 10 MG Oral Tablet"))
    assert order.dose.mg_per_day_high == 10


def test_a_unitless_amount_on_a_named_drug_of_unknown_strength_is_not_read():
    order = only(medication_request(text="prednisone tablet", dose=1, unit=None))
    assert order.dose is None and order.dose_problem == "dose not interpretable: dose without a unit"


def test_a_product_code_whose_strength_contradicts_the_text_gives_no_dose():
    order = only(medication_request("312617", text="predniSONE 20 MG Oral Tablet", dose=1, unit="{tbl}"))
    assert order.dose is None
    assert order.dose_problem == ("dose not interpretable: RxNorm 312617 is 5 mg per oral tablet, "
                                  "the order's name says 20 MG")


def test_a_product_code_agreeing_with_its_text_is_read():
    order = only(medication_request("312617", text="predniSONE 5 MG Oral Tablet", dose=1, unit="{tbl}"))
    assert order.dose.mg_per_day_high == 5


def test_a_millilitre_dose_of_a_per_ml_product_code_uses_its_concentration():
    order = only(medication_request("835886", dose=1.5, unit="mL", frequency=2))  # ciclosporin 100 mg/mL solution
    assert order.dose.mg_per_day_high == 300


def test_the_order_a_renewal_continues_is_read_from_prior_prescription():
    renewal = medication_request("105585", dose=15, period_unit="wk",
                                 priorPrescription={"reference": "https://ehr.example/fhir/MedicationRequest/mtx-1"})
    assert only(renewal).renews == "MedicationRequest/mtx-1"
    assert only(medication_request("105585", dose=15, period_unit="wk")).renews is None
