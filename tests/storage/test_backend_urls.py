"""Choosing the store and the replay cache by URL (CDS_STORE_URL, CDS_REPLAY_CACHE_URL), and keeping
passwords out of what is logged."""

import json
import logging

import pytest

from cds_service.config import Settings
from cds_service.security.replay_cache import RedisReplayCache, SqliteReplayCache, open_replay_cache
from cds_service.storage.dependencies import redact, sqlite_path
from cds_service.storage.store_factory import open_store
from cds_service.storage.store_postgres import PostgresStore
from cds_service.storage.store_sqlite import SqliteStore
from tests.security.jwt_helpers import trust_document


def test_the_default_store_is_the_sqlite_file_of_make_serve():
    assert Settings.from_env({}).store == "sqlite:///var/myositis-cds.sqlite3"


def test_cds_feedback_db_still_names_the_sqlite_file():
    assert Settings.from_env({"CDS_FEEDBACK_DB": "/data/fb.sqlite3"}).store == "sqlite:////data/fb.sqlite3"


def test_cds_store_url_takes_precedence_over_cds_feedback_db():
    settings = Settings.from_env({"CDS_FEEDBACK_DB": "/data/fb.sqlite3", "CDS_STORE_URL": "postgresql://db/cds"})
    assert settings.store == "postgresql://db/cds"


def test_the_default_replay_cache_is_the_sqlite_file_of_one_host():
    assert Settings.from_env({}).replay_cache == "sqlite:///var/jwt-replay.sqlite3"
    assert Settings.from_env({"CDS_REPLAY_CACHE_URL": "redis://127.0.0.1:6379/0"}).replay_cache.startswith("redis:")


@pytest.mark.parametrize("name", ["CDS_STORE_URL", "CDS_REPLAY_CACHE_URL"])
def test_an_unknown_scheme_is_refused_at_start_up_without_its_password(name):
    with pytest.raises(ValueError, match=name) as raised:
        Settings.from_env({name: "mysql://cds:s3cret@db/cds"})
    assert "s3cret" not in str(raised.value)


def test_redact_hides_the_password_and_keeps_the_rest():
    assert redact("postgresql://cds:s3cret@db.example:5432/cds?sslmode=verify-full") == (
        "postgresql://cds:***@db.example:5432/cds?sslmode=verify-full")
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_sqlite_urls_follow_the_relative_and_absolute_convention(tmp_path):
    assert str(sqlite_path("sqlite:///var/x.sqlite3")) == "var/x.sqlite3"
    assert sqlite_path(f"sqlite:///{tmp_path}/new/dir/x.sqlite3") == tmp_path / "new" / "dir" / "x.sqlite3"
    assert not (tmp_path / "new").exists()


def test_a_store_that_will_write_gets_its_directory_created(tmp_path):
    assert sqlite_path(f"sqlite:///{tmp_path}/new/dir/x.sqlite3", create_directory=True).parent.is_dir()


def test_open_store_picks_the_backend_by_scheme(tmp_path):
    assert isinstance(open_store(f"sqlite:///{tmp_path}/cds.sqlite3"), SqliteStore)


def test_a_postgresql_server_down_at_start_up_is_logged_without_the_password(caplog):
    caplog.set_level(logging.ERROR)
    store = open_store("postgresql://cds:s3cret@127.0.0.1:1/cds?connect_timeout=1")
    assert isinstance(store, PostgresStore)
    assert "postgresql://cds:***@127.0.0.1:1/cds" in caplog.text and "s3cret" not in caplog.text


def test_the_start_up_log_names_both_backends_without_their_passwords(make_app, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    issuers = tmp_path / "issuers.json"
    issuers.write_text(json.dumps(trust_document()))
    make_app(store_url="postgresql://cds:s3cret@127.0.0.1:1/cds?connect_timeout=1", trusted_issuers=str(issuers),
             replay_cache_url="redis://:r3dis@127.0.0.1:1/0", jti_replay_db=str(tmp_path / "replay.sqlite3"))
    assert "store: postgresql://cds:***@127.0.0.1:1/cds" in caplog.text
    assert "JWT replay cache: redis://:***@127.0.0.1:1/0" in caplog.text
    assert "s3cret" not in caplog.text and "r3dis" not in caplog.text


def test_open_replay_cache_picks_the_backend_by_scheme(tmp_path):
    assert isinstance(open_replay_cache(f"sqlite:///{tmp_path}/r.sqlite3", tmp_path / "local.sqlite3"),
                      SqliteReplayCache)
    assert isinstance(open_replay_cache("redis://127.0.0.1:1/0", tmp_path / "local.sqlite3"), RedisReplayCache)
