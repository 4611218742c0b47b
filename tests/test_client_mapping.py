"""Plain unit tests of the pure mapping from shop payloads to normalised orders (no HTTP)."""

from datetime import datetime
from decimal import Decimal

import pytest

from ..clients import cscart, otto, prestashop
from ..clients.countries import to_alpha2
from ..clients.errors import MalformedOrderError
from ..clients.parsing import local_to_utc, to_decimal, utc_to_local_text
from ..clients.phones import to_e164


def otto_item(item_id, sku="SKU-1", price=19.99, status="PROCESSABLE", weee=False, rate=19):
    return {
        "positionItemId": item_id,
        "fulfillmentStatus": status,
        "itemValueGrossPrice": {"amount": price, "currency": "EUR"},
        "weeePickup": weee,
        "product": {
            "sku": sku,
            "ean": "4006381333931",
            "productTitle": f"Title {sku}",
            "vatRate": rate,
        },
    }


def otto_order(items, **extra):
    address = {
        "salutation": "MS",
        "firstName": "Anna",
        "lastName": "Müller",
        "street": "Hauptstraße",
        "houseNumber": "12a",
        "addition": "2. OG",
        "zipCode": "10115",
        "city": "Berlin",
        "countryCode": "DEU",
        "email": "x1y2@customer.otto.market",
    }
    raw = {
        "salesOrderId": "6d1c1a44-4a4b-4f6e-9d8a-3e0f5b6c7d8e",
        "orderNumber": "A1B2C3D4E5",
        "orderDate": "2026-11-20T10:15:30.123Z",
        "lastModifiedDate": "2026-11-20T11:00:00.000+01:00",
        "orderLifecycleInformation": {"lifecycleChangeDate": "2026-11-20T12:00:00Z"},
        "payment": {"paymentMethod": "PAYPAL"},
        "positionItems": items,
        "initialDeliveryFees": [
            {
                "name": "Versand",
                "deliveryFeeAmount": {"amount": 4.95, "currency": "EUR"},
                "positionItemIds": [i["positionItemId"] for i in items],
                "vatRate": 19,
            }
        ],
        "invoiceAddress": address,
        "deliveryAddress": dict(address, email=None),
    }
    raw.update(extra)
    return raw


def test_otto_groups_units_per_sku_and_price():
    raw = otto_order(
        [
            otto_item("p1", "SKU-1", 19.99),
            otto_item("p2", "SKU-1", 19.99, weee=True),
            otto_item("p3", "SKU-1", 17.99),
            otto_item("p4", "SKU-2", 5.5, rate=7),
        ],
        initialDiscounts=[
            {
                "discountId": "d1",
                "name": "Gutschein",
                "discountAmount": {"amount": 3.0, "currency": "EUR"},
                "positionItemIds": ["p4"],
                "vatRate": 7,
            }
        ],
    )
    order = otto.parse_order(raw)
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("SKU-1", 2, Decimal("19.99")),
        ("SKU-1", 1, Decimal("17.99")),
        ("SKU-2", 1, Decimal("5.50")),
    ]
    assert order.lines[0].item_ids == ["p1", "p2"]
    assert order.lines[0].recycling and order.recycling
    assert order.lines[2].vat_rate == Decimal(7)
    assert (
        order.total
        == Decimal("19.99") * 2 + Decimal("17.99") + Decimal("5.50") + Decimal("4.95") - 3
    )
    assert order.status == "PROCESSABLE"
    assert order.order_date == datetime(2026, 11, 20, 10, 15, 30)
    assert order.changed_at == datetime(2026, 11, 20, 12, 0, 0)
    assert order.invoice_address.country_code == "DE"
    assert order.invoice_address.street == "Hauptstraße 12a"
    assert order.invoice_address.street2 == "2. OG"
    assert order.customer_key == "x1y2@customer.otto.market"
    assert order.payment_method == "PAYPAL"
    assert order.currency == "EUR"


def test_otto_bucket_status_and_cancelled_items():
    assert (
        otto.bucket_status([{"fulfillmentStatus": "SENT"}, {"fulfillmentStatus": "ANNOUNCED"}])
        == "ANNOUNCED"
    )
    assert (
        otto.bucket_status([{"fulfillmentStatus": "SENT"}, {"fulfillmentStatus": "PROCESSABLE"}])
        == "PROCESSABLE"
    )
    assert (
        otto.bucket_status([{"fulfillmentStatus": "SENT"}, {"fulfillmentStatus": "RETURNED"}])
        == "SENT"
    )
    assert (
        otto.bucket_status([{"fulfillmentStatus": "CANCELLED_BY_MARKETPLACE"}])
        == "CANCELLED_BY_MARKETPLACE"
    )
    raw = otto_order([otto_item("p1"), otto_item("p2", status="CANCELLED_BY_PARTNER")])
    order = otto.parse_order(raw)
    assert order.lines[0].quantity == 1  # the cancelled unit is not sold
    cancelled = otto.parse_order(otto_order([otto_item("p1", status="CANCELLED_BY_MARKETPLACE")]))
    assert cancelled.status == "CANCELLED_BY_MARKETPLACE"
    assert cancelled.lines[0].quantity == 1


def test_otto_announced_order_has_no_address():
    raw = otto_order([otto_item("p1", status="ANNOUNCED")], payment={"paymentMethod": "PREPAYMENT"})
    del raw["invoiceAddress"], raw["deliveryAddress"]
    order = otto.parse_order(raw)
    assert order.status == "ANNOUNCED"
    assert order.invoice_address is None and order.delivery_address is None
    assert order.customer_key == ""


def test_otto_malformed_orders():
    # issue 17: a typed error naming the field, no longer a bare KeyError
    with pytest.raises(MalformedOrderError, match="^positionItems missing$"):
        otto.parse_order({"salesOrderId": "x"})
    broken = otto_order([otto_item("p1")])
    broken["positionItems"][0]["itemValueGrossPrice"] = {"amount": None}
    with pytest.raises(ValueError):
        otto.parse_order(broken)
    assert otto.identify_order(broken)[:2] == (broken["salesOrderId"], "A1B2C3D4E5")


def presta_fixture():
    raw = {
        "id": "42",
        "reference": "XKBKNABJK",
        "id_customer": "7",
        "id_address_delivery": "11",
        "id_address_invoice": "10",
        "id_currency": "1",
        "id_shop": "1",
        "current_state": "2",
        "payment": "Bank wire",
        "date_add": "2026-07-01 10:00:00",
        "date_upd": "2026-07-01 12:30:00",
        "total_paid_tax_incl": "83.700000",
        "total_shipping_tax_incl": "6.000000",
        "carrier_tax_rate": "5.500",
        "total_discounts_tax_incl": "2.500000",
        "associations": {
            "order_rows": [
                {
                    "id": "1",
                    "product_reference": "REF-1",
                    "product_ean13": "",
                    "product_name": "Mug",
                    "product_quantity": "3",
                    "unit_price_tax_incl": "19.900000",
                },
                {
                    "id": "2",
                    "product_reference": "REF-2",
                    "product_ean13": "3017620422003",
                    "product_name": "Tea",
                    "product_quantity": "1",
                    "unit_price_tax_incl": "20.500000",
                },
            ]
        },
    }
    addresses = {
        "10": {
            "id": "10",
            "firstname": "Jean",
            "lastname": "Dupont",
            "company": "",
            "address1": "1 rue de la Paix",
            "address2": "",
            "postcode": "75002",
            "city": "Paris",
            "id_country": "8",
            "phone": "01 42 68 53 00",
            "phone_mobile": "",
            "vat_number": "",
        },
        "11": {
            "id": "11",
            "firstname": "Jean",
            "lastname": "Dupont",
            "company": "ACME",
            "address1": "5 quai Rambaud",
            "address2": "Bât. B",
            "postcode": "69002",
            "city": "Lyon",
            "id_country": "8",
            "phone": "",
            "phone_mobile": "06 12 34 56 78",
            "vat_number": "",
        },
    }
    customers = {"7": {"id": "7", "email": "jean.dupont@example.fr"}}
    return raw, addresses, customers


def test_prestashop_order():
    raw, addresses, customers = presta_fixture()
    order = prestashop.parse_order(
        raw, addresses, customers, {"8": "FR"}, {"1": "EUR"}, "Europe/Paris"
    )
    assert order.order_id == "42" and order.order_ref == "XKBKNABJK"
    assert order.status == "2"
    assert order.order_date == datetime(2026, 7, 1, 8, 0, 0)  # Paris is UTC+2 in summer
    assert order.changed_at == datetime(2026, 7, 1, 10, 30, 0)
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("REF-1", 3, Decimal("19.90")),
        ("REF-2", 1, Decimal("20.50")),
    ]
    assert order.shipping[0].amount == Decimal("6.00")
    assert order.shipping[0].vat_rate == Decimal("5.5")  # carrier_tax_rate, not the products'
    assert order.discounts[0].amount == Decimal("2.50")
    assert order.total == order.computed_total == Decimal("83.70")
    assert order.invoice_address.city == "Paris" and order.delivery_address.city == "Lyon"
    assert order.delivery_address.phone == "06 12 34 56 78"
    assert order.delivery_address.company == "ACME"
    assert order.customer_key == "7"
    assert order.currency == "EUR"


def test_prestashop_missing_address_and_currency():
    raw, addresses, customers = presta_fixture()
    with pytest.raises(ValueError):
        prestashop.parse_order(raw, {}, customers, {}, {"1": "EUR"}, "Europe/Paris")
    with pytest.raises(ValueError):
        prestashop.parse_order(raw, addresses, customers, {"8": "FR"}, {}, "Europe/Paris")
    assert prestashop.multilingual([{"id": "1", "value": "Paiement accepté"}]) == "Paiement accepté"
    assert prestashop.multilingual("Shipped") == "Shipped"


def test_cscart_order():
    raw = {
        "order_id": "105",
        "status": "P",
        "timestamp": "1732000000",
        "updated_at": "1732003600",
        "total": "61.80",
        "subtotal": "59.80",
        "subtotal_discount": "3.00",
        "shipping_cost": "5.00",
        "payment_method": {"payment": "PayPal"},
        "products": {
            "3344": {
                "item_id": "3344",
                "product_id": "12",
                "product_code": "CS-1",
                "product": "Lamp",
                "amount": "2",
                "price": "24.90",
            },
            "3345": {
                "item_id": "3345",
                "product_id": "13",
                "product_code": "CS-2",
                "product": "Bulb",
                "amount": "1",
                "price": "10.00",
            },
        },
        "user_id": "0",
        "email": "Guest@Example.com",
        "company": "",
        "b_firstname": "Lena",
        "b_lastname": "Schmidt",
        "b_address": "Ringstraße 3",
        "b_address_2": "",
        "b_city": "Wien",
        "b_zipcode": "1010",
        "b_country": "AT",
        "b_phone": "+43 1 5124567",
        "s_firstname": "",
        "s_lastname": "",
        "s_address": "",
        "s_city": "",
        "s_zipcode": "",
        "s_country": "",
    }
    order = cscart.parse_order(raw, "EUR")
    assert order.total == order.computed_total == Decimal("61.80")
    assert order.customer_key == "guest@example.com"
    assert order.delivery_address == order.invoice_address
    assert order.changed_at == datetime(2024, 11, 19, 8, 6, 40)
    assert order.payment_method == "PayPal"
    assert [line.item_ids for line in order.lines] == [["3344"], ["3345"]]


def test_values_and_dates():
    assert to_decimal("29,90") == Decimal("29.90")
    assert to_decimal(29.9) == Decimal("29.9")
    with pytest.raises(ValueError):
        to_decimal("abc")
    assert local_to_utc("2026-01-15 12:00:00", "Europe/Berlin") == datetime(2026, 1, 15, 11, 0, 0)
    assert (
        utc_to_local_text(datetime(2026, 1, 15, 11, 0, 0), "Europe/Berlin") == "2026-01-15 12:00:00"
    )
    assert to_alpha2("DEU") == "DE" and to_alpha2("fra") == "FR" and to_alpha2("AT") == "AT"
    assert to_alpha2("XYZ") == "XYZ" and to_alpha2(None) == ""


def test_phone_numbers():
    assert to_e164("030 1234567", "DE") == ("+49301234567", True)
    assert to_e164("06 12 34 56 78", "FR") == ("+33612345678", True)
    assert to_e164("+43 1 5124567", "DE") == ("+4315124567", True)
    assert to_e164("12", "DE") == ("12", False)
    assert to_e164("", "DE") == ("", True)
    assert to_e164("not a phone", "") == ("not a phone", False)


def test_money_is_rounded_half_up_as_shops_do():
    from ..clients.parsing import to_money

    assert to_money("2.345") == Decimal("2.35")
    assert to_money("2.335") == Decimal("2.34")
    assert to_money("-2.345") == Decimal("-2.35")
    assert to_money(0.125) == Decimal("0.13")


def test_otto_reduced_price_and_initial_discount_counted_once():
    items = [otto_item("a", price=20.0), otto_item("b", sku="SKU-2", price=10.0)]
    items[0]["itemValueReducedGrossPrice"] = {"amount": 17.0, "currency": "EUR"}
    items[0]["itemValueDiscount"] = {"amount": 3.0, "currency": "EUR"}
    discount = {
        "discountId": "1",
        "name": "PARTNER",
        "discountName": "Herbst",
        "discountAmount": {"amount": 5.0, "currency": "EUR"},
        "positionItemIds": ["a", "b"],
        "vatRate": 19,
    }
    order = otto.parse_order(otto_order(items, initialDiscounts=[discount]))
    # 3.00 of the 5.00 is already in item a's reduced price: 2.00 remain as a discount line
    assert [line.unit_price for line in order.lines] == [Decimal("17.00"), Decimal("10.00")]
    assert [d.amount for d in order.discounts] == [Decimal("2.00")]
    assert order.total == Decimal("29.95")  # with the 4.95 delivery fee


def test_otto_reduced_price_above_the_gross_price_is_refused():
    item = otto_item("a", price=20.0)
    item["itemValueReducedGrossPrice"] = {"amount": 21.0, "currency": "EUR"}
    with pytest.raises(ValueError, match="itemValueReducedGrossPrice"):
        otto.parse_order(otto_order([item]))


def test_otto_order_of_unknown_item_states_is_identified_without_raising():
    raw = otto_order([otto_item("a", status="PARKED")])
    assert otto.identify_order(raw)[3] == ""
    with pytest.raises(ValueError, match="PARKED"):
        otto.parse_order(raw)
    assert otto.identify_order(dict(raw, positionItems=[]))[3] == ""
