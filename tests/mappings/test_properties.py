"""Property: no resource-shaped input makes build_facts raise, and counts stay consistent."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings.parse import build_facts
from tests.factories import NOW
from tests.fhir_builders import (
    ICD10CM,
    allergy,
    bundle,
    condition,
    dosage,
    draft_orders,
    immunization,
    medication,
    medication_request,
    observation,
    patient,
)

RESOURCE_TYPES = ["Patient", "Condition", "Observation", "MedicationRequest", "Medication", "AllergyIntolerance",
                  "Immunization", "Bundle", "OperationOutcome", "NutritionOrder"]
ELEMENTS = ["resourceType", "id", "status", "intent", "code", "coding", "system", "display", "text", "value",
            "unit", "valueQuantity", "valueString", "valueCodeableConcept", "interpretation", "referenceRange",
            "low", "high", "medicationCodeableConcept", "medicationReference", "reference", "contained",
            "dosageInstruction", "doseAndRate", "doseQuantity", "doseRange", "timing", "repeat", "frequency",
            "frequencyMax", "period", "periodUnit", "dayOfWeek", "count", "boundsDuration", "boundsPeriod",
            "start", "end", "asNeededBoolean", "route", "sequence", "authoredOn", "dispenseRequest",
            "validityPeriod", "expectedSupplyDuration", "clinicalStatus", "verificationStatus", "onsetDateTime",
            "onsetAge", "birthDate", "gender", "effectiveDateTime", "vaccineCode", "occurrenceDateTime",
            "entry", "resource", "ingredient", "itemCodeableConcept", "strength", "numerator", "denominator"]
PRIMITIVES = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
              | st.text(max_size=12) | st.sampled_from(["mg", "g", "{tbl}", "d", "wk", "8640", "312615", "M33.1",
                                                       "http://loinc.org", "2020-01-01", "POS", "#m", "active"]))
JSON = st.recursive(PRIMITIVES, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(ELEMENTS), inner, max_size=4), max_leaves=12)
RESOURCE = st.builds(lambda kind, body: {**body, "resourceType": kind}, st.sampled_from(RESOURCE_TYPES),
                     st.dictionaries(st.sampled_from(ELEMENTS), JSON, max_size=6))
VALID = [
    patient(), condition("M33.10", ICD10CM), observation("29463-7", 70, "kg"),
    observation(None, text="Jo-1 antibody", value_string="positive"),
    medication_request("312615", dose=2, unit="{tbl}"),
    medication_request(dosage_instruction=[dosage(15, period_unit="wk")], medicationReference={"reference": "#m"},
                       contained=[medication("105585", id="m")]),
    allergy(text="sulfa"), immunization("141"),
]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _replace(value, path, new):
    """A copy of `value` with the element at `path` (a list of indexes into keys/items) replaced."""
    if not path:
        return new
    if isinstance(value, dict) and value:
        key = sorted(value)[path[0] % len(value)]
        return {**value, key: _replace(value[key], path[1:], new)}
    if isinstance(value, list) and value:
        index = path[0] % len(value)
        return [*value[:index], _replace(value[index], path[1:], new), *value[index + 1:]]
    return new


@FAST
@given(st.lists(RESOURCE, max_size=5), st.lists(RESOURCE, max_size=3), JSON)
def test_random_resources_never_make_build_facts_raise(resources, drafts, selections):
    context = {"draftOrders": bundle(*drafts), "selections": selections, "patientId": "p"}
    facts = build_facts("order-select", context, {"a": bundle(*resources), "b": resources[0] if resources else None},
                        NOW)
    report = facts.report
    assert min(report.recognised, report.uninterpretable, report.skipped, report.ignored) >= 0


@FAST
@given(st.sampled_from(VALID), st.lists(st.integers(0, 50), max_size=5), JSON)
def test_valid_resources_with_one_element_broken_never_raise(resource, path, new):
    broken = _replace(resource, path, new)
    facts = build_facts("order-sign", {"draftOrders": draft_orders(broken) if isinstance(broken, dict) else broken},
                        {"records": bundle(broken) if isinstance(broken, dict) else broken}, NOW)
    assert facts.report.skipped >= 0


@FAST
@given(JSON, JSON)
def test_any_json_as_prefetch_or_context_never_raises(prefetch_value, context):
    build_facts("patient-view", context if isinstance(context, dict) else {}, {"x": prefetch_value}, NOW)
