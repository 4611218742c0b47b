"""One client, several threads (plain pytest against the simulators, no Odoo needed): every
request counted, one token renewal for all, a session per thread, and one Retry-After that
holds every thread of the client.

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_client_threads.py
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..clients import OttoClient
from ..simulators import OttoSimulator

THREADS = 8


@pytest.fixture
def otto():
    with OttoSimulator(seed=5, orders=0) as sim:
        yield sim


def add(otto):
    return otto.add_order("PROCESSABLE", [("HON-500", 1)], delivery_fee=None, discount=None)


def client_of(otto):
    client = OttoClient(otto.url, otto.login, otto.secret, timeout=5)
    client.backoff_base = 0.0
    return client


def together(work, count=THREADS):
    """Run ``work(n)`` in ``count`` threads that start at the same moment."""
    barrier = threading.Barrier(count)

    def start(n):
        barrier.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(start, range(count)))


def test_threads_share_one_token_and_every_request_is_counted(otto):
    orders = [add(otto)["salesOrderId"] for _ in range(3)]
    client = client_of(otto)

    def read(n):
        return [client.get_raw_order(order_id)["salesOrderId"] for order_id in orders]

    assert together(read) == [orders] * THREADS
    assert otto.request_count("/v1/token") == 1
    assert client.request_count == otto.request_count() == 1 + THREADS * len(orders)
    # the token expires for everybody at once: renewed once, by one thread, for all
    otto.expire_tokens()
    otto.reset_requests()
    before = client.request_count
    assert together(read) == [orders] * THREADS
    assert otto.request_count("/v1/token") == 1
    assert client.request_count - before == otto.request_count()


def test_each_thread_has_its_own_session(otto):
    client = client_of(otto)
    sessions = together(lambda n: (client.session, client.session))
    assert all(first is second for first, second in sessions)  # kept within a thread
    assert len({id(first) for first, __ in sessions}) == THREADS  # one per thread


def test_a_retry_after_holds_every_thread_of_the_client(otto):
    slow, other = add(otto)["salesOrderId"], add(otto)["salesOrderId"]
    client = client_of(otto)
    client.get_raw_order(other)  # a token first: the threads below only read orders
    otto.inject("rate_limit", path=f"/v4/orders/{slow}", retry_after=1)
    first = threading.Thread(target=client.get_raw_order, args=(slow,))
    first.start()
    deadline = time.monotonic() + 5
    while client.transport.gate() == 0:
        assert time.monotonic() < deadline, "the 429 never came"
        time.sleep(0.005)
    waiting = client.transport.gate()
    started = time.monotonic()
    client.get_raw_order(other)  # another thread of the client: it waits too
    assert time.monotonic() - started >= waiting - 0.05
    first.join()
    assert [r["status"] for r in otto.requests if r["path"] == f"/v4/orders/{slow}"] == [429, 200]
