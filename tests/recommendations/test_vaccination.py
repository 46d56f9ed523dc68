"""vaccination (docs/evidence.md#vaccination): ACR 2022 vaccines before and during immunosuppression."""

from datetime import date

from fhir_mappings.concepts import Condition, Drug, Vaccine
from fhir_mappings.facts import ImmunizationFact
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.vaccination import RECOMMENDATION, season_start
from tests.factories import condition, days_before, facts, order

PARAMS = RECOMMENDATION.defaults()
PRED_10 = order(Drug.PREDNISONE, 10, days=60)
MTX = order(Drug.METHOTREXATE, 15, 1 / 7, days=60)


def shot(vaccine, days_ago=30):
    return ImmunizationFact(vaccine=vaccine, when=days_before(days_ago), display=vaccine.value)


UP_TO_DATE = (shot(Vaccine.INFLUENZA, 30), shot(Vaccine.PNEUMOCOCCAL, 700), shot(Vaccine.RECOMBINANT_ZOSTER, 500))


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def test_up_to_date_patient_is_silent():
    assert run(facts(medications=(PRED_10, MTX), immunizations=UP_TO_DATE)) is None


def test_missing_zoster_vaccine_is_info():
    immunizations = tuple(i for i in UP_TO_DATE if i.vaccine is not Vaccine.RECOMBINANT_ZOSTER)
    finding = run(facts(medications=(PRED_10,), immunizations=immunizations))
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "On immunosuppression: vaccines due (recombinant zoster)"


def test_children_are_not_asked_for_zoster_or_pneumococcal():
    assert run(facts(age=12, medications=(PRED_10,), immunizations=(shot(Vaccine.INFLUENZA),))) is None


def test_pregnancy_defers_recombinant_zoster_but_not_influenza_or_pneumococcal():
    finding = run(facts(medications=(PRED_10,), conditions=(condition(Condition.PREGNANCY),)))
    assert finding.summary == "On immunosuppression: vaccines due (influenza, pneumococcal)"
    assert "recombinant zoster is given after pregnancy" in finding.detail


def test_in_pregnancy_a_missing_zoster_vaccine_alone_is_silent():
    immunizations = tuple(i for i in UP_TO_DATE if i.vaccine is not Vaccine.RECOMBINANT_ZOSTER)
    assert run(facts(medications=(PRED_10,), immunizations=immunizations,
                     conditions=(condition(Condition.PREGNANCY),))) is None


def test_the_detail_has_no_empty_note_between_its_sentences():
    finding = run(facts(medications=(PRED_10,), immunizations=(shot(Vaccine.INFLUENZA),)))
    assert "  " not in finding.detail


def test_influenza_from_last_season_is_due_again():
    # NOW is 2026-11-20: the season started 2026-08-01; 2026-07-31 belongs to the previous season.
    last_season = ImmunizationFact(Vaccine.INFLUENZA, date(2026, 7, 31))
    immunizations = (last_season,) + UP_TO_DATE[1:]
    assert "influenza" in run(facts(medications=(PRED_10,), immunizations=immunizations)).summary


def test_influenza_on_the_season_start_counts():
    this_season = ImmunizationFact(Vaccine.INFLUENZA, date(2026, 8, 1))
    assert run(facts(medications=(PRED_10,), immunizations=(this_season,) + UP_TO_DATE[1:])) is None


def test_season_start_before_august_is_the_previous_year():
    assert season_start(date(2027, 3, 1), 8) == date(2026, 8, 1)


def test_high_dose_prednisone_defers_pneumococcal_and_zoster():
    f = facts(medications=(order(Drug.PREDNISONE, 20, days=10),), immunizations=(shot(Vaccine.INFLUENZA),))
    assert run(f) is None


def test_high_dose_prednisone_still_asks_for_influenza_and_explains_deferral():
    finding = run(facts(medications=(order(Drug.PREDNISONE, 20, days=10),)))
    assert "influenza" in finding.summary
    assert "defer non-live vaccines other than influenza" in finding.detail


def test_methotrexate_timing_note():
    finding = run(facts(medications=(MTX,)))
    assert "hold it for 2 weeks after the influenza vaccine" in finding.detail


def test_rituximab_timing_note():
    finding = run(facts(medications=(order(Drug.RITUXIMAB, 1000, days=60),)))
    assert "next dose is due" in finding.detail


def test_never_delays_induction():
    assert "never delay induction" in run(facts(medications=(PRED_10,))).detail


def test_missing_immunization_data_asks_to_verify():
    finding = run(facts(medications=(PRED_10,), immunizations=UP_TO_DATE, data_gaps=("immunizations",)))
    assert finding.indicator is Indicator.INFO
    assert "verify" in finding.summary.lower() and "Verify" in finding.detail


def test_recent_live_vaccine_on_methotrexate_warns():
    f = facts(medications=(MTX,), immunizations=UP_TO_DATE + (shot(Vaccine.LIVE, 28),))
    assert run(f).indicator is Indicator.WARNING


def test_live_vaccine_more_than_4_weeks_ago_is_not_a_conflict():
    assert run(facts(medications=(MTX,), immunizations=UP_TO_DATE + (shot(Vaccine.LIVE, 29),))) is None


def test_live_vaccine_on_low_dose_prednisone_alone_is_not_a_conflict():
    assert run(facts(medications=(PRED_10,), immunizations=UP_TO_DATE + (shot(Vaccine.LIVE, 10),))) is None


def test_silent_without_immunosuppression():
    assert run(facts(medications=(order(Drug.HYDROXYCHLOROQUINE, 200),))) is None


def test_starting_an_immunosuppressant_after_a_live_vaccine_warns_about_the_draft():
    draft = order(Drug.AZATHIOPRINE, 50, draft=True, ref="MedicationRequest/aza")
    f = facts(hook="order-sign", medications=(draft,), immunizations=UP_TO_DATE + (shot(Vaccine.LIVE, 7),))
    [result_] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert result_.finding.indicator is Indicator.WARNING
    assert result_.finding.about_drafts == ("MedicationRequest/aza",)


def test_no_myositis_diagnosis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, medications=(PRED_10,)), {}, strict=True) == []


def test_a_partial_immunization_list_asks_to_verify_like_a_missing_one():
    finding = run(facts(medications=(PRED_10,), immunizations=UP_TO_DATE, incomplete=("Immunization",)))
    assert "verify" in finding.summary.lower()


def ordered(vaccine=Vaccine.LIVE, display="MMR vaccine live"):
    return ImmunizationFact(vaccine=vaccine, when=None, display=display, ordered=True,
                            reference="Immunization/draft-mmr")


def test_live_vaccine_ordered_on_immunosuppression_is_a_warning_by_default():
    finding = run(facts(hook="order-select", medications=(MTX,), immunizations=(*UP_TO_DATE, ordered())))
    assert finding.indicator is Indicator.WARNING
    assert "Live vaccine ordered on immunosuppression" in finding.summary
    assert "Live vaccine being ordered: MMR vaccine live" in finding.facts_used
    assert finding.about_drafts == ("Immunization/draft-mmr",)


def test_live_vaccine_ordered_is_critical_when_configured():
    params = {**PARAMS, "ordered_live_vaccine_critical": True}
    finding = RECOMMENDATION.evaluate(facts(medications=(MTX,), immunizations=(ordered(),)), params)
    assert finding.indicator is Indicator.CRITICAL


def test_live_vaccine_ordered_without_immunosuppression_is_silent():
    assert run(facts(immunizations=(*UP_TO_DATE, ordered()))) is None


def test_non_live_vaccine_ordered_on_immunosuppression_is_not_the_live_vaccine_warning():
    f = facts(medications=(MTX,), immunizations=(*UP_TO_DATE, ordered(Vaccine.RECOMBINANT_ZOSTER, "Shingrix")))
    assert run(f) is None


def test_live_vaccine_order_shows_on_order_sign_through_the_engine():
    f = facts(hook="order-sign", medications=(PRED_10,), immunizations=(*UP_TO_DATE, ordered()))
    [found] = evaluate((RECOMMENDATION,), f, {}, strict=True)
    assert found.finding.indicator is Indicator.WARNING
