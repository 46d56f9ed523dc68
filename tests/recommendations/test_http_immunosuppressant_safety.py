"""The immunosuppressant-safety recommendations through the HTTP API: FHIR in, card topics out.

One firing case per recommendation and its nearest silent case where the FHIR mapping matters,
posted with a fixed clock (tests.factories.NOW, 2026-11-20).
"""

from tests.api import hook_request, post_hook
from tests.fhir_builders import ICD10CM, condition, dosage, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
ORDER_SELECT = "myositis-order-select"
ORDER_SIGN = "myositis-order-sign"
HOOKS = {PATIENT_VIEW: "patient-view", ORDER_SELECT: "order-select", ORDER_SIGN: "order-sign"}
IV_ROUTE = "47625008"


def dermatomyositis():
    return condition("396230008", display="Dermatomyositis", onset="2026-01-10")


def weight_and_height():
    return [observation("29463-7", 70, "kg", date="2026-11-10"), observation("8302-2", 175, "cm", date="2026-11-10")]


def azathioprine(**kw):
    return medication_request("197388", display="Azathioprine 50 MG Oral Tablet", dose=150, authored_on="2026-09-01",
                              **kw)


def cards(client, service, resources, *, drafts=(), myositis=True):
    base = [patient(), *weight_and_height()] + ([dermatomyositis()] if myositis else [])
    body = hook_request(HOOKS[service], [*base, *resources], drafts=drafts)
    return post_hook(client, service, body)["cards"]


def topics(client, service, resources, **kwargs):
    return {card["source"]["topic"]["code"] for card in cards(client, service, resources, **kwargs)}


def card(client, service, resources, topic, **kwargs):
    [found] = [c for c in cards(client, service, resources, **kwargs) if c["source"]["topic"]["code"] == topic]
    return found


# --- azathioprine-tpmt --------------------------------------------------------------------------
def test_azathioprine_drafted_for_a_patient_on_allopurinol_is_critical_at_order_sign_once(client):
    allopurinol = medication_request("197319", display="Allopurinol 100 MG Oral Tablet", dose=100)
    shown = cards(client, ORDER_SIGN, [allopurinol], drafts=[azathioprine(id="draft-aza")], myositis=False)
    [critical] = [c for c in shown if c["indicator"] == "critical"]
    assert critical["source"]["topic"]["code"] == "draft-order-safety"  # the interaction, said once
    assert "allopurinol" in critical["summary"].lower()


def test_azathioprine_without_tpmt_on_record_warns_on_patient_view(client):
    found = card(client, PATIENT_VIEW, [azathioprine()], "azathioprine-tpmt")
    assert found["indicator"] == "warning"
    assert found["suggestions"][0]["actions"][0]["resource"]["resourceType"] == "ServiceRequest"


def test_an_established_azathioprine_course_with_counts_sent_without_ranges_reads_the_configured_limits(client):
    course = medication_request("197388", display="Azathioprine 50 MG Oral Tablet", dose=150,
                                authored_on="2025-06-01")
    counts = [observation("6690-2", 6.2, "10*3/uL", date="2026-11-01"),
              observation("777-3", 240, "10*3/uL", date="2026-11-01"),
              observation("718-7", 13.4, "g/dL", date="2026-11-01")]
    found = card(client, PATIENT_VIEW, [course, *counts], "azathioprine-tpmt")
    assert found["indicator"] == "info"


def test_azathioprine_drafted_for_a_tpmt_poor_metabolizer_is_critical_and_suggests_removing_it(client):
    tpmt = observation(None, text="TPMT genotype", value_string="*3A/*3A poor metabolizer", date="2026-08-20")
    found = card(client, ORDER_SIGN, [tpmt], "azathioprine-tpmt", drafts=[azathioprine(id="draft-aza")])
    assert found["indicator"] == "critical"
    [action] = found["suggestions"][0]["actions"]
    assert (action["type"], action["resourceId"]) == ("delete", "MedicationRequest/draft-aza")


# --- mycophenolate-dose -------------------------------------------------------------------------
def test_mycophenolate_2_g_twice_daily_warns(client):
    mmf = medication_request("200060", display="mycophenolate mofetil 500 MG Oral Tablet", dose=2000, frequency=2)
    assert "mycophenolate-dose" in topics(client, PATIENT_VIEW, [mmf])


def test_mycophenolate_1500_mg_twice_daily_is_quiet(client):
    mmf = medication_request("200060", display="mycophenolate mofetil 500 MG Oral Tablet", dose=1500, frequency=2)
    assert "mycophenolate-dose" not in topics(client, PATIENT_VIEW, [mmf])


# --- calcineurin-inhibitor-risk ----------------------------------------------------------------
def test_tacrolimus_drafted_with_hypertension_warns_at_order_select(client):
    hypertension = condition("I10", ICD10CM, "Essential (primary) hypertension")
    tacrolimus = medication_request("198377", display="Tacrolimus 1 MG Oral Capsule", dose=2, frequency=2,
                                    id="draft-tac")
    assert "calcineurin-inhibitor-risk" in topics(client, ORDER_SELECT, [hypertension], drafts=[tacrolimus])


# --- ivig-dose ------------------------------------------------------------------------------------
def test_ivig_course_above_2_2_g_per_kg_warns_at_order_sign(client):
    # 80 g on each of 2 days at 70 kg = 2.29 g/kg per course
    ivig = medication_request(text="Immune globulin (IVIG) 10% intravenous solution", id="draft-ivig",
                              dosage_instruction=[dosage(80, "g", route=IV_ROUTE, count=2)])
    assert "ivig-dose" in topics(client, ORDER_SIGN, [], drafts=[ivig])


# --- rituximab-hbv --------------------------------------------------------------------------------
def rituximab(**kw):
    return medication_request("121191", display="rituximab", dose=1000, frequency=1, period=2, period_unit="wk",
                              route=IV_ROUTE, **kw)


def test_rituximab_drafted_without_hepatitis_b_serology_is_critical(client):
    found = card(client, ORDER_SIGN, [], "rituximab-hbv", drafts=[rituximab(id="draft-rtx")], myositis=False)
    assert found["indicator"] == "critical"
    assert found["selectionBehavior"] == "at-most-one"


def test_rituximab_with_negative_serology_is_quiet(client):
    serology = [observation("5196-1", date="2026-05-01", interpretation="NEG"),
                observation("16933-4", date="2026-05-01", interpretation="NEG")]
    assert "rituximab-hbv" not in topics(client, ORDER_SIGN, serology, drafts=[rituximab(id="draft-rtx")])


# --- tb-screening ---------------------------------------------------------------------------------
def test_rituximab_drafted_without_an_igra_gets_a_tb_screening_warning_with_an_igra_order(client):
    found = card(client, ORDER_SIGN, [], "tb-screening", drafts=[rituximab(id="draft-rtx")])
    assert found["indicator"] == "warning"
    codes = [a["resource"]["code"]["coding"][0]["code"] for s in found["suggestions"] for a in s["actions"]]
    assert "71773-6" in codes


def test_rituximab_with_a_negative_quantiferon_this_year_gets_no_tb_card(client):
    quantiferon = observation(None, text="QuantiFERON-TB Gold Plus", value_string="Negative", date="2026-06-01")
    assert "tb-screening" not in topics(client, ORDER_SIGN, [quantiferon], drafts=[rituximab(id="draft-rtx")])


# --- rituximab-immunoglobulins ---------------------------------------------------------------------
def test_rituximab_drafted_without_immunoglobulins_offers_igg_and_igm(client):
    found = card(client, ORDER_SIGN, [], "rituximab-immunoglobulins", drafts=[rituximab(id="draft-rtx")])
    codes = [a["resource"]["code"]["coding"][0]["code"] for s in found["suggestions"] for a in s["actions"]]
    assert (found["indicator"], codes) == ("info", ["2465-3", "2472-9"])


def test_rituximab_drafted_with_a_low_igg_in_mg_per_dl_is_a_warning(client):
    labs = [observation("2465-3", 410, "mg/dL", date="2026-11-01"), observation("2472-9", 60, "mg/dL", date="2026-11-01")]
    found = card(client, ORDER_SIGN, labs, "rituximab-immunoglobulins", drafts=[rituximab(id="draft-rtx")])
    assert found["indicator"] == "warning"


# --- cyclophosphamide-checks ----------------------------------------------------------------------
def test_cyclophosphamide_pulse_above_1_g_per_m2_warns(client):
    pulse = medication_request("3002", display="cyclophosphamide", dose=2500, period=4, period_unit="wk",
                               route=IV_ROUTE, id="draft-cyc")
    found = card(client, ORDER_SIGN, [], "cyclophosphamide-checks", drafts=[pulse])
    assert found["indicator"] == "warning"


def test_cyclophosphamide_cycle_with_prophylaxis_and_a_recent_blood_count_is_quiet(client):
    pulse = medication_request("3002", display="cyclophosphamide", dose=1100, period=4, period_unit="wk",
                               route=IV_ROUTE, id="draft-cyc")
    cotrimoxazole = medication_request("198335", display="Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet",
                                       dose=1, unit="{tbl}")
    blood_count = observation("718-7", 13.1, "g/dL", date="2026-11-18")
    found = topics(client, ORDER_SIGN, [cotrimoxazole, blood_count], drafts=[pulse])
    assert "cyclophosphamide-checks" not in found
    assert "cyclophosphamide-checks" in topics(client, ORDER_SIGN, [cotrimoxazole], drafts=[pulse])


# --- statin-anti-hmgcr ----------------------------------------------------------------------------
def test_statin_with_anti_hmgcr_positive_warns_and_suggests_stopping_it(client):
    statin = medication_request("617311", display="atorvastatin 40 MG Oral Tablet", dose=40, id="statin-1")
    hmgcr = observation(None, text="HMGCR antibody", interpretation="POS", date="2026-10-01")
    found = card(client, PATIENT_VIEW, [statin, hmgcr], "statin-anti-hmgcr")
    [action] = found["suggestions"][0]["actions"]
    assert (action["type"], action["resource"]["id"], action["resource"]["status"]) == ("update", "statin-1", "stopped")


# --- ibm-immunosuppression ------------------------------------------------------------------------
def test_high_dose_prednisone_ordered_in_ibm_gets_only_the_ibm_card_of_the_escalation_family(client):
    ibm = condition("72315009", display="Inclusion body myositis (disorder)")
    prednisone = medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=60, id="draft-pred")
    found = topics(client, ORDER_SELECT, [ibm], drafts=[prednisone], myositis=False)
    assert "ibm-immunosuppression" in found
    assert "steroid-sparing-agent" not in found


def test_azathioprine_ordered_in_ibm_gets_a_warning_not_folded_information(client):
    ibm = condition("72315009", display="Inclusion body myositis (disorder)")
    found = card(client, ORDER_SIGN, [ibm], "ibm-immunosuppression", drafts=[azathioprine(id="draft-aza")],
                 myositis=False)
    assert found["indicator"] == "warning"
    assert "not recommended" in found["summary"]


# --- draft-strength-conflict --------------------------------------------------------------------
def test_a_prednisone_draft_coded_5_mg_but_written_20_mg_warns_for_any_patient(client):
    draft = medication_request("312617", text="predniSONE 20 MG Oral Tablet", dose=1, unit=None, id="draft-pred")
    found = card(client, ORDER_SIGN, [], "draft-strength-conflict", drafts=[draft], myositis=False)
    assert found["indicator"] == "warning"


def test_a_prednisone_draft_whose_code_and_text_agree_gives_no_strength_card(client):
    draft = medication_request("312617", text="predniSONE 5 MG Oral Tablet", dose=1, unit=None, id="draft-pred")
    assert "draft-strength-conflict" not in topics(client, ORDER_SIGN, [], drafts=[draft], myositis=False)
