"""OTTO Market order payloads (orders API v4), built and changed the way OTTO does.

Pure functions on plain dicts; ``otto.py`` serves them. A position item is ONE unit of a product:
a quantity of 3 is three position items with the same product and price. Amounts are JSON
numbers, dates UTC ISO 8601 with milliseconds. Addresses exist only once an item became
PROCESSABLE (OTTO sends none for ANNOUNCED prepayment orders, nor after cancelling them unpaid).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from .data import ALPHA3, iso_ms, money, parse_iso

ITEM_STATES = (
    "ANNOUNCED",
    "PROCESSABLE",
    "SENT",
    "RETURNED",
    "CANCELLED_BY_PARTNER",
    "CANCELLED_BY_MARKETPLACE",
)
CANCELLED_STATES = ("CANCELLED_BY_PARTNER", "CANCELLED_BY_MARKETPLACE")
PAYMENT_METHODS = (
    "INVOICE_SINGLE",
    "INVOICE_INSTALLMENTS",
    "PREPAYMENT",
    "DIRECT_DEBIT",
    "PAYPAL",
    "CREDIT_CARD",
)
_BUCKET_ORDER = ("ANNOUNCED", "PROCESSABLE", "SENT", "RETURNED", *CANCELLED_STATES)


def bucket_status(order):
    """The order's status as OTTO's BUCKET mode sees it: ANNOUNCED if any item is announced,
    else PROCESSABLE if any is processable, else SENT, RETURNED, CANCELLED_BY_PARTNER,
    CANCELLED_BY_MARKETPLACE. None for an order without readable items."""
    try:
        states = {item.get("fulfillmentStatus") for item in order.get("positionItems") or []}
    except (AttributeError, TypeError):
        return None
    for state in _BUCKET_ORDER:
        if state in states:
            return state
    return None


def new_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def order_number(rng):
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(rng.choice(alphabet) for _ in range(10))


def amount(value, currency):
    return {"amount": float(money(value)), "currency": currency}


def tracking_number(rng, carrier):
    digits = "".join(str(rng.randrange(10)) for _ in range(20))
    if carrier == "DHL":
        return "00340434" + digits[:12]
    if carrier == "HERMES":
        return "H10" + digits[:17]
    if carrier == "DPD":
        return "0" + digits[:13]
    return "1Z" + digits[:16] if carrier == "UPS" else digits[:11]


def address(buyer, rng, *, invoice):
    """An OTTO address from a buyer (data.make_buyer). v4 addresses have no company field:
    a company buyer gets salutation COMPANY and the company name in ``addition``."""
    result = {
        "salutation": buyer.get("salutation") or "UNKNOWN",
        "firstName": buyer["first_name"],
        "lastName": buyer["last_name"],
        "street": buyer["street"],
        "houseNumber": buyer["house_number"],
        "zipCode": buyer["zip"],
        "city": buyer["city"],
        "countryCode": ALPHA3.get(buyer["country"], buyer["country"]),
    }
    additions = [buyer["company"]] if buyer.get("company") else []
    if buyer.get("company"):
        result["salutation"] = "COMPANY"
    if buyer.get("addition"):
        additions.append(buyer["addition"])
    if additions:
        result["addition"] = ", ".join(additions)
    if invoice:
        result["email"] = pseudonymised_email(buyer["email"])
        if buyer.get("phone") and (buyer.get("phone_forced") or rng.random() < 0.1):
            result["phoneNumber"] = buyer["phone"]
    else:
        if buyer.get("email") and (buyer.get("email_forced") or rng.random() < 0.7):
            result["email"] = buyer["email"]
        if buyer.get("phone") and (buyer.get("phone_forced") or rng.random() < 0.35):
            result["phoneNumber"] = buyer["phone"]
    return result


def pseudonymised_email(email):
    """OTTO hides the buyer's e-mail: the same buyer gets the same pseudonym."""
    value = 0
    for char in (email or "").lower():
        value = (value * 131 + ord(char)) % (16**10)
    return f"{value:010x}@customer.otto.market"


def build_order(
    rng,
    *,
    moment,
    lines,
    payment_method,
    currency="EUR",
    delivery_fee=None,
    delivery_fee_vat_rate=None,
    discount=None,
    discount_shape="matching",
    weee_pickup=None,
    invoice=None,
    delivery=None,
):
    """A new order placed at ``moment``: items ANNOUNCED for prepayment, else PROCESSABLE.

    ``lines`` is [(product, quantity)] with catalogue products; ``weee_pickup`` True sets the
    flag on every item, None lets electrical items have it sometimes. A ``discount`` is taken
    off the items as OTTO shows it in one of ``DISCOUNT_SHAPES`` (see ``_apply_discount``);
    without one the items carry only ``itemValueGrossPrice``, as in OTTO's own example. Returns
    (order, addresses, shares): the delivery and invoice address held until they may be shown,
    and each item's share of the discount."""
    sales_order_id = new_uuid(rng)
    wants_pickup = rng.random() < 0.25 if weee_pickup is None else weee_pickup
    items = []
    for product, quantity in lines:
        for _ in range(quantity):
            items.append(
                {
                    "positionItemId": new_uuid(rng),
                    "fulfillmentStatus": "ANNOUNCED",
                    "itemValueGrossPrice": amount(product["price"], currency),
                    "expectedDeliveryDate": iso_ms(moment + timedelta(days=rng.randint(2, 5))),
                    "weeePickup": bool(wants_pickup and (product.get("weee") or weee_pickup)),
                    "product": {
                        "sku": product["sku"],
                        "ean": product.get("ean") or None,
                        "articleNumber": product.get("article_number"),
                        "productTitle": product["title"],
                        "vatRate": product["vat_rate"],
                    },
                }
            )
    for item in items:
        if item["product"]["ean"] is None:
            del item["product"]["ean"]
    item_ids = [item["positionItemId"] for item in items]
    top_rate = max(item["product"]["vatRate"] for item in items)
    order = {
        "salesOrderId": sales_order_id,
        "orderNumber": order_number(rng),
        "orderDate": iso_ms(moment),
        "lastModifiedDate": iso_ms(moment),
        "orderLifecycleInformation": {"lifecycleChangeDate": iso_ms(moment)},
        "payment": {"paymentMethod": payment_method},
        "positionItems": items,
        "initialDeliveryFees": [],
        "links": [{"rel": "self", "href": f"/v4/orders/{sales_order_id}"}],
    }
    if delivery_fee is not None and money(delivery_fee) > 0:
        order["initialDeliveryFees"].append(
            {
                "name": "DELIVERY_FEE_STANDARD",
                "deliveryFeeAmount": amount(delivery_fee, currency),
                "positionItemIds": list(item_ids),
                "vatRate": top_rate if delivery_fee_vat_rate is None else delivery_fee_vat_rate,
            }
        )
    shares = {}
    if discount is not None and money(discount) > 0:
        shares = _apply_discount(rng, order, money(discount), currency, top_rate, discount_shape)
    addresses = {
        "invoiceAddress": address(invoice, rng, invoice=True),
        "deliveryAddress": address(delivery or invoice, rng, invoice=False),
    }
    return order, addresses, shares


# How a reduction reaches the orders API: "matching": each item's itemValueReducedGrossPrice
# (with itemValueDiscount) and an initialDiscounts entry for the same reduction; "item_only": the
# reduced prices alone (no initialDiscounts entry); "initial_only": an initialDiscounts entry
# and items at their full price.
DISCOUNT_SHAPES = ("matching", "item_only", "initial_only")


def _apply_discount(rng, order, total, currency, vat_rate, shape="matching"):
    """Take ``total`` off the order's items, shared in proportion to their prices. Whatever the
    shape, the buyer pays the items' gross prices minus ``total``. Returns each item's share
    (item id -> Decimal), which ``expected_total`` needs to know what was paid."""
    if shape not in DISCOUNT_SHAPES:
        raise ValueError(f"unknown discount shape {shape!r}; known: {', '.join(DISCOUNT_SHAPES)}")
    items = order["positionItems"]
    gross = [Decimal(str(item["itemValueGrossPrice"]["amount"])) for item in items]
    total = min(total, money(sum(gross) / 2))
    shares, left = [], total
    for index, price in enumerate(gross):
        share = left if index == len(gross) - 1 else money(total * price / sum(gross))
        shares.append(share)
        left -= share
    for item, price, share in zip(items, gross, shares, strict=True):
        if shape != "initial_only":
            item["itemValueDiscount"] = amount(share, currency)
            item["itemValueReducedGrossPrice"] = amount(price - share, currency)
    if shape != "item_only":
        order["initialDiscounts"] = [
            {
                "discountId": str(rng.randint(1000, 99999)),
                "name": "PARTNER",
                "discountName": rng.choice(["Herbstaktion", "Neukundenrabatt", "Gutschein"]),
                "discountAmount": amount(total, currency),
                "positionItemIds": [item["positionItemId"] for item in items],
                "vatRate": vat_rate,
            }
        ]
    return dict(zip((item["positionItemId"] for item in items), shares, strict=True))


def set_item_status(item, status, moment, rng=None, tracking=None):
    """Move one position item to ``status`` at ``moment`` with the dates OTTO sets."""
    if status not in ITEM_STATES:
        raise ValueError(f"unknown OTTO fulfillment status {status!r}")
    stamp = iso_ms(moment)
    item["fulfillmentStatus"] = status
    if status == "ANNOUNCED":
        item.pop("processableDate", None)
        return
    if status in CANCELLED_STATES:
        item["cancellationDate"] = stamp
        return
    item.setdefault("processableDate", stamp)
    if status in ("SENT", "RETURNED") and "sentDate" not in item:
        item["sentDate"] = stamp
        if tracking is None and rng is not None:
            carrier = rng.choice(["DHL", "DHL", "HERMES", "DPD", "GLS", "UPS"])
            tracking = {"carrier": carrier, "trackingNumber": tracking_number(rng, carrier)}
        if tracking:
            item["trackingInfo"] = dict(tracking)
    if status == "RETURNED":
        item["returnedDate"] = stamp


def touch(order, moment):
    """Date a change of the order's lifecycle."""
    order["lastModifiedDate"] = iso_ms(moment)
    order.setdefault("orderLifecycleInformation", {})["lifecycleChangeDate"] = iso_ms(moment)


def sync_addresses(order, held):
    """Show the held addresses once any item has been processable; hide them before."""
    released = any("processableDate" in item for item in order.get("positionItems") or [])
    if released and held:
        order.update(held)
    elif not released:
        for key in ("deliveryAddress", "invoiceAddress"):
            order.pop(key, None)


def change_date(order):
    """The lifecycle change date used for filtering and sorting; tolerant of broken payloads."""
    for getter in (
        lambda: order["orderLifecycleInformation"]["lifecycleChangeDate"],
        lambda: order["lastModifiedDate"],
        lambda: order["orderDate"],
    ):
        try:
            return parse_iso(getter())
        except (KeyError, TypeError, ValueError):
            continue
    return None


def order_date(order):
    try:
        return parse_iso(order["orderDate"])
    except (KeyError, TypeError, ValueError):
        return None


def expected_total(order, shares=None):
    """What the buyer pays: the gross prices of the items not cancelled (all items when every
    one is cancelled), minus each item's share of the discount (``shares``: item id -> share,
    as ``_apply_discount`` made them), plus the fees of items not all cancelled. Computed from
    how the order was made, not from the fields a client reads."""
    shares = shares or {}
    items = order.get("positionItems") or []
    active = [item for item in items if item.get("fulfillmentStatus") not in CANCELLED_STATES]
    kept = active or items
    kept_ids = {item["positionItemId"] for item in kept}
    total = sum(
        (
            Decimal(str(item["itemValueGrossPrice"]["amount"]))
            - shares.get(item["positionItemId"], Decimal(0))
            for item in kept
        ),
        Decimal(0),
    )
    for fee in order.get("initialDeliveryFees") or []:
        if any(i in kept_ids for i in fee.get("positionItemIds") or kept_ids):
            total += Decimal(str(fee["deliveryFeeAmount"]["amount"]))
    return money(total)
