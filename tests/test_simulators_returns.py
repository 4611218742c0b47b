"""OTTO Returns v3 and PrestaShop credit slips: the vendors' published shapes (tests/vendor/)
fed to the clients, and the simulators refusing what the APIs refuse (plain pytest, no Odoo).

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_simulators_returns.py
"""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from ..clients.otto import OttoClient
from ..clients.otto_returns import answer_errors, receipt, return_item, return_tracking
from ..clients.prestashop import PrestaShopClient
from ..clients.prestashop_slips import parse_slip
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from ..simulators.demo import live_tick, showcase

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 5
VENDOR = Path(__file__).parent / "vendor"


def vendor_json(name):
    return json.loads((VENDOR / name).read_text())


@pytest.fixture
def otto():
    with OttoSimulator(seed=5, orders=0, now=NOW) as sim:
        yield sim


@pytest.fixture
def shop():
    with PrestaShopSimulator(seed=5, orders=0, now=NOW) as sim:
        yield sim


def token(sim):
    answer = requests.post(
        f"{sim.url}/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sim.login,
            "client_secret": sim.secret,
        },
        timeout=TIMEOUT,
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def sent_order(sim, items):
    """An order whose position items are all SENT."""
    raw = sim.add_order("SENT", items, delivery_fee=None, discount=None)
    return raw, [item["positionItemId"] for item in raw["positionItems"]]


# --- vendor shapes through the clients -----------------------------------------------------------
def test_published_return_items_read():
    items = [
        return_item(raw)
        for raw in vendor_json("otto/returns_v3_list_RECONSTRUCTED.json")["positionItems"]
    ]
    assert [item["status"] for item in items] == [
        "ANNOUNCED",
        "ACCEPTED",
        "REJECTED",
        "MISDIRECTED",
    ]
    assert items[0]["moment"] == datetime(2019, 8, 4, 22, 0)
    assert return_tracking(items[0]["details"]) == "DHL 406522044488, 406522044489"
    assert items[1]["details"] == {"condition": "A", "reason": "RETURN_RECEIVED"}


def test_published_multi_status_answer_read():
    errors = answer_errors(vendor_json("otto/returns_v3_acceptance_207_RECONSTRUCTED.json"))
    assert len(errors) == 4
    assert "Product Is Already Accepted By The Partner" in errors[3]


def test_published_credit_slip_read():
    raw = vendor_json("prestashop/order_slip_list_full_json_RECONSTRUCTED.json")["order_slips"][0]
    slip = parse_slip(raw, "Europe/Paris")
    assert (slip.slip_id, slip.order_id, slip.partial) == ("3", "5", False)
    assert (slip.amount, slip.shipping) == (Decimal("18.00"), Decimal("6.00"))
    assert slip.rows == [{"row": "12", "quantity": 1, "amount": Decimal("12.00")}]
    assert slip.changed_at == datetime(2024, 3, 7, 10, 18, 7)


def test_legacy_partial_slip_read():
    raw = {
        "id": "4",
        "id_order": "5",
        "amount": "7.50",
        "shipping_cost_amount": "2.00",
        "partial": "1",
        "date_upd": "2024-03-07 11:18:07",
        "associations": {
            "order_slip_details": [
                {
                    "id": "4",
                    "id_order_detail": "12",
                    "product_quantity": "0",
                    "amount_tax_incl": "7.50",
                }
            ]
        },
    }
    slip = parse_slip(raw, "Europe/Paris")
    assert (slip.amount, slip.shipping, slip.partial) == (Decimal("9.50"), Decimal("2.00"), True)


# --- the OTTO simulator as OTTO answers ----------------------------------------------------------
def test_returns_listed_by_status_in_pages(otto):
    raw, items = sent_order(otto, [("TS-UNI-L", 3)])
    otto.announce_return(raw["salesOrderId"], items[:2], tracking_numbers=["4065"])
    headers = token(otto)
    first = requests.get(
        f"{otto.url}/v3/returns",
        params={"status": "announced", "limit": 1},
        headers=headers,
        timeout=TIMEOUT,
    ).json()
    assert len(first["positionItems"]) == 1
    assert first["positionItems"][0]["details"]["returnTrackingKey"]["trackingNumbers"] == ["4065"]
    assert first["links"] == [
        {"href": "/v3/returns?status=ANNOUNCED&limit=1&page=2", "rel": "next"}
    ]
    # the client follows the pages (next link or page and limit), whatever the page size
    client = OttoClient(otto.url, otto.login, otto.secret, timeout=TIMEOUT)
    assert sorted(item["item"] for item in client.iter_returns("ANNOUNCED")) == sorted(items[:2])
    assert list(client.iter_returns("ACCEPTED")) == []
    too_many = requests.get(
        f"{otto.url}/v3/returns", params={"limit": 51}, headers=headers, timeout=TIMEOUT
    )
    assert too_many.status_code == 400
    unknown = requests.get(
        f"{otto.url}/v3/returns", params={"status": "RECEIVED"}, headers=headers, timeout=TIMEOUT
    )
    assert unknown.status_code == 400  # Returns v3 has no RECEIVED status


def test_published_receipts_read():
    refund = receipt(vendor_json("otto/receipts_v3_refund_RECONSTRUCTED.json"))
    assert refund["type"] == "REFUND" and refund["number"]
    assert refund["items"] and all(ids for ids, __ in refund["items"])
    partial = receipt(vendor_json("otto/receipts_v3_partial_refund_RECONSTRUCTED.json"))
    assert (partial["type"], partial["reason"]) == ("PARTIAL_REFUND", "REFUND_COMPLAINT_ITEM")
    assert partial["items"] == [(["476bb1ac-a227-4710-8ee4-f297a38a309c"], Decimal("209.82"))]
    assert partial["delivery"] == 0


def test_receipts_listed_with_the_vendors_fields_and_cursor(otto):
    raw, items = sent_order(otto, [("TS-UNI-L", 3)])
    otto.accept_return_by_otto(raw["salesOrderId"], items[:2])  # two REFUND receipts
    otto.advance(60)
    otto.grant_partial_refund(raw["salesOrderId"], items[2], "4.50")
    published = vendor_json("otto/receipts_v3_partial_refund_RECONSTRUCTED.json")
    made = otto.receipts[-1]
    assert set(published) - {"linkedReceiptNumber", "linkedCreationDate"} <= set(made)
    assert set(made["lineItems"]) == set(published["lineItems"])
    headers = token(otto)
    first = requests.get(
        f"{otto.url}/v3/receipts",
        params={"receiptTypes": ["REFUND", "PARTIAL_REFUND"], "limit": 2},
        headers=headers,
        timeout=TIMEOUT,
    ).json()
    assert [r["receiptType"] for r in first["resources"]] == ["PARTIAL_REFUND", "REFUND"]
    (link,) = first["links"]
    assert link["rel"] == "next" and "next=" in link["href"]
    only = requests.get(
        f"{otto.url}/v3/receipts",
        params={"receiptTypes": "PARTIAL_REFUND"},
        headers=headers,
        timeout=TIMEOUT,
    ).json()
    assert [r["receiptType"] for r in only["resources"]] == ["PARTIAL_REFUND"]
    too_many = requests.get(
        f"{otto.url}/v3/receipts", params={"limit": 129}, headers=headers, timeout=TIMEOUT
    )
    assert too_many.status_code == 400
    # the client follows the cursor, newest first
    client = OttoClient(otto.url, otto.login, otto.secret, timeout=TIMEOUT)
    client_receipts = list(client.iter_receipts())
    assert [r["type"] for r in client_receipts] == ["PARTIAL_REFUND", "REFUND", "REFUND"]
    assert client_receipts[0]["items"] == [([items[2]], Decimal("4.50"))]
    assert sorted(r["items"][0][0][0] for r in client_receipts[1:]) == sorted(items[:2])


def test_client_does_not_loop_on_the_published_next_link(otto, monkeypatch):
    raw, items = sent_order(otto, [("TS-UNI-L", 1)])
    otto.announce_return(raw["salesOrderId"], items)
    published = {"href": "/v3/returns?status=Accepted", "rel": "next"}  # the vendor's example
    original = type(otto)._list_returns

    def with_vendor_link(sim, request):
        answer = original(sim, request)
        answer["links"] = [published]
        return answer

    monkeypatch.setattr(type(otto), "_list_returns", with_vendor_link)
    client = OttoClient(otto.url, otto.login, otto.secret, timeout=TIMEOUT)
    assert [item["item"] for item in client.iter_returns("ANNOUNCED")] == items
    assert otto.request_count("/v3/returns") == 1


def test_acceptance_and_rejection_refuse_what_otto_refuses(otto):
    raw, items = sent_order(otto, [("TS-UNI-L", 2)])
    unsent = otto.add_order("PROCESSABLE", [("HON-500", 1)], delivery_fee=None, discount=None)
    headers = token(otto)
    order_id = raw["salesOrderId"]

    def post(path, positions):
        return requests.post(
            f"{otto.url}/v3/returns/{path}",
            json={"positionItems": positions},
            headers=headers,
            timeout=TIMEOUT,
        )

    position = {"positionItemId": items[0], "salesOrderId": order_id}
    # a rejection needs its reason; more than 200 items are too many
    assert post("rejection", [position]).status_code == 400
    assert post("acceptance", [position] * 201).status_code == 413
    assert post("acceptance", [dict(position, condition="F")]).status_code == 422
    # accepted: 200, the item RETURNED on the order (OTTO refunds the buyer)
    answer = post("acceptance", [dict(position, condition="A", reason="RETURN_RECEIVED")])
    assert (answer.status_code, answer.json()) == (200, {})
    assert raw["positionItems"][0]["fulfillmentStatus"] == "RETURNED"
    # 207: accepted again, never sent, rejected after acceptance
    item = unsent["positionItems"][0]["positionItemId"]
    answer = post(
        "acceptance",
        [
            dict(position, reason="RETURN_RECEIVED"),
            {"positionItemId": item, "salesOrderId": unsent["salesOrderId"]},
            {"positionItemId": items[1], "salesOrderId": order_id},
        ],
    )
    assert answer.status_code == 207
    assert [r["positionItemId"] for r in answer.json()["results"]] == [items[1]]
    details = [error["detail"] for error in answer.json()["errors"]]
    assert "Already Accepted" in details[0] and "Not Sent By The Partner" in details[1]
    answer = post("rejection", [dict(position, reason="WRONG_ITEM")])
    assert answer.status_code == 207
    assert "cannot be rejected" in answer.json()["errors"][0]["detail"]
    assert otto.returns[items[0]]["status"] == "ACCEPTED"


# --- the PrestaShop simulator's credit slips -----------------------------------------------------
def test_credit_slips_have_the_vendors_fields(shop):
    raw = shop.add_order(2, [("GP-28", 1), ("VD-1L", 2)], shipping="6.90", discount=None)
    shop.add_slip(raw["id"], [("GP-28", 1)], shipping=True)
    answer = requests.get(
        f"{shop.url}/api/order_slip",
        params={"display": "full", "output_format": "JSON"},
        auth=(shop.secret, ""),
        timeout=TIMEOUT,
    ).json()
    (slip,) = answer["order_slips"]
    published = vendor_json("prestashop/order_slip_list_full_json_RECONSTRUCTED.json")
    assert set(slip) == set(published["order_slips"][0])
    blank = ET.parse(VENDOR / "prestashop" / "order_slip.schema_blank.xml").getroot()
    assert set(slip) == {child.tag for child in blank[0]}
    detail = slip["associations"]["order_slip_details"][0]
    assert set(detail) == set(published["order_slips"][0]["associations"]["order_slip_details"][0])
    # the shipping refund makes it a "specific amount" slip, as OrderSlipCreator does
    assert (slip["shipping_cost"], slip["order_slip_type"]) == ("1", "2")
    client = PrestaShopClient(
        shop.url, None, shop.secret, timeout=TIMEOUT, shop_timezone="Europe/Paris"
    )
    (page,) = list(client.iter_slip_pages(datetime(2026, 1, 1)))
    assert [(s.order_id, s.amount, s.shipping) for s in page] == [
        (str(raw["id"]), Decimal("61.80"), Decimal("6.90"))
    ]
    # read from a later date: nothing
    assert list(client.iter_slip_pages(datetime(2026, 12, 1))) == [[]]


# --- the demo's shops bring an order back -------------------------------------------------------
def test_demo_shop_brings_back_the_first_order_shipped_from_odoo():
    sim = CsCartSimulator(seed=3, orders=0, now=NOW)
    showcase(sim)
    assert "E" in sim.statuses and sim.status_params["E"]["appearance_type"] == "C"
    order = sim.add_order("C", [("RS-25L", 1)], shipping=None, discount=None)
    events = live_tick(sim)
    assert order["status"] == "C" and not [e for e in events if "refunded" in e]
    sim.shipments.append({"order_id": order["order_id"]})  # the merchant shipped it from Odoo
    events = live_tick(sim)
    assert order["status"] == "E"
    expected = f"order {order['order_id']} refunded: now E (Refunded)"
    assert [e for e in events if "refunded" in e] == [expected]
    live_tick(sim)  # once per shop
    assert sim.demo_returned == [order["order_id"]]
