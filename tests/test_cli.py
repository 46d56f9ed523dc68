"""`myositis-cds` command line: evaluate offline, catalog, serve."""

import io
import json

import pytest

from cds_service.command_line import cli
from cds_service.protocol.validation import check, validators
from tests.api import FIXTURES

PATIENT_VIEW = str(FIXTURES / "requests/patient-view-dm-prednisone.json")
NOW = "2026-11-20T09:00:00+00:00"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_evaluate_json_prints_a_valid_cards_response():
    code, out, _ = run("evaluate", PATIENT_VIEW, "--format", "json", "--now", NOW)
    assert code == 0
    response = json.loads(out)
    check(validators().response, response)
    plan = next(c for c in response["cards"] if c["summary"].startswith("Glucocorticoid plan: "))
    assert "steroid-sparing-agent" in [f["recommendation"] for f in plan["extension"]["urn:myositis-cds:findings"]]


def test_evaluate_text_shows_indicator_summary_detail_and_suggestions():
    code, out, _ = run("evaluate", PATIENT_VIEW, "--now", NOW)
    assert code == 0
    assert "[WARNING] Glucocorticoid plan: add a steroid-sparing agent; consider tapering" in out
    assert "Glucocorticoid monotherapy in myositis: add a steroid-sparing agent" in out
    assert "  | Why this card" in out and "**" not in out  # markdown rendered for a terminal
    assert ("  - Order methotrexate 15 mg once weekly (not pre-selected: no eGFR in the last 90 days; check renal "
            "function first)") in out
    assert "      create: Draft order: methotrexate 15 mg orally once weekly" in out


def test_card_markdown_is_rendered_for_a_terminal():
    detail = "**Why this card**\n- CK 3,000 U/L\n[BSR 2022](https://doi.org/10.1093/rheumatology/keac115)"
    assert cli.terminal_text(detail, bold=False) == (
        "Why this card\n- CK 3,000 U/L\nBSR 2022 <https://doi.org/10.1093/rheumatology/keac115>")
    assert cli.terminal_text(detail, bold=True).startswith("\033[1mWhy this card\033[0m\n")


def test_version_names_the_installed_release(capsys):
    with pytest.raises(SystemExit) as exit_:
        run("--version")
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"myositis-cds {cli.package_version()}"


@pytest.mark.parametrize("command", ["serve", "evaluate", "catalog", "report", "export", "coverage"])
def test_every_option_of_every_subcommand_is_documented(command):
    subcommand = next(action for action in cli.parser()._subparsers._group_actions).choices[command]
    undocumented = [action.dest for action in subcommand._actions if not action.help]
    assert undocumented == [] and subcommand.description


def test_evaluate_uses_the_given_time():
    _, out, _ = run("evaluate", PATIENT_VIEW, "--now", "2026-10-05T09:00:00+00:00")
    assert "steroid-sparing" not in out  # four days of prednisone: too early for the card


def test_evaluate_without_prefetch_states_what_was_not_checked():
    code, out, err = run("evaluate", str(FIXTURES / "requests/spec-order-sign.json"), "--now", NOW)
    assert code == 0
    assert "No cards" in out
    assert "no prefetch for patient, conditions" in err


def test_evaluate_rejects_an_invalid_request_with_the_json_path(tmp_path):
    request = json.loads(open(PATIENT_VIEW).read())
    del request["context"]["patientId"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(request))
    code, out, err = run("evaluate", str(path))
    assert code == cli.EXIT_INVALID_REQUEST
    assert "$.context" in err and out == ""


def test_evaluate_reports_an_unreadable_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{")
    code, _, err = run("evaluate", str(path))
    assert code == cli.EXIT_INVALID_REQUEST
    assert "broken.json" in err


def test_serve_runs_gunicorn_with_the_requested_bind_and_workers(monkeypatch, tmp_path):
    seen = {}

    def fake_run(application):
        seen.update(bind=application.cfg.bind, workers=application.cfg.workers,
                    preload=application.cfg.preload_app, app=application.load(),
                    worker_class=application.cfg.worker_class_str, keepalive=application.cfg.keepalive)

    monkeypatch.setenv("CDS_FEEDBACK_DB", str(tmp_path / "db.sqlite3"))
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", fake_run)
    assert run("serve", "--host", "127.0.0.1", "--port", "9099", "--workers", "3")[0] == 0
    assert seen["bind"] == ["127.0.0.1:9099"]
    assert seen["workers"] == 3 and seen["preload"] is True
    assert seen["app"].name == "cds_service.protocol.app"
    assert seen["worker_class"] == "gevent" and seen["keepalive"] == 5  # slow clients wait on a greenlet


def test_serve_fails_fast_on_bad_configuration(monkeypatch):
    monkeypatch.setenv("CDS_SELECTION_BEHAVIOR", "all")
    with pytest.raises(ValueError, match="CDS_SELECTION_BEHAVIOR"):
        run("serve")


def test_serve_refuses_an_open_service_on_a_public_address(monkeypatch):
    monkeypatch.delenv("CDS_TRUSTED_ISSUERS", raising=False)
    monkeypatch.delenv("CDS_ALLOW_OPEN_NONLOCAL", raising=False)
    with pytest.raises(SystemExit, match="CDS_TRUSTED_ISSUERS"):
        run("serve", "--host", "0.0.0.0")
