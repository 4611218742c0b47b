"""The simulators answer after a shop's latency, and overlap concurrent requests as a shop's web
server does (plain pytest, no Odoo needed).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_simulators_latency.py
"""

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from ..simulators.__main__ import build_parser, build_simulator

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 10
LATENCY_MS = 150


def cart_get(sim, path, session=None):
    """One CS-Cart API request; returns (status, seconds it took)."""
    started = time.perf_counter()
    answer = (session or requests).get(
        f"{sim.url}/api/2.0/{path}", auth=(sim.login, sim.secret), timeout=TIMEOUT
    )
    return answer.status_code, time.perf_counter() - started


def in_parallel(count, call):
    """Run ``call(i)`` in ``count`` threads started together; (results, wall seconds)."""
    results = [None] * count
    ready = threading.Barrier(count + 1)

    def run(index):
        ready.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(TIMEOUT)
    return results, time.perf_counter() - started


@pytest.fixture
def slow_cart():
    with CsCartSimulator(seed=3, orders=8, now=NOW, latency_ms=LATENCY_MS) as sim:
        yield sim


def test_every_api_request_waits_for_the_latency(slow_cart):
    status, seconds = cart_get(slow_cart, "orders")
    assert status == 200
    assert seconds >= LATENCY_MS / 1000
    # a refused request (wrong credentials) takes the round trip too
    started = time.perf_counter()
    refused = requests.get(f"{slow_cart.url}/api/2.0/orders", auth=("x", "y"), timeout=TIMEOUT)
    assert refused.status_code == 401
    assert time.perf_counter() - started >= LATENCY_MS / 1000


def test_parallel_requests_overlap(slow_cart):
    """8 requests sent together at 150 ms come back after about 150 ms, not 8 x 150 ms: the
    shop's latency is not spent holding the simulator's lock, and each connection is served by
    a thread of its own."""
    order_ids = sorted(slow_cart.orders)
    assert len(order_ids) == 8

    def read(index):
        with requests.Session() as session:
            return cart_get(slow_cart, f"orders/{order_ids[index]}", session)

    results, wall = in_parallel(8, read)
    assert [status for status, __ in results] == [200] * 8
    assert all(seconds >= LATENCY_MS / 1000 for __, seconds in results)
    # serialised they would take 1.2 s; together, one latency plus the machine's overhead
    assert wall < 2.5 * LATENCY_MS / 1000, f"8 parallel requests took {wall:.2f} s"
    assert slow_cart.request_count("/api/2.0/orders/") == 8


def test_control_endpoints_answer_at_once_while_requests_wait(slow_cart):
    slow_cart.set_latency(1000)
    pending = threading.Thread(target=cart_get, args=(slow_cart, "orders"))
    pending.start()
    time.sleep(0.1)  # the API request is now waiting out its latency
    started = time.perf_counter()
    stats = requests.get(f"{slow_cart.url}/__sim/stats", timeout=TIMEOUT).json()
    assert time.perf_counter() - started < 0.5
    assert stats["latency_ms"] == 1000
    assert stats["requests"] == 0  # recorded once answered
    pending.join(TIMEOUT)
    assert slow_cart.request_count() == 1


def test_latency_changed_through_the_control_endpoint():
    with OttoSimulator(seed=3, orders=0, now=NOW) as sim:
        url = f"{sim.url}/__sim/latency"
        assert requests.post(url, json={"ms": LATENCY_MS}, timeout=TIMEOUT).json() == {
            "latency_ms": LATENCY_MS
        }
        started = time.perf_counter()
        requests.get(f"{sim.url}/v4/orders", timeout=TIMEOUT)  # refused (no token), but late
        assert time.perf_counter() - started >= LATENCY_MS / 1000
        assert requests.post(url, json={"ms": 0}, timeout=TIMEOUT).status_code == 200
        assert sim.latency_ms == 0
        refused = requests.post(url, json={"ms": -5}, timeout=TIMEOUT)
        assert refused.status_code == 400
        assert "latency" in refused.json()["error"]
        assert sim.latency_ms == 0


def test_stop_does_not_wait_for_pending_latency():
    sim = PrestaShopSimulator(seed=3, orders=0, now=NOW, latency_ms=30_000).start()
    url = f"{sim.url}/api/orders?output_format=JSON"
    worker = threading.Thread(
        target=lambda: requests.get(url, auth=(sim.secret, ""), timeout=TIMEOUT)
    )
    worker.start()
    time.sleep(0.1)
    started = time.perf_counter()
    sim.stop()
    assert time.perf_counter() - started < 5
    worker.join(TIMEOUT)


def test_latency_is_not_part_of_the_saved_state(tmp_path):
    path = tmp_path / "shop.json"
    CsCartSimulator(seed=3, orders=2, now=NOW, latency_ms=LATENCY_MS).save_state(path)
    restored = CsCartSimulator(seed=3, orders=0, now=NOW).load_state(path)
    assert len(restored.orders) == 2
    assert restored.latency_ms == 0


def test_command_line_option():
    args = build_parser().parse_args(["cscart", "--orders", "1", "--latency-ms", "150"])
    assert build_simulator(args).latency_ms == LATENCY_MS
    with pytest.raises(ValueError):
        build_simulator(build_parser().parse_args(["otto", "--latency-ms", "-1"]))


def test_command_line_simulator_answers_late():
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators", "cscart", "--orders", "2", "--latency-ms", "150"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = {}
        while "orders" not in lines:
            key, _, value = process.stdout.readline().strip().partition("=")
            lines[key] = value
        stats = json.loads(requests.get(lines["url"] + "/__sim/stats", timeout=TIMEOUT).text)
        assert stats["latency_ms"] == LATENCY_MS
        started = time.perf_counter()
        answer = requests.get(
            lines["url"] + "/api/2.0/orders",
            auth=(lines["login"], lines["secret"]),
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200
        assert time.perf_counter() - started >= LATENCY_MS / 1000
    finally:
        process.terminate()
        process.wait(TIMEOUT)
