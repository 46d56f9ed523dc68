"""Code-system URIs (always bind a code to its system: LOINC 2118-8 is not CDC race 2118-8)."""

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V3_ROUTE = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
V3_TIMING = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"

#: OIDs and other spellings EHRs use for the same systems (C-CDA heritage), mapped to the FHIR URI.
ALIASES = {
    "urn:oid:2.16.840.1.113883.6.88": RXNORM,
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "http://snomed.info/sct/": SNOMED,
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "http://hl7.org/fhir/sid/icd-10-cm/": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
    "http://loinc.org/": LOINC,
    "urn:oid:2.16.840.1.113883.12.292": CVX,
}


def canonical(system: str) -> str:
    return ALIASES.get(system, system)
