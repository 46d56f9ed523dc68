"""The clinical capabilities of issue 12 through the HTTP API: FHIR in, card topics and indicators out.

Fixed clock tests.factories.NOW (2026-11-20); one firing and one silent case per recommendation.
"""

from tests.api import hook_request, post_hook
from tests.fhir_builders import ICD10CM, condition, immunization, medication_request, observation, patient

PATIENT_VIEW = "myositis-patient-view"
ORDER_SIGN = "myositis-order-sign"
ORDER_SELECT = "myositis-order-select"


def dermatomyositis(onset="2026-01-10"):
    return condition("396230008", display="Dermatomyositis", onset=onset)


def prednisone(mg=60, start="2026-10-01"):
    return medication_request("312615", display="Prednisone 20 MG Oral Tablet", dose=mg, authored_on=start)


def tacrolimus():
    return medication_request(None, text="tacrolimus 1 MG Oral Capsule", dose=2, authored_on="2026-10-01")


def methotrexate(start="2026-07-01", **kwargs):
    return medication_request("105585", display="Methotrexate 2.5 MG Oral Tablet", dose=15, period_unit="wk",
                              authored_on=start, **kwargs)


def antibody(name, date="2026-02-01"):
    return observation(None, text=f"{name} antibody", interpretation="POS", date=date)


def ild():
    return condition("J84.10", ICD10CM, "Pulmonary fibrosis, unspecified")


def cards(client, resources, service=PATIENT_VIEW, **kwargs):
    hook = "patient-view" if service == PATIENT_VIEW else "order-sign"
    body = hook_request(hook, [patient(), *resources], **kwargs)
    return {card["source"]["topic"]["code"]: card["indicator"] for card in post_hook(client, service, body)["cards"]}


def test_anti_mda5_with_ild_on_prednisone_alone_is_critical(client):
    found = cards(client, [dermatomyositis(), antibody("Anti-MDA5"), ild(), prednisone()])
    assert found["anti-mda5-rp-ild"] == "critical"


def mycophenolate():
    return medication_request("200060", display="mycophenolate mofetil 500 MG Oral Tablet", dose=1000, frequency=2,
                              authored_on="2026-10-01")


def test_anti_mda5_with_ild_on_prednisone_and_tacrolimus_asks_for_a_second_agent(client):
    found = cards(client, [dermatomyositis(), antibody("Anti-MDA5"), ild(), prednisone(), tacrolimus()])
    assert found["anti-mda5-rp-ild"] == "warning"


def test_anti_mda5_with_ild_on_prednisone_tacrolimus_and_mycophenolate_is_quiet(client):
    found = cards(client, [dermatomyositis(), antibody("Anti-MDA5"), ild(), prednisone(), tacrolimus(),
                           mycophenolate()])
    assert "anti-mda5-rp-ild" not in found


def test_methotrexate_draft_with_cirrhosis_is_critical_at_order_sign_once(client):
    cirrhosis = condition("K74.60", ICD10CM, "Unspecified cirrhosis of liver")
    found = cards(client, [dermatomyositis(), cirrhosis, prednisone()], service=ORDER_SIGN,
                  drafts=[methotrexate(id="draft-mtx", status="draft")])
    assert found["draft-order-safety"] == "critical" and "methotrexate-liver" not in found


def test_raised_alt_with_raised_ck_and_normal_ggt_is_read_as_muscle(client):
    labs = [observation("1742-6", 160, "U/L", reference_range=(None, 40)),
            observation("2157-6", 4000, "U/L", reference_range=(None, 200)),
            observation("2324-2", 35, "U/L", reference_range=(None, 60))]
    found = cards(client, [dermatomyositis(), prednisone(), methotrexate(), *labs])
    assert found["methotrexate-liver"] == "info"


def test_alt_110_at_2_4_times_the_limit_on_methotrexate_with_normal_ck_says_withhold(client):
    labs = [observation("1742-6", 110, "U/L", reference_range=(None, 46)),
            observation("2157-6", 90, "U/L", reference_range=(None, 200)),
            observation("2324-2", 35, "U/L", reference_range=(None, 60))]
    body = hook_request("patient-view", [patient(), dermatomyositis(), prednisone(), methotrexate(), *labs])
    [card] = [c for c in post_hook(client, PATIENT_VIEW, body)["cards"]
              if c["source"]["topic"]["code"] == "methotrexate-liver"]
    assert (card["indicator"], card["summary"]) == ("warning", "ALT 110 U/L on methotrexate: withhold and discuss")


def test_methotrexate_draft_with_fatty_liver_alone_is_a_warning_not_critical(client):
    fatty = condition("K76.0", ICD10CM, "Fatty (change of) liver, not elsewhere classified")
    found = cards(client, [dermatomyositis(), fatty, prednisone()], service=ORDER_SIGN,
                  drafts=[methotrexate(id="draft-mtx", status="draft")])
    assert found["draft-order-safety"] == "warning"  # the draft check's liver dimension: assess fibrosis first


def test_normal_alt_on_methotrexate_is_quiet(client):
    found = cards(client, [dermatomyositis(), prednisone(), methotrexate(),
                           observation("1742-6", 30, "U/L", reference_range=(None, 40))])
    assert "methotrexate-liver" not in found


def test_amyopathic_dermatomyositis_without_hydroxychloroquine(client):
    amyopathic = condition("M33.13", ICD10CM, "Other dermatomyositis without myopathy")
    found = cards(client, [amyopathic])
    assert found["skin-disease-treatment"] == "info"


def test_amyopathic_dermatomyositis_on_hydroxychloroquine_is_quiet(client):
    amyopathic = condition("M33.13", ICD10CM, "Other dermatomyositis without myopathy")
    hcq = medication_request(None, text="hydroxychloroquine sulfate 200 MG Oral Tablet", dose=200,
                             authored_on="2026-06-01")
    eye = {"resourceType": "Procedure", "id": "oct-1", "status": "completed", "code": {"text": "SD-OCT macula"},
           "subject": {"reference": "Patient/example"}, "performedDateTime": "2026-07-01"}
    assert "skin-disease-treatment" not in cards(client, [amyopathic, hcq, eye])


def test_hydroxychloroquine_drafted_without_an_eye_examination_asks_for_the_baseline_at_order_sign(client):
    hcq = medication_request(None, text="hydroxychloroquine sulfate 200 MG Oral Tablet", dose=200, id="draft-hcq",
                             status="draft")
    body = hook_request("order-sign", [patient(), dermatomyositis()], drafts=[hcq])
    [card] = [c for c in post_hook(client, ORDER_SIGN, body)["cards"]
              if c["source"]["topic"]["code"] == "skin-disease-treatment"]
    assert "baseline retinal examination is due within the first year" in card["summary"]


def ct_report(status="final", date="2026-02-15"):
    return {"resourceType": "DiagnosticReport", "id": "ct-cap", "status": status,
            "code": {"text": "CT Chest and Abdomen and Pelvis W contrast IV"},
            "subject": {"reference": "Patient/example"}, "effectiveDateTime": date}


def test_anti_tif1_gamma_dermatomyositis_without_ct_is_a_cancer_screening_gap(client):
    found = cards(client, [dermatomyositis(), antibody("Anti-TIF1-gamma"), prednisone()])
    assert found["cancer-screening"] == "info"


def test_ct_chest_abdomen_pelvis_report_silences_cancer_screening(client):
    found = cards(client, [dermatomyositis(), antibody("Anti-TIF1-gamma"), prednisone(), ct_report()])
    assert "cancer-screening" not in found


def test_dermatomyositis_diagnosed_over_three_years_ago_has_no_cancer_screening_card(client):
    assert "cancer-screening" not in cards(client, [dermatomyositis(onset="2022-01-10"), prednisone()])


def test_live_vaccine_ordered_on_methotrexate_is_a_vaccination_warning_at_order_select(client):
    mmr = immunization("03", date=None, status="not-done", display="MMR", id="draft-mmr")
    body = hook_request("order-select", [patient(), dermatomyositis(), prednisone(), methotrexate()], drafts=[mmr])
    found = {c["source"]["topic"]["code"]: c["indicator"] for c in post_hook(client, ORDER_SELECT, body)["cards"]}
    assert found["vaccination"] == "warning"


def test_non_live_vaccine_ordered_on_methotrexate_gets_no_live_vaccine_warning(client):
    shingrix = immunization("187", date=None, status="not-done", display="Shingrix", id="draft-rzv")
    body = hook_request("order-select", [patient(), dermatomyositis(), prednisone(), methotrexate()], drafts=[shingrix])
    cards = post_hook(client, ORDER_SELECT, body)["cards"]
    assert not any(c["source"]["topic"]["code"] == "vaccination" and c["indicator"] == "warning" for c in cards)


def pft_procedure(date):
    return {"resourceType": "Procedure", "id": "pft", "status": "completed", "code": {"text": "Pulmonary function test"},
            "subject": {"reference": "Patient/example"}, "performedDateTime": date}


def test_myositis_ild_without_lung_function_for_six_months_is_due(client):
    recent_ild = condition("J84.10", ICD10CM, "Pulmonary fibrosis, unspecified", onset="2026-03-01")
    found = cards(client, [dermatomyositis(), recent_ild, prednisone(), tacrolimus(), pft_procedure("2026-04-01")])
    assert found["ild-assessment"] == "info"


def test_myositis_ild_with_a_recent_lung_function_procedure_is_quiet(client):
    recent_ild = condition("J84.10", ICD10CM, "Pulmonary fibrosis, unspecified", onset="2026-03-01")
    found = cards(client, [dermatomyositis(), recent_ild, prednisone(), tacrolimus(), pft_procedure("2026-10-01")])
    assert "ild-assessment" not in found


def test_established_methotrexate_in_a_young_woman_without_a_pregnancy_test_is_reviewed(client):
    body = hook_request("patient-view", [patient(birth_date="1995-03-01"), dermatomyositis(), prednisone(),
                                         methotrexate()])
    found = {c["source"]["topic"]["code"]: c["indicator"] for c in post_hook(client, PATIENT_VIEW, body)["cards"]}
    assert found["teratogen-pregnancy"] == "info"


def test_established_methotrexate_in_a_young_woman_with_a_negative_test_since_the_start_is_quiet(client):
    negative = observation("2106-3", value_string="Negative", date="2026-07-05")
    body = hook_request("patient-view", [patient(birth_date="1995-03-01"), dermatomyositis(), prednisone(),
                                         methotrexate(), negative])
    assert "teratogen-pregnancy" not in {c["source"]["topic"]["code"] for c in post_hook(client, PATIENT_VIEW, body)["cards"]}


def test_hydroxychloroquine_above_5_mg_per_kg_is_a_warning(client):
    weight = observation("29463-7", 55, "kg", date="2026-11-01")
    hcq = medication_request(None, text="hydroxychloroquine sulfate 200 MG Oral Tablet", dose=400,
                             authored_on="2026-06-01")
    found = cards(client, [dermatomyositis(), weight, hcq])
    assert found["skin-disease-treatment"] == "warning"


def test_an_ehr_without_the_procedure_report_and_order_templates_still_gets_cards_that_say_so(client):
    body = hook_request("patient-view", [patient(), dermatomyositis(), antibody("Anti-TIF1-gamma"), prednisone()],
                        omit=("procedures", "diagnosticReports", "serviceRequests"))
    cards_ = {c["source"]["topic"]["code"]: c for c in post_hook(client, PATIENT_VIEW, body)["cards"]}
    assert cards_["cancer-screening"]["summary"].startswith("Verify in the full record: ")
    assert "**Not verified:** the DiagnosticReport, Procedure, ServiceRequest records" in cards_["cancer-screening"]["detail"]


def test_a_new_dermatomyositis_without_ecg_or_troponin_gets_a_cardiac_screening_card(client):
    found = cards(client, [dermatomyositis(onset="2026-10-01"), prednisone()])
    assert found["cardiac-assessment"] == "info"


def test_a_new_dermatomyositis_with_an_ecg_and_a_normal_troponin_i_is_quiet(client):
    ecg = {"resourceType": "Procedure", "id": "ecg-1", "status": "completed", "code": {"text": "12-lead ECG"},
           "subject": {"reference": "Patient/example"}, "performedDateTime": "2026-09-20"}
    troponin = observation("89579-7", 4, "ng/L", reference_range=(None, 16), date="2026-09-20")
    found = cards(client, [dermatomyositis(onset="2026-10-01"), prednisone(), ecg, troponin])
    assert "cardiac-assessment" not in found


def test_a_raised_troponin_i_in_new_myositis_without_an_echocardiogram_is_a_warning(client):
    troponin = observation("10839-9", 0.9, "ng/mL", reference_range=(None, 0.04), date="2026-10-05")
    found = cards(client, [dermatomyositis(onset="2026-10-01"), prednisone(), troponin])
    assert found["cardiac-assessment"] == "warning"


def test_an_fvc_fall_of_12_points_in_a_year_on_mycophenolate_is_a_progressive_ild_warning(client):
    labs = [observation("19872-1", 64, "%", date="2026-11-01"), observation("19872-1", 76, "%", date="2026-03-01")]
    found = cards(client, [dermatomyositis(), ild(), prednisone(10), mycophenolate(), *labs])
    assert found["progressive-fibrosing-ild"] == "warning"


def test_a_stable_fvc_on_treatment_gives_no_progressive_ild_card(client):
    labs = [observation("19872-1", 75, "%", date="2026-11-01"), observation("19872-1", 77, "%", date="2026-03-01")]
    found = cards(client, [dermatomyositis(), ild(), prednisone(10), mycophenolate(), *labs])
    assert "progressive-fibrosing-ild" not in found


def test_controlled_myositis_on_methotrexate_without_physiotherapy_gets_an_exercise_card(client):
    ck = observation("2157-6", 140, "U/L", reference_range=(None, 200), date="2026-11-01")
    found = cards(client, [dermatomyositis(), prednisone(5), methotrexate(), ck])
    assert found["exercise-therapy"] == "info"


def test_a_physiotherapy_referral_on_record_silences_the_exercise_card(client):
    ck = observation("2157-6", 140, "U/L", reference_range=(None, 200), date="2026-11-01")
    referral = {"resourceType": "ServiceRequest", "id": "physio-1", "status": "active", "intent": "order",
                "code": {"text": "Referral to physiotherapy"}, "subject": {"reference": "Patient/example"},
                "authoredOn": "2026-09-01"}
    found = cards(client, [dermatomyositis(), prednisone(5), methotrexate(), ck, referral])
    assert "exercise-therapy" not in found
