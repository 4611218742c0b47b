"""One account's requests in flight together (plain pytest against the simulators, no Odoo
needed): CS-Cart's order details are read ``concurrency`` at a time, overlapping a shop's latency,
never more at once than the account allows, and a 429's Retry-After holds every one of them.

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_client_concurrency.py
"""

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from ..clients import CsCartClient
from ..clients.cscart import identify_order as identify
from ..simulators import CsCartSimulator

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
SINCE = (NOW - timedelta(days=20)).replace(tzinfo=None)
LATENCY_MS = 150
ORDERS = 12


class Flights:
    """Every request the clients send (``requests.Session.request``, after the Retry-After gate):
    when it left, when its answer came back, and the most in flight at once."""

    def __init__(self, monkeypatch):
        self.lock = threading.Lock()
        self.in_flight = self.most = 0
        self.sent = []  # (path, left, answered, status)
        original = requests.Session.request

        def request(session, method, url, **kwargs):
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            left = time.monotonic()
            try:
                answer = original(session, method, url, **kwargs)
            finally:
                with self.lock:
                    self.in_flight -= 1
            with self.lock:
                self.sent.append((url.split("/api/2.0", 1)[-1], left, time.monotonic(), answer))
            return answer

        monkeypatch.setattr(requests.Session, "request", request)

    def details(self):
        return [s for s in self.sent if s[0].startswith("/orders/")]


def make_shop(latency_ms):
    sim = CsCartSimulator(seed=3, orders=ORDERS, now=NOW, latency_ms=latency_ms)
    sim.start()
    return sim


def client_of(sim, concurrency):
    client = CsCartClient(sim.url, sim.login, sim.secret, timeout=10, concurrency=concurrency)
    client.backoff_base = 0.0
    return client


def import_all(client):
    started = time.monotonic()
    pages = list(client.iter_order_pages(SINCE))
    return pages, time.monotonic() - started


def orders_of(pages):
    return [
        (o.order_id, o.status, o.total, [(li.sku, li.quantity) for li in o.lines])
        for page in pages
        for o in page.orders
    ]


@pytest.fixture
def slow_shop():
    sim = make_shop(LATENCY_MS)
    yield sim
    sim.stop()


def test_order_details_overlap_within_the_bound(slow_shop, monkeypatch):
    flights = Flights(monkeypatch)
    pages, seconds = import_all(client_of(slow_shop, 4))
    details = flights.details()
    assert len(details) == ORDERS
    # at most 4 at once, and 4 at once indeed: the latency is waited for 4 orders at a time
    assert flights.most == 4
    overlapping = [
        d for d in details if any(o is not d and o[1] < d[2] and d[1] < o[2] for o in details)
    ]
    assert len(overlapping) == ORDERS
    # 12 orders in 3 rounds of 150 ms (plus the probe and the listing), not 12 x 150 ms
    assert seconds < (ORDERS * LATENCY_MS / 1000) * 0.6
    # the same orders, in the same order, as one after the other
    flights.sent.clear()
    sequential, slow_seconds = import_all(client_of(slow_shop, 1))
    assert orders_of(sequential) == orders_of(pages)
    assert len(orders_of(pages)) == ORDERS
    assert seconds < slow_seconds * 0.6


def test_a_retry_after_holds_every_concurrent_read(monkeypatch):
    sim = make_shop(50)
    try:
        client = client_of(sim, 4)
        first = sorted(sim.orders)[0]
        sim.inject("rate_limit", path=f"/orders/{first}", retry_after=1)
        holds = []
        hold = client.transport.hold

        def record_hold(seconds):
            hold(seconds)
            holds.append(time.monotonic())

        monkeypatch.setattr(client.transport, "hold", record_hold)
        flights = Flights(monkeypatch)
        pages, __ = import_all(client)
    finally:
        sim.stop()
    assert len(holds) == 1
    assert flights.most == 4  # the reads were concurrent
    held_at = holds[0]
    details = flights.details()
    # every order read, the one the shop turned away read again after its Retry-After
    assert sorted(o.order_id for page in pages for o in page.orders) == sorted(
        str(i) for i in sim.orders
    )
    assert [d[3].status_code for d in details if d[0] == f"/orders/{first}"] == [429, 200]
    # no thread sent a request while the shop asked to wait, and the others did wait for it
    # (12 orders, 4 at a time: reads were left when it answered 429)
    during = [d for d in details if held_at + 0.02 < d[1] < held_at + 0.95]
    assert not during, [(d[0], d[1] - held_at) for d in during]
    after = [d for d in details if d[1] >= held_at + 0.95]
    assert len(after) >= 2
    assert {d[0] for d in after} > {f"/orders/{first}"}


def test_the_next_page_is_read_while_the_importer_writes_one(slow_shop, monkeypatch):
    client = client_of(slow_shop, 4)
    client.page_size = 4
    flights = Flights(monkeypatch)
    chosen = []

    def select(identities):
        chosen.append([i.order_id for i in identities])
        return {i.order_id for i in identities}

    pages = client.iter_order_pages(SINCE, select=select)
    first = next(pages)
    assert [o.order_id for o in first.orders] == chosen[0]
    time.sleep(0.6)  # the importer writes the first page meanwhile
    # the second page was listed, chosen and read in the background
    assert len(chosen) == 2
    read = {d[0].rsplit("/", 1)[-1] for d in flights.details()}  # answered already
    assert set(chosen[1]) <= read
    second = next(pages)
    assert [o.order_id for o in second.orders] == chosen[1]
    rest = list(pages)
    assert sum(len(p.orders) for p in [first, second, *rest]) == ORDERS
    assert flights.most <= 4


def test_an_order_of_the_page_in_hand_is_read_again_whatever_select_says(slow_shop):
    client = client_of(slow_shop, 4)
    summaries = [{"order_id": "7", "status": "P"}, {"order_id": "8", "status": "P"}]
    chosen, unread = client._choose(summaries, identify, lambda idents: set(), always={"8"})
    assert [s["order_id"] for s in chosen] == ["8"]
    assert [i.order_id for i in unread] == ["7"]
