"""LabResult.describe: the text a card shows for a result."""

from fhir_mappings.concepts import Lab
from tests.factories import result


def test_ucum_annotation_is_shown_without_braces_or_underscores():
    text = result(Lab.EGFR, value=84, unit="mL/min/{1.73_m2}").describe()
    assert text.startswith("egfr 84 mL/min/1.73 m2 on ")


def test_plain_unit_is_shown_as_it_is():
    assert result(Lab.CREATINE_KINASE, value=4850, unit="U/L").describe().startswith("creatine-kinase 4850 U/L")
