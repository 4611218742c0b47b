"""Hypothesis strategies of shop orders, good and hostile, for the property tests (issue 17).

Each strategy gives ``(payload, mutations)``: an order as the shop sends it, whose amounts are
consistent (its total is the sum of its items, fees and discounts once each amount is rounded to
the cent as the shop rounds it), then up to three ``mutations``: a value somewhere in it replaced
by something hostile (missing, null, of the wrong kind, huge or empty, HTML, emoji, NUL,
negative or 5-decimal amounts, unknown currencies, countries and statuses) or its key deleted.
With no mutation the payload is a good order (amounts with up to 5 decimals).

``check_normalised`` states what a normaliser must give for any of them: a
``MalformedOrderError`` naming a field, or an ``Order`` that keeps the rules of
``clients/records.py``.
"""

import copy
import re
from dataclasses import fields, is_dataclass
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ..clients.errors import MalformedOrderError
from ..clients.otto import ITEM_STATES
from ..clients.parsing import CONTROL_CHARACTERS
from ..clients.reader import EARLIEST, LATEST
from ..clients.records import Order

# Fast, reproducible runs inside the test command: no example database in the repository.
PLAIN = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OTTO_ID = "6d1c1a44-4a4b-4f6e-9d8a-3e0f5b6c7d8e"
HOSTILE_TEXTS = [
    "",
    " ",
    "<b>bold</b><script>alert('x')</script>",
    "Ümlaut – «quotes» 😀🛒👩‍👩‍👧",
    "a\x00b",
    "\x00",
    "line\nbreak\ttab\r",
    "\x1b[31mred\x1b[0m\x7f",
    "\ud800lone surrogate",
    "XYZ",
    "ZZ",
    "ZZZ",
    "UNKNOWN_STATUS",
    "not-a-date",
    "0000-00-00 00:00:00",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "2026-02-30 10:00:00",
    "1e400",
    "NaN",
    "-Infinity",
    "-0.00001",
    "12.34567",
    "-12.34567",
    "1,5",
    "0",
    "-1",
    "2.5",
    "'; DROP TABLE sale_order; --",
]


def hostile_values():
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(HOSTILE_TEXTS),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(places=5, min_value=-1000, max_value=1000).map(str),
        st.text(max_size=20),
        st.just("x" * 20_000),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    )


def amounts(max_value=500):
    """Gross amounts with up to 5 decimals, as a shop's answer may carry them."""
    return st.decimals(min_value=0, max_value=max_value, places=5)


def cents(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def paths(value, inside=()):
    """Every (container, key) of a payload, nested ones included."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in list(items):
        found.append((value, key))
        if isinstance(child, dict | list) and child:
            found += paths(child, (*inside, key))
    return found


def keys_of(value):
    """Every key name of a payload (for 'the message names a field')."""
    names = set()
    if isinstance(value, dict):
        for key, child in value.items():
            names.add(str(key))
            names |= keys_of(child)
    elif isinstance(value, list):
        for child in value:
            names |= keys_of(child)
    return names


@st.composite
def mutated(draw, payload, protected=()):
    """``payload`` with up to three hostile mutations; returns (payload, mutations)."""
    payload = copy.deepcopy(payload)
    mutations = []
    for __ in range(draw(st.integers(min_value=0, max_value=3))):
        places = [
            (container, key)
            for container, key in paths(payload)
            if not (container is payload and key in protected)
        ]
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        # the field names gone with it, which a message may still rightly name
        gone = {str(key)} | keys_of(container[key])
        if isinstance(container, dict) and draw(st.booleans()) and draw(st.booleans()):
            del container[key]
            mutations.append(("delete", key, gone))
        else:
            container[key] = draw(hostile_values())
            mutations.append(("replace", key, gone))
    return payload, mutations


# --- OTTO ----------------------------------------------------------------------------------------
@st.composite
def otto_orders(draw, skus=("SKU-1", "SKU-2"), states=ITEM_STATES):
    count = draw(st.integers(min_value=1, max_value=4))
    items = []
    for number in range(count):
        item_id = f"item-{number}"
        price = draw(amounts())
        item = {
            "positionItemId": item_id,
            "fulfillmentStatus": draw(st.sampled_from(states)),
            "itemValueGrossPrice": {"amount": float(price), "currency": "EUR"},
            "weeePickup": draw(st.booleans()),
            "processableDate": "2026-11-20T10:20:00.000Z",
            "product": {
                "sku": draw(st.sampled_from(skus)),
                "ean": "4006381333931",
                "productTitle": draw(st.sampled_from(["Lamp", "Ümlaut 😀", "<i>HTML</i>"])),
                "vatRate": 19,
            },
        }
        if draw(st.booleans()):
            reduction = draw(st.decimals(min_value=0, max_value=price, places=2))
            item["itemValueReducedGrossPrice"] = {
                "amount": float(cents(price) - cents(reduction)),
                "currency": "EUR",
            }
        items.append(item)
    item_ids = [item["positionItemId"] for item in items]
    address = {
        "salutation": draw(st.sampled_from(["MS", "MR", "COMPANY"])),
        "firstName": "Anna",
        "lastName": "Müller",
        "street": "Hauptstraße",
        "houseNumber": "12a",
        "addition": "2. OG",
        "zipCode": "10115",
        "city": "Berlin",
        "countryCode": "DEU",
        "email": "x1y2@customer.otto.market",
        "phoneNumber": "030 1234567",
    }
    raw = {
        "salesOrderId": OTTO_ID,
        "orderNumber": "A1B2C3D4E5",
        "orderDate": "2026-11-20T10:15:30.123Z",
        "lastModifiedDate": "2026-11-20T11:00:00.000+01:00",
        "orderLifecycleInformation": {"lifecycleChangeDate": "2026-11-20T12:00:00Z"},
        "payment": {"paymentMethod": "PAYPAL"},
        "positionItems": items,
        "initialDeliveryFees": [
            {
                "name": "Versand",
                "deliveryFeeAmount": {"amount": float(draw(amounts(20))), "currency": "EUR"},
                "positionItemIds": item_ids,
                "vatRate": 19,
            }
        ],
        "initialDiscounts": [
            {
                "discountId": "d1",
                "name": "Gutschein",
                "discountName": "Herbst",
                "discountAmount": {"amount": float(draw(amounts(5))), "currency": "EUR"},
                "positionItemIds": item_ids[:1],
                "vatRate": 19,
            }
        ]
        if draw(st.booleans())
        else [],
        "invoiceAddress": address,
        "deliveryAddress": dict(address, email=None),
    }
    return draw(mutated(raw))


# --- PrestaShop ----------------------------------------------------------------------------------
@st.composite
def prestashop_orders(draw, skus=("REF-1", "REF-2"), state="2"):
    """``({"order", "addresses", "customers"}, mutations)``: an order with the addresses and the
    customer the client reads for its page."""
    rows, lines_total = [], Decimal(0)
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        quantity = draw(st.integers(min_value=1, max_value=5))
        price = draw(amounts())
        lines_total += cents(price) * quantity
        rows.append(
            {
                "id": str(number + 1),
                "product_reference": draw(st.sampled_from(skus)),
                "product_ean13": "",
                "product_name": draw(st.sampled_from(["Mug", "Thé 😀", "<b>Tea</b>"])),
                "product_quantity": str(quantity),
                "unit_price_tax_incl": f"{price:.6f}",
            }
        )
    shipping = draw(amounts(20))
    discount = draw(st.decimals(min_value=0, max_value=lines_total, places=5))
    total = lines_total + cents(shipping) - cents(discount)
    order = {
        "id": "42",
        "reference": "XKBKNABJK",
        "id_customer": "7",
        "id_address_delivery": "11",
        "id_address_invoice": "10",
        "id_currency": "1",
        "id_shop": "1",
        "current_state": state,
        "payment": "Bank wire",
        "date_add": "2026-07-01 10:00:00",
        "date_upd": "2026-07-01 12:30:00",
        "invoice_date": "2026-07-01 10:05:00",
        "total_paid_tax_incl": f"{total:.6f}",
        "total_shipping_tax_incl": f"{shipping:.6f}",
        "carrier_tax_rate": "20.000",
        "total_discounts_tax_incl": f"{discount:.6f}",
        "associations": {"order_rows": rows},
    }
    address = {
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
    }
    bundle = {
        "order": order,
        "addresses": {"10": address, "11": dict(address, id="11", address1="5 quai Rambaud")},
        "customers": {"7": {"id": "7", "email": "jean.dupont@example.fr"}},
    }
    return draw(mutated(bundle, protected=("order", "addresses", "customers")))


# --- CS-Cart -------------------------------------------------------------------------------------
@st.composite
def cscart_orders(draw, skus=("CS-1", "CS-2"), status="P"):
    products, lines_total = {}, Decimal(0)
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        quantity = draw(st.integers(min_value=1, max_value=5))
        price = draw(amounts())
        lines_total += cents(price) * quantity
        item_id = str(3344 + number)
        products[item_id] = {
            "item_id": item_id,
            "product_id": str(12 + number),
            "product_code": draw(st.sampled_from(skus)),
            "product": draw(st.sampled_from(["Lamp", "Lampe 😀", "<b>Bulb</b>"])),
            "amount": str(quantity),
            "price": str(price),
        }
    shipping = draw(amounts(20))
    discount = draw(st.decimals(min_value=0, max_value=lines_total, places=5))
    total = lines_total + cents(shipping) - cents(discount)
    raw = {
        "order_id": "105",
        "status": status,
        "timestamp": "1732000000",
        "updated_at": "1732003600",
        "total": str(total),
        "subtotal_discount": str(discount),
        "shipping_cost": str(shipping),
        "payment_method": {"payment": "PayPal"},
        "products": products,
        "user_id": "0",
        "email": "guest@example.com",
        "company": "",
        "b_firstname": "Lena",
        "b_lastname": "Schmidt",
        "b_address": "Ringstraße 3",
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
    return draw(mutated(raw))


# --- what a normaliser must give -----------------------------------------------------------------
LABELS = {
    "the order",
    "position item",
    "product",
    "order row",
    "invoice address",
    "delivery address",
    "customer",
    "delivery fee",
    "initial discount",
    "payment method",
    "payment",
    "orderLifecycleInformation",
}
RAW_PYTHON = ("object has no attribute", "invalid literal", "NoneType", "Traceback", "unsupported")


def check_error(error, payload, mutations=()):
    """A ``MalformedOrderError`` names a field of the payload (or of the order's parts) and says
    what is wrong, in words, not Python's."""
    message = str(error)
    assert error.field, message
    assert message.startswith(error.field), message
    assert len(message) > len(error.field) + 3, message
    assert not any(words in message for words in RAW_PYTHON), message
    assert not CONTROL_CHARACTERS.search(message), message
    leaf = error.field.replace(", ", ": ").rsplit(": ", 1)[-1]
    name = re.sub(r" \d+$", "", leaf)  # "position item 2" is of the label "position item"
    deleted = set().union(*(gone for __, __, gone in mutations))
    assert name in keys_of(payload) | deleted | LABELS, f"{message!r} names {name!r}"


def texts_of(value):
    """Every text of a normalised order (dataclasses, lists, sets), its raw payload aside."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value):
        for spec in fields(value):
            if spec.name != "raw":
                yield from texts_of(getattr(value, spec.name))
    elif isinstance(value, list | set | tuple):
        for item in value:
            yield from texts_of(item)


def check_order(order, consistent):
    """The rules of a normalised ``Order``; ``consistent``: the shop's total is the sum of its
    parts, so the order's must be too."""
    assert isinstance(order, Order)
    assert order.lines, "an order without lines"
    for line in order.lines:
        assert line.quantity >= 1 and line.quantity == int(line.quantity), line
        assert line.unit_price >= 0 and line.unit_price.as_tuple().exponent >= -2, line
        assert line.sku or line.name, line
    for charge in (*order.shipping, *order.discounts):
        assert charge.amount >= 0 and charge.amount.as_tuple().exponent >= -2, charge
    assert order.total >= 0
    assert order.order_id and order.status and order.currency
    assert EARLIEST <= order.order_date < LATEST
    assert order.changed_at is None or EARLIEST <= order.changed_at < LATEST
    for text in texts_of(order):
        assert not CONTROL_CHARACTERS.search(text), repr(text)
    if consistent:
        assert order.total == order.computed_total, (order.total, order.computed_total)


def check_normalised(parse, payload, mutations, always_consistent=False):
    """Run ``parse``: a typed error naming the field, or an order keeping the rules; never any
    other exception. Returns the order or None."""
    try:
        order = parse()
    except MalformedOrderError as error:
        check_error(error, payload, mutations)
        return None
    check_order(order, consistent=always_consistent or not mutations)
    return order
