"""No acknowledged feedback is lost when the deployed server (gevent workers) is killed mid-stream:
the answer goes out only after the SQLite commit (synchronous=FULL)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from tests.serving.served import served

FEEDBACK = "/cds-services/myositis-patient-view/feedback"
SENDERS = 4
STREAM_S = 1.5


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def send_until_refused(port: int, acknowledged: list[str], stop: threading.Event) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    while not stop.is_set():
        card = str(uuid.uuid4())
        item = {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z"}
        try:
            connection.request("POST", FEEDBACK, body=json.dumps({"feedback": [item]}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            return  # the server is gone: what was acknowledged before is what counts
        if response.status == 200:
            acknowledged.append(card)


def test_feedback_acknowledged_before_a_sigkill_is_stored(tmp_path: Path) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()
    with served(tmp_path) as server:
        senders = [threading.Thread(target=send_until_refused, args=(server.port, acknowledged, stop))
                   for _ in range(SENDERS)]
        for sender in senders:
            sender.start()
        time.sleep(STREAM_S)
        for pid in [*children(server.pid), server.pid]:  # workers first, mid-request, then the master
            os.kill(pid, signal.SIGKILL)
        stop.set()
        for sender in senders:
            sender.join(timeout=10)

    with sqlite3.connect(tmp_path / "feedback.sqlite3") as connection:
        stored = {row[0] for row in connection.execute("SELECT card_uuid FROM feedback")}
    assert acknowledged
    assert set(acknowledged) <= stored
