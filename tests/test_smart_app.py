"""The timeline app's service side (issue 26): serving /app/ and its parameters, the `smart` links on
cards about the course, and the settings and client profiles that govern them. The app itself runs in a
browser: tests/smart_launcher/test_timeline_app.py."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re

import pytest

from cds_service.client_profiles import PROFILES, shape
from cds_service.config import Settings
from cds_service.protocol.api.smart_app import APP
from cds_service.protocol.app import create_app
from cds_service.protocol.cards import TIMELINE_LINK_LABEL, render
from cds_service.protocol.validation import check, validators
from demo import patients
from demo.__main__ import service_environment
from fhir_mappings.concepts import STEROID_SPARING_AGENTS
from hooks import timeline
from hooks.engine import Result
from hooks.recommendation import Course, Finding, Indicator, Link
from hooks.recommendations import gc_taper, pjp_prophylaxis
from hooks.registry import all_recommendations
from tests import browser as browsers
from tests.api import hook_request, post_hook
from tests.factories import NOW, facts
from tests.security.jwt_helpers import PUBLIC_BASE, trust_document

APP_URL = "https://cds.example.org/app/launch.html"
FINDING = Finding(indicator=Indicator.WARNING, summary="High-dose glucocorticoid: consider tapering",
                  detail="Taper.", facts_used=("prednisone 60 mg/day",),
                  links=(Link("Guideline", "https://example.org/guideline"),))


def _card(recommendation, smart_app_url: str | None) -> dict:
    counter = itertools.count()
    [rendered] = render([Result(recommendation, FINDING)], facts(), selection_behavior="at-most-one",
                        new_id=lambda: f"00000000-0000-4000-8000-{next(counter):012d}", smart_app_url=smart_app_url)
    check(validators().response, {"cards": [rendered.card]})
    return rendered.card


# --- the smart link ---------------------------------------------------------------------------------

def test_a_card_about_the_course_links_to_the_app_when_its_url_is_configured():
    card = _card(gc_taper.RECOMMENDATION, APP_URL)
    assert card["links"] == [
        {"label": "Guideline", "url": "https://example.org/guideline", "type": "absolute"},
        {"label": TIMELINE_LINK_LABEL, "url": APP_URL, "type": "smart"},
    ]


def test_without_the_apps_url_no_card_links_to_it():
    assert [link["type"] for link in _card(gc_taper.RECOMMENDATION, None)["links"]] == ["absolute"]


def test_a_card_not_about_the_course_does_not_link_to_the_app():
    assert pjp_prophylaxis.RECOMMENDATION.course is None
    assert [link["type"] for link in _card(pjp_prophylaxis.RECOMMENDATION, APP_URL)["links"]] == ["absolute"]


@pytest.mark.parametrize("recommendation_id, course", [
    ("gc-taper", Course.GLUCOCORTICOID), ("steroid-sparing-agent", Course.AGENTS),
    ("refractory-disease", Course.MUSCLE), ("ild-assessment", Course.LUNG), ("anti-mda5-rp-ild", Course.LUNG),
])
def test_taper_steroid_sparing_treatment_response_and_ild_cards_are_about_the_course(recommendation_id, course):
    (recommendation,) = [r for r in all_recommendations() if r.id == recommendation_id]
    assert recommendation.course is course


def test_a_client_profile_without_smart_links_drops_them_and_keeps_the_others():
    card = _card(gc_taper.RECOMMENDATION, APP_URL)
    no_smart = dataclasses.replace(PROFILES["oracle-health"], name="no-smart", smart_links=False,
                                   allowlisted_link_types=frozenset())
    (shaped,) = shape({"cards": [card]}, no_smart)["cards"]
    assert [link["type"] for link in shaped["links"]] == ["absolute"]


@pytest.mark.parametrize("profile", ["epic", "oracle-health"])
def test_an_allowlisting_ehr_gets_the_smart_link_only_when_the_site_allowed_the_apps_url(profile):
    card = _card(gc_taper.RECOMMENDATION, APP_URL)
    (refused,) = shape({"cards": [card]}, PROFILES[profile], ())["cards"]
    (allowed,) = shape({"cards": [card]}, PROFILES[profile], ("https://cds.example.org/app/",))["cards"]
    assert "smart" not in [link["type"] for link in refused.get("links", ())]
    assert "smart" in [link["type"] for link in allowed["links"]]


def test_every_client_profile_allows_smart_links():
    assert all(profile.smart_links for profile in PROFILES.values())


# --- settings ---------------------------------------------------------------------------------------

def test_the_apps_settings_are_read_from_the_environment():
    settings = Settings.from_env({"CDS_SMART_APP_URL": APP_URL, "CDS_SMART_APP_CLIENT_ID": "epic-123",
                                  "CDS_SMART_APP": "false"})
    assert (settings.smart_app_url, settings.smart_app_client_id, settings.smart_app) == (APP_URL, "epic-123", False)
    assert Settings.from_env({}).smart_app_url is None and Settings.from_env({}).smart_app is True


@pytest.mark.parametrize("url", ["/app/launch.html", "javascript:alert(1)", "https:///app"])
def test_the_apps_url_must_be_absolute_http(url):
    with pytest.raises(ValueError, match="CDS_SMART_APP_URL"):
        Settings.from_env({"CDS_SMART_APP_URL": url})


def test_make_demo_configures_the_apps_url_on_its_own_port():
    env = service_environment("http://127.0.0.1:4000/fhir", "/tmp/demo.sqlite3", "http://127.0.0.1:8080/app/launch.html")
    assert Settings.from_env(env).smart_app_url == "http://127.0.0.1:8080/app/launch.html"


def test_the_service_puts_the_link_on_its_hook_responses_for_cards_about_the_course(make_app):
    bundle = patients.moved_to(patients.bundles()["new-dermatomyositis"], NOW.date())
    resources = list(patients.resources(bundle))
    body = hook_request("patient-view", resources, patient_id=resources[0]["id"])
    cards = post_hook(make_app(smart_app_url=APP_URL).test_client(), "myositis-patient-view", body)["cards"]
    linked = {c["source"]["topic"]["code"] for c in cards if any(k["type"] == "smart" for k in c.get("links", ()))}
    assert "steroid-sparing-agent" in linked
    assert linked <= {r.id for r in all_recommendations() if r.course is not None}


# --- serving the app --------------------------------------------------------------------------------

@pytest.fixture
def browser_client(settings):
    """A plain test client: the app's pages are HTML, not the JSON the validating client expects."""
    return create_app(settings).test_client()


def test_the_app_is_served_with_a_strict_content_security_policy(browser_client):
    client = browser_client
    response = client.get("/app/")
    assert response.status_code == 200 and b"Myositis timeline" in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy and "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("page", ["index.html", "launch.html"])
def test_the_pages_load_nothing_from_elsewhere_and_run_no_inline_script(page):
    html = (APP / page).read_text()
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources and all(not re.match(r"^[a-z]+:", s) or s == "data:," for s in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file of the app
    assert not re.search(r"\son[a-z]+\s*=", html) and "style=" not in html  # no inline handlers or styles


def test_the_vendored_libraries_are_served_with_their_licences(browser_client):
    client = browser_client
    for name in ("fhir-client.pure.min.js", "uPlot.iife.min.js", "uPlot.min.css"):
        assert client.get(f"/app/vendor/{name}").status_code == 200
    assert {"fhirclient-LICENSE", "uPlot-LICENSE", "README.md"} <= {p.name for p in (APP / "vendor").iterdir()}


def test_nothing_outside_the_app_directory_is_served(browser_client):
    client = browser_client
    assert client.get("/app/../cds_service/config.py").status_code == 404
    assert client.get("/app/%2e%2e/config.py").status_code == 404


def test_the_app_can_be_switched_off(settings):
    assert create_app(dataclasses.replace(settings, smart_app=False)).test_client().get("/app/").status_code == 404


def test_the_app_needs_no_client_jwt_but_the_hooks_still_do(tmp_path):
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    client = create_app(Settings(feedback_db=str(tmp_path / "cds.sqlite3"), trusted_issuers=str(issuers),
                                 public_base_url=PUBLIC_BASE, jti_replay_db=str(tmp_path / "replay.sqlite3"))
                        ).test_client()
    assert client.get("/app/").status_code == 200
    assert client.get("/app/timeline.json").status_code == 200
    assert client.post("/app/timeline.json").status_code in (401, 405)
    assert client.get("/cds-services").status_code == 401
    assert client.post("/cds-services/myositis-patient-view", json={}).status_code == 401


# --- the app's parameters ---------------------------------------------------------------------------

def test_the_app_gets_the_taper_threshold_as_the_site_configured_it(make_app, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[gc-taper]\nhigh_dose_mg_per_day = 30\n")
    taper = make_app(rule_settings=str(rules)).test_client().get("/app/timeline.json").json["taper"]
    assert taper == {"recommendation": "gc-taper", "high_dose_mg_per_day": 30, "high_dose_mg_per_kg": 0.75,
                     "info_days": 28, "warning_days": 42}


def test_the_app_gets_the_services_codes_factors_and_prefetch(client):
    parameters = client.get("/app/timeline.json").json
    assert "http://loinc.org|2157-6" in parameters["labs"]["creatine-kinase"]["codes"]
    assert parameters["glucocorticoids"]["methylprednisolone"]["prednisone_factor"] == 1.25
    assert "ivig" in parameters["agents"]["immune-globulin"]
    assert parameters["service"] == "myositis-patient-view"
    assert parameters["prefetch"]["medications"].startswith("MedicationRequest?patient={{context.patientId}}")
    assert parameters["client_id"] == "myositis-timeline"
    assert re.search(parameters["antibody_word"], "Mi-2 Ab", re.IGNORECASE)
    assert parameters["courses"]["gc-taper"] == "glucocorticoid"


def test_every_steroid_sparing_agent_has_a_bar():
    assert set(timeline.AGENT_ORDER) == STEROID_SPARING_AGENTS


# --- the browser tests run under CI -------------------------------------------------------------------

def test_a_missing_browser_or_launcher_fails_the_browser_tests_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        browsers.require("SMART launcher not installed")


def test_a_missing_browser_or_launcher_skips_the_browser_tests_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browsers.require("SMART launcher not installed")
    browsers.require(None)  # nothing missing: runs
