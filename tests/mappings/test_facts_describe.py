"""LabResult.describe: the text a card shows for a result."""

import pytest

from fhir_mappings.concepts import Antibody, Lab, Qualitative
from fhir_mappings.facts import RESULT_NAMES
from tests.factories import result


def test_ucum_annotation_is_shown_without_braces_or_underscores():
    text = result(Lab.EGFR, value=84, unit="mL/min/{1.73_m2}").describe()
    assert text.startswith("eGFR 84 mL/min/1.73 m2 on ")


def test_plain_unit_is_shown_as_it_is():
    assert result(Lab.CREATINE_KINASE, value=4850, unit="U/L").describe().startswith("CK 4850 U/L")


@pytest.mark.parametrize(("concept", "name"), [
    (Lab.ALT, "ALT"), (Lab.IGG, "IgG"), (Lab.HBSAG, "HBsAg"), (Lab.ANTI_HBC, "anti-HBc"), (Antibody.JO1, "anti-Jo-1"),
    (Antibody.HMGCR, "anti-HMGCR"),
])
def test_a_result_is_named_as_clinicians_write_the_test_not_by_its_identifier(concept, name):
    assert result(concept, interpretation=Qualitative.POSITIVE).describe().startswith(f"{name} positive")


def test_only_tests_whose_identifier_reads_as_text_go_without_a_card_name():
    unnamed = {concept for concept in (*Lab, *Antibody) if concept not in RESULT_NAMES}
    assert unnamed == {Lab.ALDOLASE, Lab.ALBUMIN, Lab.CREATININE, Lab.LYMPHOCYTES}
