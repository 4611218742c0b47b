"""The write-back endpoints of the simulators answer like the shops' published examples, and the
clients' send calls produce the bodies the shops read (plain pytest, no Odoo needed).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_simulators_export.py
"""

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from ..clients import CsCartClient, OttoClient, PrestaShopClient, RequestError
from ..clients.otto_export import OTTO_CARRIERS, shipment_body
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from ..simulators.otto_shipments import SHIPMENT_CARRIERS
from ..simulators.prestashop_query import parse_input

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 5
VENDOR = Path(__file__).parent / "vendor"


def vendor(path):
    return json.loads((VENDOR / path).read_text())


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


def otto_client(sim):
    return OttoClient(sim.url, sim.login, sim.secret, timeout=TIMEOUT)


# --- OTTO ----------------------------------------------------------------------------------------
def test_otto_carrier_enum_is_the_vendors():
    published = vendor("otto/shipments_v1_carrier_enum.json")
    assert list(OTTO_CARRIERS) == published
    assert list(SHIPMENT_CARRIERS) == published


def test_otto_vendor_shipment_examples_are_accepted(otto):
    order = otto.add_order(items=[("MW-20L", 2)])
    first, second = (item["positionItemId"] for item in order["positionItems"])
    client = otto_client(otto)
    for index, (name, items) in enumerate(
        (
            ("shipments_v1_create_request_parcel.json", [first]),
            ("shipments_v1_create_request_codesample.json", [second]),
        )
    ):
        body = vendor(f"otto/{name}")
        body["positionItems"] = [
            dict(position, positionItemId=item, salesOrderId=order["salesOrderId"])
            for position, item in zip(body["positionItems"], items, strict=False)
        ]
        body["trackingKey"]["trackingNumber"] += str(index)  # one tracking key per shipment
        assert client.create_shipment(body)
    assert [item["fulfillmentStatus"] for item in order["positionItems"]] == ["SENT", "SENT"]
    # the forwarder example has no tracking number: allowed for forwarders only
    other = otto.add_order(items=[("MW-20L", 1)])
    body = vendor("otto/shipments_v1_create_request_forwarder_no_tracking.json")
    body["positionItems"] = [
        {
            "positionItemId": other["positionItems"][0]["positionItemId"],
            "salesOrderId": other["salesOrderId"],
        }
    ]
    assert client.create_shipment(body)
    parcel = dict(body, trackingKey={"carrier": "DHL"})
    with pytest.raises(RequestError) as refused:
        client.create_shipment(parcel)
    assert refused.value.status == 400 and "PROPERTY_IS_MANDATORY" in str(refused.value)


def test_otto_shipment_errors_are_the_vendors(otto):
    order = otto.add_order(items=[("MW-20L", 2)])
    first, second = (item["positionItemId"] for item in order["positionItems"])
    client = otto_client(otto)
    ship_from = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"}
    moment = datetime(2026, 11, 20, 15, 0)
    body = shipment_body("DHL", "00340434", moment, ship_from, [(order["salesOrderId"], first)])
    assert body["shipDate"] == "2026-11-20T15:00:00.000Z"
    shipment_id = client.create_shipment(body)
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + client._access_token()
    again = dict(body, positionItems=[{"positionItemId": second, "salesOrderId": "x"}])
    answer = session.post(otto.url + "/v1/shipments", json=again, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["title"] == "INSUFFICIENT_PERMISSION"
    duplicate = copy.deepcopy(body)
    duplicate["positionItems"][0]["positionItemId"] = second
    answer = session.post(otto.url + "/v1/shipments", json=duplicate, timeout=TIMEOUT)
    assert answer.status_code == 409
    assert answer.json() == vendor("otto/shipments_v1_create_error_409_duplicate_tracking_key.json")
    local_time = dict(duplicate, shipDate="2026-11-20T16:00:00+01:00")
    local_time["trackingKey"] = {"carrier": "DHL", "trackingNumber": "other"}
    answer = session.post(otto.url + "/v1/shipments", json=local_time, timeout=TIMEOUT)
    assert answer.status_code == 400  # shipDate must be UTC
    found = client.find_shipment("DHL", "00340434")
    assert found["shipmentId"] == shipment_id
    assert found["positionItems"] == body["positionItems"]
    assert client.find_shipment("DHL", "003404342680306931225") is None
    missing = session.get(
        otto.url + "/v1/shipments/carriers/DHL/trackingnumbers/003404342680306931225",
        timeout=TIMEOUT,
    )
    assert missing.json() == vendor("otto/shipments_v1_get_by_tracking_error_404.json")


def test_otto_multiparcel_and_cancellation(otto):
    order = otto.add_order(items=[("MW-20L", 1), ("TS-UNI-L", 2)])
    first, second, third = (item["positionItemId"] for item in order["positionItems"])
    client = otto_client(otto)
    ship_from = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"}
    moment = datetime(2026, 11, 20, 15, 0)
    parcels = [
        shipment_body("DPD", number, moment, ship_from, [(order["salesOrderId"], first)])
        for number in ("0150001", "0150002")
    ]
    # a multiparcel item needs its return tracking key (MultiparcelPositionItem requires it)
    with pytest.raises(RequestError) as refused:
        client.create_multiparcel_shipment(parcels)
    assert refused.value.status == 400 and "PROPERTY_IS_MANDATORY" in str(refused.value)
    parcels = [
        shipment_body(
            "DPD", number, moment, ship_from, [(order["salesOrderId"], first)], ("DHL", "R1")
        )
        for number in ("0150001", "0150002")
    ]
    assert client.create_multiparcel_shipment(parcels)
    assert len(otto.shipments) == 2
    assert client.find_shipment("DPD", "0150002")["positionItems"][0]["positionItemId"] == first
    mixed = [
        shipment_body(
            "DPD", "0150003", moment, ship_from, [(order["salesOrderId"], second)], ("DHL", "R")
        ),
        shipment_body(
            "DPD", "0150004", moment, ship_from, [(order["salesOrderId"], third)], ("DHL", "R")
        ),
    ]
    with pytest.raises(RequestError):
        client.create_multiparcel_shipment(mixed)
    assert client.cancel_position_items(order["salesOrderId"], [second]) is None  # 202, no body
    assert otto.status_changes == [(order["salesOrderId"], "CANCELLED_BY_PARTNER", [second])]
    with pytest.raises(RequestError) as conflict:
        client.cancel_position_items(order["salesOrderId"], [first, third])
    assert conflict.value.status == 409  # the first item is SENT: the whole request is refused
    states = [
        i["fulfillmentStatus"] for i in client.get_raw_order(order["salesOrderId"])["positionItems"]
    ]
    assert states == ["SENT", "CANCELLED_BY_PARTNER", "PROCESSABLE"]


# --- PrestaShop ----------------------------------------------------------------------------------
def ps_post(shop, resource, body):
    return requests.post(
        f"{shop.url}/api/{resource}?output_format=JSON",
        data=body,
        auth=(shop.secret, ""),
        timeout=TIMEOUT,
    )


def test_prestashop_vendor_bodies_and_refusals(shop):
    order = shop.add_order(2)
    thread = (VENDOR / "prestashop/customer_thread_post_request_RECONSTRUCTED.xml").read_text()
    thread = thread.replace("<![CDATA[5]]>", f"<![CDATA[{order['id']}]]>")
    created = ps_post(shop, "customer_threads", thread)
    assert created.status_code == 201
    assert created.json()["customer_thread"]["token"] == "abcdef123456"
    message = (VENDOR / "prestashop/customer_message_post_request_RECONSTRUCTED.xml").read_text()
    message = message.replace("<![CDATA[7]]>", "<![CDATA[1]]>")
    assert ps_post(shop, "customer_messages", message).status_code == 201
    history = (VENDOR / "prestashop/order_history_post_request_RECONSTRUCTED.xml").read_text()
    history = history.replace("<![CDATA[5]]>", f"<![CDATA[{order['id']}]]>")
    assert ps_post(shop, "order_histories", history).status_code == 201

    def error(resource, body):
        answer = ps_post(shop, resource, body)
        return answer.status_code, answer.json()["errors"][0]["code"]

    without_contact = thread.replace("<id_contact><![CDATA[2]]></id_contact>", "")
    assert error("customer_threads", without_contact) == (400, 41)
    long_token = thread.replace("abcdef123456", "abcdef1234567")
    assert error("customer_threads", long_token) == (400, 85)
    with_id = thread.replace("<customer_thread>", "<customer_thread><id>4</id>")
    assert error("customer_threads", with_id) == (400, 91)
    assert error("customer_messages", message.replace("Tracking number", "<script>x")) == (400, 85)
    as_json = json.dumps({"customer_message": {"message": "hello"}})
    assert error("customer_messages", as_json) == (500, 127)
    put = requests.put(
        f"{shop.url}/api/order_carriers/1?output_format=JSON",
        data="<prestashop><order_carrier><tracking_number>1</tracking_number>"
        "</order_carrier></prestashop>",
        auth=(shop.secret, ""),
        timeout=TIMEOUT,
    )
    assert (put.status_code, put.json()["errors"][0]["code"]) == (400, 90)


def test_prestashop_client_writes_whole_records_as_xml(shop):
    order = shop.add_order(2)
    client = PrestaShopClient(shop.url, None, shop.secret, timeout=TIMEOUT)
    (record,) = client.order_carriers(order["id"])
    client.put_order_carrier(record, "6A100, 6A200")
    put = shop.requests[-1]
    assert put["method"] == "PUT" and put["headers"]["content-type"].startswith("text/xml")
    sent = parse_input(put["body"].encode(), "order_carrier")
    assert list(sent) == [
        "id",
        "id_order",
        "id_carrier",
        "id_order_invoice",
        "weight",
        "shipping_cost_tax_excl",
        "shipping_cost_tax_incl",
        "tracking_number",
        "date_add",
    ]
    assert sent == {**{k: str(v) for k, v in record.items()}, "tracking_number": "6A100, 6A200"}
    assert shop.order_carriers[str(record["id"])]["weight"] == record["weight"]  # kept whole
    assert client.find_customer_thread(order["id"]) == ""
    thread_id = client.create_customer_thread(
        {"id_lang": 1, "id_contact": 2, "id_order": order["id"], "token": "T" * 12}
    )
    assert client.find_customer_thread(order["id"]) == thread_id
    client.add_message(thread_id, "Odoo order S00042")
    (message,) = client.thread_messages(thread_id)
    assert (message["message"], message["private"]) == ("Odoo order S00042", "1")
    client.add_order_history(order["id"], 4)
    assert client.order_fields(order["id"], ("current_state",)) == {"current_state": "4"}


# --- CS-Cart -------------------------------------------------------------------------------------
def test_cscart_shipments_as_the_source_has_them(cart):
    order = cart.add_order("P", items=[("TO-2S-WHT", 2), ("VD-1L", 1)], shipping_id=2)
    first, second = order["products"]
    client = CsCartClient(cart.url, cart.login, cart.secret, timeout=TIMEOUT)
    request = vendor("cscart/shipments_create_request_RECONSTRUCTED.json")
    request.update(order_id=order["order_id"], products={first: "1"})
    assert client.create_shipment(request) == "1"

    def refused(**body):
        with pytest.raises(RequestError) as error:
            client.create_shipment(body)
        return error.value.status, str(error.value)

    assert refused(shipping_id="1", carrier="ups")[0] == 400
    assert "shipping_id" in refused(order_id=order["order_id"], carrier="ups")[1]
    assert "carrier" in refused(order_id=order["order_id"], shipping_id="1")[1]
    # products left out: everything not yet shipped
    assert client.create_shipment(
        {"order_id": order["order_id"], "shipping_id": "2", "tracking_number": "6A2"}
    )
    (one, rest) = client.list_shipments(order_id=order["order_id"])
    assert (one["products"], rest["products"]) == ({first: 1}, {first: 1, second: 1})
    assert rest["shipping"] == "Mondial Relay" and rest["tracking_number"] == "6A2"
    assert "left to ship" in refused(order_id=order["order_id"], shipping_id="2", carrier="x")[1]
    client.update_shipment(rest["shipment_id"], {"comments": "Odoo invoice INV/1"})
    assert client.list_shipments(shipment_id=rest["shipment_id"])[0]["comments"] == (
        "Odoo invoice INV/1"
    )
    with pytest.raises(RequestError):
        client.update_shipment(rest["shipment_id"], {"carrier": "dhl"})
    body = requests.post(
        cart.url + "/api/2.0/shipments", json={}, auth=(cart.login, cart.secret), timeout=TIMEOUT
    ).json()
    assert body["status"] == 400 and body["message"].startswith("Bad Request")


def test_cscart_status_put_never_recalculates(cart):
    order = cart.add_order("O", items=[("TO-2S-WHT", 1)])
    client = CsCartClient(cart.url, cart.login, cart.secret, timeout=TIMEOUT)
    client.set_order_status(order["order_id"], "P")
    # the notify flags mean yes whenever they are not empty: left out, nobody is mailed
    assert cart.requests[-1]["body"] == {"status": "P"}
    assert cart.status_changes == [(order["order_id"], "P")] and cart.recalculations == []
    assert cart.emails == []
    requests.put(
        f"{cart.url}/api/2.0/orders/{order['order_id']}",
        json={"details": "staff note"},
        auth=(cart.login, cart.secret),
        timeout=TIMEOUT,
    )
    assert cart.recalculations == [(order["order_id"], ["details"])]
