"""What the timeline app (`/app/`, issue 26) needs to know from the rules, so that it draws the course
with the service's own codes, equivalence factors and thresholds instead of copies of them.

The app reads the record in the browser (it holds the SMART token; the service never sees it) and
recognises each series by the codes and names the service's mappings use; the glucocorticoid panel
shows the taper threshold as the site configured it for `gc-taper`. Plain data, no patient data: the
service serves it as JSON at /app/timeline.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fhir_mappings.concepts import PREDNISONE_EQUIVALENCE, Antibody, Drug, Lab
from fhir_mappings.observations import qualitative_readings
from fhir_mappings.valuesets import (
    ObservationConcept,
    antibody_word,
    drug_names,
    observation_codes,
    observation_name_patterns,
)
from hooks.recommendation import PATIENT_VIEW, Recommendation
from hooks.recommendations import gc_taper
from hooks.services import SERVICES
from hooks.settings import RuleSettings

#: The laboratory series the app draws or lists: muscle enzymes, lung function, and the safety facts
#: the order-safety check reads (kidney, liver, pregnancy).
DRAWN_LABS = (Lab.CREATINE_KINASE, Lab.ALDOLASE, Lab.LUNG_FUNCTION, Lab.EGFR, Lab.ALT, Lab.HCG)
#: The steroid-sparing agents the app draws as bars, IVIG and rituximab among them (a test checks that it
#: names every one of `STEROID_SPARING_AGENTS`).
AGENT_ORDER = (Drug.METHOTREXATE, Drug.AZATHIOPRINE, Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID,
               Drug.TACROLIMUS, Drug.CICLOSPORIN, Drug.CYCLOPHOSPHAMIDE, Drug.IVIG, Drug.RITUXIMAB)


@dataclass(frozen=True)
class Series:
    """How an Observation is recognised: by code (`system|code`), else by a whole word of its name."""

    codes: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Glucocorticoid:
    names: tuple[str, ...]
    #: mg of prednisone per mg of this glucocorticoid.
    prednisone_factor: float


@dataclass(frozen=True)
class Taper:
    """The `gc-taper` parameters as configured: the high dose, and the days without a reduction after
    which its card informs and warns."""

    recommendation: str
    high_dose_mg_per_day: float
    high_dose_mg_per_kg: float
    info_days: int
    warning_days: int


@dataclass(frozen=True)
class TimelineParameters:
    #: The patient-view service and its prefetch templates: the app reads the record with them and sends
    #: it as the prefetch of its call for the current cards (discovery may need a client JWT it has not).
    service: str
    prefetch: Mapping[str, str]
    labs: Mapping[str, Series]
    antibodies: Mapping[str, Series]
    #: An antibody read by its name must also have a word that says antibody (a regular expression).
    antibody_word: str
    #: `system|code` of a coded qualitative result -> its reading ("positive", "negative"...).
    qualitative: Mapping[str, str]
    glucocorticoids: Mapping[str, Glucocorticoid]
    agents: Mapping[str, tuple[str, ...]]
    taper: Taper
    #: Recommendation id -> the part of the course its cards are about.
    courses: Mapping[str, str]


def _series(concepts: Iterable[ObservationConcept]) -> dict[str, Series]:
    concepts = tuple(concepts)
    patterns = observation_name_patterns(concepts)
    return {str(c): Series(observation_codes(c), patterns.get(str(c), ())) for c in concepts}


def parameters(recommendations: Iterable[Recommendation], settings: RuleSettings) -> TimelineParameters:
    """The app's parameters for this registry and these resolved rule settings."""
    taper = settings[gc_taper.RECOMMENDATION.id]
    (patient_view,) = (service for service in SERVICES if service.hook == PATIENT_VIEW)
    return TimelineParameters(
        service=patient_view.id,
        prefetch=dict(patient_view.prefetch),
        labs=_series(DRAWN_LABS),
        antibodies=_series(Antibody),
        antibody_word=antibody_word(),
        qualitative=qualitative_readings(),
        glucocorticoids={
            str(drug): Glucocorticoid(drug_names(drug), factor) for drug, factor in PREDNISONE_EQUIVALENCE.items()
        },
        agents={str(drug): drug_names(drug) for drug in AGENT_ORDER},
        taper=Taper(gc_taper.RECOMMENDATION.id, taper["high_dose_mg_per_day"], taper["high_dose_mg_per_kg"],
                    taper["info_days"], taper["warning_days"]),
        courses={r.id: str(r.course) for r in recommendations if r.course is not None},
    )
