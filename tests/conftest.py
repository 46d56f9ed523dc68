"""Fixtures for API tests: an app on a temporary SQLite store, strict rules and a fixed clock."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from cds_service.config import Settings
from cds_service.protocol.app import create_app
from tests.api import ValidatingClient
from tests.factories import NOW, UNFOLDED_TOML

# Property-based tests explore a fixed, reproducible set of examples: a CI run fails for a defect, never
# for the luck of the draw or a loaded machine. `HYPOTHESIS_PROFILE=explore` draws new examples.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def single_process_metrics(monkeypatch):
    """`serve` sets PROMETHEUS_MULTIPROC_DIR for its workers; a test that runs it in-process must not
    leave it set, or every later scrape would read an empty multiprocess directory. Setting and then
    deleting it through monkeypatch restores the variable's absence after each test."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "unset")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Strict rules and no information card folded (each recommendation's card stays findable by its id);
    `make_app(rule_settings=None)` gives the default card budget."""
    unfolded = tmp_path / "unfolded-rule-settings.toml"
    unfolded.write_text(UNFOLDED_TOML)
    return Settings(feedback_db=str(tmp_path / "cds.sqlite3"), strict_rules=True, rule_settings=str(unfolded))


@pytest.fixture
def make_app(settings):
    """Build an app with some settings changed: `make_app(prefetch_failure="partial")`."""

    def build(clock=lambda: NOW, store=None, **changes):
        app = create_app(dataclasses.replace(settings, **changes), clock=clock, store=store)
        app.test_client_class = ValidatingClient
        return app

    return build


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()
