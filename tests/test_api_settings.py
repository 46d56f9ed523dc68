"""Settings from the environment (cds_service.config) and their effect at start-up."""

import pytest

from cds_service.config import DEFAULT_FEEDBACK_DB, DEFAULT_MAX_BODY_BYTES, Settings
from cds_service.protocol.runtime import load_rules


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.feedback_db == DEFAULT_FEEDBACK_DB
    assert settings.max_body_bytes == DEFAULT_MAX_BODY_BYTES == 5 * 1024 * 1024
    assert settings.cors_origins == ("*",)
    assert settings.selection_behavior == "at-most-one"
    assert settings.prefetch_failure == "412"
    assert settings.rule_settings is None
    assert settings.strict_rules is False


def test_every_variable_is_read():
    settings = Settings.from_env({
        "CDS_FEEDBACK_DB": "/data/fb.sqlite3", "CDS_MAX_BODY_BYTES": "1000",
        "CDS_CORS_ORIGINS": "https://a.example, https://b.example", "CDS_SELECTION_BEHAVIOR": "any",
        "CDS_RULE_SETTINGS": "/etc/rules.toml", "CDS_PREFETCH_FAILURE": "partial", "CDS_LOG_LEVEL": "debug",
        "CDS_STRICT_RULES": "true",
    })
    assert settings == Settings(
        feedback_db="/data/fb.sqlite3", max_body_bytes=1000, cors_origins=("https://a.example", "https://b.example"),
        selection_behavior="any", rule_settings="/etc/rules.toml", prefetch_failure="partial", log_level="DEBUG",
        strict_rules=True,
    )


@pytest.mark.parametrize("name, value", [
    ("CDS_SELECTION_BEHAVIOR", "all"), ("CDS_PREFETCH_FAILURE", "404"), ("CDS_MAX_BODY_BYTES", "5MB"),
    ("CDS_MAX_BODY_BYTES", "0"), ("CDS_STRICT_RULES", "maybe"), ("CDS_LOG_LEVEL", "LOUD"),
    ("CDS_HEADER_READ_TIMEOUT", "0"), ("CDS_BODY_READ_TIMEOUT", "-1"), ("CDS_BODY_READ_TIMEOUT", "soon"),
])
def test_invalid_values_are_rejected_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_client_read_timeouts_are_read():
    settings = Settings.from_env({"CDS_HEADER_READ_TIMEOUT": "3", "CDS_BODY_READ_TIMEOUT": "7.5"})
    assert (settings.header_read_timeout, settings.body_read_timeout) == (3.0, 7.5)



def test_strict_rules_reach_the_engine():
    assert load_rules(Settings(strict_rules=True)).strict is True


def test_rule_settings_file_overrides_a_default(tmp_path):
    toml = tmp_path / "rules.toml"
    toml.write_text("[steroid-sparing-agent]\nmin_days = 21\n")
    assert load_rules(Settings(rule_settings=str(toml))).settings["steroid-sparing-agent"]["min_days"] == 21


def test_an_invalid_rule_settings_file_stops_the_app_at_creation(make_app, tmp_path):
    toml = tmp_path / "rules.toml"
    toml.write_text("[no-such-recommendation]\nx = 1\n")
    with pytest.raises(ValueError, match="no-such-recommendation"):
        make_app(rule_settings=str(toml))
