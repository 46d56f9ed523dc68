"""Deterministic, realistic hook requests for the benchmark (FHIR R4 as an EHR would send it).

A record is one Patient with Conditions, MedicationRequests (active and past), Observations over
about three years, AllergyIntolerances and Immunizations, coded the way EHRs code them (SNOMED and
ICD-10-CM, RxNorm products, LOINC, CVX) with the usual extra elements (identifiers, categories,
reference ranges, performers) so that body size and parsing cost are realistic. Everything is
drawn from `random.Random(seed)`: the same seed gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hooks.services import PREFETCH

#: The clock of the in-process service and the "today" of every generated record.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
SEED = 20261120
PATIENT_ID = "bench-patient"
HOOK_INSTANCE = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
ORAL = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]}

#: (SNOMED, ICD-10-CM, display) of a myositis patient's problem list; the first is the myositis.
CONDITIONS = (
    ("396230008", "M33.10", "Dermatomyositis"),
    ("233703007", "J84.10", "Interstitial lung disease"),
    ("44054006", "E11.9", "Type 2 diabetes mellitus"),
    ("38341003", "I10", "Essential hypertension"),
    ("55822004", "E78.5", "Hyperlipidemia"),
    ("235595009", "K21.9", "Gastroesophageal reflux disease"),
    ("64859006", "M81.0", "Osteoporosis"),
    ("35489007", "F32.9", "Depressive disorder"),
    ("195967001", "J45.909", "Asthma"),
    ("40930008", "E03.9", "Hypothyroidism"),
    ("267036007", "R06.00", "Dyspnea"),
    ("271807003", "R21", "Skin rash"),
)

#: The problem list of most patients an EHR opens: no myositis, nothing a check of this service reads.
GENERAL_CONDITIONS = tuple(c for c in CONDITIONS if c[2] not in {"Dermatomyositis", "Interstitial lung disease",
                                                                 "Osteoporosis", "Skin rash"})

#: (RxCUI, RxNorm name, dose, unit, frequency, period, periodUnit) of oral regimens.
ACTIVE_REGIMENS = (
    ("312615", "Prednisone 20 MG Oral Tablet", 20, "mg", 1, 1, "d"),
    ("105585", "Methotrexate 2.5 MG Oral Tablet", 15, "mg", 1, 1, "wk"),
    ("198641", "Folic Acid 0.8 MG Oral Tablet", 0.8, "mg", 1, 1, "d"),
    ("198335", "Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet", 1, "{tbl}", 3, 1, "wk"),
    ("904462", "Alendronic acid 70 MG / Cholecalciferol 5600 UNT Oral Tablet", 1, "{tbl}", 1, 1, "wk"),
    ("198542", "Calcium Carbonate 500 MG / Vitamin D 200 UNT Oral Tablet", 1, "{tbl}", 2, 1, "d"),
    ("617310", "atorvastatin 20 MG Oral Tablet", 20, "mg", 1, 1, "d"),
    ("314076", "lisinopril 10 MG Oral Tablet", 10, "mg", 1, 1, "d"),
    ("402014", "Omeprazole 20 MG Delayed Release Oral Capsule", 20, "mg", 1, 1, "d"),
    ("861007", "metformin hydrochloride 500 MG Oral Tablet", 500, "mg", 2, 1, "d"),
)
PAST_REGIMENS = (
    ("312615", "Prednisone 20 MG Oral Tablet", 60, "mg", 1, 1, "d"),
    ("312615", "Prednisone 20 MG Oral Tablet", 40, "mg", 1, 1, "d"),
    ("198145", "Prednisone 10 MG Oral Tablet", 30, "mg", 1, 1, "d"),
    ("198145", "Prednisone 10 MG Oral Tablet", 25, "mg", 1, 1, "d"),
    ("105585", "Methotrexate 2.5 MG Oral Tablet", 10, "mg", 1, 1, "wk"),
    ("197388", "Azathioprine 50 MG Oral Tablet", 100, "mg", 1, 1, "d"),
    ("979092", "Hydroxychloroquine Sulfate 200 MG Oral Tablet", 200, "mg", 2, 1, "d"),
    ("200060", "mycophenolate mofetil 500 MG Oral Tablet", 1000, "mg", 2, 1, "d"),
    ("197319", "Allopurinol 100 MG Oral Tablet", 100, "mg", 1, 1, "d"),
    ("308182", "Amoxicillin 500 MG Oral Capsule", 500, "mg", 3, 1, "d"),
)

#: The regimens of a patient on none of the drugs this service checks (`record(..., general=True)`).
GENERAL_ACTIVE_REGIMENS = (
    ("314076", "Lisinopril 10 MG Oral Tablet", 10, "mg", 1, 1, "d"),
    ("402014", "Omeprazole 20 MG Delayed Release Oral Tablet", 20, "mg", 1, 1, "d"),
    ("861007", "Metformin hydrochloride 500 MG Oral Tablet", 500, "mg", 2, 1, "d"),
    ("863669", "Tamsulosin hydrochloride 0.4 MG Oral Capsule", 0.4, "mg", 1, 1, "d"),
    ("966221", "Levothyroxine Sodium 0.05 MG Oral Tablet", 0.05, "mg", 1, 1, "d"),
    ("310798", "Hydrochlorothiazide 25 MG Oral Tablet", 25, "mg", 1, 1, "d"),
    ("197361", "Amlodipine 5 MG Oral Tablet", 5, "mg", 1, 1, "d"),
    ("312941", "Sertraline 50 MG Oral Tablet", 50, "mg", 1, 1, "d"),
    ("866924", "Metoprolol Tartrate 25 MG Oral Tablet", 25, "mg", 2, 1, "d"),
    ("310431", "gabapentin 300 MG Oral Capsule", 300, "mg", 3, 1, "d"),
)
GENERAL_PAST_REGIMENS = (
    ("308191", "Amoxicillin 500 MG Oral Capsule", 500, "mg", 3, 1, "d"),
    ("310965", "Ibuprofen 200 MG Oral Tablet", 400, "mg", 3, 1, "d"),
    ("313782", "Acetaminophen 325 MG Oral Tablet", 650, "mg", 4, 1, "d"),
    ("314076", "Lisinopril 10 MG Oral Tablet", 20, "mg", 1, 1, "d"),
    ("861007", "Metformin hydrochloride 500 MG Oral Tablet", 1000, "mg", 2, 1, "d"),
)

#: (LOINC, display, unit, low, high, typical range drawn from) of the labs a myositis clinic follows.
LABS = (
    ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 30, 200, (80, 2500)),
    ("1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 1.0, 7.5, (3, 20)),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7, 56, (12, 90)),
    ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10, 40, (14, 120)),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.1, (0.6, 1.2)),
    ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)", "mL/min/{1.73_m2}", 60, 120, (65, 110)),
    ("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.5, 5.0, (3.3, 4.6)),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0, 11.0, (3.5, 12.0)),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 16.0, (10.5, 14.5)),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 400, (140, 420)),
    ("731-0", "Lymphocytes [#/volume] in Blood by Automated count", "10*3/uL", 1.0, 4.8, (0.5, 2.5)),
    ("29463-7", "Body weight", "kg", None, None, (62, 70)),
)
QUALITATIVE_LABS = (
    ("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"),
    ("16933-4", "Hepatitis B virus core Ab [Presence] in Serum"),
    ("13955-0", "Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay"),
)
IMMUNIZATIONS = (("158", "influenza, injectable, quadrivalent"), ("133", "pneumococcal conjugate PCV 13"),
                 ("150", "influenza, injectable, quadrivalent, preservative free"), ("33", "pneumococcal polysaccharide PPV23"))


def _day(today: date, days_ago: int) -> str:
    return (today - timedelta(days=days_ago)).isoformat()


@dataclass
class _Writer:
    """Writes the resources of one patient; ids are unique within the record."""

    rng: random.Random
    today: date
    patient_id: str = PATIENT_ID
    serial: int = 0
    conditions: Sequence[Any] = CONDITIONS
    active_regimens: Sequence[Any] = ACTIVE_REGIMENS
    past_regimens: Sequence[Any] = PAST_REGIMENS

    def _id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def _subject(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.patient_id}"}

    def _meta(self) -> dict[str, Any]:
        return {"versionId": str(self.rng.randint(1, 9)), "lastUpdated": f"{_day(self.today, self.rng.randint(0, 900))}T08:00:00Z"}

    def patient(self) -> dict[str, Any]:
        return {
            "resourceType": "Patient", "id": self.patient_id, "meta": self._meta(),
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": f"MRN{self.rng.randint(10**6, 10**7)}"}],
            "active": True,
            "name": [{"use": "official", "family": "Benchmark", "given": ["Alex", "J"]}],
            "telecom": [{"system": "phone", "value": "555-0100", "use": "home"}],
            "gender": "female", "birthDate": "1971-04-12",
            "address": [{"line": ["1 Example Street"], "city": "Springfield", "postalCode": "01101", "country": "US"}],
        }

    def condition(self, n: int) -> dict[str, Any]:
        snomed, icd, display = self.conditions[n % len(self.conditions)]
        active = n == 0 or self.rng.random() < 0.7
        return {
            "resourceType": "Condition", "id": self._id("cond"), "meta": self._meta(),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                           "code": "active" if active else "resolved"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                               "code": "confirmed"}]},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                      "code": "problem-list-item", "display": "Problem List Item"}]}],
            "code": {"coding": [{"system": SNOMED, "code": snomed, "display": display},
                                {"system": ICD10CM, "code": icd, "display": display}], "text": display},
            "subject": self._subject(),
            "onsetDateTime": _day(self.today, 120 if n == 0 else self.rng.randint(30, 3000)),
            "recordedDate": _day(self.today, 110 if n == 0 else self.rng.randint(0, 30)),
        }

    def medication_request(self, regimen: Sequence[Any], *, status: str, started_days_ago: int,
                           length_days: int | None = None) -> dict[str, Any]:
        rxcui, name, dose, unit, frequency, period, period_unit = regimen
        repeat: dict[str, Any] = {"frequency": frequency, "period": period, "periodUnit": period_unit,
                                  "boundsPeriod": {"start": _day(self.today, started_days_ago)}}
        if length_days is not None:
            repeat["boundsPeriod"]["end"] = _day(self.today, max(started_days_ago - length_days, 0))
        dose_quantity = {"value": dose, "unit": unit, "system": UCUM, "code": unit}
        return {
            "resourceType": "MedicationRequest", "id": self._id("medrx"), "meta": self._meta(),
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.6", "value": str(self.rng.randint(10**8, 10**9))}],
            "status": status, "intent": "order",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                                      "code": "outpatient"}]}],
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rxcui, "display": name}], "text": name},
            "subject": self._subject(),
            "authoredOn": _day(self.today, started_days_ago),
            "requester": {"reference": "Practitioner/bench-rheumatologist", "display": "Dr Example"},
            "dosageInstruction": [{
                "sequence": 1,
                "text": f"{dose:g} {unit} by mouth {frequency} time(s) per {period} {period_unit}",
                "timing": {"repeat": repeat}, "route": ORAL,
                "doseAndRate": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/dose-rate-type",
                                                      "code": "ordered"}]}, "doseQuantity": dose_quantity}],
            }],
            "dispenseRequest": {"numberOfRepeatsAllowed": 3, "expectedSupplyDuration":
                                {"value": 30, "unit": "days", "system": UCUM, "code": "d"}},
        }

    def medications(self, count: int) -> list[dict[str, Any]]:
        """A quarter active (current regimen), the rest past orders (tapers, stopped drugs, refills)."""
        active = min(len(self.active_regimens), max(1, count // 4))
        orders = [self.medication_request(self.active_regimens[n], status="active",
                                          started_days_ago=self.rng.randint(20, 90))
                  for n in range(active)]
        for n in range(count - active):
            start = self.rng.randint(100, 1500)
            orders.append(self.medication_request(
                self.past_regimens[n % len(self.past_regimens)], status=self.rng.choice(("completed", "stopped")),
                started_days_ago=start, length_days=self.rng.randint(14, 90)))
        return orders

    def observation(self, n: int) -> dict[str, Any]:
        days_ago = self.rng.randint(0, 1100)
        if n % 25 == 24:
            code, display = QUALITATIVE_LABS[(n // 25) % len(QUALITATIVE_LABS)]
            value: dict[str, Any] = {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "260385009", "display": "Negative"}]}}
            extra: dict[str, Any] = {}
        else:
            code, display, unit, low, high, (drawn_low, drawn_high) = LABS[n % len(LABS)]
            measured = round(self.rng.uniform(drawn_low, drawn_high), 1)
            value = {"valueQuantity": {"value": measured, "unit": unit, "system": UCUM, "code": unit}}
            extra = {}
            if low is not None:
                extra["referenceRange"] = [{"low": {"value": low, "unit": unit, "system": UCUM, "code": unit},
                                            "high": {"value": high, "unit": unit, "system": UCUM, "code": unit}}]
                flag = "H" if measured > high else "L" if measured < low else "N"
                extra["interpretation"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": flag}]}]
        category = "vital-signs" if code == "29463-7" else "laboratory"
        return {
            "resourceType": "Observation", "id": self._id("obs"), "meta": self._meta(), "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}],
            "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
            "subject": self._subject(),
            "effectiveDateTime": f"{_day(self.today, days_ago)}T07:{self.rng.randint(10, 59)}:00Z",
            "issued": f"{_day(self.today, days_ago)}T11:00:00Z",
            "performer": [{"reference": "Organization/bench-lab", "display": "Example Laboratory"}],
            **value, **extra,
        }

    def allergy(self) -> dict[str, Any]:
        return {
            "resourceType": "AllergyIntolerance", "id": self._id("allergy"), "meta": self._meta(),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
            "code": {"coding": [{"system": RXNORM, "code": "7980", "display": "penicillin G"}], "text": "Penicillin"},
            "patient": self._subject(),
            "reaction": [{"manifestation": [{"coding": [{"system": SNOMED, "code": "247472004", "display": "Hives"}]}]}],
        }

    def immunization(self, n: int) -> dict[str, Any]:
        code, display = IMMUNIZATIONS[n % len(IMMUNIZATIONS)]
        return {
            "resourceType": "Immunization", "id": self._id("imm"), "meta": self._meta(), "status": "completed",
            "vaccineCode": {"coding": [{"system": CVX, "code": code, "display": display}]},
            "patient": self._subject(),
            "occurrenceDateTime": _day(self.today, self.rng.randint(20, 800)),
        }


@dataclass(frozen=True)
class Shape:
    """How many resources of each type a record has (the Patient is always one)."""

    conditions: int
    medications: int
    observations: int
    allergies: int = 1
    immunizations: int = 3

    @property
    def total(self) -> int:
        return 1 + self.conditions + self.medications + self.observations + self.allergies + self.immunizations

    @staticmethod
    def of_size(total: int) -> Shape:
        """A record of exactly `total` resources (>= 5) in the proportions of a real chart:
        ~5 % Conditions, ~20 % MedicationRequests, the rest mostly Observations."""
        conditions = max(1, total // 20)
        medications = max(1, total // 5)
        allergies = 1
        immunizations = min(3, max(0, total - 5))
        observations = total - 1 - conditions - medications - allergies - immunizations
        if observations < 1:
            raise ValueError(f"a record needs at least 6 resources, not {total}")
        return Shape(conditions, medications, observations, allergies, immunizations)


#: The record of the issue's realistic patient-view: ~10 Conditions, ~40 MedicationRequests, ~150 Observations.
TYPICAL = Shape(conditions=10, medications=40, observations=150, allergies=1, immunizations=3)
#: A smaller chart (about half the orders and results): the 198 KiB patient-view of issues 16 and 27.
SMALL = Shape(conditions=10, medications=20, observations=66, allergies=1, immunizations=3)


def record(shape: Shape, seed: int = SEED, today: date = NOW.date(), *, general: bool = False) -> list[dict[str, Any]]:
    """A myositis patient's record; `general`: a patient without myositis on none of the drugs the service checks."""
    tables = dict(conditions=GENERAL_CONDITIONS, active_regimens=GENERAL_ACTIVE_REGIMENS,
                  past_regimens=GENERAL_PAST_REGIMENS) if general else {}
    writer = _Writer(random.Random(seed), today, **tables)
    resources = [writer.patient()]
    resources += [writer.condition(n) for n in range(shape.conditions)]
    resources += writer.medications(shape.medications)
    resources += [writer.observation(n) for n in range(shape.observations)]
    resources += [writer.allergy() for _ in range(shape.allergies)]
    resources += [writer.immunization(n) for n in range(shape.immunizations)]
    return resources


def _codes(concept: Mapping[str, Any] | list[Any] | None) -> set[str]:
    """'system|code' and bare 'code' of every coding of a CodeableConcept (or a list of them)."""
    concepts = concept if isinstance(concept, list) else [concept or {}]
    return {token for c in concepts for coding in c.get("coding", ())
            for token in (coding.get("code"), f"{coding.get('system')}|{coding.get('code')}")}


def _matches(resource: Mapping[str, Any], parameters: Mapping[str, str]) -> bool:
    """The search parameters of the services' prefetch templates, evaluated as an EHR would
    (`patient` is always the record's patient; `_sort` and `_count` do not select)."""
    for name, value in parameters.items():
        wanted = set(value.split(","))
        if name == "code" and not wanted & _codes(resource.get("code")):
            return False
        if name == "category" and not wanted & _codes(resource.get("category")):
            return False
        if name == "status" and resource.get("status") not in wanted:
            return False
    return True


def search(resources: Iterable[Mapping[str, Any]], template: str) -> list[Mapping[str, Any]]:
    """The resources a prefetch template's query returns. `_count` is not applied: the growth
    benchmark sends every resource of the record, as an EHR that bundles all pages would."""
    path, _, query = template.partition("?")
    resource_type = path.split("/", 1)[0]
    parameters = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
    found = [r for r in resources if r["resourceType"] == resource_type and _matches(r, parameters)]
    if parameters.get("_sort") == "-date":
        found.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
    return found


def prefetch(resources: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Every prefetch key of the services filled the way an EHR fills it: a read, or a searchset
    Bundle of what the key's query finds (a resource found by two keys is sent twice)."""
    resources = list(resources)
    result: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        found = search(resources, template)
        if "?" not in template:
            result[key] = found[0] if found else None
            continue
        resource_type = template.split("?", 1)[0]
        result[key] = {"resourceType": "Bundle", "type": "searchset", "total": len(found),
                       "link": [{"relation": "self", "url": f"https://ehr.example.org/fhir/{resource_type}?patient={PATIENT_ID}"}],
                       "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{resource_type}/{r['id']}", "resource": r,
                                  "search": {"mode": "match"}} for r in found]}
    return result


#: Draft orders of the order hooks: starting methotrexate with folic acid at a lower prednisone dose.
DRAFTS = (
    ("105585", "Methotrexate 2.5 MG Oral Tablet", 15, "mg", 1, 1, "wk"),
    ("198641", "Folic Acid 0.8 MG Oral Tablet", 0.8, "mg", 1, 1, "d"),
    ("198145", "Prednisone 10 MG Oral Tablet", 15, "mg", 1, 1, "d"),
)


def draft_orders(seed: int = SEED, today: date = NOW.date()) -> list[dict[str, Any]]:
    writer = _Writer(random.Random(seed + 1), today)
    drafts = []
    for n, regimen in enumerate(DRAFTS):
        order = writer.medication_request(regimen, status="draft", started_days_ago=0)
        order["id"] = f"draft-{n + 1}"
        del order["meta"], order["identifier"]
        drafts.append(order)
    return drafts


def hook_request(hook: str, resources: Sequence[Mapping[str, Any]], drafts: Sequence[Mapping[str, Any]] = (),
                 selections: Sequence[str] | None = None, *, with_prefetch: bool = True) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": "Practitioner/bench-rheumatologist", "patientId": PATIENT_ID}
    if hook != "patient-view":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": dict(d)} for d in drafts]}
    if selections is not None:
        context["selections"] = list(selections)
    body: dict[str, Any] = {"hook": hook, "hookInstance": HOOK_INSTANCE, "context": context}
    if with_prefetch:
        body["prefetch"] = prefetch(resources)
    return body


@dataclass(frozen=True)
class Workload:
    name: str
    service_id: str
    body: dict[str, Any]
    resources: int  # distinct resources of the record (a resource may be in two prefetch keys)

    @property
    def prefetch_entries(self) -> int:
        """Resources in the prefetch as sent, repeats included."""
        values = self.body.get("prefetch", {}).values()
        return sum(len(v.get("entry", ())) if v["resourceType"] == "Bundle" else 1 for v in values if v)


def typical_workloads(seed: int = SEED) -> list[Workload]:
    """The three hook calls of the issue on the typical record."""
    resources = record(TYPICAL, seed)
    drafts = draft_orders(seed)
    return [
        Workload("patient-view", "myositis-patient-view", hook_request("patient-view", resources), len(resources)),
        Workload("order-select", "myositis-order-select",
                 hook_request("order-select", resources, drafts, [f"MedicationRequest/{drafts[0]['id']}"]), len(resources)),
        Workload("order-sign", "myositis-order-sign", hook_request("order-sign", resources, drafts), len(resources)),
    ]


def small_patient_view(seed: int = SEED) -> Workload:
    """The patient-view of the smaller record (198 KiB as sent)."""
    resources = record(SMALL, seed)
    return Workload("patient-view-small", "myositis-patient-view", hook_request("patient-view", resources),
                    len(resources))


def general_patient_view(seed: int = SEED) -> Workload:
    """The patient-view most chart openings make: the typical record's shape, of a patient without myositis on none
    of the drugs the service checks (so nothing applies but what every patient gets)."""
    resources = record(TYPICAL, seed, general=True)
    return Workload("patient-view-general", "myositis-patient-view", hook_request("patient-view", resources),
                    len(resources))


def sized_workload(total: int, seed: int = SEED) -> Workload:
    """A patient-view whose prefetch holds exactly `total` resources."""
    resources = record(Shape.of_size(total), seed)
    return Workload(f"patient-view/{total}", "myositis-patient-view", hook_request("patient-view", resources), len(resources))
