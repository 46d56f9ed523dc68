"""Fixtures for API tests: an app on a temporary SQLite store, strict rules and a fixed clock."""

from __future__ import annotations

import dataclasses

import pytest

from cds_service.app import create_app
from cds_service.config import Settings
from tests.api import ValidatingClient
from tests.factories import NOW


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(feedback_db=str(tmp_path / "cds.sqlite3"), strict_rules=True)


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
