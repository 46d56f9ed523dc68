"""The CDS services this server offers: one per hook, declared once.

Discovery (`GET /cds-services`) is generated from `SERVICES`; dispatch is by service id. Prefetch
templates keep to the query subset the CDS Hooks spec recommends (S2 L326-334): instance read,
type search by `patient` reference, token equality, `_sort`, `_count`; and `_include` of the Medication
an order or statement references, since an order naming only a Medication reference cannot be read
without it (Epic and Oracle Health send such orders).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fhir_mappings.valuesets import prefetch_observation_codes
from hooks.recommendation import ORDER_SELECT, ORDER_SIGN, PATIENT_VIEW

OBSERVATION_COUNT = 200
#: Page size of the medication and laboratory searches (the client may page; fhirServer paging is followed).
SEARCH_COUNT = 200


def _prefetch_templates() -> Mapping[str, str]:
    patient = "{{context.patientId}}"
    codes = ",".join(prefetch_observation_codes())
    return MappingProxyType(
        {
            "patient": f"Patient/{patient}",
            "conditions": f"Condition?patient={patient}&_count={SEARCH_COUNT}",
            # All statuses, not only active: cumulative glucocorticoid exposure, tapers and completed IV
            # pulses/IVIG courses need the history; the mapping keeps what is current apart. Newest first,
            # so that a page holds the current regimen (a paged result is completed or marked incomplete).
            "medications": f"MedicationRequest?patient={patient}&_sort=-authoredon&_count={SEARCH_COUNT}"
                           "&_include=MedicationRequest:medication",
            # Medication on record as a statement (the IPS shape, patient-reported and reconciled lists).
            "medicationStatements": f"MedicationStatement?patient={patient}&_count={SEARCH_COUNT}"
                                    "&_include=MedicationStatement:medication",
            "observations": f"Observation?patient={patient}&code={codes}&_sort=-date&_count={OBSERVATION_COUNT}",
            # Myositis antibody, TPMT and other lab-specific tests have no shared LOINC code: they are
            # recognised by test name, so laboratory results are asked for by category as well.
            "laboratory": f"Observation?patient={patient}&category=laboratory&_sort=-date&_count={SEARCH_COUNT}",
            "allergies": f"AllergyIntolerance?patient={patient}&_count={SEARCH_COUNT}",
            "immunizations": f"Immunization?patient={patient}&_sort=-date&_count={SEARCH_COUNT}",
            # Cancer screening, lung function and eye examinations are often recorded as a procedure, a report or
            # an order; newest first, as the other searches.
            "procedures": f"Procedure?patient={patient}&_sort=-date&_count={SEARCH_COUNT}",
            "diagnosticReports": f"DiagnosticReport?patient={patient}&_sort=-date&_count={SEARCH_COUNT}",
            "serviceRequests": f"ServiceRequest?patient={patient}&_sort=-authored&_count={SEARCH_COUNT}",
        }
    )


PREFETCH = _prefetch_templates()
#: Keys whose absence does not stop a call (no 412): cards that need them say what could not be checked.
#: Added after the first release, so an EHR configured with the earlier templates keeps working.
#: Keys that supplement another (statements supplement the orders): their absence is not a data gap on the cards,
#: since what they add is also read when present; added in issue 21.
SUPPLEMENTARY_PREFETCH = frozenset({"medicationStatements"})
OPTIONAL_PREFETCH = frozenset({"procedures", "diagnosticReports", "serviceRequests"}) | SUPPLEMENTARY_PREFETCH

#: This service implements CDS Hooks 2.0 ("STU2"), with the 3.0 additions that 2.0 clients can ignore.
CDS_HOOKS_VERSION = "STU2"

USAGE_REQUIREMENTS = (
    "Needs the patient's Condition, MedicationRequest (current and past, with their Medication), "
    "MedicationStatement, Observation (body weight, height, "
    "the listed LOINC codes and laboratory results), AllergyIntolerance, Immunization, Procedure, DiagnosticReport and "
    "ServiceRequest resources, via the prefetch "
    "templates or a fhirServer with a fhirAuthorization token that can read them (user/*.read or "
    "patient/*.read scopes). Cards are advisory; the treating clinician decides."
)


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    usage_requirements: str = USAGE_REQUIREMENTS
    prefetch: Mapping[str, str] = field(default_factory=lambda: PREFETCH)
    optional_prefetch: frozenset[str] = OPTIONAL_PREFETCH

    def discovery(self) -> dict[str, Any]:
        """This service's entry in the discovery response (S2 L99-108)."""
        return {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": dict(self.prefetch),
            "usageRequirements": self.usage_requirements,
            # CDS Hooks 3.0 (ballot) asks services to advertise the CDS Hooks version they implement.
            "version": CDS_HOOKS_VERSION,
        }


SERVICES: tuple[Service, ...] = (
    Service(
        id="myositis-patient-view",
        hook=PATIENT_VIEW,
        title="Myositis treatment review",
        description=(
            "When the chart of a patient with idiopathic inflammatory myopathy is opened, checks the current "
            "treatment against BSR 2022, ACR 2022 and SHARE guidance (glucocorticoid dose and duration, "
            "steroid-sparing agents, monitoring, bone and infection prophylaxis) and suggests what is missing."
        ),
    ),
    Service(
        id="myositis-order-select",
        hook=ORDER_SELECT,
        title="Myositis medication order check",
        description=(
            "When a medication is selected for a patient with idiopathic inflammatory myopathy, checks the "
            "draft order (dose, schedule, interactions, prerequisites) against guideline recommendations."
        ),
    ),
    Service(
        id="myositis-order-sign",
        hook=ORDER_SIGN,
        title="Myositis medication order sign-off check",
        description=(
            "Before orders are signed for a patient with idiopathic inflammatory myopathy, checks the draft "
            "orders against guideline recommendations; the last chance to correct a dose or schedule."
        ),
    ),
)


def by_id(service_id: str) -> Service | None:
    return next((service for service in SERVICES if service.id == service_id), None)
