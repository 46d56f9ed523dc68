"""mycophenolate-dose (docs/evidence.md#mycophenolate): > 3 g/day mofetil; mofetil and mycophenolic acid not summed."""

from fhir_mappings.concepts import Drug
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.mycophenolate_dose import RECOMMENDATION
from tests.factories import facts, order

PARAMS = RECOMMENDATION.defaults()


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def mofetil(mg, per_day=2, **kw):
    return order(Drug.MYCOPHENOLATE_MOFETIL, mg, per_day, **kw)


def acid(mg, per_day=2, **kw):
    return order(Drug.MYCOPHENOLIC_ACID, mg, per_day, **kw)


def test_mofetil_1500_mg_twice_daily_is_silent():
    assert run(facts(medications=(mofetil(1500),))) is None


def test_mofetil_above_3_g_per_day_warns():
    finding = run(facts(medications=(mofetil(1750),)))
    assert finding.indicator is Indicator.WARNING
    assert "maximum" in finding.summary


def test_mofetil_just_above_3_g_per_day_warns():
    assert run(facts(medications=(mofetil(1000, 3.01),))) is not None


def test_mycophenolic_acid_720_mg_twice_daily_is_silent():
    assert run(facts(medications=(acid(720),))) is None


def test_mycophenolic_acid_below_3_g_warns_on_its_own_lower_limit():
    assert run(facts(medications=(acid(1440),))).indicator is Indicator.WARNING


def test_mycophenolic_acid_at_its_limit_is_silent():
    assert run(facts(medications=(acid(1080),))) is None


def test_mofetil_and_acid_doses_are_not_summed_but_the_pair_is_flagged_as_duplication():
    finding = run(facts(medications=(mofetil(1000), acid(720))))
    assert finding.indicator is Indicator.WARNING
    assert "duplication" in finding.summary


def test_dose_problem_outranks_duplication_which_is_listed_in_the_detail():
    finding = run(facts(medications=(mofetil(2000), acid(720))))
    assert "maximum" in finding.summary
    assert "both current" in finding.detail


def test_replacing_mofetil_dose_with_a_draft_is_not_summed():
    meds = (mofetil(1500), mofetil(1500, draft=True))
    assert evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds), {}, strict=True) == []


def test_draft_above_maximum_fires_about_the_draft():
    meds = (mofetil(1000), mofetil(2000, draft=True, ref="MedicationRequest/mmf-new"))
    [found] = evaluate((RECOMMENDATION,), facts(hook="order-select", medications=meds), {}, strict=True)
    assert found.finding.about_drafts == ("MedicationRequest/mmf-new",)


def test_unknown_dose_is_silent():
    assert run(facts(medications=(order(Drug.MYCOPHENOLATE_MOFETIL, None),))) is None


def test_without_myositis_is_silent_through_the_engine():
    assert evaluate((RECOMMENDATION,), facts(myositis=None, medications=(mofetil(2000),)), {}, strict=True) == []


def test_configured_maximum_is_used():
    params = {**PARAMS, "mofetil_max_mg_per_day": 2000}
    assert RECOMMENDATION.evaluate(facts(medications=(mofetil(1250),)), params) is not None


def test_draft_above_maximum_suggests_updating_it_to_the_maximum_twice_daily():
    sent = {"resourceType": "MedicationRequest", "id": "mmf-new", "status": "draft", "intent": "order",
            "dosageInstruction": [{"text": "2 g twice daily", "route": {"text": "oral"}}]}
    draft = mofetil(2000, draft=True, ref="MedicationRequest/mmf-new", resource=sent)
    [suggestion] = run(facts(hook="order-sign", medications=(draft,))).suggestions
    [action] = suggestion.actions
    dosage = action.resource["dosageInstruction"][0]
    assert (action.type, action.resource["id"]) == ("update", "mmf-new")
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] * dosage["timing"]["repeat"]["frequency"] == 3000
    assert dosage["route"] == {"text": "oral"}
    assert sent["dosageInstruction"][0]["text"] == "2 g twice daily"


def test_order_on_record_above_maximum_has_no_suggestion():
    assert run(facts(medications=(mofetil(2000),))).suggestions == ()
