"""The shops on a bad day, and what the clients make of it (plain pytest, no Odoo needed).

The simulators carry a write out before the fault shows (a 500, a cut connection, a late answer,
a module's output after the answer), as the real shops do; the clients never send such a write
twice, and say "outcome unknown" instead. CS-Cart's notification flags and silent status
refusals, PrestaShop's state flags, as the vendors' sources have them (tests/vendor/SOURCES.md).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_shops_bad_day.py
"""

import socket
from datetime import datetime, timezone

import pytest
import requests

from ..clients import (
    CsCartClient,
    OttoClient,
    OutcomeUnknownError,
    PrestaShopClient,
    TemporaryError,
)
from ..clients.otto_export import shipment_body
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
HAMBURG = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"}
# what the clients meet after the shop carried the write out
AFTER_THE_WRITE = {
    "500": ("server_error", {"applied": True}),
    "502": ("server_error", {"applied": True, "status": 502}),
    "cut": ("disconnect", {}),
    "late": ("slow", {"applied": True, "seconds": 1.5}),
    "unreadable": ("truncated_json", {}),
}


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


def quick(client):
    client.backoff_base = 0.0
    return client


def ps_client(shop):
    return quick(PrestaShopClient(shop.url, None, shop.secret, timeout=1))


def cs_client(cart):
    return quick(CsCartClient(cart.url, cart.login, cart.secret, timeout=1))


def otto_shipment(sim, number):
    order = sim.add_order(items=[("MW-20L", 1)])
    item = order["positionItems"][0]["positionItemId"]
    return shipment_body(
        "DHL", number, datetime(2026, 11, 20, 15, 0), HAMBURG, [(order["salesOrderId"], item)]
    )


# --- the simulators carry the write out, then fail ------------------------------------------------
@pytest.mark.parametrize("fault", sorted(AFTER_THE_WRITE))
def test_every_write_is_done_once_whatever_the_answer(otto, shop, cart, fault):
    kind, options = AFTER_THE_WRITE[fault]
    client = quick(OttoClient(otto.url, otto.login, otto.secret, timeout=1))
    body = otto_shipment(otto, "00340434")
    otto.inject(kind, path="/v1/shipments", **options)
    with pytest.raises(OutcomeUnknownError) as unknown:
        client.create_shipment(body)
    assert "may have done it" in str(unknown.value)
    assert len(otto.shipments) == 1  # done, once
    assert otto.request_count("/v1/shipments") == 1  # and asked once
    assert client.find_shipment("DHL", "00340434")["shipmentId"] == otto.shipments[0]["shipmentId"]

    order = shop.add_order(10)
    shop.inject(kind, path="/api/order_histories", **options)
    with pytest.raises(OutcomeUnknownError):
        ps_client(shop).add_order_history(order["id"], 2)
    assert shop.status_changes == [(str(order["id"]), "2")]
    assert shop.request_count("/api/order_histories") == 1

    order = cart.add_order("O")
    cart.inject(kind, path="/api/2.0/orders/", **options)
    with pytest.raises(OutcomeUnknownError):
        cs_client(cart).set_order_status(order["order_id"], "P")
    assert cart.status_changes == [(order["order_id"], "P")]
    assert [r["method"] for r in cart.requests] == ["PUT"]


def test_what_never_reached_the_shop_is_tried_again(shop):
    order = shop.add_order(10)
    # nobody listens on this port: no connection, nothing can have been done
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = quick(PrestaShopClient(f"http://127.0.0.1:{closed_port}", None, "k" * 32, timeout=1))
    with pytest.raises(TemporaryError) as error:
        client.add_order_history(order["id"], 2)
    assert not isinstance(error.value, OutcomeUnknownError)
    assert client.request_count == client.max_tries
    # a 503 or a 429 says the shop did nothing: the write goes again at once
    shop.inject("server_error", path="/api/order_histories", status=503)
    shop.inject("rate_limit", path="/api/order_histories", retry_after=0)
    assert ps_client(shop).add_order_history(order["id"], 2)
    assert [r["status"] for r in shop.requests] == [503, 429, 201]
    assert shop.status_changes == [(str(order["id"]), "2")]


def test_reads_are_tried_again_after_a_cut_connection(cart):
    order = cart.add_order("P")
    cart.inject("disconnect", path="/api/2.0/orders/")
    assert cs_client(cart).order_status(order["order_id"]) == "P"
    assert cart.request_count("/api/2.0/orders/") == 2


def test_module_output_after_the_answer(shop, cart):
    order = shop.add_order(10)
    client = ps_client(shop)
    # PrestaShop issue 36815: a module prints after the webservice's answer; the answer before
    # it is read, the write is not sent again
    shop.inject("trailing_output", path="/api/order_histories")
    history_id = client.add_order_history(order["id"], 2)
    assert shop.order_histories[history_id]["id_order_state"] == "2"
    assert shop.request_count("/api/order_histories") == 1
    # a shop that answers XML whatever output_format says: read the same way
    shop.inject("trailing_output", path="/api/order_histories")
    answer = requests.post(
        f"{shop.url}/api/order_histories",
        data=b"<prestashop><order_history><id_order>"
        + str(order["id"]).encode()
        + b"</id_order><id_order_state>3</id_order_state></order_history></prestashop>",
        auth=(shop.secret, ""),
        timeout=5,
    )
    assert answer.status_code == 201 and answer.text.rstrip().endswith("</script>")
    value, left = client._decode_prefix(answer.text)
    assert value["order_history"]["id_order_state"] == "3" and left > 0
    # nothing readable before the module's output: the outcome is unknown
    other = cart.add_order("O")
    cart.inject("truncated_json", path="/api/2.0/orders/")
    with pytest.raises(OutcomeUnknownError):
        cs_client(cart).set_order_status(other["order_id"], "P")
    assert cart.status_changes == [(other["order_id"], "P")]


# --- CS-Cart: who is e-mailed, and statuses that do not change -----------------------------------
def test_cscart_notify_flags_mean_yes_when_not_empty(cart):
    """``fn_get_notification_rules`` tests ``!empty($params['notify_user'])``: "N" says yes."""
    order = cart.add_order("O")
    client = cs_client(cart)
    client.set_order_status(order["order_id"], "P")
    assert cart.emails == []  # quiet: no flag sent
    client.set_order_status(order["order_id"], "C", notify=True)
    assert cart.emails == [{"order_id": order["order_id"], "to": "customer", "status": "C"}]
    assert cart.requests[-1]["body"] == {"status": "C", "notify_user": "Y"}
    # what the connector used to send: everybody is mailed
    cart.emails.clear()
    answer = requests.put(
        f"{cart.url}/api/2.0/orders/{order['order_id']}",
        json={"status": "I", "notify_user": "N", "notify_department": "N", "notify_vendor": "N"},
        auth=(cart.login, cart.secret),
        timeout=5,
    )
    assert answer.status_code == 200
    assert sorted(mail["to"] for mail in cart.emails) == ["customer", "department", "vendor"]
    # no change of status, no e-mail
    cart.emails.clear()
    client.set_order_status(order["order_id"], "I", notify=True)
    assert cart.emails == []


def test_cscart_answers_200_to_a_status_it_does_not_take(cart):
    kept = cart.add_order("O")
    short = cart.add_order("O")
    cart.refuse_status_change(kept["order_id"])
    cart.refuse_status_change(short["order_id"], becomes="B")  # out of stock
    client = cs_client(cart)
    for order in (kept, short):
        client.set_order_status(order["order_id"], "P", notify=True)
        assert cart.requests[-1]["status"] == 200
    assert client.order_status(kept["order_id"]) == "O"
    assert client.order_status(short["order_id"]) == "B"
    assert cart.status_changes == [(short["order_id"], "B")]


# --- PrestaShop: a state's flags act on the order ------------------------------------------------
def test_prestashop_paid_state_makes_an_invoice_and_a_payment(shop):
    """State 3 "Processing in progress" is paid=1, invoice=1 (install/data/xml/order_state.xml):
    ``changeIdOrderState`` makes the invoice and an ``OrderPayment`` of the whole amount."""
    wire = shop.add_order(10, [("PZ-1000", 2)])
    assert shop.payments_of(wire["id"]) == [] and wire["invoice_number"] == "0"
    client = ps_client(shop)
    flags = {status.code: status.flags for status in client.list_statuses()}
    assert flags["3"] == {
        "paid": True,
        "shipped": False,
        "delivery": True,
        "invoice": True,
        "logable": True,
    }
    assert not flags["10"]["paid"]
    client.add_order_history(wire["id"], 3)
    (payment,) = shop.payments_of(wire["id"])
    assert payment["amount"] == str(shop.expected_total(wire["id"]))
    assert wire["invoice_number"] != "0" and wire["total_paid_real"] != "0.000000"
    client.add_order_history(wire["id"], 2)  # paid again: nothing is left to pay
    assert len(shop.payments_of(wire["id"])) == 1


def test_prestashop_shipped_then_back_gives_the_stock_back_and_mails(shop):
    order = shop.add_order(2, [("PZ-1000", 2), ("GS-20M", 1)])
    client = ps_client(shop)
    client.add_order_history(order["id"], 4)
    assert shop.stock_given_back(order["id"]) == -3
    assert shop.emails == []  # without sendemail=1 the buyer hears nothing
    client.add_order_history(order["id"], 2, send_email=True)
    assert shop.stock_given_back(order["id"]) == 0
    assert shop.emails == [{"order_id": str(order["id"]), "template": "payment"}]
