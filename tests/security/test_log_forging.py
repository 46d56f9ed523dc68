"""Request data cannot forge or hide log lines: schema patterns match whole strings, and control
characters in a log message are escaped."""

from __future__ import annotations

import io
import logging

import pytest

from cds_service.server import logs
from tests.api import error_expressions, hook_request
from tests.fhir_builders import patient

PATIENT_VIEW = "/cds-services/myositis-patient-view"


@pytest.mark.parametrize("hook_instance", ["X\n", "X\r\n", "X\x1b[2J", "X\x00", "X\u2028"])
def test_hook_instance_with_a_control_character_anywhere_is_400(client, hook_instance: str) -> None:
    body = hook_request("patient-view", [patient()], hookInstance=hook_instance)

    response = client.post(PATIENT_VIEW, json=body)

    assert response.status_code == 400
    assert error_expressions(response) == ["$.hookInstance"]


def test_patient_id_with_a_final_newline_is_400(client) -> None:
    body = hook_request("patient-view", [patient()], patient_id="example\n")

    assert client.post(PATIENT_VIEW, json=body).status_code == 400


def emitted(message: str, *args: object) -> str:
    stream = io.StringIO()
    logger = logging.getLogger("tests.log_forging")
    handler = logs.install(logging.StreamHandler(stream))
    logger.addHandler(handler)
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_forged_line_break_stays_on_one_escaped_line() -> None:
    line = emitted("401 POST /x: untrusted iss %s", "a\n2026-01-01 INFO cds_service all fine")

    assert line.count("\n") == 1
    assert "\\x0a2026-01-01 INFO" in line


@pytest.mark.parametrize(("raw", "escaped"), [("\x1b[2J", "\\x1b[2J"), ("\x00", "\\x00"), ("\x7f", "\\x7f"),
                                              ("\u2028", "\\u2028"), ("\r", "\\x0d")])
def test_control_characters_reach_the_log_escaped(raw: str, escaped: str) -> None:
    line = emitted("hookInstance=%s cards=0", f"a{raw}b")

    assert line == f"hookInstance=a{escaped}b cards=0\n"


def test_printable_text_is_logged_unchanged() -> None:
    assert emitted("service=%s ms=%.1f", "myositis-patient-view", 12.25) == "service=myositis-patient-view ms=12.2\n"
