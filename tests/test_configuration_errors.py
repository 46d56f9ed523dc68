"""A configuration the service cannot start with is one line naming the variable, its value and the
defect, and exit status 2, from the installed command (no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = Path(sys.executable).with_name("myositis-cds")
EXIT_CONFIGURATION = 2


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CDS_")}
    environment.update(env)
    return subprocess.run([str(COMMAND), "serve", "--port", "0"], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60)


def files(tmp_path: Path) -> dict[str, Path]:
    contents = {"bad.toml": "x = [", "unknown.toml": "[no-such-recommendation]\n", "bad.json": "{",
                "no-issuers.json": '{"issuers": "none"}'}
    for name, text in contents.items():
        (tmp_path / name).write_text(text)
    return {name: tmp_path / name for name in contents}


CASES = {
    "rule settings missing": ("CDS_RULE_SETTINGS", "{tmp}/absent.toml", "cannot read the file"),
    "rule settings not TOML": ("CDS_RULE_SETTINGS", "{tmp}/bad.toml", "not valid TOML"),
    "rule settings unknown rule": ("CDS_RULE_SETTINGS", "{tmp}/unknown.toml", "unknown recommendation"),
    "issuers missing": ("CDS_TRUSTED_ISSUERS", "{tmp}/absent.json", "cannot read the file"),
    "issuers not JSON": ("CDS_TRUSTED_ISSUERS", "{tmp}/bad.json", "not valid JSON"),
    "issuers malformed": ("CDS_TRUSTED_ISSUERS", "{tmp}/no-issuers.json", "issuers"),
    "store scheme": ("CDS_STORE_URL", "mysql://cds:secret@db.example/cds", "must start with sqlite:/// or postgresql://"),
    "allowlist not a URL": ("CDS_FHIR_ALLOWLIST", "ftp://fhir.example", "not an http(s) base URL"),
    "allowlist plain http": ("CDS_FHIR_ALLOWLIST", "http://fhir.example/r4", "https is required outside loopback"),
    "profile unknown": ("CDS_CLIENT_PROFILE", "cerner", "must be one of generic, epic, oracle-health"),
    "number malformed": ("CDS_MAX_BODY_BYTES", "5MB", "must be an integer"),
    "lab codes missing": ("CDS_LAB_CODES", "{tmp}/absent-lab-codes.json", "cannot read the file"),
}


@pytest.mark.parametrize("variable, value, problem", CASES.values(), ids=CASES.keys())
def test_a_configuration_error_is_one_line_naming_the_variable_and_exit_2(tmp_path, variable, value, problem):
    files(tmp_path)
    value = value.format(tmp=tmp_path)
    result = start(tmp_path, **{variable: value})
    assert result.returncode == EXIT_CONFIGURATION, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"myositis-cds: configuration error: {variable}=")
    assert problem in message


def test_a_password_in_a_bad_store_url_is_not_printed(tmp_path):
    result = start(tmp_path, CDS_STORE_URL="mysql://cds:secret@db.example/cds")
    assert "secret" not in result.stderr and "cds:***@db.example" in result.stderr
