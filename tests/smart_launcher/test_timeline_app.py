"""The timeline app (/app/, issue 26) launched as it is used: from a card's `smart` link (EHR launch)
and on its own (standalone launch), through the SMART App Launcher with PKCE, in headless chromium.

The charts are checked against the record: the points each chart holds (what uPlot draws) are the
values on record, and the agents' bars start and stop on the orders' dates. Screenshots go to the
test's tmp dir, and to $DEMO_SCREENSHOTS when set (`make app-screenshots` writes docs/demo/timeline.png).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests

from cds_service.protocol.cards import TIMELINE_LINK_LABEL
from tests import browser as browsers
from tests.fhir_builders import RXNORM, SNOMED, concept, condition, observation, quantity
from tests.smart_launcher.conftest import WAIT_SECONDS, Stack
from tests.smart_launcher.launch import PATIENT_STANDALONE, PROVIDER_EHR, launch_code

pytest.importorskip("selenium.webdriver", reason="selenium is not installed (test extra)")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PATIENT = "timeline-1"
DOCTOR = "timeline-doctor"
TODAY = datetime.now(UTC).date()
LABORATORY = [concept("laboratory", "http://terminology.hl7.org/CodeSystem/observation-category")]


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


# The course on record: CK falling on prednisone 60 then 40 mg/day (unreduced at 40 mg for 60 days:
# the gc-taper card), methotrexate stopped, mycophenolate since, one IVIG course, FVC and DLCO.
CK = {day(110): 4200, day(80): 2500, day(50): 1200, day(20): 600, day(5): 400}
CK_UPPER = 190
ALDOLASE = {day(110): 14.0, day(50): 9.0}
FVC = {day(100): 68, day(30): 72}
DLCO = {day(100): 55, day(30): 58}
PREDNISONE = [  # (start, end or None, tablets of 20 mg per day)
    (day(110), day(60), 3),
    (day(60), None, 2),
]
AGENTS = {  # drug: (text, start, end or None, dose in mg, frequency, period unit)
    "methotrexate": ("Methotrexate 2.5 MG Oral Tablet", day(100), day(70), 15, 1, "wk"),
    "immune-globulin": ("Immune globulin 10 % intravenous solution", day(90), day(89), 2000, 1, "d"),
    "mycophenolate-mofetil": ("Mycophenolate mofetil 500 MG Oral Tablet", day(50), None, 1000, 2, "d"),
}


def _subject(resource: dict) -> dict:
    return {**resource, "subject": {"reference": f"Patient/{PATIENT}"}}


def _lab(*args, **kwargs) -> dict:
    """A laboratory Observation of the patient (category laboratory, as EHRs send them)."""
    return _subject(observation(*args, category=LABORATORY, **kwargs))


def _order(id_: str, text: str, start: str, end: str | None, dose: dict, frequency: int, unit: str) -> dict:
    bounds = {"start": start, **({"end": end} if end else {})}
    return _subject({
        "resourceType": "MedicationRequest", "id": id_, "status": "completed" if end else "active",
        "intent": "order", "authoredOn": start,
        "medicationCodeableConcept": {"text": text, "coding": [{"system": RXNORM, "display": text}]},
        "dosageInstruction": [{"text": text, "doseAndRate": [{"doseQuantity": dose}],
                               "timing": {"repeat": {"frequency": frequency, "period": 1, "periodUnit": unit,
                                                     "boundsPeriod": bounds}}}],
    })


def record() -> list[dict]:
    resources: list[dict] = [
        {"resourceType": "Patient", "id": PATIENT, "gender": "female", "birthDate": "1975-02-11",
         "name": [{"given": ["Alex"], "family": "Timeline"}]},
        {"resourceType": "Practitioner", "id": DOCTOR, "name": [{"family": "Rheumatologist"}]},
        _subject(condition("396230008", SNOMED, "Dermatomyositis", onset=day(120), id="timeline-dm")),
    ]
    for index, (when, value) in enumerate(CK.items()):
        resources.append(_lab("2157-6", value, "U/L", date=when, reference_range=(None, CK_UPPER),
                              display="Creatine kinase", id=f"timeline-ck-{index}"))
    for index, (when, value) in enumerate(ALDOLASE.items()):
        resources.append(_lab("1761-6", value, "U/L", date=when, reference_range=(None, 7.6), display="Aldolase",
                              id=f"timeline-aldolase-{index}"))
    for index, (when, value) in enumerate(FVC.items()):  # lung function: not a laboratory result
        resources.append(_subject(observation("19872-1", value, "%", date=when, display="FVC measured/predicted",
                                              id=f"timeline-fvc-{index}")))
    for index, (when, value) in enumerate(DLCO.items()):  # no shared code: recognised by name
        resources.append(_lab(None, value, "%", date=when, text="DLCO measured/predicted", id=f"timeline-dlco-{index}"))
    resources.append(_lab(None, date=day(115), text="Mi-2 Ab [Presence] in Serum", value_concept=("10828004", SNOMED),
                          id="timeline-mi2"))
    resources.append(_lab("48642-3", 88, "mL/min/{1.73_m2}", date=day(5), display="eGFR", id="timeline-egfr"))
    resources.append(_lab("1742-6", 31, "U/L", date=day(5), reference_range=(None, 40), display="ALT",
                          id="timeline-alt"))
    for index, (start, end, tablets) in enumerate(PREDNISONE):
        resources.append(_order(f"timeline-prednisone-{index}", "Prednisone 20 MG Oral Tablet", start, end,
                                {"value": tablets, "unit": "tablet", "code": "{tbl}"}, 1, "d"))
    for drug, (text, start, end, mg, frequency, unit) in AGENTS.items():
        resources.append(_order(f"timeline-{drug}", text, start, end, quantity(mg, "mg"), frequency, unit))
    unreadable = _order("timeline-prednisolone", "Prednisolone 5 MG Oral Tablet", day(30), None,
                        {"value": 1, "unit": "as directed"}, 1, "d")  # a dose no one can read
    resources.append(unreadable)
    return resources


@pytest.fixture(scope="module")
def loaded(stack: Stack) -> Stack:
    for resource in record():
        response = requests.put(f"{stack.fhir_base}/{resource['resourceType']}/{resource['id']}", json=resource,
                                headers={"Content-Type": "application/fhir+json"}, timeout=10)
        response.raise_for_status()
    return stack


# --- driving the app ---------------------------------------------------------------------------------

def _ready(browser) -> None:
    """Wait until the app has drawn (through the launch's redirects: the page changes under the wait)."""
    state = "return document.body ? document.body.dataset.ready : undefined"
    WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
        lambda _: browser.execute_script(state) in ("true", "error"), message="waited for the timeline to be drawn")
    assert browser.execute_script(state) == "true", browser.find_element(By.ID, "status").text


def _drawn(browser, chart: str) -> list[dict[str, float]]:
    """Per series of `chart` (uPlot's data after the x values): {date: value} of the points it draws."""
    data = browser.execute_script(f"return window.timeline.charts[{chart!r}].data")
    dates = [datetime.fromtimestamp(x, UTC).date().isoformat() for x in data[0]]
    return [{d: v for d, v in zip(dates, column) if v is not None} for column in data[1:]]


def _card_link(stack: Stack) -> tuple[dict, dict]:
    """The EHR's patient-view call (the service reads the record from the FHIR server): the gc-taper card
    and its `smart` link."""
    response = requests.post(f"{stack.service}/cds-services/myositis-patient-view", timeout=WAIT_SECONDS, json={
        "hook": "patient-view", "hookInstance": str(uuid.uuid4()), "fhirServer": stack.fhir_base,
        "context": {"userId": f"Practitioner/{DOCTOR}", "patientId": PATIENT},
    })
    response.raise_for_status()
    cards = {card["source"]["topic"]["code"]: card for card in response.json()["cards"]}
    assert "gc-taper" in cards, list(cards)
    (link,) = [link for link in cards["gc-taper"].get("links", ()) if link["type"] == "smart"]
    return cards["gc-taper"], link


def _ehr_launch(browser, stack: Stack, link: dict) -> None:
    """What an EHR does with a `smart` link: open its URL with `iss` and a `launch` context."""
    query = urlencode({"iss": f"{stack.launcher}/v/r4/fhir", "launch": launch_code(PROVIDER_EHR, PATIENT, DOCTOR)})
    browser.get(f"{link['url']}?{query}")
    _ready(browser)


# --- the tests -----------------------------------------------------------------------------------------

def test_the_taper_card_carries_a_smart_link_to_the_app(loaded):
    card, link = _card_link(loaded)
    assert link == {"label": TIMELINE_LINK_LABEL, "url": loaded.launch_url, "type": "smart"}


def test_ehr_launch_from_the_card_draws_ck_and_its_upper_limit_as_on_record(browser, loaded, tmp_path):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    ck, ck_upper, aldolase, aldolase_upper = _drawn(browser, "muscle")
    assert ck == CK and aldolase == ALDOLASE
    assert set(ck_upper.values()) == {CK_UPPER} and set(ck_upper) == set(CK)
    assert set(aldolase_upper.values()) == {7.6}
    assert "Timeline" in browser.find_element(By.ID, "patient-name").text
    browsers.screenshot(browser, tmp_path, "timeline", 2200)


def test_ehr_launch_draws_the_prednisone_equivalent_dose_and_cumulative_dose(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    dose, cumulative, threshold = _drawn(browser, "glucocorticoid")
    assert dose == {day(110): 60, day(60): 40, TODAY.isoformat(): 40}
    days_at_40 = (datetime.now(UTC) - datetime.fromisoformat(day(60)).replace(tzinfo=UTC)).total_seconds() / 86400
    assert cumulative[TODAY.isoformat()] == pytest.approx((60 * 50 + 40 * days_at_40) / 1000, abs=0.01)
    assert set(threshold.values()) == {40}  # gc-taper's high dose, from the service's settings
    summary = browser.find_element(By.ID, "summary-glucocorticoid").text
    assert summary.startswith("Now 40 mg/day prednisone equivalent") and "gc-taper" in summary


def test_an_order_whose_dose_cannot_be_read_is_listed_not_guessed(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    browser.find_element(By.ID, "toggle-tables").click()  # row text is read from visible tables
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#table-glucocorticoid tr")]
    assert any(r.startswith("Prednisolone 5 MG Oral Tablet") and r.endswith("dose or frequency not readable")
               for r in rows), rows
    assert _drawn(browser, "glucocorticoid")[0][TODAY.isoformat()] == 40  # not counted in the dose drawn


def test_ehr_launch_draws_the_agents_as_bars_from_start_to_stop(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    bars = {bar.get_attribute("data-drug"): (bar.get_attribute("data-start"), bar.get_attribute("data-end"))
            for bar in browser.find_elements(By.CSS_SELECTOR, "#bars .bar")}
    assert bars == {drug: (start, end or "") for drug, (_, start, end, *_) in AGENTS.items()}


def test_ehr_launch_draws_lung_function_and_lists_antibodies_and_safety_facts(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    fvc, dlco = _drawn(browser, "lung")
    assert fvc == FVC and dlco == DLCO
    assert "anti-mi-2: positive (" in browser.find_element(By.ID, "antibodies").text  # read as the service reads it
    assert "Dermatomyositis" in browser.find_element(By.ID, "diagnoses").text
    safety = browser.find_element(By.ID, "safety").text
    assert "eGFR: 88" in safety and "ALT: 31 U/L (upper limit 40)" in safety


def test_the_app_shows_the_current_cards_each_pointing_to_its_part_of_the_course(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    item = browser.find_element(By.CSS_SELECTOR, "#cards li[data-topic=gc-taper]")
    pointer = item.find_element(By.CSS_SELECTOR, "a.course-link")
    assert pointer.get_attribute("href").endswith("#panel-glucocorticoid")
    pointer.click()
    assert "pointed" in browser.find_element(By.ID, "panel-glucocorticoid").get_attribute("class")


def test_the_token_stays_in_memory_and_the_scopes_are_read_only(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    storage = browser.execute_script("return [sessionStorage.length, localStorage.length, document.cookie]")
    assert storage == [0, 0, ""]
    scopes = browser.execute_script("return window.timeline.scope").split()
    assert all(s.endswith((".rs", ".read")) for s in scopes if s.startswith(("patient/", "user/")))
    assert "launch" in scopes


def test_the_table_view_lists_every_value_for_screen_readers(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-muscle tr")
    assert len(rows) == 1 + len(CK) + len(ALDOLASE)  # header + one per value
    browser.find_element(By.ID, "toggle-tables").click()
    assert browser.find_element(By.ID, "table-muscle").is_displayed()


def test_standalone_launch_opens_the_preselected_patient_and_draws_the_course(browser, loaded):
    iss = f"{loaded.launcher}/v/r4/sim/{launch_code(PATIENT_STANDALONE, PATIENT)}/fhir"
    browser.get(f"{loaded.launch_url}?{urlencode({'iss': iss})}")
    _ready(browser)
    assert _drawn(browser, "muscle")[0] == CK
    assert "launch/patient" in browser.execute_script("return window.timeline.scope").split()


def test_today_is_the_end_of_the_shared_time_axis(browser, loaded):
    _, link = _card_link(loaded)
    _ehr_launch(browser, loaded, link)
    start, end = browser.execute_script("return window.timeline.range")
    assert datetime.fromtimestamp(start / 1000, UTC).date() < date.fromisoformat(day(110))
    assert datetime.fromtimestamp(end / 1000, UTC).date() >= TODAY


def test_a_card_on_the_demo_page_opens_the_app_for_that_patient(browser, loaded):
    """`make demo`: the demo page plays the EHR without an authorization server; its `smart` link opens
    the app on the open FHIR server for the patient on screen."""
    browser.get(f"{loaded.service}/demo?{urlencode({'fhirServer': loaded.fhir_base})}")
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda _: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(browser.find_element(By.ID, "patient")).select_by_value(PATIENT)
    Select(browser.find_element(By.ID, "hook")).select_by_value("patient-view")
    browser.find_element(By.ID, "call").click()
    selector = ".card[data-topic=gc-taper] a.card-link"
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: browser.find_elements(By.CSS_SELECTOR, selector))
    (link,) = [a for a in browser.find_elements(By.CSS_SELECTOR, selector) if a.text == TIMELINE_LINK_LABEL]
    demo_window = browser.current_window_handle
    link.click()
    browser.switch_to.window([handle for handle in browser.window_handles if handle != demo_window][0])
    try:
        _ready(browser)
        assert _drawn(browser, "muscle")[0] == CK
        assert "Timeline" in browser.find_element(By.ID, "patient-name").text
    finally:
        browser.close()
        browser.switch_to.window(demo_window)
