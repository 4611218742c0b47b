"""CS-Cart REST API client (https://shop.example/api/2.0/).

HTTP Basic with the administrator's e-mail and API key. The order list only has summaries
(``order_id``, ``status``, ``timestamp``, ``total``..., never ``updated_at``, and no sorting by
it); each order's details come from ``GET /orders/{id}``. So the client re-lists and compares:
the importer is shown each summary's status and asks for the details of new orders and of those
whose status changed. Newer CS-Cart versions narrow the list with ``updated_at_from`` (a probe
with a date in the future tells whether the filter is honoured); an older one ignores it, and
then the whole import period is re-listed, newest first, down to its start.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from requests.auth import HTTPBasicAuth

from .base import BaseClient
from .cscart_export import CsCartExportMixin
from .errors import AuthenticationError, BadPayloadError, MarketplaceError, OrderDataError
from .parsing import id_text, text, unix_to_utc, utc_to_unix
from .reader import read_order
from .records import Address, Charge, Order, OrderFailure, OrderLine, OrderPage, ShopStatus

# A date no order has changed at yet: a CS-Cart that filters by change date lists nothing then.
PROBE_FUTURE = timedelta(days=3650)


class CsCartClient(CsCartExportMixin, BaseClient):
    backend = "cscart"
    api_root = "/api/2.0"
    page_size = 100
    # sorted by order id (the list cannot be sorted by change date): the account's "imported
    # until" date moves once every page is read
    pages_in_change_order = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._filters_by_change = None

    def _auth(self):
        return HTTPBasicAuth(self.login, self.secret)

    def _list_page(self, page, **params):
        params.update(page=page, items_per_page=params.pop("items_per_page", self.page_size))
        if len(self.shop_ids) == 1:
            params["company_id"] = self.shop_ids[0]
        answer = self._request("GET", "/orders", params=params)
        if not isinstance(answer, dict) or not isinstance(answer.get("orders", []), list):
            raise BadPayloadError("GET /api/2.0/orders: the answer has no list of orders")
        params = answer.get("params")
        try:
            total = int((params if isinstance(params, dict) else {}).get("total_items") or 0)
        except (TypeError, ValueError) as exc:
            raise BadPayloadError(
                "GET /api/2.0/orders: params.total_items of the answer is not a number"
            ) from exc
        return answer.get("orders") or [], total

    def test_connection(self):
        self._list_page(1, items_per_page=1)
        return "Connected to CS-Cart: the API key can read orders."

    def filters_by_change(self):
        """Whether this CS-Cart honours ``updated_at_from`` (4.10 and later): asked once, with a
        date in the future, which such a store answers with an empty list."""
        with self._cache_lock:
            if self._filters_by_change is None:
                future = datetime.now(timezone.utc).replace(tzinfo=None) + PROBE_FUTURE
                __, total = self._list_page(
                    1, items_per_page=1, updated_at_from=utc_to_unix(future)
                )
                self._filters_by_change = total == 0
            return self._filters_by_change

    def iter_order_pages(self, since, select=None):
        """Re-list and compare. With the change-date filter: the orders changed since ``since``,
        by order id (a stable order: an order changing during the run cannot slide past the
        pages). Without it: every order placed since the start of the import period (or
        ``since`` when earlier), newest first. Each page's summaries go through ``select``; an
        order is read once per run and status (one changed again during the run is read again).

        One page ahead: while the importer writes a page, the details of the next one are read
        in the background, so that the shop's latency is spent while Odoo works. The next page
        is listed once the details of the page in hand are read (as one after the other), and
        ``select`` judges it before the page in hand is written: an order on both pages is read
        whatever it says."""
        with ThreadPoolExecutor(1, thread_name_prefix="smc-cscart-ahead") as ahead:
            in_hand, ids = None, ()  # the page read, not yet handed over, and its order ids
            for fresh in self._fresh_summaries(since):
                following = self._read_ahead(ahead, fresh, select, ids)
                if in_hand is not None:
                    yield in_hand  # written while the details of the next page are read
                in_hand, ids = following(), {text(s.get("order_id")) for s in fresh}
            if in_hand is not None:
                yield in_hand

    def _read_ahead(self, ahead, summaries, select, always):
        """Choose the summaries to read (``select``, here, in the caller's thread) and start
        reading their details in the background; returns a call that waits for the page."""
        if select is None:
            chosen, unread = summaries, []
        else:
            chosen, unread = self._choose(summaries, identify_order, select, always)
        future = ahead.submit(self._details_page, chosen) if chosen else None

        def page():
            read = future.result() if future is not None else OrderPage()
            read.unread = unread
            return read

        return page

    def _fresh_summaries(self, since):
        """The summaries of each page of the listing not seen yet in this run (order and
        status), page after page."""
        if self.filters_by_change():
            params = {
                "updated_at_from": utc_to_unix(since),
                "sort_by": "order_id",
                "sort_order": "asc",
            }
            oldest = None
        else:
            params = {"sort_by": "date", "sort_order": "desc"}
            period_start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(
                days=self.period_days
            )
            oldest = utc_to_unix(min(since, period_start))
        page, seen = 1, set()
        while True:
            summaries, total = self._list_page(page, **params)
            if page == 1:
                self.listing_started_at = self.last_response_date
            summaries = [s for s in summaries if isinstance(s, dict)]
            if self.shop_ids:
                summaries = [s for s in summaries if text(s.get("company_id")) in self.shop_ids]
            in_period = [
                s
                for s in summaries
                if oldest is None or _timestamp(s) is None or _timestamp(s) >= oldest
            ]
            keys = [(text(s.get("order_id")), text(s.get("status"))) for s in in_period]
            fresh = [s for s, key in zip(in_period, keys, strict=True) if key not in seen]
            seen.update(keys)
            if fresh:
                yield fresh
            if (
                len(in_period) < len(summaries)
                or len(summaries) < self.page_size
                or page * self.page_size >= total
            ):
                return
            page += 1

    def _details_page(self, summaries):
        """Each order's details, read ``concurrency`` at a time (one request per order), in the
        page's order; an order that cannot be read is a failure of that order alone."""
        page = OrderPage()
        for summary, (raw, exc) in zip(
            summaries, self.map_concurrently(self._read_details, summaries), strict=True
        ):
            if exc is not None:
                failure = _failure(summary, f"Could not read the order: {exc}")
                failure.retryable = exc.retryable
                page.failures.append(failure)
                continue
            one = self._make_page([raw], self._parse, identify_order)
            page.orders.extend(one.orders)
            page.failures.extend(one.failures)
        return page

    def _read_details(self, summary):
        """(raw details, None) or (None, the shop's error); refused credentials are raised."""
        try:
            return self._order_answer(text(summary.get("order_id"))), None
        except AuthenticationError:
            raise
        except MarketplaceError as exc:
            return None, exc

    def get_order(self, reference):
        reference = reference.strip()
        raw = self._order_answer(reference)
        page = self._make_page([raw], self._parse, identify_order)
        if page.failures:
            raise OrderDataError(f"Order {reference}: {page.failures[0].message}")
        return page.orders[0]

    def _order_answer(self, order_id):
        """``GET /orders/{id}``, the one request for one order (the import reads it as an
        ``Order``, the sender as it is)."""
        return self._request("GET", f"/orders/{order_id}")

    def _parse(self, raw):
        return parse_order(raw, self.currency)

    def list_statuses(self):
        """The order statuses (type O). CS-Cart answers ``{"statuses": [...], "params"}``; its
        documentation shows a bare list: both are read."""
        answer = self._request("GET", "/statuses", params={"items_per_page": 100})
        statuses = answer.get("statuses") if isinstance(answer, dict) else answer
        if not isinstance(statuses, list):
            raise BadPayloadError("GET /api/2.0/statuses: the answer has no list of statuses")
        # the statuses API does not say which statuses are paid (None: unknown); a status that
        # issues a credit memo (appearance_type C) refunds, and returns the goods when it also
        # puts the stock back (inventory I)
        result = []
        for status in statuses:
            if not isinstance(status, dict) or text(status.get("type") or "O") != "O":
                continue
            params = status.get("params") if isinstance(status.get("params"), dict) else {}
            credit_memo = text(params.get("appearance_type")) == "C"
            result.append(
                ShopStatus(
                    text(status.get("status")),
                    text(status.get("description")) or text(status.get("status")),
                    None,
                    refunded=credit_memo,
                    returned=credit_memo and text(params.get("inventory")) == "I",
                )
            )
        return result


def _failure(summary, message):
    order_id, order_ref, changed_at, status = identify_order(summary)
    return OrderFailure(order_id, order_ref, message, summary, changed_at, status)


def identify_order(raw):
    """(id, number, change date, status). A summary has no ``updated_at``: its change date is
    None (its creation date says nothing of a later change); a detail has one."""
    if not isinstance(raw, dict):
        return "", "", None, ""
    try:
        changed_at = unix_to_utc(raw["updated_at"]) if raw.get("updated_at") else None
    except (TypeError, ValueError, OverflowError, OSError):
        changed_at = None
    order_id = id_text(raw.get("order_id"))
    return order_id, order_id, changed_at, id_text(raw.get("status"))


def _timestamp(summary):
    try:
        return int(float(text(summary.get("timestamp"))))
    except (ValueError, OverflowError):
        return None


def _address(order, prefix):
    """CS-Cart's addresses are fields of the order: ``b_...`` billing, ``s_...`` shipping."""
    return Address(
        first_name=order.text(f"{prefix}firstname"),
        last_name=order.text(f"{prefix}lastname"),
        company=order.text("company"),
        street=order.text(f"{prefix}address"),
        street2=order.text(f"{prefix}address_2"),
        zip=order.text(f"{prefix}zipcode"),
        city=order.text(f"{prefix}city"),
        country_code=order.text(f"{prefix}country", size="id").upper(),
        phone=order.text(f"{prefix}phone") or order.text("phone"),
        email=order.text("email"),
    )


def parse_order(raw, currency):
    """Turn one CS-Cart order detail into an ``Order``; a field that cannot be read raises a
    ``MalformedOrderError`` naming it. Its amounts are in the store's primary currency
    (``secondary_currency`` is only what the buyer saw), which the API does not give with the
    order: ``currency`` is the account's shop currency."""
    order = read_order(raw)
    order_id = order.text("order_id", required=True, size="id")
    products = order.children("products", "product", allow_map=True)
    if not products:
        order.fail("products", "is empty (the order has no products)")
    lines = []
    for product in products:
        sku = product.text("product_code")
        name = product.text("product", size="long") or sku
        if not name:
            product.fail("product_code", "missing, and no product name either")
        lines.append(
            OrderLine(
                sku=sku,
                name=name,
                quantity=product.quantity("amount"),
                unit_price=product.money("price", item=True),
                item_ids=[product.text("item_id", size="id")],
            )
        )
    shipping = order.money("shipping_cost", required=False, default=Decimal(0))
    discount = order.money("subtotal_discount", required=False, default=Decimal(0))
    if isinstance(order.raw("payment_method"), dict | list):
        payment = order.child("payment_method", "payment method")
        payment_name = payment.text("payment") if payment else ""
    else:
        payment_name = order.text("payment_method")
    user_id = order.text("user_id", size="id")
    email = order.text("email")
    invoice = _address(order, "b_")
    delivery = _address(order, "s_")
    if not invoice.street and delivery.street:
        invoice = delivery
    if not delivery.street:
        delivery = invoice
    order_date = order.unix_date("timestamp")
    return Order(
        backend="cscart",
        order_id=order_id,
        order_ref=order_id,
        status=order.text("status", required=True, size="id"),
        order_date=order_date,
        changed_at=order.unix_date("updated_at", required=False) or order_date,
        currency=currency,
        total=order.money("total"),
        lines=lines,
        shipping=[Charge("Shipping", shipping)] if shipping else [],
        discounts=[Charge("Discount", discount)] if discount else [],
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=user_id if user_id and user_id != "0" else email.lower(),
        payment_method=payment_name or order.text("payment_id", size="id"),
        shop_id=order.text("company_id", size="id"),
        cleaned_fields=order.cleaned,
        raw=raw,
    )
