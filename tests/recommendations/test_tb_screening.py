"""tb-screening (EULAR 2022): latent TB screening before immunosuppression, with HIV and VZV offered."""

from datetime import date

from fhir_mappings.concepts import Drug, Lab, Qualitative, Vaccine
from fhir_mappings.facts import ImmunizationFact
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.tb_screening import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
RITUXIMAB_DRAFT = order(Drug.RITUXIMAB, 1000, draft=True, ref="MedicationRequest/rtx", route=None)
AZA_DRAFT = order(Drug.AZATHIOPRINE, 50, draft=True, ref="MedicationRequest/aza")
NEGATIVE_IGRA = result(Lab.IGRA, interpretation=Qualitative.NEGATIVE, days_ago=100)


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def codes(suggestion):
    return [a.resource["code"]["coding"][0]["code"] for a in suggestion.actions]


def test_rituximab_drafted_without_an_igra_is_a_warning_with_a_pre_selected_igra_order():
    finding = run(facts(hook="order-sign", medications=(RITUXIMAB_DRAFT,)))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary == "Latent TB screening before rituximab (recommended): no recent IGRA on record"
    [igra] = [s for s in finding.suggestions if s.is_recommended]
    assert codes(igra) == ["71773-6"]
    assert finding.about_drafts == ("MedicationRequest/rtx",)


def test_azathioprine_drafted_without_an_igra_is_information_screening_considered():
    finding = run(facts(hook="order-sign", medications=(AZA_DRAFT,)))
    assert finding.indicator is Indicator.INFO
    assert "considered" in finding.summary


def test_hiv_and_vzv_are_offered_but_not_pre_selected_when_none_is_on_record():
    finding = run(facts(hook="order-sign", medications=(AZA_DRAFT,)))
    optional = {codes(s)[0] for s in finding.suggestions if not s.is_recommended}
    assert optional == {"56888-1", "19162-7"}


def test_vzv_is_not_offered_after_a_zoster_vaccine():
    shot = ImmunizationFact(Vaccine.RECOMBINANT_ZOSTER, date(2025, 3, 1))
    finding = run(facts(hook="order-sign", medications=(AZA_DRAFT,), immunizations=(shot,)))
    assert "19162-7" not in {c for s in finding.suggestions for c in codes(s)}


def test_a_negative_igra_within_a_year_is_silent():
    assert run(facts(hook="order-sign", medications=(RITUXIMAB_DRAFT,), results=(NEGATIVE_IGRA,))) is None


def test_a_negative_igra_older_than_the_window_asks_again():
    old = result(Lab.IGRA, interpretation=Qualitative.NEGATIVE, days_ago=400)
    assert run(facts(hook="order-sign", medications=(RITUXIMAB_DRAFT,), results=(old,))) is not None


def test_a_positive_igra_is_a_warning_to_treat_latent_tb_without_an_igra_order():
    positive = result(Lab.IGRA, interpretation=Qualitative.POSITIVE, days_ago=30)
    finding = run(facts(hook="order-sign", medications=(AZA_DRAFT,), results=(positive,)))
    assert finding.indicator is Indicator.WARNING and "latent TB" in finding.summary
    assert not any(s.is_recommended for s in finding.suggestions)


def test_low_dose_prednisone_is_not_a_trigger():
    assert run(facts(medications=(order(Drug.PREDNISONE, 10, days=5),))) is None


def test_new_prednisone_at_15_mg_is_a_trigger():
    assert run(facts(medications=(order(Drug.PREDNISONE, 15, days=5),))).indicator is Indicator.INFO


def test_an_established_course_is_silent():
    assert run(facts(medications=(order(Drug.METHOTREXATE, 15, 1 / 7, days=200),))) is None


def test_ivig_is_not_a_trigger():
    assert run(facts(hook="order-sign", medications=(order(Drug.IVIG, 140000, draft=True, route=None),))) is None


def test_no_myositis_is_silent_through_the_engine():
    f = facts(myositis=None, hook="order-sign", medications=(RITUXIMAB_DRAFT,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_the_igra_window_is_a_setting():
    assert run(facts(hook="order-sign", medications=(RITUXIMAB_DRAFT,), results=(NEGATIVE_IGRA,)),
               igra_window_days=30) is not None
