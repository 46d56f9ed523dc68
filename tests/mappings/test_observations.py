"""Observation -> weight, height, lab results and antibodies (positive / negative / unknown)."""

import pytest

from fhir_mappings.concepts import Antibody, Lab, Metabolizer, Qualitative
from tests.fhir_builders import SNOMED, observation
from tests.mappings.conftest import facts_of

WEIGHT, HEIGHT = "29463-7", "8302-2"


@pytest.mark.parametrize(("value", "unit", "kg"), [(70, "kg", 70), (70000, "g", 70), (154, "[lb_av]", 69.853),
                                                   (154, "lbs", 69.853)])
def test_weight_converts_to_kg(value, unit, kg):
    assert facts_of(observation(WEIGHT, value, unit)).weight_kg.value == pytest.approx(kg, abs=1e-3)


@pytest.mark.parametrize(("code", "value", "unit", "cm"), [(HEIGHT, 170, "cm", 170), (HEIGHT, 1.7, "m", 170),
                                                           ("3137-7", 67, "[in_i]", 170.18)])
def test_height_converts_to_cm(code, value, unit, cm):
    assert facts_of(observation(code, value, unit)).height_cm.value == pytest.approx(cm)


def test_latest_weight_wins():
    facts = facts_of(observation(WEIGHT, 80, "kg", date="2026-11-01"), observation(WEIGHT, 70, "kg", date="2026-06-01"))
    assert facts.weight_kg.value == 80


def test_weight_in_an_unknown_unit_is_uninterpretable():
    facts = facts_of(observation(WEIGHT, 11, "[stone_av]"))
    assert (facts.weight_kg, facts.report.uninterpretable) == (None, 1)


def test_bsa_is_mosteller_from_weight_and_height():
    facts = facts_of(observation(WEIGHT, 64, "kg"), observation(HEIGHT, 225, "cm"))
    assert facts.bsa_m2 == pytest.approx(2.0)


def test_lab_keeps_value_unit_and_date():
    result = facts_of(observation("2157-6", 1200, "U/L", date="2026-11-02")).latest(Lab.CREATINE_KINASE)
    assert (result.value, result.unit, result.when.date().isoformat()) == (1200, "U/L", "2026-11-02")


def test_hcg_under_the_cdc_race_system_is_not_a_pregnancy_test():
    race = observation("2118-8", system="urn:oid:2.16.840.1.113883.6.238", value_string="positive")
    assert facts_of(race).latest(Lab.HCG) is None


def test_hcg_serum_loinc_is_a_pregnancy_test():
    assert facts_of(observation("2118-8", interpretation="POS")).latest(Lab.HCG).interpretation is Qualitative.POSITIVE


def test_entered_in_error_observation_is_not_a_result():
    assert facts_of(observation("2157-6", 1200, "U/L", status="entered-in-error")).results == ()


def test_unrelated_observation_is_ignored():
    facts = facts_of(observation("85354-9", 120, "mm[Hg]"))
    assert (facts.results, facts.report.ignored) == ((), 1)


@pytest.mark.parametrize("unit", ["10*3/uL", "10*9/L", "K/uL"])
def test_lymphocytes_in_thousands_per_microlitre_are_10e9_per_litre(unit):
    assert facts_of(observation("731-0", 0.8, unit)).latest(Lab.LYMPHOCYTES).value == pytest.approx(0.8)


def test_lymphocytes_per_microlitre_convert_to_10e9_per_litre():
    result = facts_of(observation("731-0", 800, "/uL")).latest(Lab.LYMPHOCYTES)
    assert (result.value, result.unit) == (pytest.approx(0.8), "10*9/L")


# --- antibodies and qualitative results ------------------------------------------------------


@pytest.mark.parametrize(("name", "antibody"), [
    ("Jo-1 Ab [Presence] in Serum", Antibody.JO1), ("anti-Jo1 antibody", Antibody.JO1),
    ("HMG-CoA reductase Ab", Antibody.HMGCR), ("Anti-SRP antibody", Antibody.SRP),
    ("MDA5 IgG", Antibody.MDA5), ("TIF1-gamma antibody", Antibody.TIF1G), ("Ro52 (TRIM21) Ab", Antibody.RO52),
    ("Anti-PL-7", Antibody.PL7), ("Mi-2 antibody", Antibody.MI2),
])
def test_antibody_recognised_by_test_name(name, antibody):
    result = facts_of(observation(None, text=name, value_string="positive")).results[0]
    assert result.concept is antibody


def test_a_name_that_does_not_say_antibody_is_not_an_antibody_result():
    assert facts_of(observation(None, text="SRP transport study", value_string="positive")).results == ()


def test_antibody_recognised_by_the_site_code_list(lab_codes):
    lab_codes({"anti-hmgcr": ["http://loinc.org|99999-9"]})
    result = facts_of(observation("99999-9", interpretation="POS")).results[0]
    assert (result.concept, result.interpretation) == (Antibody.HMGCR, Qualitative.POSITIVE)


def test_tpmt_recognised_by_the_site_code_list(lab_codes):
    lab_codes({"tpmt": ["http://lab.example.org|TPMTPH"]})
    result = facts_of(observation("TPMTPH", system="http://lab.example.org", value_string="Intermediate metabolizer"))
    assert result.latest(Lab.TPMT).phenotype is Metabolizer.INTERMEDIATE


@pytest.mark.parametrize(("code", "reading"), [("10828004", Qualitative.POSITIVE), ("260385009", Qualitative.NEGATIVE),
                                               ("260373001", Qualitative.POSITIVE),
                                               ("260415000", Qualitative.NEGATIVE),
                                               ("131194007", Qualitative.NEGATIVE)])
def test_reading_from_snomed_value_codes(code, reading):
    facts = facts_of(observation("5196-1", value_concept=(code, SNOMED)))
    assert facts.latest(Lab.HBSAG).interpretation is reading


@pytest.mark.parametrize(("text", "reading"), [("Positive", Qualitative.POSITIVE), ("NEGATIVE", Qualitative.NEGATIVE),
                                               ("Not detected", Qualitative.NEGATIVE), ("++", Qualitative.POSITIVE),
                                               ("Weak positive", Qualitative.POSITIVE),
                                               ("Non-reactive", Qualitative.NEGATIVE),
                                               ("see comment", Qualitative.UNKNOWN)])
def test_reading_from_value_string(text, reading):
    facts = facts_of(observation(None, text="Anti-MDA5 antibody", value_string=text))
    assert facts.antibody(Antibody.MDA5) is reading


@pytest.mark.parametrize(("code", "reading"), [("POS", Qualitative.POSITIVE), ("NEG", Qualitative.NEGATIVE),
                                               ("H", Qualitative.POSITIVE), ("N", Qualitative.NEGATIVE),
                                               ("DET", Qualitative.POSITIVE), ("ND", Qualitative.NEGATIVE),
                                               ("IND", Qualitative.UNKNOWN)])
def test_reading_from_interpretation_codes(code, reading):
    assert facts_of(observation("13955-0", interpretation=code)).latest(Lab.HCV_ANTIBODY).interpretation is reading


@pytest.mark.parametrize(("value", "reading"), [(35, Qualitative.POSITIVE), (12, Qualitative.NEGATIVE)])
def test_reading_from_value_against_the_reference_range(value, reading):
    given = observation(None, value, "U", text="HMGCR Ab IgG", reference_range=(None, 20))
    assert facts_of(given).antibody(Antibody.HMGCR) is reading


def test_a_number_without_reference_range_is_an_unknown_reading():
    given = observation(None, 35, "U", text="HMGCR Ab IgG")
    assert facts_of(given).antibody(Antibody.HMGCR) is Qualitative.UNKNOWN


def test_antibody_without_any_reading_is_uninterpretable():
    facts = facts_of(observation(None, text="Jo-1 antibody"))
    assert (facts.antibody(Antibody.JO1), facts.report.uninterpretable) == (Qualitative.UNKNOWN, 1)


@pytest.mark.parametrize(("text", "phenotype"), [("Poor metabolizer", Metabolizer.POOR),
                                                 ("Intermediate Metabolizer", Metabolizer.INTERMEDIATE),
                                                 ("Normal metabolizer", Metabolizer.NORMAL),
                                                 ("Indeterminate", Metabolizer.INDETERMINATE)])
def test_tpmt_phenotype_by_test_name(text, phenotype):
    given = observation(None, text="TPMT phenotype", value_string=text)
    assert facts_of(given).latest(Lab.TPMT).phenotype is phenotype


def test_nudt15_genotype_loinc_is_recognised():
    given = observation("100665-9", value_string="Normal metabolizer")
    assert facts_of(given).latest(Lab.NUDT15).phenotype is Metabolizer.NORMAL


def myositis_panel(*components):
    return {**observation(None, text="Myositis antibody profile (line immunoassay)"),
            "component": [{"code": {"text": name}, "valueString": value} for name, value in components]}


def test_panel_components_are_read_as_separate_antibodies():
    facts = facts_of(myositis_panel(("Jo-1 Ab", "Negative"), ("MDA5 Ab", "++"), ("Ro52 Ab", "+")))
    readings = {a: facts.antibody(a) for a in (Antibody.JO1, Antibody.MDA5, Antibody.RO52)}
    assert readings == {Antibody.JO1: Qualitative.NEGATIVE, Antibody.MDA5: Qualitative.POSITIVE,
                        Antibody.RO52: Qualitative.POSITIVE}


def test_panel_components_share_the_panel_date():
    facts = facts_of(myositis_panel(("SRP Ab", "Negative")))
    assert facts.latest(Antibody.SRP).when.date().isoformat() == "2026-11-10"


def test_a_panel_counts_once_in_the_report():
    facts = facts_of(myositis_panel(("Jo-1 Ab", "Negative"), ("PL-7 Ab", "Negative")))
    assert facts.report.recognised == 2  # the Patient and the panel


def test_blood_pressure_components_are_ignored():
    bp = {**observation("85354-9"), "component": [{"code": {"coding": [{"system": "http://loinc.org",
                                                                          "code": "8480-6"}]},
                                                   "valueQuantity": {"value": 120, "unit": "mm[Hg]"}}]}
    assert facts_of(bp).report.ignored == 1


# --- G6PD: positive means deficiency found ----------------------------------------------------


@pytest.mark.parametrize(("given", "reading"), [
    (observation("2357-2", 2.1, "U/g{Hb}", interpretation="L"), Qualitative.POSITIVE),
    (observation("2357-2", 9.8, "U/g{Hb}", interpretation="N"), Qualitative.NEGATIVE),
    (observation("2357-2", 3.0, "U/g{Hb}", reference_range=(7.0, 20.5)), Qualitative.POSITIVE),
    (observation("2357-2", 11.0, "U/g{Hb}", reference_range=(7.0, 20.5)), Qualitative.NEGATIVE),
    (observation("2356-4", value_string="Deficient"), Qualitative.POSITIVE),
    (observation("2356-4", value_string="Normal"), Qualitative.NEGATIVE),
    (observation("2357-2", 11.0, "U/g{Hb}"), Qualitative.UNKNOWN),
])
def test_g6pd_reading_is_deficiency(given, reading):
    assert facts_of(given).latest(Lab.G6PD).interpretation is reading


@pytest.mark.parametrize(("name", "concept"), [
    ("Hepatitis B surface antigen", Lab.HBSAG), ("HBcAb total", Lab.ANTI_HBC), ("Anti-HCV", Lab.HCV_ANTIBODY),
    ("Serum beta-hCG", Lab.HCG), ("Lumbar spine T-score", Lab.T_SCORE), ("FVC % predicted", Lab.LUNG_FUNCTION),
])
def test_lab_recognised_by_test_name(name, concept):
    assert facts_of(observation(None, 1, "1", text=name)).results[0].concept is concept


def test_hepatitis_b_surface_antibody_is_not_the_surface_antigen():
    assert facts_of(observation(None, text="Hepatitis B surface antibody", value_string="Positive")).results == ()


@pytest.mark.parametrize(("flag", "reading"), [(True, Qualitative.POSITIVE), (False, Qualitative.NEGATIVE)])
def test_reading_from_value_boolean(flag, reading):
    assert facts_of(observation("2106-3", valueBoolean=flag)).latest(Lab.HCG).interpretation is reading


def test_the_upper_limit_of_the_reference_range_is_kept():
    given = observation("1742-6", 52, "U/L", reference_range=(None, 33))
    assert facts_of(given).latest(Lab.ALT).reference_high == 33


def test_a_result_without_reference_range_has_no_upper_limit():
    assert facts_of(observation("1742-6", 52, "U/L")).latest(Lab.ALT).reference_high is None


@pytest.mark.parametrize(("value", "extra", "reading"), [
    (6.1, {"reference_range": (4.0, 11.0)}, Qualitative.NEGATIVE),
    (2.1, {"reference_range": (4.0, 11.0)}, Qualitative.POSITIVE),
    (2.1, {"interpretation": "L"}, Qualitative.POSITIVE),
    (6.1, {"interpretation": "N"}, Qualitative.NEGATIVE),
    (6.1, {}, Qualitative.UNKNOWN),
])
def test_a_blood_count_is_read_as_normal_or_abnormal_by_the_labs_flag_or_range(value, extra, reading):
    [found] = facts_of(observation("6690-2", value, "10*9/L", **extra)).results
    assert found.interpretation is reading
