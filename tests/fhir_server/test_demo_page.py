"""The demo page (/demo) in a real browser: headless Debian chromium driven by selenium, against the
service (served in a thread) and the FHIR server of these tests loaded with the demo patients.

One scenario per hook; each asserts the cards seen, what accepting or dismissing did, and the
feedback the service stored. Screenshots go to the test's tmp dir, and to $DEMO_SCREENSHOTS when set
(`make demo-screenshots` writes the README's into docs/demo/).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import pytest
import requests
from werkzeug.serving import make_server

from cds_service.config import Settings
from cds_service.protocol import runtime
from cds_service.protocol.app import create_app
from demo import patients
from tests import browser as browsers
from tests.fhir_server import launch
from tests.fhir_server.conftest import FhirServer

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (test extra)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT_SECONDS = 30  # a hook call fetches the record from the FHIR server page by page


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with browsers.chromium(WAIT_SECONDS) as chrome:
        yield chrome


@pytest.fixture(scope="module")
def demo(fhir_server: FhirServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    for bundle in patients.bundles().values():
        patients.load(fhir_server.base, fhir_server.token, patients.moved_to(bundle, date.today()))
    settings = Settings(feedback_db=str(tmp_path_factory.mktemp("demo") / "feedback.sqlite3"), strict_rules=True,
                        fhir_read_timeout=10.0, fhir_total_budget=WAIT_SECONDS)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    query = urlencode({"fhirServer": fhir_server.base, "fhirToken": fhir_server.token})
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/demo?{query}",
               "store": app.extensions[runtime.EXTENSION].store}
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _wait(chrome: webdriver.Chrome, condition, what: str) -> None:
    WebDriverWait(chrome, WAIT_SECONDS).until(lambda _: condition(), message=f"waited for {what}")


def _open(chrome: webdriver.Chrome, url: str, patient: str, hook: str) -> None:
    chrome.get(url)
    _wait(chrome, lambda: chrome.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true", "the page")
    Select(chrome.find_element(By.ID, "patient")).select_by_value(patient)
    Select(chrome.find_element(By.ID, "hook")).select_by_value(hook)


def _calls(chrome: webdriver.Chrome) -> int:
    return int(chrome.find_element(By.TAG_NAME, "body").get_attribute("data-calls") or 0)


def _call(chrome: webdriver.Chrome) -> None:
    before = _calls(chrome)
    chrome.find_element(By.ID, "call").click()
    _wait(chrome, lambda: _calls(chrome) > before, "the hook call")


def _after(chrome: webdriver.Chrome, click) -> None:
    """Run `click` (accepting a suggestion) and wait for the hook call it makes."""
    before = _calls(chrome)
    click()
    _wait(chrome, lambda: _calls(chrome) > before, "the hook call after accepting")


def _cards(chrome: webdriver.Chrome) -> dict[str, object]:
    return {card.get_attribute("data-topic"): card for card in chrome.find_elements(By.CSS_SELECTOR, "#cards .card")}


def _edit_draft(chrome: webdriver.Chrome, rxcui: str, dose: str, frequency: str) -> None:
    Select(chrome.find_element(By.ID, "draft-drug")).select_by_value(rxcui)
    dose_input = chrome.find_element(By.ID, "draft-dose")
    dose_input.clear()
    dose_input.send_keys(dose)
    Select(chrome.find_element(By.ID, "draft-frequency")).select_by_value(frequency)  # change event: draft rebuilt


def _status(chrome: webdriver.Chrome) -> str:
    return chrome.find_element(By.ID, "status").text


def test_patient_view_shows_the_cards_and_dismissing_stores_the_chosen_reason(browser, demo, tmp_path):
    _open(browser, demo["url"], "demo-new-dm", "patient-view")
    _call(browser)
    cards = _cards(browser)
    assert "steroid-sparing-agent" in cards, _status(browser)
    card = cards["steroid-sparing-agent"]
    assert "indicator-warning" in card.get_attribute("class")
    assert "add a steroid-sparing agent" in card.find_element(By.CSS_SELECTOR, ".summary").text
    assert card.find_elements(By.CSS_SELECTOR, ".detail li")  # the Markdown list of facts, rendered
    hrefs = [a.get_attribute("href") or "" for a in card.find_elements(By.CSS_SELECTOR, "a")]
    assert any(href.startswith("https://doi.org/") for href in hrefs)  # the guideline, linked
    labels = [button.text for button in card.find_elements(By.CSS_SELECTOR, ".accept")]
    assert any(label.startswith("Order methotrexate 15 mg once weekly") for label in labels)
    browsers.screenshot(browser, tmp_path, "patient-view")

    reasons = Select(card.find_element(By.CSS_SELECTOR, ".override-reason"))
    chosen = reasons.options[1].text
    reasons.select_by_index(1)
    card.find_element(By.CSS_SELECTOR, ".dismiss").click()
    _wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#feedback-log li[data-outcome=overridden]"), "feedback")

    uuid = card.get_attribute("data-uuid")
    (stored,) = [f for f in demo["store"].feedback("myositis-patient-view") if f.card_uuid == uuid]
    assert stored.outcome == "overridden" and stored.recommendation_id == "steroid-sparing-agent"
    assert stored.item["overrideReason"]["reason"]["display"] == chosen


def test_patient_view_of_the_well_treated_patient_shows_no_cards(browser, demo):
    _open(browser, demo["url"], "demo-well-treated", "patient-view")
    _call(browser)
    assert _cards(browser) == {} and _status(browser).startswith("No cards"), _status(browser)


def test_order_select_accepting_a_dose_change_updates_the_draft_and_the_card_goes(browser, demo, tmp_path):
    _open(browser, demo["url"], "demo-jdm", "order-select")
    _edit_draft(browser, "312615", "80", "1/1/d")  # prednisone 80 mg daily for a 28 kg child
    _call(browser)
    card = _cards(browser).get("draft-order-safety")  # the draft check owns a draft's dose for a child
    assert card is not None, _status(browser)
    browsers.screenshot(browser, tmp_path, "order-select")
    uuid = card.get_attribute("data-uuid")
    suggestion = card.find_element(By.CSS_SELECTOR, ".accept")
    suggestion_id = suggestion.get_attribute("data-suggestion")
    _after(browser, suggestion.click)

    assert browser.find_element(By.ID, "draft-dose").get_attribute("value") == "55"
    assert "55 mg" in browser.find_element(By.CSS_SELECTOR, "#drafts li[data-id=draft-1]").text
    assert "draft-order-safety" not in _cards(browser)
    (stored,) = [f for f in demo["store"].feedback("myositis-order-select") if f.card_uuid == uuid]
    assert stored.outcome == "accepted" and stored.item["acceptedSuggestions"] == [{"id": suggestion_id}]


def test_order_sign_accepting_removal_of_a_teratogen_drops_the_draft(browser, demo, tmp_path):
    _open(browser, demo["url"], "demo-pregnant", "order-sign")
    _edit_draft(browser, "105585", "15", "1/1/wk")  # methotrexate 15 mg once weekly, patient pregnant
    _call(browser)
    card = _cards(browser).get("draft-order-safety")  # the draft check: a teratogen in pregnancy is critical
    assert card is not None, _status(browser)
    assert "indicator-critical" in card.get_attribute("class")
    browsers.screenshot(browser, tmp_path, "order-sign")
    uuid = card.get_attribute("data-uuid")
    _after(browser, card.find_element(By.CSS_SELECTOR, ".accept").click)

    assert browser.find_elements(By.CSS_SELECTOR, "#drafts li") == []
    assert "draft-order-safety" not in _cards(browser)
    (stored,) = [f for f in demo["store"].feedback("myositis-order-sign") if f.card_uuid == uuid]
    assert stored.outcome == "accepted" and stored.recommendation_id == "draft-order-safety"


def test_accepting_a_change_to_an_order_on_record_writes_it_to_the_fhir_server(browser, demo, fhir_server):
    _open(browser, demo["url"], "demo-hmgcr-statin", "patient-view")
    _call(browser)
    card = _cards(browser).get("statin-anti-hmgcr")
    assert card is not None, _status(browser)
    _after(browser, card.find_element(By.CSS_SELECTOR, ".accept").click)

    assert "statin-anti-hmgcr" not in _cards(browser)
    statin = requests.get(f"{fhir_server.base}/MedicationRequest/demo-hmgcr-statin-atorvastatin",
                          headers={"Authorization": f"Bearer {fhir_server.token}"}, timeout=10).json()
    assert statin["status"] == "stopped"


def _fhir_get(fhir_server: FhirServer, path: str) -> dict:
    return requests.get(f"{fhir_server.base}/{path}", headers={"Authorization": f"Bearer {fhir_server.token}"},
                        timeout=10).json()


def _banner(chrome: webdriver.Chrome) -> str:
    _wait(chrome, lambda: chrome.find_element(By.ID, "banner-diagnosis").text, "the patient banner")
    return chrome.find_element(By.ID, "banner").text


def test_the_banner_shows_the_patients_name_age_sex_and_myositis_diagnosis(browser, demo):
    _open(browser, demo["url"], "demo-antisynthetase", "patient-view")
    banner = _banner(browser)
    assert banner.startswith("Ruth Lindqvist")
    assert "female" in banner and "Antisynthetase syndrome" in banner
    assert "Interstitial lung disease" not in banner  # the myositis diagnosis, not the whole problem list
    age = int(browser.find_element(By.ID, "banner-age").text.split()[0])
    assert 60 <= age <= 70  # born 1959, dates moved to today by at most the fixture's age


def test_the_card_source_is_shown_once(browser, demo):
    _open(browser, demo["url"], "demo-antisynthetase", "patient-view")
    _call(browser)
    cards = _cards(browser)
    assert cards, _status(browser)
    for topic, card in cards.items():
        hrefs = [a.get_attribute("href") for a in card.find_elements(By.CSS_SELECTOR, "a")]
        assert hrefs and len(hrefs) == len(set(hrefs)), (topic, hrefs)  # each address linked once


def test_a_create_accepted_on_patient_view_waits_unsigned_and_signing_writes_it_as_an_active_order(
        browser, demo, fhir_server, tmp_path):
    _open(browser, demo["url"], "demo-antisynthetase", "patient-view")
    assert browser.find_element(By.ID, "sign").get_attribute("disabled") is not None  # nothing to sign
    _call(browser)
    card = _cards(browser).get("care-plan")  # bone protection is one of the care plan's gaps
    assert card is not None, _status(browser)
    calcium = [b for b in card.find_elements(By.CSS_SELECTOR, ".accept") if "calcium" in b.text.lower()][0]
    calcium.click()
    _wait(browser, lambda: "accepted" in card.get_attribute("class"), "the card marked accepted")
    (draft,) = browser.find_elements(By.CSS_SELECTOR, "#drafts li")
    assert "calcium" in draft.text.lower() and "MedicationRequest/" not in draft.text  # a name, not an id
    assert "Sign orders" in _status(browser)

    sign = browser.find_element(By.ID, "sign")
    sign.click()  # order-sign runs first: signed at once without cards, else its cards are shown
    signed = lambda: browser.find_elements(By.CSS_SELECTOR, "#signed li")  # noqa: E731
    _wait(browser, lambda: signed() or sign.text == "Sign anyway", "signing or the order-sign cards")
    if not signed():  # order-sign had cards: reviewed, then signed anyway
        assert _cards(browser), _status(browser)
        sign.click()
    _wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#signed li"), "the signed order")
    assert browser.find_elements(By.CSS_SELECTOR, "#drafts li") == [] and _status(browser).startswith("Signed 1 order")

    reference = browser.find_element(By.CSS_SELECTOR, "#signed li").get_attribute("data-resource")
    order = _fhir_get(fhir_server, reference)
    assert order["status"] == "active" and order["intent"] == "order"
    assert order["subject"]["reference"] == "Patient/demo-antisynthetase"
    active = _fhir_get(fhir_server, "MedicationRequest?patient=demo-antisynthetase&status=active&_count=100")
    assert reference in {f"MedicationRequest/{e['resource']['id']}" for e in active.get("entry", ())}


def test_with_the_fhir_server_down_the_page_shows_the_services_diagnostics(browser, demo, tmp_path):
    with (tmp_path / "fhir.log").open("w") as log:
        process, base = launch.start(log)
    try:
        bundle = patients.bundles()["new-dermatomyositis"]
        patients.load(base, None, patients.moved_to(bundle, date.today()))
        url = demo["url"].split("?")[0] + "?" + urlencode({"fhirServer": base})
        _open(browser, url, "demo-new-dm", "patient-view")
        _banner(browser)
    finally:
        launch.stop(process)
    _call(browser)
    status = browser.find_element(By.ID, "status")
    assert "error" in status.get_attribute("class")
    assert status.text.startswith("The service answered 412: required FHIR data could not be obtained"), status.text
    assert "PRECONDITION FAILED" not in status.text.upper()


def test_signing_shows_the_order_sign_cards_first_and_writes_nothing_until_signed_anyway(
        browser, demo, fhir_server, tmp_path):
    _open(browser, demo["url"], "demo-pregnant", "order-select")
    _edit_draft(browser, "105585", "15", "1/1/wk")  # methotrexate for a pregnant patient
    before = _calls(browser)
    browser.find_element(By.ID, "sign").click()
    _wait(browser, lambda: _calls(browser) > before, "the order-sign call")
    assert "draft-order-safety" in _cards(browser), _status(browser)
    assert browser.find_element(By.ID, "sign").text == "Sign anyway"
    assert browser.find_elements(By.CSS_SELECTOR, "#drafts li") and not browser.find_elements(By.CSS_SELECTOR,
                                                                                               "#signed li")
    browsers.screenshot(browser, tmp_path, "sign")
    active = _fhir_get(fhir_server, "MedicationRequest?patient=demo-pregnant&status=active&_count=100")
    assert not [e for e in active.get("entry", ()) if "105585" in str(e["resource"].get("medicationCodeableConcept"))]
