"""CDS_LOG_FORMAT=json: every line the process writes is one JSON object, the server's own included."""

from __future__ import annotations

import json
import logging
import sys
import uuid

import pytest
import requests

from cds_service.config import Settings
from cds_service.server.log_format import JsonFormatter
from tests.api import fixture
from tests.serving.served import served


def record(message: str = "hello %s", *args, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("cds_service.protocol.api.services", logging.INFO, __file__, 1, message, args or ("world",), None)
    entry.__dict__.update(extra)
    return entry


def test_a_json_line_has_time_level_logger_and_message():
    line = json.loads(JsonFormatter().format(record()))
    assert line["level"] == "INFO" and line["logger"] == "cds_service.protocol.api.services"
    assert line["message"] == "hello world"
    assert line["time"].endswith("+00:00")


def test_structured_fields_are_copied_from_the_allowlist_only():
    line = json.loads(JsonFormatter().format(record(service="myositis-patient-view", hookInstance="h1", cards=3,
                                                    iss="https://ehr.example.org", jti="j1", token="eyJsecret")))
    assert {key: line[key] for key in ("service", "hookInstance", "cards", "iss", "jti")} == {
        "service": "myositis-patient-view", "hookInstance": "h1", "cards": 3, "iss": "https://ehr.example.org",
        "jti": "j1"}
    assert "token" not in line and "eyJsecret" not in json.dumps(line)


def test_control_characters_cannot_split_a_json_line():
    text = JsonFormatter().format(record("x %s", "a\nb\x1b[31m\x00"))
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert json.loads(text)["message"] == "x a\nb\x1b[31m\x00"


def test_an_exception_is_named_by_its_type_only():
    try:
        raise ValueError("patient 1968-05-14")
    except ValueError:
        entry = record(exc_info=sys.exc_info())
    text = JsonFormatter().format(entry)
    assert json.loads(text)["exception"] == "ValueError"
    assert "1968" not in text


def test_an_unknown_log_format_stops_start_up():
    with pytest.raises(ValueError, match="CDS_LOG_FORMAT"):
        Settings.from_env({"CDS_LOG_FORMAT": "xml"})


def test_the_served_process_writes_only_json_lines(tmp_path):
    request = {**fixture("requests/patient-view-dm-prednisone.json"), "hookInstance": str(uuid.uuid4())}
    with served(tmp_path, workers=1, CDS_LOG_FORMAT="json") as server:
        base = server.base
        assert requests.post(f"{base}/cds-services/myositis-patient-view", json=request, timeout=10).status_code == 200
        assert requests.get(f"{base}/cds-services/nothing?patient=secret-query", timeout=5).status_code in (404, 405)
    text = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # raises on any non-JSON line
    assert any(line.get("message", "").startswith("Starting gunicorn") for line in lines)
    [hook] = [line for line in lines if line.get("hookInstance") == request["hookInstance"]]
    assert hook["hookInstance"] == request["hookInstance"] and hook["status"] == 200 and hook["cards"] >= 1
    accesses = [line for line in lines if line.get("message") == "access"]
    assert {(line["method"], line["path"], line["status"]) for line in accesses} >= {
        ("POST", "/cds-services/myositis-patient-view", 200)}
    assert all(isinstance(line["ms"], float) for line in accesses)
    assert request["context"]["patientId"] not in text and "secret-query" not in text
