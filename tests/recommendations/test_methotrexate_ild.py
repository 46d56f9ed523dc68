"""methotrexate-ild (docs/evidence.md#methotrexate-ild): methotrexate ordered with ILD or an anti-synthetase / anti-MDA5 antibody."""

from fhir_mappings.concepts import Antibody, Condition, Drug, MyositisSubtype, Qualitative
from hooks.engine import evaluate
from hooks.recommendation import Indicator
from hooks.recommendations.methotrexate_ild import RECOMMENDATION
from tests.factories import condition, facts, order, result

PARAMS = RECOMMENDATION.defaults()
ILD = (condition(Condition.INTERSTITIAL_LUNG_DISEASE),)
MTX_DRAFT = order(Drug.METHOTREXATE, 15, 1 / 7, draft=True, ref="MedicationRequest/new-mtx")


def run(f):
    return RECOMMENDATION.evaluate(f, PARAMS)


def ordering(**kwargs):
    return facts(hook="order-select", medications=(MTX_DRAFT,), **kwargs)


def test_methotrexate_ordered_with_ild_is_info():
    finding = run(ordering(conditions=ILD))
    assert finding.indicator is Indicator.INFO
    assert finding.about_drafts == ("MedicationRequest/new-mtx",)


def test_anti_jo1_positive_without_ild_code_fires():
    assert run(ordering(results=(result(Antibody.JO1, interpretation=Qualitative.POSITIVE),))) is not None


def test_anti_mda5_positive_fires():
    assert run(ordering(results=(result(Antibody.MDA5, interpretation=Qualitative.POSITIVE),))) is not None


def test_antisynthetase_subtype_fires():
    assert run(ordering(myositis=MyositisSubtype.ANTISYNTHETASE)) is not None


def test_negative_antibodies_without_ild_are_silent():
    results = (result(Antibody.JO1, interpretation=Qualitative.NEGATIVE),
               result(Antibody.MDA5, interpretation=Qualitative.NEGATIVE))
    assert run(ordering(results=results)) is None


def test_other_positive_antibody_is_silent():
    assert run(ordering(results=(result(Antibody.TIF1G, interpretation=Qualitative.POSITIVE),))) is None


def test_methotrexate_on_record_with_ild_is_silent():
    f = facts(conditions=ILD, medications=(order(Drug.METHOTREXATE, 15, 1 / 7),))
    assert run(f) is None


def test_patient_view_is_not_a_hook_of_this_card():
    f = facts(conditions=ILD, medications=(MTX_DRAFT,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_suggestions_replace_the_draft_with_mycophenolate_or_azathioprine():
    finding = run(ordering(conditions=ILD))
    assert [s.label.split(" ")[2] for s in finding.suggestions] == ["mycophenolate", "azathioprine"]
    delete, create = finding.suggestions[0].actions
    assert (delete.type, delete.resource_id) == ("delete", "MedicationRequest/new-mtx")
    assert create.type == "create"
    assert not any(s.is_recommended for s in finding.suggestions)


def test_pregnancy_offers_only_azathioprine():
    [result_] = evaluate((RECOMMENDATION,), ordering(conditions=ILD + (condition(Condition.PREGNANCY),)), {},
                         strict=True)
    finding = result_.finding
    assert [s.label.split(" ")[2] for s in finding.suggestions] == ["azathioprine"]


def test_no_myositis_is_silent_through_the_engine():
    f = facts(hook="order-select", myositis=None, conditions=ILD, medications=(MTX_DRAFT,))
    assert evaluate((RECOMMENDATION,), f, {}, strict=True) == []


def test_myositis_with_respiratory_involvement_m33_x1_is_read_as_possible_ild():
    finding = run(ordering(conditions=(condition(Condition.RESPIRATORY_INVOLVEMENT, "M33.21"),)))
    assert finding.indicator is Indicator.INFO
