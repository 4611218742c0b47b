"""The simulated shops of the demo: showcase orders, a live shop, kept state, printed writes
(plain pytest, no Odoo needed).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_simulators_demo.py
"""

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from ..simulators.data import CATALOG, parse_iso
from ..simulators.demo import UNKNOWN_SKU, describe_write, live_tick, showcase
from ..simulators.otto import bucket_status
from ..simulators.prestashop_data import COUNTRY_IDS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 5
KNOWN_SKUS = {product["sku"] for product in CATALOG}


def test_otto_showcase_has_every_case_a_merchant_meets():
    sim = OttoSimulator(seed=7, orders=0, now=NOW)
    orders = showcase(sim)
    statuses = Counter(bucket_status(order) for order in orders)
    assert statuses["ANNOUNCED"] == 2
    assert statuses["CANCELLED_BY_MARKETPLACE"] == 1
    units = [Counter(item["product"]["sku"] for item in o["positionItems"]) for o in orders]
    assert any(max(count.values()) >= 3 for count in units), "several units of one item"
    assert any(o["initialDeliveryFees"] for o in orders)
    assert any(o.get("initialDiscounts") for o in orders)
    assert any(item["weeePickup"] for o in orders for item in o["positionItems"])
    for order in orders:
        if bucket_status(order) in ("ANNOUNCED", "CANCELLED_BY_MARKETPLACE"):
            assert "deliveryAddress" not in order and "invoiceAddress" not in order
        else:
            assert order["deliveryAddress"]["countryCode"] == "DEU"
    partly = [
        o
        for o in orders
        if {i["fulfillmentStatus"] for i in o["positionItems"]}
        == {"PROCESSABLE", "CANCELLED_BY_MARKETPLACE"}
    ]
    assert len(partly) == 1
    unknown = [o for o in orders if UNKNOWN_SKU in units[orders.index(o)]]
    assert len(unknown) == 1 and UNKNOWN_SKU not in KNOWN_SKUS
    assert all(parse_iso(o["orderDate"]) < NOW for o in orders)


def test_prestashop_showcase_has_every_default_state_and_three_countries():
    sim = PrestaShopSimulator(seed=7, orders=0, now=NOW)
    orders = showcase(sim)
    assert sorted(int(order["current_state"]) for order in orders) == list(range(1, 14))
    countries = {sim.addresses[order["id_address_delivery"]]["id_country"] for order in orders}
    assert countries == {COUNTRY_IDS["FR"], COUNTRY_IDS["BE"], COUNTRY_IDS["DE"]}


def test_cscart_showcase_has_every_status_letter():
    sim = CsCartSimulator(seed=7, orders=0, now=NOW)
    orders = showcase(sim)
    assert sorted(order["status"] for order in orders) == sorted("PCOFDBIYN")
    assert {order["s_country"] for order in orders} == {"FR", "BE", "DE"}


@pytest.mark.parametrize("simulator_class", [OttoSimulator, PrestaShopSimulator, CsCartSimulator])
def test_live_shop_gets_new_orders_and_changes_at_its_clock(simulator_class):
    sim = simulator_class(seed=5, orders=6, now=NOW)
    showcase(sim)
    before = {key: repr(order) for key, order in sim.orders.items()}
    events = []
    for _ in range(12):
        sim.advance(60)
        events += live_tick(sim)
    new = set(sim.orders) - set(before)
    changed = [key for key in before if repr(sim.orders[key]) != before[key]]
    assert new and changed, events
    assert sum(event.startswith("new order ") for event in events) == len(new)
    assert len(events) > len(new), "status changes besides the new orders"
    again = simulator_class(seed=5, orders=6, now=NOW)
    showcase(again)
    replayed = []
    for _ in range(12):
        again.advance(60)
        replayed += live_tick(again)
    assert replayed == events, "the same seed makes the same shop life"


@pytest.mark.parametrize("simulator_class", [OttoSimulator, PrestaShopSimulator, CsCartSimulator])
def test_state_brings_back_the_same_shop(tmp_path, simulator_class):
    path = tmp_path / "shop.state"
    sim = simulator_class(seed=9, orders=5, now=NOW)
    showcase(sim)
    sim.advance(120)
    live_tick(sim)
    sim.save_state(path)
    restored = simulator_class(seed=1, orders=0, port=0).load_state(path)
    assert restored.orders == sim.orders
    assert (restored.login, restored.secret, restored.clock) == (sim.login, sim.secret, sim.clock)
    # the ids and the random state go on where they were: no second order under an old id
    assert live_tick(restored) == live_tick(sim)
    assert restored.orders == sim.orders
    with restored:
        assert restored.url and requests.get(restored.url + "/__sim/stats", timeout=TIMEOUT).ok
    other = OttoSimulator if simulator_class is not OttoSimulator else CsCartSimulator
    with pytest.raises(ValueError, match="not"):
        other(seed=1, orders=0).load_state(path)


def test_state_file_is_data_not_code(tmp_path):
    path = tmp_path / "shop.state"
    sim = PrestaShopSimulator(seed=9, orders=5, now=NOW)
    sim.save_state(path)
    saved = json.loads(path.read_text())  # plain JSON, readable by anything
    assert saved["backend"] == "prestashop"
    assert saved["state"]["now"] == {"$datetime": NOW.isoformat()}
    # a file naming a type the simulators do not write is refused, never built
    saved["state"]["now"] = {"$builtins.eval": "print(1)"}
    path.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="unknown value"):
        PrestaShopSimulator(seed=1, orders=0).load_state(path)


def test_writes_are_reported_without_credentials():
    received = []
    with OttoSimulator(seed=3, orders=0, now=NOW) as otto:
        otto.on_write = received.append
        token = requests.post(
            otto.url + "/v1/token",
            data={
                "grant_type": "client_credentials",
                "client_id": otto.login,
                "client_secret": otto.secret,
            },
            timeout=TIMEOUT,
        )
        assert token.ok
        requests.get(
            otto.url + "/v4/orders",
            headers={"Authorization": "Bearer " + token.json()["access_token"]},
            timeout=TIMEOUT,
        )
    assert received == [], "neither the token request nor a read is a write"
    with PrestaShopSimulator(seed=3, orders=0, now=NOW) as shop:
        order = shop.add_order(2)
        shop.on_write = received.append
        answer = requests.post(
            shop.url + "/api/order_histories",
            auth=(shop.secret, ""),
            data=(
                "<prestashop><order_history><id_order>{}</id_order>"
                "<id_order_state>4</id_order_state></order_history></prestashop>"
            ).format(order["id"]),
            headers={"Content-Type": "application/xml"},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 201, answer.text
    [record] = received
    line = describe_write(record)
    assert line == f"POST /api/order_histories -> 201: id_order={order['id']} id_order_state=4"
    assert shop.secret not in line
    with CsCartSimulator(seed=3, orders=0, now=NOW) as cart:
        order = cart.add_order("O")
        cart.on_write = received.append
        answer = requests.put(
            f"{cart.url}/api/2.0/orders/{order['order_id']}",
            json={"status": "P"},
            auth=(cart.login, cart.secret),
            timeout=TIMEOUT,
        )
        assert answer.ok, answer.text
    assert describe_write(received[-1]) == (
        f"PUT /api/2.0/orders/{order['order_id']} -> 200: status=P"
    )


def _read_until(process, wanted, seconds=15):
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if wanted(lines[-1]):
            return lines
    raise AssertionError(f"not seen in the simulator's output: {lines}")


def _start(state, *extra):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators",
            "cscart",
            "--orders",
            "2",
            "--seed",
            "7",
            "--state",
            str(state),
            *extra,
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_command_line_live_shop_prints_writes_and_keeps_its_orders(tmp_path):
    state = tmp_path / "cscart.state"
    process = _start(state, "--showcase", "--live", "0.5", "--secret", "demo-key")
    try:
        header = dict(line.split("=", 1) for line in _read_until(process, lambda x: "orders=" in x))
        assert header["secret"] == "demo-key" and int(header["orders"]) == 2 + 9
        _read_until(process, lambda line: "new order" in line or " now " in line)
        answer = requests.put(
            header["url"] + "/api/2.0/orders/101",
            json={"status": "C"},
            auth=(header["login"], "demo-key"),
            timeout=TIMEOUT,
        )
        assert answer.ok, answer.text
        lines = _read_until(process, lambda line: "received PUT" in line)
        assert lines[-1].endswith("] received PUT /api/2.0/orders/101 -> 200: status=C")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    kept = CsCartSimulator(seed=1, orders=0).load_state(state)
    assert kept.orders["101"]["status"] == "C" and len(kept.orders) > 11
    # started again (without --showcase, --orders ignored): the shop the file holds
    process = _start(state, "--orders", "40")
    try:
        header = dict(line.split("=", 1) for line in _read_until(process, lambda x: "orders=" in x))
        listed = requests.get(
            header["url"] + "/api/2.0/orders",
            params={"items_per_page": 500, "include_incompleted": "Y"},
            auth=(header["login"], "demo-key"),
            timeout=TIMEOUT,
        ).json()["orders"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert {order["order_id"]: order["status"] for order in listed} == {
        str(order["order_id"]): order["status"] for order in kept.orders.values()
    }
