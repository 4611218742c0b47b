"""PrestaShop Webservice client (https://shop.example/api/).

The webservice key is the Basic user name with an empty password; answers are asked for in JSON.
Dates are in the shop's time zone without an offset. Addresses, customers and countries of a page
of orders are read with one filtered request each, not one per order. An empty list answers ``[]``.
"""

from datetime import timedelta
from decimal import Decimal

from requests.auth import HTTPBasicAuth

from .base import BaseClient
from .errors import (
    AuthenticationError,
    BadPayloadError,
    OrderDataError,
    PermissionRefusedError,
    RequestError,
)
from .parsing import id_text, local_to_utc, text, utc_to_local_text
from .prestashop_export import PrestaShopExportMixin
from .prestashop_slips import PrestaShopSlipsMixin
from .prestashop_xml import record_xml, xml_answer
from .reader import Reader, read_order, shown
from .records import STATE_FLAGS, Address, Charge, Order, OrderLine, ShopStatus


class PrestaShopClient(PrestaShopSlipsMixin, PrestaShopExportMixin, BaseClient):
    backend = "prestashop"
    api_root = "/api"
    page_size = 100

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._countries = {}
        self._currencies = None

    def _auth(self):
        return HTTPBasicAuth(self.secret, "")

    def _refusal(self, response, label):
        """PrestaShop answers 401 code 26 for a resource the key is not granted, 405 code 25 for
        a method: the key is right, a permission is missing."""
        codes = {error.get("code") for error in _errors(response)}
        if response.status_code == 401 and 26 in codes:
            resource = label.split(" ", 1)[-1].removeprefix("/api/").split("/")[0]
            return PermissionRefusedError(
                f"{label}: the webservice key may not read {resource} (PrestaShop error 26). "
                f"Give it GET on {resource} (Advanced Parameters > Webservice).",
                status=401,
            )
        return super()._refusal(response, label)

    def _decode_prefix(self, text):
        """A JSON answer, or an XML one (a shop that ignores output_format), followed by a
        module's output."""
        try:
            return super()._decode_prefix(text)
        except ValueError:
            return xml_answer(text.lstrip())

    def _get(self, resource, **params):
        params["output_format"] = "JSON"
        return self._request("GET", f"/{resource}", params=params)

    def _list(self, resource, key, **params):
        answer = self._get(resource, **params)
        if answer in (None, [], {}):
            return []  # PrestaShop answers an empty list with a bare []
        if not isinstance(answer, dict) or not isinstance(answer.get(key), list):
            raise BadPayloadError(f"GET /api/{resource}: the answer has no list '{key}'")
        return answer[key]

    # What the connector reads (GET) and writes; Test Connection checks the reads one by one.
    READ_RESOURCES = (
        "orders",
        "order_states",
        "addresses",
        "customers",
        "countries",
        "currencies",
    )

    def test_connection(self):
        """Read one record of every resource the import reads: a key without the permission
        gets PrestaShop's 401 code 26 on that resource, named in the error."""
        refused = []
        for resource in self.READ_RESOURCES:
            try:
                self._list(resource, resource, display="[id]", limit="1")
            except PermissionRefusedError:
                refused.append(resource)
        if refused:
            raise AuthenticationError(
                "The webservice key may not read: "
                + ", ".join(refused)
                + ". Give it GET on these resources (Advanced Parameters > Webservice)."
            )
        return (
            "Connected to PrestaShop: the webservice key can read "
            + ", ".join(self.READ_RESOURCES)
            + "."
        )

    # --- orders ----------------------------------------------------------------------------------
    def iter_order_pages(self, since, select=None):
        """Page by change date, not by offset alone: an order changed while the pages are read
        moves to the end of the list, and offset paging would then skip the order that slid into
        the page already read. Each page asks for the orders changed since the last one read
        (PrestaShop dates have whole seconds and '>' is strict: one second earlier). An order
        is left out only when it was read with the same change date: one changed again during
        the run comes back with its new date and is read again, so the change is not lost. Only a
        full page of orders of one same second is stepped over by offset."""
        cursor, offset, seen = since, 0, set()
        while True:
            raws = self._list(
                "orders", "orders", limit=f"{offset},{self.page_size}", **self._filters(cursor)
            )
            identities = [self._identify(raw) for raw in raws]
            keys = [(ident[0], ident[2]) for ident in identities]
            fresh = [raw for raw, key in zip(raws, keys, strict=True) if key not in seen]
            if fresh:
                yield self._select_page(fresh, self._identify, select, self._page)
            seen.update(keys)
            if len(raws) < self.page_size:
                return
            changes = [ident[2] for ident in identities]
            if fresh and all(changes):
                cursor, offset = max(changes) - timedelta(seconds=1), 0
            else:
                offset += self.page_size

    def _filters(self, since):
        filters = {
            "display": "full",
            "date": "1",
            "filter[date_upd]": f">[{utc_to_local_text(since, self.shop_timezone)}]",
            "sort": "[date_upd_ASC]",
        }
        if self.shop_ids:
            filters["filter[id_shop]"] = "[" + "|".join(self.shop_ids) + "]"
        return filters

    def get_order(self, reference):
        reference = reference.strip()
        if reference.isdigit():
            answer = self._get(f"orders/{reference}", display="full")
            raws = [answer["order"]] if isinstance(answer, dict) and "order" in answer else []
        else:
            raws = self._list(
                "orders", "orders", display="full", **{"filter[reference]": f"[{reference}]"}
            )
        if not raws:
            raise RequestError(f"Order {reference} was not found on the shop.", status=404)
        page = self._page(raws[:1])
        if page.failures:
            raise OrderDataError(f"Order {reference}: {page.failures[0].message}")
        return page.orders[0]

    def _page(self, raws):
        address_ids = {
            text(raw.get(key))
            for raw in raws
            if isinstance(raw, dict)
            for key in ("id_address_delivery", "id_address_invoice")
        }
        customer_ids = {text(raw.get("id_customer")) for raw in raws if isinstance(raw, dict)}
        addresses = self._by_id("addresses", address_ids)
        customers = self._by_id("customers", customer_ids)
        self._load_countries({text(a.get("id_country")) for a in addresses.values()})
        currencies = self._load_currencies()

        def parse(raw):
            order = parse_order(
                raw, addresses, customers, self._countries, currencies, self.shop_timezone
            )
            if order.currency is None:
                # the key may not read currencies: the account says the shop's currency
                order.currency = self.currency
                order.warnings.append(
                    f"The webservice key may not read currencies: amounts taken as "
                    f"{self.currency}, the account's shop currency. Give the key GET on "
                    "currencies (Advanced Parameters > Webservice)."
                )
            return order

        return self._make_page(raws, parse, self._identify)

    def _identify(self, raw):
        if not isinstance(raw, dict):
            return "", "", None, ""
        try:
            changed_at = local_to_utc(text(raw.get("date_upd")), self.shop_timezone)
        except (ValueError, OverflowError):
            changed_at = None
        return (
            id_text(raw.get("id")),
            id_text(raw.get("reference")),
            changed_at,
            id_text(raw.get("current_state")),
        )

    def _by_id(self, resource, ids):
        ids = sorted(i for i in ids if i and i != "0")
        if not ids:
            return {}
        records = self._list(
            resource, resource, display="full", **{"filter[id]": "[" + "|".join(ids) + "]"}
        )
        # a record that is not an object is left out: the order that needs it fails with why
        return {text(r.get("id")): r for r in records if isinstance(r, dict)}

    def _load_countries(self, ids):
        with self._cache_lock:
            missing = {i for i in ids if i and i != "0"} - set(self._countries)
            if missing:
                for country_id, record in self._by_id("countries", missing).items():
                    self._countries[country_id] = text(record.get("iso_code")).upper()

    def _load_currencies(self):
        """The shop's currencies by id, read once; None when the key may not read them."""
        with self._cache_lock:
            if self._currencies is None:
                try:
                    records = self._list("currencies", "currencies", display="[id,iso_code]")
                except PermissionRefusedError:
                    self._currencies = False
                else:
                    self._currencies = {
                        text(r.get("id")): text(r.get("iso_code")).upper()
                        for r in records
                        if isinstance(r, dict)
                    }
            return self._currencies or None

    # --- statuses --------------------------------------------------------------------------------
    def list_statuses(self):
        """The order states with their flags (paid, shipped, delivery, invoice, logable): what
        PrestaShop does when an order reaches the state (``OrderHistory::changeIdOrderState``:
        an invoice and a payment for 'paid', stock movements for 'shipped')."""
        states = self._list("order_states", "order_states", display="full")
        return [
            ShopStatus(
                text(state.get("id")),
                multilingual(state.get("name")),
                text(state.get("paid")) == "1",
                {flag: text(state.get(flag)) == "1" for flag in STATE_FLAGS},
            )
            for state in states
            if isinstance(state, dict)
        ]

    def _write(self, method, path, node, fields, idempotent=None, **params):
        """POST or PUT one record as XML (the only body the webservice reads); the answer is
        asked for in JSON like every read. ``idempotent=False``: a PUT that does more than
        store the record (an e-mail), never sent again blind."""
        params["output_format"] = "JSON"
        return self._request(
            method,
            path,
            params=params,
            data=record_xml(node, fields),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            idempotent=idempotent,
        )


def _errors(response):
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def multilingual(value):
    """PrestaShop gives translatable fields as [{'id': lang, 'value': text}] or as plain text."""
    if isinstance(value, list):
        for translation in value:
            if isinstance(translation, dict) and translation.get("value"):
                return text(translation["value"])
        return ""
    return text(value)


def parse_address(raw, label, country_codes, email, cleaned):
    if raw is None:
        return None
    address = Reader(raw, label, "an address", cleaned)
    return Address(
        first_name=address.text("firstname"),
        last_name=address.text("lastname"),
        company=address.text("company"),
        street=address.text("address1"),
        street2=address.text("address2"),
        zip=address.text("postcode"),
        city=address.text("city"),
        country_code=country_codes.get(address.text("id_country", size="id"), ""),
        phone=address.text("phone_mobile") or address.text("phone"),
        email=email,
        vat=address.text("vat_number"),
    )


def parse_order(raw, addresses, customers, country_codes, currencies, tz_name):
    """Turn one PrestaShop order (with the addresses and customers read for its page) into an
    ``Order``; a field that cannot be read raises a ``MalformedOrderError`` naming it."""
    order = read_order(raw)
    order_id = order.text("id", required=True, size="id")
    customer_id = order.text("id_customer", size="id")
    customer = customers.get(customer_id)
    email = ""
    if customer is not None:
        email = Reader(customer, "customer", "a customer", order.cleaned).text("email")
    invoice_id = order.text("id_address_invoice", size="id")
    delivery_id = order.text("id_address_delivery", size="id")
    invoice_raw, delivery_raw = addresses.get(invoice_id), addresses.get(delivery_id)
    if invoice_raw is None and delivery_raw is None:
        order.fail("id_address_invoice", f"{shown(invoice_id)} is not an address on the shop")
    invoice = parse_address(
        invoice_raw if invoice_raw is not None else delivery_raw,
        "invoice address",
        country_codes,
        email,
        order.cleaned,
    )
    delivery = parse_address(
        delivery_raw if delivery_raw is not None else invoice_raw,
        "delivery address",
        country_codes,
        email,
        order.cleaned,
    )
    associations = order.child("associations", label="")
    rows = associations.children("order_rows", "order row", required=False) if associations else []
    if not rows:
        order.fail("order_rows", "missing (the order has no products)")
    lines = []
    for row in rows:
        sku, ean = row.text("product_reference"), row.text("product_ean13", size="id")
        name = row.text("product_name", size="long") or sku or ean
        if not name:
            row.fail("product_reference", "missing, and no product_name or product_ean13 either")
        lines.append(
            OrderLine(
                sku=sku,
                ean=ean,
                name=name,
                quantity=row.quantity("product_quantity"),
                unit_price=row.money("unit_price_tax_incl", item=True),
                item_ids=[row.text("id", size="id")],
            )
        )
    shipping_amount = order.money("total_shipping_tax_incl", required=False, default=Decimal(0))
    discount_amount = order.money("total_discounts_tax_incl", required=False, default=Decimal(0))
    currency_id = order.text("id_currency", size="id")
    if currencies is not None and currency_id not in currencies:
        order.fail("id_currency", f"{shown(currency_id)} is not a currency of the shop")
    order_date = order.local_date("date_add", tz_name)
    return Order(
        backend="prestashop",
        order_id=order_id,
        order_ref=order.text("reference", size="id") or order_id,
        status=order.text("current_state", required=True, size="id"),
        order_date=order_date,
        changed_at=order.local_date("date_upd", tz_name, required=False) or order_date,
        currency=currencies[currency_id] if currencies is not None else None,
        total=order.money("total_paid_tax_incl"),
        lines=lines,
        shipping=[Charge("Shipping", shipping_amount, order.rate("carrier_tax_rate"))]
        if shipping_amount
        else [],
        discounts=[Charge("Discount", discount_amount)] if discount_amount else [],
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=customer_id or email.lower(),
        payment_method=order.text("payment"),
        shop_id=order.text("id_shop", size="id"),
        # stamped when the order first reaches a state with the 'invoice' flag: on a fresh install
        # every paid state has it, so it is the moment the payment was accepted
        paid_at=order.local_date("invoice_date", tz_name, required=False),
        cleaned_fields=order.cleaned,
        raw=raw,
    )
