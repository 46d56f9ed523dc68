"""The background record of issued cards (cds_service/storage/card_recorder.py), with a store whose outage a test
controls; against the real servers in tests/storage/test_outages.py."""

from __future__ import annotations

import threading
from datetime import timedelta

from prometheus_client import REGISTRY

from cds_service.storage.card_recorder import CardRecorder
from cds_service.storage.store import IssuedCard, StoreRejected, StoreUnavailable
from tests.factories import NOW


def card(n: int) -> IssuedCard:
    return IssuedCard(f"card-{n}", "myositis-patient-view", "steroid-sparing-agent", "h", NOW + timedelta(seconds=n))


class Store:
    """Records cards; `down` makes it unavailable, `refuse` makes it refuse them."""

    def __init__(self) -> None:
        self.cards: list[IssuedCard] = []
        self.down = threading.Event()
        self.refuse = False
        self.writers: list[threading.Thread] = []

    def record_cards(self, cards: list[IssuedCard]) -> None:
        self.writers.append(threading.current_thread())
        if self.down.is_set():
            raise StoreUnavailable("feedback store (test)", "down")
        if self.refuse:
            raise StoreRejected("refused")
        self.cards.extend(cards)


def lost() -> float:
    return REGISTRY.get_sample_value("cds_issued_cards_not_recorded_total") or 0.0


def test_cards_are_written_in_order_by_a_background_writer():
    store = Store()
    recorder = CardRecorder(store)
    recorder.submit([card(1), card(2)])
    recorder.submit([card(3)])
    assert recorder.flush(5)
    assert [c.card_uuid for c in store.cards] == ["card-1", "card-2", "card-3"]
    assert {thread.name for thread in store.writers} == {"issued cards writer"}


def test_while_the_store_is_down_cards_wait_and_are_written_in_order_when_it_returns():
    store = Store()
    store.down.set()
    recorder = CardRecorder(store, max_pause_seconds=0.2)
    recorder.submit([card(1)])
    recorder.submit([card(2)])
    assert not recorder.flush(0.5)
    assert recorder.pending() == 2
    store.down.clear()
    assert recorder.flush(5)
    assert [c.card_uuid for c in store.cards] == ["card-1", "card-2"]


def test_cards_beyond_the_queue_are_dropped_and_counted():
    store = Store()
    store.down.set()
    recorder = CardRecorder(store, capacity=3, max_pause_seconds=0.2)
    before = lost()
    recorder.submit([card(n) for n in range(5)])
    assert lost() == before + 2
    assert recorder.pending() == 3
    store.down.clear()
    assert recorder.flush(5)
    assert len(store.cards) == 3


def test_cards_the_store_refuses_are_counted_and_the_writer_goes_on():
    store = Store()
    store.refuse = True
    recorder = CardRecorder(store)
    before = lost()
    recorder.submit([card(1)])
    assert recorder.flush(5)
    assert lost() == before + 1
    store.refuse = False
    recorder.submit([card(2)])
    assert recorder.flush(5)
    assert [c.card_uuid for c in store.cards] == ["card-2"]


def test_an_idle_writer_ends_and_the_next_card_starts_another():
    store = Store()
    recorder = CardRecorder(store)
    recorder.idle_seconds = 0.1
    recorder.submit([card(1)])
    assert recorder.flush(5)
    [first] = store.writers
    first.join(5)
    assert not first.is_alive()
    recorder.submit([card(2)])
    assert recorder.flush(5)
    assert len(store.cards) == 2 and store.writers[1] is not first
