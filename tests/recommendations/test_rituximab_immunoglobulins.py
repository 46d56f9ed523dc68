"""rituximab-immunoglobulins (BSR 2019): IgG and IgM before each rituximab cycle."""

from fhir_mappings.concepts import Drug, Lab
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.rituximab_immunoglobulins import RECOMMENDATION
from tests.factories import facts, order, result

PARAMS = RECOMMENDATION.defaults()
RTX_DRAFT = order(Drug.RITUXIMAB, 1000, draft=True, ref="MedicationRequest/rtx", route=None)


def run(f, **overrides):
    return RECOMMENDATION.evaluate(f, {**PARAMS, **overrides})


def igg(value, unit="g/L", days_ago=20):
    return result(Lab.IGG, value=value, unit=unit, days_ago=days_ago)


def igm(days_ago=20):
    return result(Lab.IGM, value=0.9, unit="g/L", days_ago=days_ago)


def test_a_rituximab_cycle_drafted_without_immunoglobulins_is_information_with_igg_and_igm_orders():
    finding = run(facts(hook="order-sign", medications=(RTX_DRAFT,)))
    assert finding.indicator is Indicator.INFO
    assert finding.summary == "Rituximab cycle: check IgG and IgM before the infusion"
    [suggestion] = finding.suggestions
    assert [a.resource["code"]["coding"][0]["code"] for a in suggestion.actions] == ["2465-3", "2472-9"]
    assert finding.about_drafts == ("MedicationRequest/rtx",)


def test_normal_immunoglobulins_within_90_days_are_silent():
    assert run(facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(9.5), igm()))) is None


def test_immunoglobulins_older_than_the_window_are_asked_again():
    f = facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(9.5, days_ago=200), igm(days_ago=200)))
    assert run(f).indicator is Indicator.INFO


def test_a_low_igg_before_the_cycle_is_a_warning():
    finding = run(facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(4.2), igm())))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("IgG 4.2 g/L before rituximab")


def test_igg_in_mg_per_dl_is_converted():
    assert run(facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(950, "mg/dL"), igm()))) is None
    assert run(facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(420, "mg/dL"), igm()))).indicator \
        is Indicator.WARNING


def test_a_rituximab_course_started_long_ago_is_silent():
    assert run(facts(medications=(order(Drug.RITUXIMAB, 1000, days=200, route=None),))) is None


def test_the_low_igg_threshold_is_a_setting():
    f = facts(hook="order-sign", medications=(RTX_DRAFT,), results=(igg(6.5), igm()))
    assert run(f, igg_low_g_per_l=7.0).indicator is Indicator.WARNING


def test_no_myositis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, hook="order-sign", medications=(RTX_DRAFT,)), {},
                    strict=True) == []
