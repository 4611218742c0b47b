"""Malformed shop answers get a message that names the field and what is wrong with it (issue
17), for the three shops; shop text loses its control characters (NUL...). Plain pytest, no
Odoo: runs under the project's test command and on its own (see test_simulators.py)."""

import copy
from decimal import Decimal

import pytest

from ..clients import cscart, otto, prestashop
from ..clients.base import BaseClient
from ..clients.errors import MalformedOrderError
from .test_client_mapping import otto_item, otto_order, presta_fixture


def otto_error(raw):
    with pytest.raises(MalformedOrderError) as caught:
        otto.parse_order(raw)
    return str(caught.value)


def presta_error(change):
    raw, addresses, customers = presta_fixture()
    change(raw, addresses, customers)
    with pytest.raises(MalformedOrderError) as caught:
        prestashop.parse_order(raw, addresses, customers, {"8": "FR"}, {"1": "EUR"}, "UTC")
    return str(caught.value)


def cscart_raw():
    return {
        "order_id": "105",
        "status": "P",
        "timestamp": "1732000000",
        "total": "34.90",
        "products": {
            "3344": {"item_id": "3344", "product_code": "CS-1", "amount": "1", "price": "24.90"},
            "3345": {"item_id": "3345", "product_code": "CS-2", "amount": "1", "price": "10.00"},
        },
        "email": "guest@example.com",
        "b_firstname": "Lena",
        "b_lastname": "Schmidt",
        "b_address": "Ringstraße 3",
        "b_city": "Wien",
        "b_zipcode": "1010",
        "b_country": "AT",
    }


def cscart_error(change):
    raw = cscart_raw()
    change(raw)
    with pytest.raises(MalformedOrderError) as caught:
        cscart.parse_order(raw, "EUR")
    return str(caught.value)


# --- the messages seen raw in issue 17 -----------------------------------------------------------
def test_otto_item_whose_product_is_null():
    raw = otto_order([otto_item("p1"), otto_item("p2")])
    raw["positionItems"][1]["product"] = None
    # was: 'NoneType' object has no attribute 'get'
    assert otto_error(raw) == "position item 2: product missing"


def test_otto_address_that_is_a_text():
    raw = otto_order([otto_item("p1")], deliveryAddress="Hauptstraße 1, Berlin")
    # was: 'str' object has no attribute 'get'
    assert otto_error(raw) == "delivery address is not an address (a text)"


def test_otto_order_date_that_is_not_a_date():
    raw = otto_order([otto_item("p1")], orderDate="not-a-date")
    # was: invalid literal for int() with base 10: b'not-'
    assert otto_error(raw) == "orderDate 'not-a-date' is not a date"


def test_otto_other_broken_fields_are_named():
    raw = otto_order([otto_item("p1")])
    raw["positionItems"][0]["itemValueGrossPrice"] = {"amount": "12,5O", "currency": "EUR"}
    assert otto_error(raw) == "position item 1: itemValueGrossPrice '12,5O' is not an amount"
    raw = otto_order([otto_item("p1")])
    raw["positionItems"].append("p2")
    assert otto_error(raw) == "position item 2 is not an object (a text)"
    raw = otto_order([otto_item("p1")], positionItems={"p1": otto_item("p1")})
    assert otto_error(raw) == "positionItems is not a list (an object)"
    raw = otto_order([otto_item("p1")])
    raw["positionItems"][0]["product"]["sku"] = ["SKU-1"]
    assert otto_error(raw) == "position item 1, product: sku is not a text (a list)"
    raw = otto_order([otto_item("p1")], orderDate="1970-01-01T00:00:00Z")
    assert otto_error(raw) == (
        "orderDate '1970-01-01T00:00:00Z' is not a date of an order (before 2000 or after 2100)"
    )
    assert otto_error(["not", "an", "order"]) == "the order is not an object (a list)"


def test_prestashop_broken_fields_are_named():
    def address_is_text(raw, addresses, customers):
        addresses["11"] = "5 quai Rambaud, Lyon"

    assert presta_error(address_is_text) == "delivery address is not an address (a text)"

    def bad_date(raw, addresses, customers):
        raw["date_add"] = "not-a-date"

    assert presta_error(bad_date) == "date_add 'not-a-date' is not a date"

    def row_is_null(raw, addresses, customers):
        raw["associations"]["order_rows"][1] = None

    assert presta_error(row_is_null) == "order row 2 missing"

    def no_rows(raw, addresses, customers):
        raw["associations"] = {}

    assert presta_error(no_rows) == "order_rows missing (the order has no products)"

    def unknown_address(raw, addresses, customers):
        addresses.clear()

    assert presta_error(unknown_address) == "id_address_invoice '10' is not an address on the shop"


def test_cscart_broken_fields_are_named():
    def product_is_null(raw):
        raw["products"]["3345"] = None

    assert cscart_error(product_is_null) == "product 2 missing"

    def price_is_text(raw):
        raw["products"]["3344"]["price"] = "free"

    assert cscart_error(price_is_text) == "product 1: price 'free' is not an amount"

    def bad_timestamp(raw):
        raw["timestamp"] = "not-a-date"

    assert cscart_error(bad_timestamp) == "timestamp 'not-a-date' is not a date"

    def huge_timestamp(raw):
        raw["timestamp"] = "1e300"

    assert cscart_error(huge_timestamp) == "timestamp '1e300' is not a date"


# --- negative and impossible items -----------------------------------------------------------
def test_negative_prices_and_quantities_are_refused():
    raw = otto_order([otto_item("p1", price=-5)])
    assert otto_error(raw) == (
        "position item 1: itemValueGrossPrice -5.00 is negative (a discount is a discount, never "
        "a negative item)"
    )

    def negative_quantity(raw, addresses, customers):
        raw["associations"]["order_rows"][0]["product_quantity"] = "-1"

    assert presta_error(negative_quantity) == (
        "order row 1: product_quantity -1 is negative (a discount is a discount, never a "
        "negative item)"
    )

    def negative_price(raw):
        raw["products"]["3345"]["price"] = "-10.00"

    assert cscart_error(negative_price) == (
        "product 2: price -10.00 is negative (a discount is a discount, never a negative item)"
    )

    def negative_discount(raw, addresses, customers):
        raw["total_discounts_tax_incl"] = "-2.500000"

    # was dropped without a word, the total then differing from the lines
    assert presta_error(negative_discount) == "total_discounts_tax_incl -2.50 is negative"

    def negative_shipping(raw):
        raw["shipping_cost"] = "-5"

    assert cscart_error(negative_shipping) == "shipping_cost -5.00 is negative"


def test_quantities_are_whole_units():
    def quantity(value):
        def change(raw, addresses, customers):
            raw["associations"]["order_rows"][0]["product_quantity"] = value

        return presta_error(change)

    assert quantity("0") == "order row 1: product_quantity 0 is not a quantity (at least 1 unit)"
    assert quantity("1.5") == "order row 1: product_quantity 1.5 is not a whole number of units"

    def amount(raw):
        raw["products"]["3344"]["amount"] = "0.25"

    assert cscart_error(amount) == "product 1: amount 0.25 is not a whole number of units"
    # '2.000000' is two units
    raw = cscart_raw()
    raw["products"]["3344"]["amount"] = "2.000000"
    raw["total"] = "59.80"
    assert cscart.parse_order(raw, "EUR").lines[0].quantity == 2


def test_free_items_and_zero_fees_still_come_in():
    raw = otto_order([otto_item("p1", price=0)])
    raw["initialDeliveryFees"][0]["deliveryFeeAmount"]["amount"] = 0
    order = otto.parse_order(raw)
    assert order.lines[0].unit_price == 0 and order.total == 0


# --- control characters ----------------------------------------------------------------------
def test_nul_and_control_characters_are_removed_and_noted():
    raw = otto_order([otto_item("p1")])
    raw["positionItems"][0]["product"]["productTitle"] = "Mug\x00 with\x07 lid\nand\ttab"
    raw["invoiceAddress"]["city"] = "Ber\x00lin"
    order = otto.parse_order(raw)
    assert order.lines[0].name == "Mug with lid\nand\ttab"
    assert order.invoice_address.city == "Berlin"
    assert order.cleaned_fields == [
        "position item 1, product: productTitle",
        "invoice address: city",
    ]
    # the payload kept for the log is the shop's own
    assert raw["invoiceAddress"]["city"] == "Ber\x00lin"

    ps_raw, addresses, customers = presta_fixture()
    addresses["10"]["lastname"] = "Du\x00pont"
    ps_raw["reference"] = "XKB\x00KNABJK"
    order = prestashop.parse_order(ps_raw, addresses, customers, {"8": "FR"}, {"1": "EUR"}, "UTC")
    assert (order.invoice_address.last_name, order.order_ref) == ("Dupont", "XKBKNABJK")
    assert order.cleaned_fields == ["invoice address: lastname", "reference"]

    cs_raw = cscart_raw()
    cs_raw["b_lastname"] = "\x00Schmidt\ud800"
    order = cscart.parse_order(cs_raw, "EUR")
    assert order.invoice_address.last_name == "Schmidt"
    assert order.cleaned_fields == ["b_lastname"]


def test_failure_of_a_page_says_the_field_and_keeps_the_order_apart():
    good = otto_order([otto_item("p1")])
    bad = copy.deepcopy(good)
    bad["salesOrderId"] = "bad\x00-1"
    bad["positionItems"][0]["product"] = None
    page = BaseClient("http://shop.test")._make_page(
        [good, bad], otto.parse_order, otto.identify_order
    )
    assert [order.order_id for order in page.orders] == [good["salesOrderId"]]
    [failure] = page.failures
    assert failure.order_id == "bad-1"
    assert (
        failure.message == "Malformed order in the shop's answer: position item 1: product missing"
    )
    assert failure.raw is bad


def test_texts_longer_than_a_shop_stores_are_refused():
    raw = otto_order([otto_item("p1")])
    raw["invoiceAddress"]["lastName"] = "M" * 5000
    assert otto_error(raw) == "invoice address: lastName is too long (5000 characters, at most 255)"
    raw = otto_order([otto_item("p1")], salesOrderId="x" * 101)
    assert otto_error(raw) == "salesOrderId is too long (101 characters, at most 100)"
    assert otto.identify_order(raw)[0] == ""  # not an id: the log does not take it as one


def test_amounts_with_more_decimals_are_rounded_as_shops_round():
    raw, addresses, customers = presta_fixture()
    raw["associations"]["order_rows"][1]["unit_price_tax_incl"] = "20.50499"
    order = prestashop.parse_order(raw, addresses, customers, {"8": "FR"}, {"1": "EUR"}, "UTC")
    assert order.lines[1].unit_price == Decimal("20.50")
