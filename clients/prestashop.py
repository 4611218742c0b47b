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
from .parsing import local_to_utc, text, to_decimal, to_money, utc_to_local_text
from .prestashop_export import PrestaShopExportMixin
from .prestashop_xml import record_xml, xml_answer
from .records import STATE_FLAGS, Address, Charge, Order, OrderLine, ShopStatus


class PrestaShopClient(PrestaShopExportMixin, BaseClient):
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
        except ValueError:
            changed_at = None
        return (
            text(raw.get("id")),
            text(raw.get("reference")),
            changed_at,
            text(raw.get("current_state")),
        )

    def _by_id(self, resource, ids):
        ids = sorted(i for i in ids if i and i != "0")
        if not ids:
            return {}
        records = self._list(
            resource, resource, display="full", **{"filter[id]": "[" + "|".join(ids) + "]"}
        )
        return {text(record.get("id")): record for record in records}

    def _load_countries(self, ids):
        missing = {i for i in ids if i and i != "0"} - set(self._countries)
        if missing:
            for country_id, record in self._by_id("countries", missing).items():
                self._countries[country_id] = text(record.get("iso_code")).upper()

    def _load_currencies(self):
        """The shop's currencies by id, read once; None when the key may not read them."""
        if self._currencies is None:
            try:
                records = self._list("currencies", "currencies", display="[id,iso_code]")
            except PermissionRefusedError:
                self._currencies = False
            else:
                self._currencies = {
                    text(r.get("id")): text(r.get("iso_code")).upper() for r in records
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


def parse_address(raw, country_codes, email=""):
    if not raw:
        return None
    return Address(
        first_name=text(raw.get("firstname")),
        last_name=text(raw.get("lastname")),
        company=text(raw.get("company")),
        street=text(raw.get("address1")),
        street2=text(raw.get("address2")),
        zip=text(raw.get("postcode")),
        city=text(raw.get("city")),
        country_code=country_codes.get(text(raw.get("id_country")), ""),
        phone=text(raw.get("phone_mobile")) or text(raw.get("phone")),
        email=email,
        vat=text(raw.get("vat_number")),
    )


def parse_order(raw, addresses, customers, country_codes, currencies, tz_name):
    """Turn one PrestaShop order (with the addresses and customers read for its page) into an
    ``Order``."""
    customer = customers.get(text(raw.get("id_customer"))) or {}
    email = text(customer.get("email"))
    invoice_raw = addresses.get(text(raw.get("id_address_invoice")))
    delivery_raw = addresses.get(text(raw.get("id_address_delivery")))
    if not invoice_raw and not delivery_raw:
        raise ValueError(f"address {text(raw.get('id_address_invoice'))} not found on the shop")
    invoice = parse_address(invoice_raw or delivery_raw, country_codes, email)
    delivery = parse_address(delivery_raw or invoice_raw, country_codes, email)
    rows = (raw.get("associations") or {}).get("order_rows") or []
    if not rows:
        raise ValueError("the order has no order rows")
    lines = [
        OrderLine(
            sku=text(row.get("product_reference")),
            ean=text(row.get("product_ean13")),
            name=text(row.get("product_name")) or text(row.get("product_reference")),
            quantity=to_decimal(row["product_quantity"], "product_quantity"),
            unit_price=to_money(row["unit_price_tax_incl"], "unit_price_tax_incl"),
            item_ids=[text(row.get("id"))],
        )
        for row in rows
    ]
    shipping_amount = to_money(raw.get("total_shipping_tax_incl") or 0, "total_shipping_tax_incl")
    discount_amount = to_money(raw.get("total_discounts_tax_incl") or 0, "total_discounts_tax_incl")
    carrier_rate = raw.get("carrier_tax_rate")
    currency_id = text(raw.get("id_currency"))
    if currencies is not None and currency_id not in currencies:
        raise ValueError(f"currency {currency_id} is unknown on the shop")
    return Order(
        backend="prestashop",
        order_id=text(raw["id"]),
        order_ref=text(raw.get("reference")) or text(raw["id"]),
        status=text(raw["current_state"]),
        order_date=local_to_utc(text(raw["date_add"]), tz_name),
        changed_at=local_to_utc(text(raw.get("date_upd") or raw["date_add"]), tz_name),
        currency=currencies[currency_id] if currencies is not None else None,
        total=to_money(raw["total_paid_tax_incl"], "total_paid_tax_incl"),
        lines=lines,
        shipping=[
            Charge("Shipping", shipping_amount, to_decimal(carrier_rate) if carrier_rate else None)
        ]
        if shipping_amount
        else [],
        discounts=[Charge("Discount", discount_amount)] if discount_amount > Decimal(0) else [],
        invoice_address=invoice,
        delivery_address=delivery,
        customer_key=text(raw.get("id_customer")) or email.lower(),
        payment_method=text(raw.get("payment")),
        shop_id=text(raw.get("id_shop")),
        # stamped when the order first reaches a state with the 'invoice' flag: on a fresh install
        # every paid state has it, so it is the moment the payment was accepted
        paid_at=_optional_local(raw.get("invoice_date"), tz_name),
        raw=raw,
    )


def _optional_local(value, tz_name):
    value = text(value)
    return local_to_utc(value, tz_name) if value and not value.startswith("0000") else None
