"""OTTO Market API client (https://api.otto.market, sandbox https://nonlive.api.otto.market).

OAuth2 client credentials; the token is cached until shortly before it expires and renewed once
on a 401. Orders come from ``GET /v4/orders`` with ``nextcursor`` paging at the maximum page size.
A position item is ONE unit: items of the same SKU and price become one line with a quantity.
"""

import time
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from .base import BaseClient
from .countries import to_alpha2
from .errors import BadPayloadError, OrderDataError
from .otto_export import OttoExportMixin
from .parsing import iso_to_utc, text, to_decimal, to_money, utc_to_iso
from .records import Address, Charge, Order, OrderLine, ShopStatus

ITEM_STATES = (
    "ANNOUNCED",
    "PROCESSABLE",
    "SENT",
    "RETURNED",
    "CANCELLED_BY_PARTNER",
    "CANCELLED_BY_MARKETPLACE",
)
CANCELLED_STATES = ("CANCELLED_BY_PARTNER", "CANCELLED_BY_MARKETPLACE")


class OttoClient(OttoExportMixin, BaseClient):
    backend = "otto"
    page_size = 128  # the API's maximum
    token_margin = 120  # renew the token this many seconds before OTTO says it expires

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._token = None
        self._token_expires = 0.0

    def _secrets(self):
        return [self.secret, self._token]

    def _headers(self):
        return {"Accept": "application/json", "Authorization": f"Bearer {self._access_token()}"}

    def _forget_credentials(self):
        self._token = None
        return True

    def _access_token(self):
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        answer = self._request(
            "POST",
            "/v1/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.login,
                "client_secret": self.secret,
            },
            authenticated=False,
            idempotent=True,
        )
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise BadPayloadError("POST /v1/token: the answer has no access token")
        self._token = answer["access_token"]
        lifetime = float(answer.get("expires_in") or 1800)
        self._token_expires = time.monotonic() + max(lifetime - self.token_margin, 0)
        return self._token

    def test_connection(self):
        self._request("GET", "/v4/orders", params={"limit": 1})
        return "Connected to OTTO Market: the API user can read orders."

    def iter_order_pages(self, since, select=None):
        """Pages of the orders changed since ``since``, oldest change first. OTTO's list holds
        whole orders: ``select`` (see BaseClient) only spares the parsing of those unneeded."""
        params = {
            "fromDate": utc_to_iso(since),
            "limit": self.page_size,
            "orderDirection": "ASC",
            "orderColumnType": "ORDER_LIFECYCLE_DATE",
        }
        while True:
            answer = self._request("GET", "/v4/orders", params=params)
            if not isinstance(answer, dict) or not isinstance(answer.get("resources", []), list):
                raise BadPayloadError("GET /v4/orders: the answer has no list of resources")
            raws = answer.get("resources") or []
            yield self._select_page(raws, identify_order, select, self._make_page_of)
            cursor = next_cursor(answer)
            if not cursor:
                return
            if cursor == params.get("nextcursor"):
                raise BadPayloadError("GET /v4/orders: the next page link points to the same page")
            params = {"nextcursor": cursor, "limit": self.page_size}

    def _make_page_of(self, raws):
        return self._make_page(raws, parse_order, identify_order)

    def get_order(self, reference):
        raw = self._request("GET", f"/v4/orders/{reference.strip()}")
        try:
            return parse_order(raw)
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise OrderDataError(f"Order {reference}: malformed answer ({exc})") from exc

    def list_statuses(self):
        return [
            ShopStatus(state, state.replace("_", " ").capitalize(), None) for state in ITEM_STATES
        ]


def next_cursor(answer):
    for link in answer.get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            values = parse_qs(urlparse(link["href"]).query).get("nextcursor")
            if values:
                return values[0]
    return None


def identify_order(raw):
    """(id, number, change date, status) of a raw order, whatever is broken in it: an order
    without position items, or with states the connector does not know, must fail alone."""
    if not isinstance(raw, dict):
        return "", "", None, ""
    try:
        changed_at = order_changed_at(raw)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        changed_at = None
    try:
        status = bucket_status(raw.get("positionItems") or [])
    except (TypeError, ValueError, AttributeError):
        status = ""
    order_id = text(raw.get("salesOrderId"))
    return order_id, text(raw.get("orderNumber")) or order_id, changed_at, status


def order_changed_at(raw):
    lifecycle = (raw.get("orderLifecycleInformation") or {}).get("lifecycleChangeDate")
    return iso_to_utc(lifecycle or raw.get("lastModifiedDate") or raw["orderDate"])


def bucket_status(items):
    """The order's status as OTTO's BUCKET mode sees it."""
    states = {item.get("fulfillmentStatus") for item in items if isinstance(item, dict)}
    for state in ("ANNOUNCED", "PROCESSABLE", "SENT", "RETURNED"):
        if state in states:
            return state
    if "CANCELLED_BY_PARTNER" in states:
        return "CANCELLED_BY_PARTNER"
    if "CANCELLED_BY_MARKETPLACE" in states:
        return "CANCELLED_BY_MARKETPLACE"
    raise ValueError("the order has no position item with a known fulfillment status")


def parse_address(raw):
    if not raw:
        return None
    street = " ".join(
        part for part in (text(raw.get("street")), text(raw.get("houseNumber"))) if part
    )
    # OTTO has no company field: a company buyer comes with the salutation COMPANY and its name
    # in the address addition
    is_company = raw.get("salutation") == "COMPANY"
    return Address(
        first_name=text(raw.get("firstName")),
        last_name=text(raw.get("lastName")),
        company=text(raw.get("addition")) if is_company else "",
        street=street,
        street2="" if is_company else text(raw.get("addition")),
        zip=text(raw.get("zipCode")),
        city=text(raw.get("city")),
        country_code=to_alpha2(raw.get("countryCode")),
        phone=text(raw.get("phoneNumber")),
        email=text(raw.get("email")),
    )


def _money(value, what):
    if not isinstance(value, dict):
        raise ValueError(f"{what} is missing")
    return to_money(value.get("amount"), what)


def _rate(value):
    return None if value in (None, "") else to_decimal(value, "vatRate")


def item_price(item):
    """What the buyer paid for one position item: ``itemValueReducedGrossPrice`` where OTTO gives
    one (a reduction, e.g. a partner discount, already taken off), else ``itemValueGrossPrice``.
    Returns (price paid, reduction included in it)."""
    gross = _money(item["itemValueGrossPrice"], "itemValueGrossPrice")
    reduced = item.get("itemValueReducedGrossPrice")
    if not isinstance(reduced, dict) or reduced.get("amount") in (None, ""):
        return gross, Decimal(0)
    paid = _money(reduced, "itemValueReducedGrossPrice")
    if paid > gross or paid < 0:
        raise ValueError(
            f"itemValueReducedGrossPrice {paid} is not between 0 and itemValueGrossPrice {gross}"
        )
    return paid, gross - paid


def remaining_discounts(raw_discounts, reductions, active_ids):
    """The initial discounts as order lines, each counted once: the part of a discount already
    taken off its items' reduced prices (``reductions``: item id -> reduction left to match) is
    not taken off again. A discount on cancelled items only is gone with them."""
    charges = []
    for discount in raw_discounts:
        amount = abs(_money(discount.get("discountAmount"), "discountAmount"))
        item_ids = [text(i) for i in discount.get("positionItemIds") or []]
        if item_ids and not any(i in active_ids for i in item_ids):
            continue
        covered = Decimal(0)
        for item_id in item_ids or list(reductions):
            if item_id not in reductions or covered >= amount:
                continue
            take = min(reductions[item_id], amount - covered)
            reductions[item_id] -= take
            covered += take
        if amount > covered:
            charges.append(
                Charge(
                    name=text(discount.get("discountName"))
                    or text(discount.get("name"))
                    or "Discount",
                    amount=amount - covered,
                    vat_rate=_rate(discount.get("vatRate")),
                    item_ids=item_ids,
                )
            )
    return charges


def parse_order(raw):
    """Turn one OTTO order into an ``Order``.

    One rule for prices: a position item costs what the buyer paid for it (``item_price``); an
    initial discount becomes a discount line only for what the items' reduced prices do not
    already include. Cancelled items are left out of the lines, with the fees and discounts that
    concern only them (all items when every one is cancelled: the order is then cancelled).
    """
    items = raw["positionItems"]
    if not isinstance(items, list) or not items:
        raise ValueError("the order has no position items")
    if any(not isinstance(item, dict) for item in items):
        raise ValueError("a position item is not an object")
    unknown = sorted({text(item.get("fulfillmentStatus")) for item in items} - set(ITEM_STATES))
    if unknown:
        raise ValueError(f"unknown fulfillment status {', '.join(unknown)} of a position item")
    status = bucket_status(items)
    cancelled = {
        text(item["positionItemId"])
        for item in items
        if item.get("fulfillmentStatus") in CANCELLED_STATES
    }
    active = [item for item in items if text(item["positionItemId"]) not in cancelled]
    currencies = set()
    lines = OrderedDict()
    reductions = {}
    for item in active or items:
        product = item["product"]
        item_id = text(item["positionItemId"])
        currencies.add(text(item["itemValueGrossPrice"].get("currency")) or "EUR")
        unit_price, reductions[item_id] = item_price(item)
        sku = text(product.get("sku"))
        if not sku:
            raise ValueError("a position item has no SKU")
        key = (sku, unit_price)
        line = lines.get(key)
        if line is None:
            line = lines[key] = OrderLine(
                sku=sku,
                ean=text(product.get("ean")),
                name=text(product.get("productTitle")) or sku,
                quantity=Decimal(0),
                unit_price=unit_price,
                vat_rate=_rate(product.get("vatRate")),
            )
        line.quantity += 1
        line.item_ids.append(item_id)
        line.recycling = line.recycling or bool(item.get("weeePickup"))
    if len(currencies) > 1:
        raise ValueError(f"the items are in several currencies: {', '.join(sorted(currencies))}")
    kept = {text(item["positionItemId"]) for item in active or items}
    shipping = []
    for fee in raw.get("initialDeliveryFees") or []:
        item_ids = [text(i) for i in fee.get("positionItemIds") or []]
        if item_ids and not any(i in kept for i in item_ids):
            continue  # the fee of items all cancelled is not charged
        shipping.append(
            Charge(
                name=text(fee.get("name")) or "Shipping",
                amount=_money(fee.get("deliveryFeeAmount"), "deliveryFeeAmount"),
                vat_rate=_rate(fee.get("vatRate")),
                item_ids=item_ids,
            )
        )
    discounts = remaining_discounts(raw.get("initialDiscounts") or [], reductions, kept)
    invoice = parse_address(raw.get("invoiceAddress"))
    delivery = parse_address(raw.get("deliveryAddress")) or invoice
    order = Order(
        backend="otto",
        order_id=text(raw["salesOrderId"]),
        order_ref=text(raw.get("orderNumber")) or text(raw["salesOrderId"]),
        status=status,
        order_date=iso_to_utc(raw["orderDate"]),
        changed_at=order_changed_at(raw),
        currency=currencies.pop(),
        total=Decimal(0),
        lines=list(lines.values()),
        shipping=shipping,
        discounts=discounts,
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=invoice.email.lower() if invoice and invoice.email else "",
        payment_method=text((raw.get("payment") or {}).get("paymentMethod")),
        recycling=any(line.recycling for line in lines.values()),
        cancelled_item_ids=cancelled if active else set(),
        returned_item_ids={
            text(item["positionItemId"])
            for item in items
            if item.get("fulfillmentStatus") == "RETURNED"
        },
        # OTTO accepted the payment when the first item became processable
        paid_at=min(
            (iso_to_utc(item["processableDate"]) for item in items if item.get("processableDate")),
            default=None,
        ),
        raw=raw,
    )
    order.total = order.computed_total
    return order
