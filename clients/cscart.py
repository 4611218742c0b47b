"""CS-Cart REST API client (https://shop.example/api/2.0/).

HTTP Basic with the administrator's e-mail and API key. The order list only has summaries: each
order's details come from ``GET /orders/{id}``. Newer CS-Cart versions filter the list by
``updated_at_from``; an older one ignores it and has no ``updated_at``: then the client pages
newest-first until it passes the start date and hands the orders out oldest first.
"""

from decimal import Decimal

from requests.auth import HTTPBasicAuth

from .base import BaseClient
from .cscart_export import CsCartExportMixin
from .errors import AuthenticationError, BadPayloadError, MarketplaceError, OrderDataError
from .parsing import text, to_decimal, to_money, unix_to_utc, utc_to_unix
from .records import Address, Charge, Order, OrderFailure, OrderLine, OrderPage


class CsCartClient(CsCartExportMixin, BaseClient):
    backend = "cscart"
    api_root = "/api/2.0"
    page_size = 100

    def _auth(self):
        return HTTPBasicAuth(self.login, self.secret)

    def _list_page(self, page, **params):
        params.update(page=page, items_per_page=self.page_size)
        if len(self.shop_ids) == 1:
            params["company_id"] = self.shop_ids[0]
        answer = self._request("GET", "/orders", params=params)
        if not isinstance(answer, dict) or not isinstance(answer.get("orders", []), list):
            raise BadPayloadError("GET /api/2.0/orders: the answer has no list of orders")
        total = int((answer.get("params") or {}).get("total_items") or 0)
        return answer.get("orders") or [], total

    def test_connection(self):
        self._list_page(1)
        return "Connected to CS-Cart: the API key can read orders."

    def iter_order_pages(self, since):
        """Page by change date (see PrestaShopClient.iter_order_pages): each page asks for the
        orders changed since the last one read, orders already read are left out by id, and
        only a full page of orders of one same second is stepped over by page number."""
        cursor, page, seen = utc_to_unix(since), 1, set()
        while True:
            summaries, total = self._list_page(
                page, updated_at_from=cursor, sort_by="updated_at", sort_order="asc"
            )
            if summaries and "updated_at" not in summaries[0] and not seen:
                yield from self._legacy_pages(utc_to_unix(since))
                return
            fresh = [s for s in summaries if text(s.get("order_id")) not in seen]
            if fresh:
                yield self._details_page(fresh)
            seen.update(text(s.get("order_id")) for s in summaries)
            if len(summaries) < self.page_size or page * self.page_size >= total:
                return
            if fresh:
                cursor, page = max(int(text(s.get("updated_at")) or 0) for s in summaries), 1
            else:
                page += 1

    def _legacy_pages(self, since_unix):
        """An older CS-Cart cannot filter by change date: page newest-first by creation date."""
        collected = []
        page = 1
        while True:
            summaries, total = self._list_page(page, sort_by="date", sort_order="desc")
            recent = [s for s in summaries if int(text(s.get("timestamp")) or 0) >= since_unix]
            collected.extend(recent)
            if len(recent) < len(summaries) or not summaries or page * self.page_size >= total:
                break
            page += 1
        collected.reverse()
        for start in range(0, len(collected), self.page_size):
            yield self._details_page(collected[start : start + self.page_size])

    def _details_page(self, summaries):
        page = OrderPage()
        for summary in summaries:
            order_id = text(summary.get("order_id"))
            if self.shop_ids and text(summary.get("company_id")) not in self.shop_ids:
                continue
            try:
                raw = self._request("GET", f"/orders/{order_id}")
            except AuthenticationError:
                raise
            except MarketplaceError as exc:
                failure = _failure(summary, f"Could not read the order: {exc}")
                failure.retryable = exc.retryable
                page.failures.append(failure)
                continue
            one = self._make_page([raw], self._parse, identify_order)
            page.orders.extend(one.orders)
            page.failures.extend(one.failures)
        return page

    def get_order(self, reference):
        reference = reference.strip()
        raw = self._request("GET", f"/orders/{reference}")
        page = self._make_page([raw], self._parse, identify_order)
        if page.failures:
            raise OrderDataError(f"Order {reference}: {page.failures[0].message}")
        return page.orders[0]

    def _parse(self, raw):
        return parse_order(raw, self.currency)

    def list_statuses(self):
        answer = self._request("GET", "/statuses", params={"items_per_page": 100})
        statuses = answer.get("statuses") if isinstance(answer, dict) else None
        if not isinstance(statuses, list):
            raise BadPayloadError("GET /api/2.0/statuses: the answer has no list of statuses")
        return [
            (text(s.get("status")), text(s.get("description")) or text(s.get("status")))
            for s in statuses
            if text(s.get("type") or "O") == "O"
        ]

    def set_status(self, order_id, status):
        # never send 'products' here: CS-Cart would replace all the order's lines with it
        self._request("PUT", f"/orders/{order_id}", json={"status": status})


def _failure(summary, message):
    order_id, order_ref, changed_at, status = identify_order(summary)
    return OrderFailure(order_id, order_ref, message, summary, changed_at, status)


def identify_order(raw):
    if not isinstance(raw, dict):
        return "", "", None, ""
    try:
        changed_at = unix_to_utc(raw.get("updated_at") or raw.get("timestamp"))
    except (TypeError, ValueError):
        changed_at = None
    order_id = text(raw.get("order_id"))
    return order_id, order_id, changed_at, text(raw.get("status"))


def _address(raw, prefix):
    return Address(
        first_name=text(raw.get(f"{prefix}firstname")),
        last_name=text(raw.get(f"{prefix}lastname")),
        company=text(raw.get("company")),
        street=text(raw.get(f"{prefix}address")),
        street2=text(raw.get(f"{prefix}address_2")),
        zip=text(raw.get(f"{prefix}zipcode")),
        city=text(raw.get(f"{prefix}city")),
        country_code=text(raw.get(f"{prefix}country")).upper(),
        phone=text(raw.get(f"{prefix}phone")) or text(raw.get("phone")),
        email=text(raw.get("email")),
    )


def parse_order(raw, currency):
    """Turn one CS-Cart order detail into an ``Order``. Its amounts are in the store's primary
    currency (``secondary_currency`` is only what the buyer saw), which the API does not give
    with the order: ``currency`` is the account's shop currency."""
    products = raw["products"]
    if isinstance(products, dict):
        products = list(products.values())
    if not products:
        raise ValueError("the order has no products")
    lines = [
        OrderLine(
            sku=text(product.get("product_code")),
            name=text(product.get("product")) or text(product.get("product_code")),
            quantity=to_decimal(product["amount"], "amount"),
            unit_price=to_money(product["price"], "price"),
            item_ids=[text(product.get("item_id"))],
        )
        for product in products
    ]
    shipping = to_money(raw.get("shipping_cost") or 0, "shipping_cost")
    discount = to_money(raw.get("subtotal_discount") or 0, "subtotal_discount")
    payment = raw.get("payment_method")
    payment_name = text(payment.get("payment")) if isinstance(payment, dict) else text(payment)
    user_id = text(raw.get("user_id"))
    email = text(raw.get("email"))
    invoice = _address(raw, "b_")
    delivery = _address(raw, "s_")
    if not invoice.street and delivery.street:
        invoice = delivery
    if not delivery.street:
        delivery = invoice
    return Order(
        backend="cscart",
        order_id=text(raw["order_id"]),
        order_ref=text(raw["order_id"]),
        status=text(raw["status"]),
        order_date=unix_to_utc(raw["timestamp"]),
        changed_at=unix_to_utc(raw.get("updated_at") or raw["timestamp"]),
        currency=currency,
        total=to_money(raw["total"], "total"),
        lines=lines,
        shipping=[Charge("Shipping", shipping)] if shipping else [],
        discounts=[Charge("Discount", discount)] if discount > Decimal(0) else [],
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=user_id if user_id and user_id != "0" else email.lower(),
        payment_method=payment_name or text(raw.get("payment_id")),
        shop_id=text(raw.get("company_id")),
        raw=raw,
    )
