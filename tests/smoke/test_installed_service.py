"""Smoke test of the service as a user installs it (wheel + service lock, no test extras, outside the
repository): it starts, answers discovery, a hook call, feedback, /readyz and /metrics, and stops on
Ctrl-C without a traceback. A runtime dependency missing from the lock fails here."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import requests

from tests.serving.served import _wait_ready, free_port
from tests.smoke.installed import ROOT, Installed, clean_environment, interrupt

FIXTURE = ROOT / "fixtures" / "requests" / "patient-view-dm-prednisone.json"


def test_the_installed_service_serves_hooks_feedback_readiness_and_metrics(installed: Installed, tmp_path: Path):
    port = free_port()
    environment = clean_environment(CDS_STORE_URL=f"sqlite:///{tmp_path}/store.sqlite3",
                                    CDS_JTI_REPLAY_DB=str(tmp_path / "replay.sqlite3"))
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(installed.command), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, log_path)
        discovery = requests.get(f"{base}/cds-services", timeout=10)
        assert discovery.status_code == 200
        assert {service["hook"] for service in discovery.json()["services"]} == {
            "patient-view", "order-select", "order-sign"}

        answer = requests.post(f"{base}/cds-services/myositis-patient-view", json=json.loads(FIXTURE.read_text()),
                               timeout=30)
        assert answer.status_code == 200
        cards = answer.json()["cards"]
        assert "steroid-sparing-agent" in {card["source"]["topic"]["code"] for card in cards}

        feedback = {"feedback": [{"card": cards[0]["uuid"], "outcome": "overridden",
                                  "outcomeTimestamp": "2026-11-20T09:00:00Z"}]}
        stored = requests.post(f"{base}/cds-services/myositis-patient-view/feedback", json=feedback, timeout=10)
        assert (stored.status_code, stored.json()) == (200, {})

        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        metrics = requests.get(f"{base}/metrics", timeout=10)
        assert metrics.status_code == 200 and "cds_cards_total" in metrics.text
    finally:
        status = interrupt(process)
    log = log_path.read_text(errors="replace")
    assert status == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


def test_the_installed_command_reports_its_version(installed: Installed):
    result = subprocess.run([str(installed.command), "--version"], capture_output=True, text=True, timeout=60,
                            env=clean_environment())
    assert result.returncode == 0 and result.stdout.startswith("myositis-cds ")


def test_an_invalid_request_file_is_reported_without_a_traceback(installed: Installed, tmp_path):
    request = {"hook": "patient-view", "hookInstance": str(uuid.uuid4())}  # no context
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(request))
    result = subprocess.run([str(installed.command), "evaluate", str(path)], capture_output=True, text=True,
                            timeout=60, env=clean_environment(), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
