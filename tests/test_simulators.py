"""The simulators behave like the APIs they stand in for (plain pytest, no Odoo needed).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone tests/test_simulators.py
"""

import json
import socket
import struct
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from ..simulators.__main__ import parse_fault
from ..simulators.data import CATALOG, iso_ms, make_buyer
from ..simulators.otto import bucket_status

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 5


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- helpers -------------------------------------------------------------------------------------
@pytest.fixture
def otto():
    with OttoSimulator(seed=3, orders=0, now=NOW) as sim:
        yield sim


@pytest.fixture
def shop():
    with PrestaShopSimulator(seed=3, orders=0, now=NOW) as sim:
        yield sim


@pytest.fixture
def cart():
    with CsCartSimulator(seed=3, orders=0, now=NOW) as sim:
        yield sim


def otto_session(sim):
    session = requests.Session()
    answer = session.post(
        sim.url + "/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sim.login,
            "client_secret": sim.secret,
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
    return session


def otto_pages(session, sim, **params):
    pages, answer = [], session.get(sim.url + "/v4/orders", params=params, timeout=TIMEOUT).json()
    pages.append(answer)
    while answer["links"]:
        href = answer["links"][0]["href"]
        assert answer["links"][0]["rel"] == "next" and href.startswith("/v4/orders?nextcursor=")
        answer = session.get(sim.url + href, timeout=TIMEOUT).json()
        pages.append(answer)
    return pages


def ps_get(sim, resource, **params):
    params.setdefault("output_format", "JSON")
    return requests.get(
        f"{sim.url}/api/{resource}", params=params, auth=(sim.secret, ""), timeout=TIMEOUT
    )


def cs(sim, method, path, timeout=TIMEOUT, **kwargs):
    url = f"{sim.url}/api/2.0/{path}"
    return requests.request(method, url, auth=(sim.login, sim.secret), timeout=timeout, **kwargs)


# --- data ----------------------------------------------------------------------------------------
def test_catalog_has_valid_eans_and_prices():
    assert len(CATALOG) >= 40
    assert len({p["sku"] for p in CATALOG}) == len(CATALOG)
    for product in CATALOG:
        digits = [int(d) for d in product["ean"]]
        assert len(digits) == 13
        assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
        assert money(product["price"]) == Decimal(product["price"]) > 0
        assert product["vat_rate"] in (19, 7) and product["vat_rate_fr"] in (20, 5.5)


def test_buyers_are_realistic_and_varied():
    import random

    rng = random.Random(9)
    buyers = [make_buyer(rng, country) for country in ("DE", "FR", "AT", "BE") * 60]
    phones = [b["phone"] for b in buyers]
    assert None in phones and "12" in phones or any(p in ("0000", "-", "tel") for p in phones)
    assert any(p and p.startswith("+49 1") for p in phones)
    assert any(p and p.startswith(("06", "07")) for p in phones)
    assert any(b["company"] for b in buyers)
    for buyer in buyers:
        assert "@" in buyer["email"] and buyer["first_name"] and buyer["last_name"]
        assert len(buyer["zip"]) == (5 if buyer["country"] in ("DE", "FR") else 4)
        assert buyer["house_number"] in buyer["address1"]


@pytest.mark.parametrize("cls", [OttoSimulator, PrestaShopSimulator, CsCartSimulator])
def test_same_seed_same_data(cls):
    first, second = cls(seed=4, orders=15, now=NOW), cls(seed=4, orders=15, now=NOW)
    assert json.dumps(first.orders, sort_keys=True) == json.dumps(second.orders, sort_keys=True)
    assert (first.login, first.secret) == (second.login, second.secret)
    other = cls(seed=5, orders=15, now=NOW)
    assert json.dumps(other.orders, sort_keys=True) != json.dumps(first.orders, sort_keys=True)


# --- OTTO ----------------------------------------------------------------------------------------
def test_otto_auth(otto):
    url = otto.url
    wrong = {"grant_type": "client_credentials", "client_id": otto.login, "client_secret": "x"}
    assert requests.post(url + "/v1/token", data=wrong, timeout=TIMEOUT).status_code == 401
    assert requests.get(url + "/v4/orders", timeout=TIMEOUT).status_code == 401
    session = otto_session(otto)
    assert session.get(url + "/v4/orders", timeout=TIMEOUT).status_code == 200
    otto.expire_tokens()
    assert session.get(url + "/v4/orders", timeout=TIMEOUT).status_code == 401
    session = otto_session(otto)
    otto.advance(1801)  # tokens live 30 minutes of the simulator clock
    assert session.get(url + "/v4/orders", timeout=TIMEOUT).status_code == 401
    assert otto.request_count("/v1/token") == 3


def test_otto_generated_orders_follow_the_facts():
    sim = OttoSimulator(seed=8, orders=80, now=NOW)
    statuses = {bucket_status(order) for order in sim.orders.values()}
    shapes = set()
    assert {"PROCESSABLE", "SENT", "ANNOUNCED"} <= statuses
    assert statuses & {"CANCELLED_BY_PARTNER", "CANCELLED_BY_MARKETPLACE", "RETURNED"}
    for order in sim.orders.values():
        assert len(order["orderNumber"]) == 10 and order["orderNumber"].isalnum()
        change = order["orderLifecycleInformation"]["lifecycleChangeDate"]
        assert order["orderDate"] <= change <= iso_ms(NOW)
        # no addresses before an item was processable: announced, or cancelled unpaid
        released = any("processableDate" in item for item in order["positionItems"])
        assert ("deliveryAddress" in order) is released and ("invoiceAddress" in order) is released
        if bucket_status(order) == "ANNOUNCED":
            assert order["payment"]["paymentMethod"] == "PREPAYMENT" and not released
        if released:
            assert order["invoiceAddress"]["email"].endswith("@customer.otto.market")
        for item in order["positionItems"]:
            assert isinstance(item["itemValueGrossPrice"]["amount"], float)
        # a reduction shows as reduced item prices, an initial discount, or both for the
        # same amount (never twice): the buyer paid the gross prices minus the reduction once
        items = order["positionItems"]
        gross = sum(money(i["itemValueGrossPrice"]["amount"]) for i in items)
        reduction = sum(money(i.get("itemValueDiscount", {}).get("amount", 0)) for i in items)
        initial = sum(
            money(d["discountAmount"]["amount"]) for d in order.get("initialDiscounts", [])
        )
        if reduction and initial:
            assert reduction == initial
            shapes.add("matching")
        elif reduction or initial:
            shapes.add("item_only" if reduction else "initial_only")
        for item in items:
            if "itemValueReducedGrossPrice" in item:
                assert money(item["itemValueReducedGrossPrice"]["amount"]) == money(
                    item["itemValueGrossPrice"]["amount"]
                ) - money(item["itemValueDiscount"]["amount"])
        if not any(i["fulfillmentStatus"].startswith("CANCELLED") for i in items):
            fees = sum(
                money(f["deliveryFeeAmount"]["amount"]) for f in order["initialDeliveryFees"]
            )
            paid = gross + fees - max(reduction, initial)
            assert sim.expected_total(order["salesOrderId"]) == paid
    assert shapes == {"matching", "item_only", "initial_only"}


def test_otto_add_order_units_and_discount(otto):
    order = otto.add_order(
        "PROCESSABLE",
        [("LED-DESK-01", 3), ("KB-BIO-1KG", 1)],
        delivery_fee="4.95",
        discount="5.00",
        weee_pickup=True,
        phone="030 1234567",
    )
    items = order["positionItems"]
    assert [i["product"]["sku"] for i in items].count("LED-DESK-01") == 3
    assert all(i["weeePickup"] for i in items)
    assert order["deliveryAddress"]["phoneNumber"] == "030 1234567"
    reduced = sum(money(i["itemValueReducedGrossPrice"]["amount"]) for i in items)
    assert otto.expected_total(order["salesOrderId"]) == reduced + Decimal("4.95")
    assert otto.expected_total(order["salesOrderId"]) == Decimal("3") * Decimal("24.95") + Decimal(
        "18.90"
    ) + Decimal("4.95") - Decimal("5.00")
    unknown = otto.add_order(
        items=[("NOT-HERE", 2)], prices={"NOT-HERE": "12.34"}, delivery_fee=None
    )
    assert unknown["positionItems"][0]["itemValueGrossPrice"]["amount"] == 12.34


def test_otto_paging_over_three_pages_and_filters(otto):
    orders = []
    for index in range(7):
        orders.append(otto.add_order(delivery_fee=None, discount=None))
        if index == 3:
            middle = otto.clock
        otto.advance(60)
    session = otto_session(otto)
    pages = otto_pages(session, otto, limit=3)
    assert [len(p["resources"]) for p in pages] == [3, 3, 1]
    assert pages[-1]["links"] == []
    seen = [o["salesOrderId"] for p in pages for o in p["resources"]]
    assert seen == [o["salesOrderId"] for o in orders]
    # with a cursor only limit counts: a filter sent along is ignored
    cursor = pages[0]["links"][0]["href"].split("=", 1)[1]
    again = session.get(
        otto.url + "/v4/orders",
        params={"nextcursor": cursor, "limit": 3, "fromDate": "2099-01-01T00:00:00Z"},
        timeout=TIMEOUT,
    ).json()
    assert again["resources"] == pages[1]["resources"]
    recent = otto_pages(session, otto, fromDate=middle.isoformat().replace("+00:00", "Z"))
    assert [o["salesOrderId"] for o in recent[0]["resources"]] == seen[3:]
    newest = otto_pages(session, otto, orderDirection="DESC", limit=128)
    assert [o["salesOrderId"] for o in newest[0]["resources"]] == seen[::-1]
    future = {"fromDate": "2099-01-01T00:00:00+01:00"}
    empty = session.get(otto.url + "/v4/orders", params=future, timeout=TIMEOUT)
    assert empty.json() == {"resources": [], "links": []}
    too_many = session.get(otto.url + "/v4/orders", params={"limit": 129}, timeout=TIMEOUT)
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["detail"]


def test_otto_status_filter_modes(otto):
    mixed = otto.add_order(
        items=[("TS-UNI-L", 2)], item_statuses=["SENT", "PROCESSABLE"], delivery_fee=None
    )
    assert bucket_status(mixed) == "PROCESSABLE"
    session = otto_session(otto)

    def found(**params):
        answer = session.get(otto.url + "/v4/orders", params=params, timeout=TIMEOUT).json()
        return [o["salesOrderId"] for o in answer["resources"]]

    assert found(fulfillmentStatus="SENT") == []
    assert found(fulfillmentStatus="SENT", mode="AT_LEAST_ONE") == [mixed["salesOrderId"]]
    assert found(fulfillmentStatus=["SENT", "PROCESSABLE"]) == [mixed["salesOrderId"]]


def test_otto_announced_orders(otto):
    announced = otto.add_order("ANNOUNCED")
    unpaid = otto.add_order("ANNOUNCED")
    assert "deliveryAddress" not in announced and "invoiceAddress" not in announced
    assert announced["payment"]["paymentMethod"] == "PREPAYMENT"
    session = otto_session(otto)
    by_number = session.get(f"{otto.url}/v4/orders/{announced['orderNumber']}", timeout=TIMEOUT)
    assert by_number.json()["salesOrderId"] == announced["salesOrderId"]
    assert "invoiceAddress" not in by_number.json()
    assert session.get(f"{otto.url}/v4/orders/nothing", timeout=TIMEOUT).status_code == 404
    otto.advance(3600)
    otto.release_announced(announced["salesOrderId"])
    session = otto_session(otto)  # the first token expired with the hour gone by
    released = session.get(
        f"{otto.url}/v4/orders/{announced['salesOrderId']}", timeout=TIMEOUT
    ).json()
    assert bucket_status(released) == "PROCESSABLE"
    assert released["deliveryAddress"]["countryCode"] == "DEU"
    assert released["orderLifecycleInformation"]["lifecycleChangeDate"] == iso_ms(otto.clock)
    assert all("processableDate" in item for item in released["positionItems"])
    otto.advance(7 * 86400)
    otto.cancel_by_marketplace(unpaid["salesOrderId"])
    assert bucket_status(unpaid) == "CANCELLED_BY_MARKETPLACE"
    assert "deliveryAddress" not in unpaid


def test_otto_shipments_and_cancellations(otto):
    order = otto.add_order(items=[("MW-20L", 1), ("TS-UNI-L", 2)])
    session = otto_session(otto)
    first, second, third = (item["positionItemId"] for item in order["positionItems"])
    shipment = {
        "trackingKey": {"carrier": "DHL", "trackingNumber": "00340434161094042557"},
        "shipDate": "2026-11-20T15:00:00Z",
        "shipFromAddress": {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"},
        "positionItems": [{"positionItemId": first, "salesOrderId": order["salesOrderId"]}],
    }
    answer = session.post(otto.url + "/v1/shipments", json=shipment, timeout=TIMEOUT)
    assert answer.status_code == 201 and answer.json()["shipmentId"]
    assert order["positionItems"][0]["fulfillmentStatus"] == "SENT"
    assert order["positionItems"][0]["trackingInfo"]["carrier"] == "DHL"
    assert otto.shipments[0]["salesOrderIds"] == [order["salesOrderId"]]
    again = session.post(otto.url + "/v1/shipments", json=shipment, timeout=TIMEOUT)
    assert again.status_code == 409 and again.json()["errors"][0]["title"]
    bad = dict(shipment, trackingKey={"carrier": "POSTKUTSCHE", "trackingNumber": "1"})
    assert session.post(otto.url + "/v1/shipments", json=bad, timeout=TIMEOUT).status_code == 400
    url = f"{otto.url}/v4/orders/{order['salesOrderId']}/positionItems/{second}/cancellation"
    assert session.post(url, timeout=TIMEOUT).status_code == 202  # accepted, no body
    whole = f"{otto.url}/v4/orders/{order['salesOrderId']}/cancellation"
    assert session.post(whole, timeout=TIMEOUT).status_code == 202
    assert session.post(whole, timeout=TIMEOUT).status_code == 409  # nothing left to cancel
    sid = order["salesOrderId"]
    assert otto.status_changes == [
        (sid, "CANCELLED_BY_PARTNER", [second]),
        (sid, "CANCELLED_BY_PARTNER", [third]),
    ]
    assert bucket_status(order) == "SENT"
    assert otto.expected_total(sid) == money(
        order["positionItems"][0]["itemValueGrossPrice"]["amount"]
    ) + sum(money(f["deliveryFeeAmount"]["amount"]) for f in order["initialDeliveryFees"]) - sum(
        money(d["discountAmount"]["amount"]) for d in order.get("initialDiscounts", [])
    )


# --- PrestaShop ----------------------------------------------------------------------------------
def test_prestashop_auth(shop):
    answer = requests.get(shop.url + "/api/orders?output_format=JSON", timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="Webservice"'
    wrong = requests.get(shop.url + "/api/orders", auth=("A" * 32, ""), timeout=TIMEOUT)
    assert wrong.status_code == 401
    assert ps_get(shop, "orders").status_code == 200
    by_param = requests.get(
        shop.url + "/api/orders", params={"ws_key": shop.secret}, timeout=TIMEOUT
    )
    assert by_param.status_code == 200 and by_param.text.startswith("<?xml")  # XML by default


def test_prestashop_lists_filters_limit_sort(shop):
    created = [shop.add_order(state, items=[("PZ-1000", 1)]) for state in (2, 3, 4, 5, 2, 10)]
    assert ps_get(shop, "orders", **{"filter[current_state]": "[99]"}).json() == []
    answer = ps_get(shop, "orders", **{"filter[current_state]": "[2|4]", "display": "full"})
    assert [o["id"] for o in answer.json()["orders"]] == [1, 3, 5]
    assert answer.json()["orders"][0]["total_paid_tax_incl"] == created[0]["total_paid_tax_incl"]
    page = ps_get(shop, "orders", limit="2,2", sort="[id_DESC]", display="[id,current_state]")
    assert page.json() == {
        "orders": [{"id": 4, "current_state": "5"}, {"id": 3, "current_state": "4"}]
    }
    assert ps_get(shop, "orders", limit="1").json() == {"orders": [{"id": 1}]}
    assert ps_get(shop, "orders", **{"filter[nope]": "[1]"}).status_code == 400
    detail = ps_get(shop, "orders/2").json()["order"]
    assert detail["associations"]["order_rows"][0]["product_reference"] == "PZ-1000"
    assert ps_get(shop, "orders/99").status_code == 404


def test_prestashop_date_filter_needs_date_1(shop):
    shop.add_order(2)  # date_upd 2026-11-20 13:00:00 in Paris
    refused = ps_get(shop, "orders", **{"filter[date_upd]": ">[2026-11-19 00:00:00]"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == 32
    sort_refused = ps_get(shop, "orders", sort="[date_upd_ASC]")
    assert sort_refused.status_code == 400
    since = {"filter[date_upd]": ">[2026-11-20 12:59:59]", "date": "1"}
    assert ps_get(shop, "orders", **since).json() == {"orders": [{"id": 1}]}
    later = {"filter[date_upd]": ">[2026-11-20 13:00:00]", "date": "1"}
    assert ps_get(shop, "orders", **later).json() == []
    # like PrestaShop (SQL BETWEEN with a date), an interval leaves out its end day
    interval = {"filter[date_upd]": "[2026-11-19,2026-11-20]", "date": "1"}
    assert ps_get(shop, "orders", **interval).json() == []
    interval["filter[date_upd]"] = "[2026-11-19,2026-11-21]"
    assert ps_get(shop, "orders", **interval).json() == {"orders": [{"id": 1}]}


def ps_xml(node, **fields):
    inner = "".join(f"<{key}><![CDATA[{value}]]></{key}>" for key, value in fields.items())
    return f"<prestashop><{node}>{inner}</{node}></prestashop>"


def test_prestashop_status_change_and_tracking(shop):
    order = shop.add_order(2)
    shop.advance(3600)
    url = shop.url + "/api/order_histories?output_format=JSON"
    body = ps_xml("order_history", id_order=order["id"], id_order_state=4)
    answer = requests.post(url, data=body, auth=(shop.secret, ""), timeout=TIMEOUT)
    assert answer.status_code == 201
    assert answer.json()["order_history"]["id_order_state"] == "4"
    assert (order["current_state"], order["date_upd"]) == ("4", "2026-11-20 14:00:00")
    # the webservice reads bodies as XML only: JSON is refused as PrestaShop refuses it
    as_json = {"order_history": {"id_order": order["id"], "id_order_state": "5"}}
    refused = requests.post(url, json=as_json, auth=(shop.secret, ""), timeout=TIMEOUT)
    assert refused.status_code == 500
    error = refused.json()["errors"][0]
    assert error["code"] == 127
    assert error["message"].startswith("XML error : String could not be parsed as XML")
    xml = ps_xml("order_history", id_order=1, id_order_state=5)
    assert requests.post(url, data=xml, auth=(shop.secret, ""), timeout=TIMEOUT).status_code == 201
    unknown = ps_xml("order_history", id_order=1, id_order_state=77)
    refused = requests.post(url, data=unknown, auth=(shop.secret, ""), timeout=TIMEOUT)
    assert refused.status_code == 400 and refused.json()["errors"][0]["message"]
    missing = ps_xml("order_history", id_order=1)
    refused = requests.post(url, data=missing, auth=(shop.secret, ""), timeout=TIMEOUT)
    assert refused.json()["errors"][0] == {
        "code": 41,
        "message": 'parameter "id_order_state" required',
    }
    assert shop.status_changes == [("1", "4"), ("1", "5")]
    histories = ps_get(shop, "order_histories", **{"filter[id_order]": "[1]"}).json()
    assert len(histories["order_histories"]) == 3
    carrier = ps_get(shop, "order_carriers", **{"filter[id_order]": "[1]", "display": "full"})
    record = carrier.json()["order_carriers"][0]
    put_url = f"{shop.url}/api/order_carriers/{record['id']}?output_format=JSON"
    partial = ps_xml("order_carrier", id=record["id"], tracking_number="6A123")
    assert requests.put(put_url, data=partial, auth=(shop.secret, ""), timeout=5).status_code == 400
    full = ps_xml("order_carrier", **dict(record, tracking_number="6A12345678901"))
    done = requests.put(put_url, data=full, auth=(shop.secret, ""), timeout=TIMEOUT)
    assert done.status_code == 200 and done.json()["order_carrier"]["tracking_number"]
    assert shop.tracking_updates == [("1", "6A12345678901")]


def test_prestashop_reference_data_and_multistore():
    with PrestaShopSimulator(
        seed=2, orders=40, now=NOW, shops=2, custom_states=[{"name": "Retrait", "paid": 1}]
    ) as sim:
        states = ps_get(sim, "order_states", display="full").json()["order_states"]
        assert [s["id"] for s in states] == list(range(1, 15))
        assert states[1]["name"] == [{"id": "1", "value": "Paiement accepté"}]
        assert (states[1]["paid"], states[3]["shipped"], states[13]["paid"]) == ("1", "1", "1")
        france = ps_get(sim, "countries", **{"filter[iso_code]": "[FR]"}, display="full")
        assert france.json()["countries"][0]["id"] == 8
        shop_two = ps_get(sim, "orders", id_shop="2", display="[id,id_shop]").json()["orders"]
        assert shop_two and all(o["id_shop"] == "2" for o in shop_two)
        for order_id, order in sim.orders.items():
            rows = order["associations"]["order_rows"]
            total = sum(
                money(Decimal(r["unit_price_tax_incl"]) * int(r["product_quantity"])) for r in rows
            )
            total += money(order["total_shipping_tax_incl"])
            total -= money(order["total_discounts_tax_incl"])
            assert total == money(order["total_paid_tax_incl"]) == sim.expected_total(order_id)


# --- CS-Cart ---------------------------------------------------------------------------------
def test_cscart_auth(cart):
    assert requests.get(cart.url + "/api/2.0/orders", timeout=TIMEOUT).status_code == 401
    wrong = requests.get(cart.url + "/api/2.0/orders", auth=(cart.login, "x"), timeout=TIMEOUT)
    assert wrong.status_code == 401 and wrong.json() == {"message": "Unauthorized"}
    assert cs(cart, "GET", "orders").status_code == 200


def test_cscart_paging_and_updated_at(cart):
    ids = []
    for _ in range(9):
        ids.append(cart.add_order("P")["order_id"])
        cart.advance(60)
    first = cs(cart, "GET", "orders", params={"items_per_page": 4, "sort_order": "asc"}).json()
    assert first["params"]["total_items"] == "9" and first["params"]["page"] == 1
    pages = [first["orders"]]
    for page in (2, 3, 4):
        params = {"items_per_page": 4, "sort_order": "asc", "page": page}
        pages.append(cs(cart, "GET", "orders", params=params).json()["orders"])
    assert [len(p) for p in pages] == [4, 4, 1, 0]
    assert [o["order_id"] for p in pages for o in p] == ids
    assert isinstance(first["orders"][0]["total"], str)
    cart.advance(3600)
    since = int(cart.clock.timestamp())
    cart.set_status(ids[0], "C")
    changed = cs(cart, "GET", "orders", params={"updated_at_from": since}).json()
    assert [o["order_id"] for o in changed["orders"]] == [ids[0]]
    # the summaries never carry updated_at, and the list cannot be sorted by it: CS-Cart falls
    # back to its default sort (date, newest first)
    assert all("updated_at" not in o for o in changed["orders"])
    assert "updated_at" in cs(cart, "GET", f"orders/{ids[0]}").json()
    by_change = cs(cart, "GET", "orders", params={"sort_by": "updated_at"}).json()
    assert by_change["params"]["sort_by"] == "date"
    assert [o["order_id"] for o in by_change["orders"]][:3] == ids[::-1][:3]
    # the Date header is the shop's clock
    answer = cs(cart, "GET", "orders")
    assert parsedate_to_datetime(answer.headers["Date"]) == cart.clock.replace(microsecond=0)


def test_cscart_legacy_ignores_updated_at():
    with CsCartSimulator(seed=3, orders=12, now=NOW, legacy=True) as sim:
        answer = cs(
            sim, "GET", "orders", params={"updated_at_from": 4102444800, "items_per_page": 50}
        )
        orders = answer.json()["orders"]
        assert len(orders) == len([o for o in sim.orders.values() if o["status"] != "N"])
        assert all("updated_at" not in o for o in orders)
        assert "updated_at" not in cs(sim, "GET", f"orders/{orders[0]['order_id']}").json()
        stamps = [int(o["timestamp"]) for o in orders]
        assert stamps == sorted(stamps, reverse=True)  # newest first by default


def test_cscart_status_put_products_and_shipments(cart):
    order = cart.add_order("O", items=[("TO-2S-WHT", 2)], shipping="6.90", discount=None)
    cart.advance(120)
    answer = cs(cart, "PUT", f"orders/{order['order_id']}", json={"status": "P"})
    assert answer.json() == {"order_id": int(order["order_id"])}
    assert order["status"] == "P" and order["updated_at"] == str(int(cart.clock.timestamp()))
    assert cart.status_changes == [(order["order_id"], "P")]
    assert cs(cart, "PUT", f"orders/{order['order_id']}", json={"status": "N"}).status_code == 400
    assert cs(cart, "GET", "orders/999").status_code == 404
    item_id = next(iter(order["products"]))
    shipment = {
        "order_id": order["order_id"],
        "shipping_id": "1",
        "carrier": "colissimo",
        "tracking_number": "6A1234",
        "products": {item_id: 2},
        "order_status": "C",
    }
    created = cs(cart, "POST", "shipments", json=shipment)
    assert created.status_code == 201 and created.json() == {"shipment_id": 1}
    assert order["status"] == "C" and cart.shipments[0]["tracking_number"] == "6A1234"
    # a 'products' key replaces every line, as CS-Cart does
    cs(
        cart,
        "PUT",
        f"orders/{order['order_id']}",
        json={"products": {"1": {"product_id": 20, "amount": 1}}},
    )
    assert [p["product_code"] for p in order["products"].values()] == ["VD-1L"]
    assert order["total"] == "13.39" and cart.product_replacements


def test_cscart_statuses_incomplete_orders_and_totals():
    with CsCartSimulator(
        seed=6, orders=60, now=NOW, custom_statuses={"A": "Awaiting pickup"}
    ) as sim:
        listed = cs(sim, "GET", "statuses", params={"items_per_page": 100}).json()["statuses"]
        assert [s["status"] for s in listed] == list("PCOFDBIYA")
        assert "N" in {o["status"] for o in sim.orders.values()}
        visible = cs(sim, "GET", "orders", params={"items_per_page": 100}).json()
        assert all(o["status"] != "N" for o in visible["orders"])
        every = cs(sim, "GET", "orders", params={"items_per_page": 100, "include_incompleted": "Y"})
        assert len(every.json()["orders"]) == 60
        for order_id, order in sim.orders.items():
            lines = sum(
                money(Decimal(p["price"]) * int(p["amount"])) for p in order["products"].values()
            )
            total = lines + money(order["shipping_cost"]) - money(order["subtotal_discount"])
            assert total == money(order["total"]) == sim.expected_total(order_id)
            assert order["b_country"] in ("FR", "BE", "DE")


# --- faults --------------------------------------------------------------------------------------
def test_fault_rate_limit_and_server_error(shop):
    shop.inject("rate_limit", path="/api/orders", retry_after=0)
    limited = ps_get(shop, "orders")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "0"
    assert limited.json()["errors"]
    assert ps_get(shop, "orders").status_code == 200
    shop.inject("server_error")
    shop.inject("server_error", status=503)
    assert ps_get(shop, "countries").status_code == 500
    unavailable = ps_get(shop, "countries")
    assert unavailable.status_code == 503 and "503" in unavailable.text
    assert ps_get(shop, "countries").status_code == 200
    assert [r["status"] for r in shop.requests] == [429, 200, 500, 503, 200]


def test_fault_slow_and_truncated(cart):
    cart.add_order()
    cart.inject("slow", path="/orders", seconds=0.5)
    with pytest.raises(requests.Timeout):
        cs(cart, "GET", "orders", timeout=0.2)
    cart.inject("truncated_json", path="/orders")
    cut = cs(cart, "GET", "orders")
    assert cut.status_code == 200
    with pytest.raises(ValueError):
        cut.json()
    assert cs(cart, "GET", "orders").json()["orders"]


def test_fault_duplicate_on_every_backend(otto, shop, cart):
    for _ in range(4):
        otto.add_order()
        shop.add_order()
        cart.add_order()
    otto.inject("duplicate")
    session = otto_session(otto)
    pages = otto_pages(session, otto, limit=2)
    assert pages[1]["resources"][0] == pages[0]["resources"][-1]
    assert len(pages[1]["resources"]) == 3 and not otto.pending_faults
    shop.inject("duplicate", path="/api/orders")
    first, second = ps_get(shop, "orders", limit="0,2"), ps_get(shop, "orders", limit="2,2")
    assert second.json()["orders"][0] == first.json()["orders"][-1]
    cart.inject("duplicate")
    page_one = cs(cart, "GET", "orders", params={"items_per_page": 2}).json()["orders"]
    page_two = cs(cart, "GET", "orders", params={"items_per_page": 2, "page": 2}).json()["orders"]
    assert page_two[0] == page_one[-1] and len(page_two) == 3


def test_fault_unauthorized_means_expired_token(otto):
    session = otto_session(otto)
    otto.inject("unauthorized")
    assert session.get(otto.url + "/v4/orders", timeout=TIMEOUT).status_code == 401
    assert session.get(otto.url + "/v4/orders", timeout=TIMEOUT).status_code == 401  # expired
    session = otto_session(otto)  # the token request itself is spared
    assert session.get(otto.url + "/v4/orders", timeout=TIMEOUT).status_code == 200


def test_fault_disconnect_before_or_after_the_write(cart):
    cart.add_order("O")
    order_id = next(iter(cart.orders))
    cart.inject("disconnect", path="/orders/", applied=False)
    with pytest.raises(requests.ConnectionError):
        cs(cart, "PUT", f"orders/{order_id}", json={"status": "P"})
    assert cart.orders[order_id]["status"] == "O" and not cart.status_changes
    cart.inject("disconnect", path="/orders/")
    with pytest.raises(requests.ConnectionError):
        cs(cart, "PUT", f"orders/{order_id}", json={"status": "P"})
    assert cart.orders[order_id]["status"] == "P" and cart.status_changes == [(order_id, "P")]


def test_random_faults_share_kinds_and_seed():
    def statuses(seed):
        with PrestaShopSimulator(seed=3, orders=0, now=NOW) as sim:
            menu = [(1, "rate_limit", {"retry_after": 0}), (1, "server_error", {"status": 503})]
            sim.random_faults(0.3, menu, seed=seed)
            codes = [ps_get(sim, "countries").status_code for _ in range(200)]
            sim.random_faults(0)
            assert ps_get(sim, "countries").status_code == 200
            faults = [r for r in sim.requests if "fault" in r]
            assert [r["status"] for r in faults] == [c for c in codes if c != 200]
            assert {r["fault"] for r in faults} == {"rate_limit", "server_error"}
            assert {r["fault_options"].get("status") for r in faults} == {None, 503}
            return codes

    codes = statuses(seed=5)
    assert 30 <= sum(code != 200 for code in codes) <= 90 and {429, 503} < set(codes)
    assert statuses(seed=5) == codes  # the same draws for the same seed
    assert statuses(seed=6) != codes


def test_random_faults_by_method_after_the_write(cart):
    cart.add_order("O")
    order_id = next(iter(cart.orders))
    # writes only: the reads go through, the PUT is carried out and its answer lost
    cart.random_faults(1.0, [(1, "server_error", {"applied": True, "methods": ["PUT"]})])
    assert cs(cart, "GET", f"orders/{order_id}").status_code == 200
    assert cs(cart, "PUT", f"orders/{order_id}", json={"status": "P"}).status_code == 500
    assert cart.status_changes == [(order_id, "P")]
    with pytest.raises(ValueError):
        cart.random_faults(0.1, [(1, "duplicate", {})])


def test_a_client_resetting_its_connection_is_no_traceback(cart, capfd):
    # a client that gives up resets its connection: the shop goes on, stderr stays clean
    host, port = cart.url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /api/2.0/orders HTTP/1.1\r\nHost: shop\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.3)
    assert cs(cart, "GET", "orders").status_code == 200
    assert "Traceback" not in capfd.readouterr().err


def test_rate_limit_every_nth_request():
    with CsCartSimulator(seed=1, orders=2, now=NOW, rate_limit_every=3) as sim:
        statuses = [cs(sim, "GET", "orders").status_code for _ in range(6)]
        assert statuses == [200, 200, 429, 200, 200, 429]


# --- control endpoints and command line ----------------------------------------------------------
def test_control_endpoints(otto):
    otto_session(otto)
    control = otto.url + "/__sim/"
    stats = requests.get(control + "stats", timeout=TIMEOUT).json()
    assert stats["requests"] == 1 and stats["by_path"] == {"/v1/token": 1}
    fault = {"kind": "rate_limit", "path": "/v4/orders", "times": 2, "retry_after": 0}
    assert requests.post(control + "inject", json=fault, timeout=TIMEOUT).status_code == 200
    assert len(otto.pending_faults) == 1
    requests.post(control + "advance", json={"seconds": 90}, timeout=TIMEOUT)
    assert otto.clock == NOW + timedelta(seconds=90)
    added = requests.post(control + "orders", json={"count": 3}, timeout=TIMEOUT).json()["orders"]
    assert len(added) == 3 and all(
        otto.orders[i]["orderLifecycleInformation"]["lifecycleChangeDate"] == iso_ms(otto.clock)
        for i in added
    )
    requests.post(control + "reset", timeout=TIMEOUT)
    assert otto.requests == [] and otto.request_count() == 0


def test_fixed_number_of_lines():
    sim = CsCartSimulator(seed=2, orders=10, now=NOW, lines=3)
    assert {len(order["products"]) for order in sim.orders.values()} == {3}
    otto = OttoSimulator(seed=2, orders=10, now=NOW, lines=2)
    assert {
        len({i["product"]["sku"] for i in o["positionItems"]}) for o in otto.orders.values()
    } == {2}


def test_command_line_prints_url_and_credentials():
    assert parse_fault("rate_limit:/v4/orders:2") == ("rate_limit", "/v4/orders", 2)
    assert parse_fault("slow") == ("slow", None, 1)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators",
            "cscart",
            "--orders",
            "3",
            "--seed",
            "7",
            "--lines",
            "2",
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(5))
        answer = requests.get(
            lines["url"] + "/api/2.0/orders", auth=(lines["login"], lines["secret"]), timeout=5
        )
        assert answer.status_code == 200 and answer.json()["params"]["total_items"] in ("2", "3")
    finally:
        process.terminate()
        process.wait(timeout=5)
