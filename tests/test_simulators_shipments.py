"""The simulators' shipments behave as the vendors' sources say (plain pytest, no Odoo needed):
OTTO's add-items route, return tracking keys and return addresses; PrestaShop's "in transit"
e-mail built from the order carrier's one tracking field; CS-Cart's shipment date and e-mails.

Standalone: python -m pytest -q -p no:odoo -p simulators.pytest_standalone \
    tests/test_simulators_shipments.py
"""

from datetime import datetime, timezone

import pytest
import requests

from ..clients import CsCartClient, OttoClient, PrestaShopClient, RequestError
from ..clients.otto_export import position_items, shipment_body
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .test_simulators_export import vendor

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 5
HAMBURG = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"}
MOMENT = datetime(2026, 11, 20, 15, 0)


def otto_client(sim):
    return OttoClient(sim.url, sim.login, sim.secret, timeout=TIMEOUT)


def refusal(call, *args):
    with pytest.raises(RequestError) as refused:
        call(*args)
    return refused.value.status, str(refused.value)


# --- OTTO ----------------------------------------------------------------------------------------
def test_otto_adds_items_to_a_shipment_it_has():
    with OttoSimulator(seed=3, orders=0, now=NOW) as otto:
        order = otto.add_order(items=[("MW-20L", 3)])
        first, second, third = (item["positionItemId"] for item in order["positionItems"])
        sales_order = order["salesOrderId"]
        client = otto_client(otto)
        body = shipment_body("DHL", "0034", MOMENT, HAMBURG, [(sales_order, first)])
        shipment_id = client.create_shipment(body)
        # a second shipment under the same tracking key is refused: the items are added instead
        again = shipment_body("DHL", "0034", MOMENT, HAMBURG, [(sales_order, second)])
        status, text = refusal(client.create_shipment, again)
        assert (status, "DUPLICATE_TRACKING_KEY" in text) == (409, True)
        # the vendor's code sample is the body: a JSON array of position items
        sample = vendor("otto/shipments_v1_append_position_items_request_codesample.json")
        assert isinstance(sample, list) and set(sample[0]) >= {"positionItemId", "salesOrderId"}
        added = position_items([(sales_order, second)])
        assert client.append_position_items("DHL", "0034", added) is None  # 200, no body
        request = otto.requests[-1]
        assert (request["path"], request["status"], request["body"]) == (
            "/v1/shipments/carriers/DHL/trackingnumbers/0034/positionitems",
            200,
            added,
        )
        found = client.find_shipment("DHL", "0034")
        assert found["shipmentId"] == shipment_id
        assert [p["positionItemId"] for p in found["positionItems"]] == [first, second]
        states = [item["fulfillmentStatus"] for item in order["positionItems"]]
        assert states == ["SENT", "SENT", "PROCESSABLE"]
        assert order["positionItems"][1]["trackingInfo"] == {
            "carrier": "DHL",
            "trackingNumber": "0034",
        }
        assert otto.shipment_appends == [(shipment_id, added)]
        # an item in a shipment already, an unknown shipment
        status, text = refusal(client.append_position_items, "DHL", "0034", added)
        assert (status, "POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT" in text) == (409, True)
        status, text = refusal(
            client.append_position_items, "DHL", "0099", position_items([(sales_order, third)])
        )
        assert (status, "RESOURCE_NOT_FOUND" in text) == (404, True)
        # the same route by shipment id, and the shipment read by id
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + client._access_token()
        answer = session.post(
            f"{otto.url}/v1/shipments/{shipment_id}/positionitems",
            json=position_items([(sales_order, third)]),
            timeout=TIMEOUT,
        )
        assert (answer.status_code, answer.content) == (200, b"")
        by_id = session.get(f"{otto.url}/v1/shipments/{shipment_id}", timeout=TIMEOUT).json()
        assert len(by_id["positionItems"]) == 3


def test_otto_return_tracking_keys_and_return_addresses():
    addresses = ("7423afd2-e7ab-4bae-ac30-048b7c0346c1", "1bd2bd6e-5d7c-4b6a-9d33-2f1c2c0d9a11")
    with OttoSimulator(
        seed=4, orders=0, now=NOW, return_labels=True, return_address_carrier_ids=addresses
    ) as otto:
        order = otto.add_order(items=[("MW-20L", 4)])
        items = [item["positionItemId"] for item in order["positionItems"]]
        sales_order = order["salesOrderId"]
        client = otto_client(otto)

        def body(number, item, carrier="DHL", return_key=("DHL", "R1"), address=addresses[0]):
            return shipment_body(
                carrier, number, MOMENT, HAMBURG, [(sales_order, item)], return_key, address
            )

        # return labels in the parcels: a parcel delivery needs the return tracking key
        status, text = refusal(client.create_shipment, body("P1", items[0], return_key=None))
        assert status == 400 and "returnTrackingKey" in text
        # several return addresses: each item names one of them
        status, text = refusal(client.create_shipment, body("P1", items[0], address=None))
        assert status == 400 and "returnAddressCarrierId" in text
        status, text = refusal(client.create_shipment, body("P1", items[0], address="unknown"))
        assert status == 400 and "returnAddressCarrierId" in text
        assert client.create_shipment(body("P1", items[0]))
        # items added to a shipment keep its return address
        status, text = refusal(
            client.append_position_items,
            "DHL",
            "P1",
            position_items([(sales_order, items[1])], ("DHL", "R1"), addresses[1]),
        )
        assert status == 400 and "returnAddressCarrierId" in text
        # a forwarder needs neither a tracking number nor a return tracking key
        forwarder = body("", items[2], carrier="OTHER_FORWARDER", return_key=None)
        assert forwarder["trackingKey"] == {"carrier": "OTHER_FORWARDER"}
        assert client.create_shipment(forwarder)
        assert order["positionItems"][2]["trackingInfo"] == {"carrier": "OTHER_FORWARDER"}


def test_otto_tracking_key_is_corrected_on_otto_only():
    with OttoSimulator(seed=5, orders=0, now=NOW) as otto:
        order = otto.add_order(items=[("MW-20L", 1)])
        item = order["positionItems"][0]["positionItemId"]
        client = otto_client(otto)
        client.create_shipment(
            shipment_body("DHL", "WRONG", MOMENT, HAMBURG, [(order["salesOrderId"], item)])
        )
        # the API has no request for it: the merchant corrects it in OTTO Partner Connect
        otto.correct_tracking("DHL", "WRONG", "RIGHT")
        assert client.find_shipment("DHL", "WRONG") is None
        assert client.find_shipment("DHL", "RIGHT")["positionItems"][0]["positionItemId"] == item
        assert order["positionItems"][0]["trackingInfo"]["trackingNumber"] == "RIGHT"


# --- PrestaShop ----------------------------------------------------------------------------------
def test_prestashop_in_transit_mail_uses_the_one_tracking_field():
    with PrestaShopSimulator(seed=3, orders=0, now=NOW) as shop:
        order = shop.add_order(2, carrier_id=2)  # Colissimo: a carrier with a tracking URL
        client = PrestaShopClient(shop.url, None, shop.secret, timeout=TIMEOUT)
        (record,) = client.order_carriers(order["id"])
        client.put_order_carrier(record, "6A100")  # no sendemail: no e-mail
        assert shop.in_transit_mails == []
        client.put_order_carrier(record, "6A100", send_email=True)
        email = shop.resources["customers"][str(order["id_customer"])]["email"]
        assert shop.in_transit_mails == [
            {
                "id_order": str(order["id"]),
                "email": email,
                "shipping_number": "6A100",
                "followup": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A100",
            }
        ]
        # the link takes the whole field: two numbers in it make a link that finds nothing
        client.put_order_carrier(record, "6A100, 6A200", send_email=True)
        assert shop.in_transit_mails[-1]["followup"].endswith("code=6A100, 6A200")
        # a carrier without a URL sends no e-mail (sendInTransitEmail returns early)
        pickup = shop.add_order(2, carrier_id=1)
        (record,) = client.order_carriers(pickup["id"])
        client.put_order_carrier(record, "6A300", send_email=True)
        assert len(shop.in_transit_mails) == 2
        # a message the buyer sees on the order page is not private
        thread_id = client.create_customer_thread(
            {"id_lang": 1, "id_contact": 2, "id_order": order["id"], "token": "T" * 12}
        )
        client.add_message(thread_id, "Tracking number of a further parcel: 6A200", private=False)
        (message,) = client.thread_messages(thread_id)
        assert message["private"] == "0"


# --- CS-Cart -------------------------------------------------------------------------------------
def test_cscart_shipment_date_and_emails():
    with CsCartSimulator(seed=3, orders=0, now=NOW) as cart:
        order = cart.add_order("P", items=[("TO-2S-WHT", 3)], shipping_id=2)
        (item,) = order["products"]
        client = CsCartClient(cart.url, cart.login, cart.secret, timeout=TIMEOUT)
        shipped = int(datetime(2026, 11, 18, 9, 30, tzinfo=timezone.utc).timestamp())

        def create(**values):
            body = {"order_id": order["order_id"], "shipping_id": "2", "carrier": "dhl"}
            return client.create_shipment({**body, "products": {item: 1}, **values})

        first = create(tracking_number="1Z1", timestamp=shipped)
        # a date in another format than fn_parse_date reads is the moment of the request
        second = create(tracking_number="1Z2", timestamp="2026-11-18T09:30:00Z")
        third = create(tracking_number="1Z3", notify_user="N")
        stamps = {s["shipment_id"]: int(s["shipment_timestamp"]) for s in cart.shipments}
        assert stamps == {first: shipped, second: int(NOW.timestamp()), third: int(NOW.timestamp())}
        # each new shipment mails the buyer as the store's notification says, flags or not
        assert [mail["shipment_id"] for mail in cart.shipment_mails] == [first, second, third]
        assert cart.shipment_mails[0]["email"] == order["email"]
        # a corrected tracking number mails nobody
        client.update_shipment(first, {"tracking_number": "1Z9"})
        assert client.list_shipments(shipment_id=first)[0]["tracking_number"] == "1Z9"
        assert len(cart.shipment_mails) == 3
    with CsCartSimulator(seed=3, orders=0, now=NOW, shipment_notifications=False) as quiet:
        order = quiet.add_order("P", items=[("TO-2S-WHT", 1)], shipping_id=2)
        client = CsCartClient(quiet.url, quiet.login, quiet.secret, timeout=TIMEOUT)
        client.create_shipment(
            {
                "order_id": order["order_id"],
                "shipping_id": "2",
                "tracking_number": "1Z",
                "notify_user": "Y",
            }
        )
        assert quiet.shipment_mails == []
