"""The record of issued cards, written off the request path: a hook call hands its cards to a bounded
in-memory queue and answers; one background writer per process drains the queue into the store.

While the store is down the queue holds the records (up to `capacity` cards) and the writer retries
with growing pauses (up to `max_pause_seconds`); records that do not fit are dropped and counted in
`cds_issued_cards_not_recorded_total`, as are records the store refuses (`StoreRejected`). A record is
not an acknowledgement to anyone (the EHR got its cards; feedback, which is acknowledged, is written
before its answer): what a crash can lose is the queue's content at that moment, at most `capacity`
cards, whose later feedback then counts as "feedback on cards not on record" in the report. An orderly
stop (`myositis-cds serve`'s worker exit) drains the queue first, for up to `drain_seconds`.

The writer is a thread (a greenlet under gevent workers), started on first use in each process, so a
forked worker never inherits its parent's, and ended after `idle_seconds` without work.

The same mechanism writes the findings each card showed (`IssuedFinding`, for feedback per gap and
snoozes): a recorder is given what it records, how the store writes it and the counter of records lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import Counter

from cds_service import metrics
from cds_service.storage.store import Store, StoreUnavailable

log = logging.getLogger(__name__)


class CardRecorder:
    def __init__(self, store: Store, *, capacity: int = 10_000, batch: int = 500, max_pause_seconds: float = 5.0,
                 drain_seconds: float = 5.0, what: str = "issued cards",
                 write: Callable[[list[Any]], None] | None = None, lost: Counter | None = None) -> None:
        self._write = write or store.record_cards
        self._what = what
        self._lost = lost or metrics.CARDS_NOT_RECORDED
        self._capacity = capacity
        self._batch = batch
        self._max_pause = max_pause_seconds
        self.drain_seconds = drain_seconds
        self.idle_seconds = 10.0
        self._queue: deque[Any] = deque()
        self._in_flight = 0
        self._changed = threading.Condition()
        self._pid = 0

    def submit(self, cards: Iterable[Any]) -> None:
        """Queue `cards` (or findings) for the writer; never waits for the store."""
        cards = list(cards)
        if not cards:
            return
        with self._changed:
            self._start_writer()
            room = max(0, self._capacity - len(self._queue) - self._in_flight)
            self._queue.extend(cards[:room])
            self._changed.notify_all()
        if dropped := len(cards) - min(room, len(cards)):
            self._lost.inc(dropped)
            log.error("%d %s lost, not recorded: the record queue is full (%d, the store is slow or down)", dropped,
                      self._what, self._capacity)

    def pending(self) -> int:
        """Cards queued or being written."""
        with self._changed:
            return len(self._queue) + self._in_flight

    def flush(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds until every queued card is written (or given up); True if so."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def _start_writer(self) -> None:
        """Start this process's writer (call with the condition held)."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            threading.Thread(target=self._write_until_idle, name=f"{self._what} writer", daemon=True).start()

    def _take(self) -> list[Any] | None:
        """The next batch, or None when nothing came for `idle_seconds` (the writer then ends; the next
        `submit` starts another)."""
        with self._changed:
            while not self._queue:
                if not self._changed.wait(self.idle_seconds) and not self._queue:
                    self._pid = 0
                    return None
            batch = [self._queue.popleft() for _ in range(min(self._batch, len(self._queue)))]
            self._in_flight = len(batch)
            return batch

    def _done(self, batch: list[Any], *, retry: bool) -> None:
        with self._changed:
            if retry:
                self._queue.extendleft(reversed(batch))
            self._in_flight = 0
            self._changed.notify_all()

    def _write_until_idle(self) -> None:
        pause = 0.0
        while (batch := self._take()) is not None:
            try:
                self._write(batch)
            except StoreUnavailable as error:
                if not pause:
                    log.warning("%d %s waiting for the store (%s); retrying at most %g s apart",
                                self.pending(), self._what, error, self._max_pause)
                pause = min(self._max_pause, max(0.5, pause * 2))
                self._done(batch, retry=True)
                time.sleep(pause)
                continue
            except Exception as error:  # noqa: BLE001 - a refused record must not stop the writer
                self._lost.inc(len(batch))
                log.error("%d %s lost, not recorded: %s", len(batch), self._what, type(error).__name__)
            if pause:
                log.info("%s are written again", self._what)
            pause = 0.0
            self._done(batch, retry=False)
