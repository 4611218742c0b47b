"""Contract tests: the vendors' own published shapes (tests/vendor/, sources in SOURCES.md) fed to
the clients, and the simulators checked against them, so that the simulators are not the only
witness of what a shop sends and accepts."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import requests

from ..clients import cscart, otto
from ..clients.base import BaseClient
from ..clients.pages import identity
from ..clients.prestashop import PrestaShopClient
from ..clients.prestashop_xml import record_xml
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator, cscart_orders

VENDOR = Path(__file__).parent / "vendor"


def vendor_json(name):
    return json.loads((VENDOR / name).read_text())


def blank_fields(name):
    """The field names of a PrestaShop ``?schema=blank`` record."""
    root = ET.parse(VENDOR / "prestashop" / name).getroot()
    return {child.tag for child in root[0]}


def otto_model_fields():
    """{model: {field: required}} from the OpenAPI-generated client's model docs."""
    text = (VENDOR / "otto" / "MODEL_TABLES_orders_v4_shipments_v1.md").read_text()
    models = {}
    for block in re.split(r"<!-- file: docs/Model/", text)[1:]:
        name = block.split(".md", 1)[0]
        fields = {}
        for found in re.finditer(r"^\*\*(\w+)\*\* \|[^\n]*\|([^|\n]*)$", block, re.M):
            fields[found.group(1)] = "optional" not in found.group(2)
        models[name] = fields
    return models


# --- OTTO ----------------------------------------------------------------------------------------
def test_otto_published_processable_order_with_a_cancelled_item():
    raw = vendor_json("otto/orders_v4_get_order_processable.json")
    order = otto.parse_order(raw)
    assert order.status == "PROCESSABLE"
    assert order.order_ref == "bwqwz7s8cx"
    # dates come as "+0000" (no colon): read as UTC
    assert order.order_date == datetime(2021, 4, 16, 5, 59, 1)
    # the cancelled Black Jeans is not on the order; the shared delivery fee stays
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("V0533", 1, Decimal("23.95")),
        ("L8456", 1, Decimal("15.70")),
    ]
    assert order.cancelled_item_ids == {"43111eca-18e5-4fe4-846c-2009d3643495"}
    assert order.total == Decimal("45.60")
    assert order.lines[0].vat_rate == 19
    invoice = order.invoice_address
    assert (invoice.street, invoice.street2, invoice.country_code) == (
        "Werner-Otto-Str. 960",
        "Hinterm Haus",
        "DE",
    )
    assert order.customer_key == ""  # this invoice address has no (pseudonymised) e-mail
    assert order.payment_method == "PREPAYMENT"


def test_otto_published_announced_order_has_no_address():
    order = otto.parse_order(vendor_json("otto/orders_v4_get_order_announced.json"))
    assert order.status == "ANNOUNCED"
    assert order.invoice_address is None and order.delivery_address is None


def test_otto_published_list_and_cursor():
    answer = vendor_json("otto/orders_v4_list.json")
    cursor = otto.next_cursor(answer)
    assert cursor and "/" not in cursor
    identities = [identity(raw, otto.identify_order) for raw in answer["resources"]]
    assert all(ident.order_id and ident.status and ident.changed_at for ident in identities)


def test_otto_published_error_body_is_read():
    class Answer:
        status_code = 404
        text = ""

        def json(self):
            return vendor_json("otto/orders_v4_error_404.json")

    message = BaseClient("https://api.otto.market")._error_text(Answer())
    assert message == "Not Found The specified resource(s) could not be found /v4/orders/..."


def test_otto_simulator_speaks_the_published_model():
    models = otto_model_fields()
    parts = {
        "PartnerOrderOrdersV4": lambda order: [order],
        "PositionItemOrdersV4": lambda order: order["positionItems"],
        "InitialDeliveryFeeOrdersV4": lambda order: order.get("initialDeliveryFees") or [],
        "InitialDiscountOrdersV4": lambda order: order.get("initialDiscounts") or [],
        "AddressOrdersV4": lambda order: [
            order[key] for key in ("invoiceAddress", "deliveryAddress") if key in order
        ],
    }
    sim = OttoSimulator(seed=12, orders=60)
    seen = dict.fromkeys(parts, 0)
    for order in sim.orders.values():
        for model, get in parts.items():
            fields = models[model]
            for record in get(order):
                seen[model] += 1
                assert set(record) <= set(fields), (model, set(record) - set(fields))
                missing = {name for name, required in fields.items() if required} - set(record)
                assert not missing, (model, missing)
    assert all(seen.values()), seen
    # amounts are JSON numbers, VAT rates percentages, countries alpha-3, as published
    published = vendor_json("otto/orders_v4_get_order_processable.json")
    item = next(iter(sim.orders.values()))["positionItems"][0]
    assert type(item["itemValueGrossPrice"]["amount"]) is type(
        published["positionItems"][0]["itemValueGrossPrice"]["amount"]
    )
    assert item["product"]["vatRate"] in (7, 19)


# --- PrestaShop ----------------------------------------------------------------------------------
def test_prestashop_status_write_has_the_blank_schema_shape():
    body = record_xml("order_history", {"id_order": 5, "id_order_state": 4})
    node = ET.fromstring(body).find("order_history")
    sent = {child.tag: child.text for child in node}
    assert set(sent) <= blank_fields("order_histories.schema_blank.xml")
    assert sent == {"id_order": "5", "id_order_state": "4"}
    # the vendor's own request shape is what the client sends
    witness = ET.parse(VENDOR / "prestashop" / "order_history_post_request_RECONSTRUCTED.xml")
    assert [child.tag for child in witness.getroot()[0]] == list(sent)


def test_prestashop_xml_values_survive_cdata_breakers():
    body = record_xml("customer_message", {"message": "a ]]> b & <c>"})
    assert ET.fromstring(body).findtext("customer_message/message") == "a ]]> b & <c>"


def test_prestashop_simulator_accepts_the_client_and_refuses_json():
    with PrestaShopSimulator(seed=2, orders=1) as shop:
        client = PrestaShopClient(shop.url, secret=shop.secret, timeout=5)
        order_id = next(iter(shop.orders))
        client.add_order_history(order_id, 4)
        assert shop.status_changes == [(order_id, "4")]
        refused = requests.post(
            shop.url + "/api/order_histories?output_format=JSON",
            json={"order_history": {"id_order": order_id, "id_order_state": 5}},
            auth=(shop.secret, ""),
            timeout=5,
        )
        assert refused.status_code == 500
        assert refused.json()["errors"][0]["code"] == 127


def test_prestashop_simulator_records_have_the_blank_schema_fields():
    shop = PrestaShopSimulator(seed=3, orders=20)
    checks = {
        "orders": ("orders.schema_blank.xml", {"associations"}),
        "order_states": ("order_states.schema_blank.xml", set()),
        "currencies": ("currencies.schema_blank.xml", set()),
        "order_carriers": ("order_carriers.schema_blank.xml", set()),
    }
    for resource, (schema, extra) in checks.items():
        fields = blank_fields(schema) | extra | {"id"}
        records = list(shop.resources[resource].values())
        assert records, resource
        for record in records:
            assert set(record) <= fields, (resource, set(record) - fields)


def test_prestashop_published_empty_list_and_error():
    assert vendor_json("prestashop/json_list_empty_issue10172.json") == []

    class Client(PrestaShopClient):
        def _get(self, resource, **params):
            return vendor_json("prestashop/json_list_empty_issue10172.json")

    assert Client("https://shop.example", secret="x" * 32)._list("orders", "orders") == []


# --- CS-Cart -------------------------------------------------------------------------------------
def test_cscart_published_list_has_status_but_no_change_date():
    answer = vendor_json("cscart/orders_list_response.json")
    identities = [identity(raw, cscart.identify_order) for raw in answer["orders"]]
    assert [(i.order_id, i.status, i.changed_at) for i in identities] == [
        ("97", "O", None),
        ("96", "C", None),
    ]
    assert int(answer["params"]["total_items"]) == 64  # a string, as CS-Cart sends it


def test_cscart_simulator_summaries_are_published_columns():
    # fn_get_orders' columns (tests/vendor/cscart/FIELD_TABLES.md, section 1a)
    published = set(vendor_json("cscart/orders_list_response.json")["orders"][0])
    published |= {"company", "issuer_name", "issuer_email"}
    sim = CsCartSimulator(seed=4, orders=15)
    for order in sim.orders.values():
        summary = cscart_orders.summary(order)
        assert "updated_at" not in summary
        assert set(summary) <= published, set(summary) - published


def test_cscart_statuses_in_both_published_shapes():
    documented = vendor_json("cscart/statuses_list_response_AS_DOCUMENTED.json")

    class Client(cscart.CsCartClient):
        answer = None

        def _request(self, method, path, **kwargs):
            return self.answer

    client = Client("https://shop.example", "admin@example.com", "key")
    for answer in (documented, {"statuses": documented, "params": {"total_items": "8"}}):
        client.answer = answer
        statuses = client.list_statuses()
        assert ("P", "Processed", None) in statuses and ("C", "Complete", None) in statuses
