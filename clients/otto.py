"""OTTO Market API client (https://api.otto.market, sandbox https://nonlive.api.otto.market).

OAuth2 client credentials; the token is cached until shortly before it expires and renewed once
on a 401, by one thread for all (the others wait for it and use the new one). Orders come from
``GET /v4/orders`` with ``nextcursor`` paging at the maximum page size. A position item is ONE
unit: items of the same SKU and price become one line with a quantity.
"""

import time
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import parse_qs, quote, urlparse

from .base import BaseClient
from .countries import to_alpha2
from .errors import BadPayloadError, OrderDataError
from .otto_export import OttoExportMixin
from .otto_returns import OttoReturnsMixin
from .parsing import id_text, utc_to_iso
from .reader import read_order, shown
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


class OttoClient(OttoReturnsMixin, OttoExportMixin, BaseClient):
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

    def _forget_credentials(self, sent_headers):
        with self._cache_lock:
            # a thread that renewed it meanwhile keeps its new token: one renewal for all
            if sent_headers.get("Authorization") == f"Bearer {self._token}":
                self._token = None
        return True

    def _access_token(self):
        with self._cache_lock:  # one thread renews, the others wait and use its token
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            return self._renew_token()

    def _renew_token(self):
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
        raw = self._order_answer(reference.strip())
        page = self._make_page([raw], parse_order, identify_order)
        if page.failures:
            raise OrderDataError(f"Order {reference}: {page.failures[0].message}")
        return page.orders[0]

    def _order_answer(self, sales_order_id):
        """``GET /v4/orders/{id}``, the one request for one order (the import reads it as an
        ``Order``, the sender as it is)."""
        return self._request("GET", f"/v4/orders/{quote(sales_order_id, safe='')}")

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
    order_id = id_text(raw.get("salesOrderId"))
    return order_id, id_text(raw.get("orderNumber")) or order_id, changed_at, status


def order_changed_at(raw):
    return _changed_at(read_order(raw))


def _changed_at(order):
    """The order's last change: its lifecycle change date, else its last modification, else the
    order date."""
    lifecycle = order.child("orderLifecycleInformation")
    if lifecycle is not None and lifecycle.has("lifecycleChangeDate"):
        return lifecycle.iso_date("lifecycleChangeDate")
    if order.has("lastModifiedDate"):
        return order.iso_date("lastModifiedDate")
    return order.iso_date("orderDate")


def bucket_status(items):
    """The order's status as OTTO's BUCKET mode sees it."""
    return _bucket({item.get("fulfillmentStatus") for item in items if isinstance(item, dict)})


def _bucket(states):
    for state in ("ANNOUNCED", "PROCESSABLE", "SENT", "RETURNED"):
        if state in states:
            return state
    if "CANCELLED_BY_PARTNER" in states:
        return "CANCELLED_BY_PARTNER"
    if "CANCELLED_BY_MARKETPLACE" in states:
        return "CANCELLED_BY_MARKETPLACE"
    raise ValueError("the order has no position item with a known fulfillment status")


def parse_address(order, key, label):
    address = order.child(key, label, what="an address")
    if address is None:
        return None
    street = " ".join(
        part for part in (address.text("street"), address.text("houseNumber")) if part
    )
    # OTTO has no company field: a company buyer comes with the salutation COMPANY and its name
    # in the address addition
    is_company = address.text("salutation") == "COMPANY"
    addition = address.text("addition")
    return Address(
        first_name=address.text("firstName"),
        last_name=address.text("lastName"),
        company=addition if is_company else "",
        street=street,
        street2="" if is_company else addition,
        zip=address.text("zipCode"),
        city=address.text("city"),
        country_code=to_alpha2(address.text("countryCode")),
        phone=address.text("phoneNumber"),
        email=address.text("email"),
    )


def item_price(item):
    """What the buyer paid for one position item: ``itemValueReducedGrossPrice`` where OTTO gives
    one (a reduction, e.g. a partner discount, already taken off), else ``itemValueGrossPrice``.
    Returns (price paid, reduction included in it, currency)."""
    gross, currency = item.money_object("itemValueGrossPrice", item=True)
    reduced = item.child("itemValueReducedGrossPrice", what="an amount with its currency")
    if reduced is None or not reduced.has("amount"):
        return gross, Decimal(0), currency
    paid, __ = item.money_object("itemValueReducedGrossPrice", item=True)
    if paid > gross:
        item.fail(
            "itemValueReducedGrossPrice",
            f"{paid} is not between 0 and itemValueGrossPrice {gross}",
        )
    return paid, gross - paid, currency


def remaining_discounts(discounts, reductions, active_ids):
    """The initial discounts as order lines, each counted once: the part of a discount already
    taken off its items' reduced prices (``reductions``: item id -> reduction left to match) is
    not taken off again. A discount on cancelled items only is gone with them. OTTO does not say
    the sign of ``discountAmount``: a discount is taken off whichever sign it comes with."""
    charges = []
    for discount in discounts:
        amount, __ = discount.money_object("discountAmount", negative=True)
        amount = abs(amount)
        item_ids = discount.ids("positionItemIds")
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
                    name=discount.text("discountName") or discount.text("name") or "Discount",
                    amount=amount - covered,
                    vat_rate=discount.rate("vatRate"),
                    item_ids=item_ids,
                )
            )
    return charges


def parse_order(raw):
    """Turn one OTTO order into an ``Order``; a field that cannot be read raises a
    ``MalformedOrderError`` naming it.

    One rule for prices: a position item costs what the buyer paid for it (``item_price``); an
    initial discount becomes a discount line only for what the items' reduced prices do not
    already include. Cancelled items are left out of the lines, with the fees and discounts that
    concern only them (all items when every one is cancelled: the order is then cancelled).
    """
    order = read_order(raw)
    order_id = order.text("salesOrderId", required=True, size="id")
    items = order.children("positionItems", "position item")
    if not items:
        order.fail("positionItems", "is empty (the order has no position items)")
    states = {}
    for item in items:
        state = item.text("fulfillmentStatus", required=True, size="id")
        if state not in ITEM_STATES:
            item.fail("fulfillmentStatus", f"{shown(state)} is not a status OTTO has")
        states[item.text("positionItemId", required=True, size="id")] = state
    if len(states) < len(items):
        order.fail("positionItems", "has the same positionItemId twice")
    cancelled = {item_id for item_id, state in states.items() if state in CANCELLED_STATES}
    active = [item for item in items if item.text("positionItemId") not in cancelled]
    currencies = set()
    lines = OrderedDict()
    reductions = {}
    for item in active or items:
        product = item.child("product", required=True)
        item_id = item.text("positionItemId")
        unit_price, reductions[item_id], currency = item_price(item)
        currencies.add(currency or "EUR")
        sku = product.text("sku", required=True)
        key = (sku, unit_price)
        line = lines.get(key)
        if line is None:
            line = lines[key] = OrderLine(
                sku=sku,
                ean=product.text("ean", size="id"),
                name=product.text("productTitle", size="long") or sku,
                quantity=Decimal(0),
                unit_price=unit_price,
                vat_rate=product.rate("vatRate"),
            )
        line.quantity += 1
        line.item_ids.append(item_id)
        line.recycling = line.recycling or item.flag("weeePickup")
    if len(currencies) > 1:
        order.fail("positionItems", f"are in several currencies: {', '.join(sorted(currencies))}")
    kept = {item.text("positionItemId") for item in active or items}
    shipping = []
    for fee in order.children("initialDeliveryFees", "delivery fee", required=False):
        item_ids = fee.ids("positionItemIds")
        if item_ids and not any(i in kept for i in item_ids):
            continue  # the fee of items all cancelled is not charged
        amount, __ = fee.money_object("deliveryFeeAmount")
        shipping.append(
            Charge(
                name=fee.text("name") or "Shipping",
                amount=amount,
                vat_rate=fee.rate("vatRate"),
                item_ids=item_ids,
            )
        )
    discounts = remaining_discounts(
        order.children("initialDiscounts", "initial discount", required=False), reductions, kept
    )
    invoice = parse_address(order, "invoiceAddress", "invoice address")
    delivery = parse_address(order, "deliveryAddress", "delivery address") or invoice
    payment = order.child("payment", what="an object")
    processable = [
        item.iso_date("processableDate") for item in items if item.has("processableDate")
    ]
    result = Order(
        backend="otto",
        order_id=order_id,
        order_ref=order.text("orderNumber", size="id") or order_id,
        status=_bucket(set(states.values())),
        order_date=order.iso_date("orderDate"),
        changed_at=_changed_at(order),
        currency=currencies.pop(),
        total=Decimal(0),
        lines=list(lines.values()),
        shipping=shipping,
        discounts=discounts,
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=invoice.email.lower() if invoice and invoice.email else "",
        payment_method=payment.text("paymentMethod") if payment else "",
        recycling=any(line.recycling for line in lines.values()),
        cancelled_item_ids=cancelled if active else set(),
        returned_item_ids={item_id for item_id, state in states.items() if state == "RETURNED"},
        # OTTO accepted the payment when the first item became processable
        paid_at=min(processable, default=None),
        cleaned_fields=order.cleaned,
        raw=raw,
    )
    result.total = result.computed_total
    if result.total < 0:
        taken = sum((discount.amount for discount in discounts), Decimal(0))
        order.fail(
            "initialDiscounts",
            f"{taken} are more than the items and delivery fees ({result.total + taken})",
        )
    return result
