"""PrestaShop Webservice simulator (``/api/`` under the shop's base URL).

- Auth: HTTP Basic with the webservice key as user name (any password), or ``ws_key=``; else
  401 with ``WWW-Authenticate: Basic realm="Webservice"``.
- ``GET /api/{orders,addresses,customers,countries,order_states,order_carriers,order_histories,
  currencies,carriers}`` with ``display`` (none = ids only, ``full``, ``[f1,f2]``), ``filter[f]``,
  ``date=1`` (needed to filter or sort on date_add / date_upd, else 400 as PrestaShop does),
  ``sort``, ``limit``, ``id_shop`` (multistore: that shop's orders only); see
  ``prestashop_query.py``. JSON when ``output_format=JSON`` (or header ``Output-Format: JSON``),
  XML otherwise. An empty JSON list answers a bare ``[]``, as PrestaShop does.
- ``GET /api/{resource}/{id}`` -> ``{"order": {...}}`` (404 with an empty body if unknown).
- ``POST /api/order_histories`` with ``<prestashop><order_history><id_order>..<id_order_state>..``
  -> 201; sets the order's state, bumps ``date_upd``; ``status_changes`` gets (order id, state
  id) as strings. Bodies are XML only, as the webservice reads them: a JSON body gets HTTP 500,
  code 127 "XML error : String could not be parsed as XML". The state's flags act as
  ``OrderHistory::changeIdOrderState`` makes them (``_change_state``): ``invoice`` makes an
  invoice (``order_invoices``), ``paid`` an order payment (``order_payments``), a change of
  ``shipped`` moves the stock (``stock_movements``: out when shipped, back when no longer);
  ``sendemail=1`` e-mails the buyer the state's template (``emails``).
- ``PUT /api/order_carriers/{id}`` with the whole record: like PrestaShop, fields left out are
  emptied and ``id``, ``id_order``, ``id_carrier`` are required; ``tracking_updates`` gets
  (order id, tracking number). With ``sendemail=1`` the "in transit" e-mail goes out as
  ``OrderCarrier::updateWs`` / ``sendInTransitEmail`` send it (not when the order's carrier has
  no URL): ``in_transit_mails`` gets {id_order, email, shipping_number, followup}, the followup
  link being the carrier's URL with the tracking field put in place of ``@``.
- ``POST /api/customer_threads`` (id_lang, id_contact, token of 12 characters at most: required)
  and ``POST /api/customer_messages`` (message required, refused when it is not clean HTML) ->
  201 with the record; listed and filtered like the other resources.
- Credit slips (``prestashop_slips.py``): ``add_slip`` plays a refund in the back office; ``GET
  /api/order_slip`` lists them under ``order_slips``.
Errors answer ``{"errors": [{"code", "message"}]}``.
"""

from . import prestashop_data as psd
from . import prestashop_records as psr
from .data import (
    apply_buyer_overrides,
    buyer_for,
    later,
    local_text,
    localized_catalog,
    make_buyer,
    money,
    pick_lines,
    random_moment,
    unknown_product,
)
from .prestashop_api import RESOURCES, PrestaShopApi
from .prestashop_slips import PrestaShopSlips
from .server import SimulatorBase

__all__ = ["PAYMENTS", "RESOURCES", "PrestaShopSimulator"]
PAYMENTS = {
    "check": ("Payments by check", "ps_checkpayment"),
    "wire": ("Bank wire", "ps_wirepayment"),
    "paypal": ("PayPal", "paypal"),
    "card": ("Credit card", "ps_checkout"),
    "cod": ("Cash on delivery (COD)", "ps_cashondelivery"),
}
# the states an order went through to reach its current one
CHAINS = {3: [2, 3], 4: [2, 3, 4], 5: [2, 3, 4, 5], 6: [10, 6], 7: [2, 3, 4, 7]}
_UNSET = object()


class PrestaShopSimulator(PrestaShopSlips, PrestaShopApi, SimulatorBase):
    """A PrestaShop shop (French, ``timezone`` Europe/Paris by default) with ``orders`` random
    orders; ``secret`` is the webservice key (``login`` is None). ``shops=2`` spreads orders over
    two shops of a multistore; ``custom_states`` adds order states (see prestashop_data);
    ``permissions`` ({resource: ["GET", "POST", ...]}) is what the key was granted: another
    resource gets 401 code 26, another method 405 code 25, as PrestaShop answers."""

    backend = "prestashop"

    def __init__(
        self,
        seed=1,
        orders=20,
        now=None,
        *,
        timezone="Europe/Paris",
        shops=1,
        custom_states=None,
        permissions=None,
        **options,
    ):
        super().__init__(seed, orders, now, **options)
        # what the webservice key may do: {resource: methods}; None grants everything
        self.permissions = permissions
        self.timezone = timezone
        self.shops = int(shops)
        self.catalog = localized_catalog("fr")
        self.tracking_updates = []
        self.stock_movements = []  # (order id, product reference, units: - out, + back)
        self.order_invoices = {}  # invoice number -> {id, id_order, number, total...}
        self.order_payments = []  # {id_invoice, order_reference, amount, payment_method}
        self.emails = []  # {order_id, template}: the state e-mails the buyer got
        self.in_transit_mails = []  # the "in transit" e-mails the shop sent
        self.resources = {
            "orders": self.orders,
            "addresses": {},
            "customers": {},
            "countries": psd.countries(),
            "order_states": psd.order_states(custom_states),
            "order_carriers": {},
            "order_histories": {},
            "currencies": psd.currencies(),
            "carriers": psd.carriers(),
            "customer_threads": {},
            "customer_messages": {},
            "order_slip": {},
        }
        # e-mail -> customer id, address fields -> address id, customer -> address ids,
        # order id -> order_carrier id: generation stays linear for benchmark-sized shops
        self._index = {"emails": {}, "addresses": {}, "owned": {}, "carriers": {}}
        self._ids = dict.fromkeys(
            (
                "orders",
                "addresses",
                "customers",
                "order_carriers",
                "order_histories",
                "rows",
                "carts",
                "invoices",
                "slips",
            ),
            0,
        )
        for _ in range(orders):
            self._random_order()

    def _make_credentials(self, login, secret):
        alphabet = "ABCDEFGHIJKLMNPQRSTUVWXYZ123456789"
        return login, secret or "".join(self.rng.choice(alphabet) for _ in range(32))

    # --- public API ------------------------------------------------------------------------------
    addresses = property(lambda self: self.resources["addresses"])
    customers = property(lambda self: self.resources["customers"])
    countries = property(lambda self: self.resources["countries"])
    order_states = property(lambda self: self.resources["order_states"])
    order_carriers = property(lambda self: self.resources["order_carriers"])
    order_histories = property(lambda self: self.resources["order_histories"])
    order_slips = property(lambda self: self.resources["order_slip"])

    def add_order(
        self,
        status=2,
        items=None,
        *,
        prices=None,
        payment=None,
        shipping=_UNSET,
        discount=_UNSET,
        carrier_id=None,
        carrier_tax_rate=None,
        id_shop=1,
        currency="EUR",
        customer_id=None,
        delivery=None,
        order_date=None,
        state=None,
        **buyer_fields,
    ):
        """Add an order in state ``status`` (or ``state``) dated at the clock. ``items``:
        [(sku, qty)] (unknown SKUs allowed, priced from ``prices``); ``payment``: a key of
        PAYMENTS or a (label, module) pair; ``shipping``/``discount``: gross amounts or None;
        ``carrier_tax_rate``: the VAT rate of the shipping (default 20);
        ``customer_id``: reuse a customer; ``delivery``: buyer fields of a second address; other
        keywords set buyer fields (first_name, last_name, email, phone, company, street,
        zip_code, city, country alpha-2, vat_number). Returns the order payload."""
        with self._lock:
            rng, moment = self.rng, order_date or self.clock
            state_id = int(state or status)
            if str(state_id) not in self.order_states:
                raise ValueError(f"unknown order state {state_id}")
            overrides = dict(buyer_fields)
            payment = payment or overrides.pop("payment_method", None)
            buyer = buyer_for(rng, overrides.get("country", "FR"), overrides)
            if overrides:
                raise TypeError(f"unknown add_order arguments: {', '.join(sorted(overrides))}")
            customer_id, delivery_id, invoice_id = self._customer(
                moment, buyer, customer_id, delivery
            )
            label, module = (
                PAYMENTS.get(payment, payment) if payment else self._payment_for(state_id)
            )
            currency_id = next(
                (k for k, c in self.resources["currencies"].items() if c["iso_code"] == currency),
                None,
            )
            if currency_id is None:
                raise ValueError(f"unknown currency {currency}")
            return self._create_order(
                changes=[(state_id, moment)],
                lines=self._lines(items, prices),
                payment=(label, module),
                carrier_id=carrier_id,
                carrier_tax_rate=carrier_tax_rate,
                shipping=shipping,
                discount=discount,
                shop_id=id_shop,
                currency_id=currency_id,
                customer=(customer_id, delivery_id, invoice_id),
            )

    def add_raw_order(self, payload):
        """Insert a hand-made (possibly broken) order payload as it is."""
        with self._lock:
            if isinstance(payload, dict) and payload.get("id") is not None:
                key = str(payload["id"])
            else:
                key = str(self._next("orders"))
            self.orders[key] = payload
            return payload

    def set_status(self, order_id, status):
        """Change the order's state as the merchant would in the back office."""
        with self._lock:
            order = self.orders[str(order_id)]
            state_id = str(int(status))
            if state_id not in self.order_states:
                raise ValueError(f"unknown order state {state_id}")
            self._change_state(order, state_id, self.clock)
            return order

    def expected_total(self, order_id):
        return money(self.orders[str(order_id)]["total_paid_tax_incl"])

    def _order_id(self, payload):
        return str(payload["id"])

    # --- generation ------------------------------------------------------------------------------
    def _next(self, name):
        self._ids[name] += 1
        return self._ids[name]

    def _lines(self, items, prices):
        if not items:
            return pick_lines(self.rng, self.catalog, self.lines)
        by_sku = {product["sku"]: product for product in self.catalog}
        lines = []
        for sku, quantity in items:
            product = dict(by_sku.get(sku) or unknown_product(sku, prices, vat_rate=20))
            if "title_fr" in product and sku not in by_sku:
                product["title"] = product["title_fr"]
            if prices and sku in prices:
                product["price"] = str(money(prices[sku]))
            lines.append((product, int(quantity)))
        return lines

    def _payment_for(self, state_id):
        first = CHAINS.get(state_id, [state_id])[0]
        key = {1: "check", 10: "wire", 13: "cod"}.get(first)
        if key is None:
            key = self.rng.choices(["card", "paypal", "wire"], weights=[50, 40, 10])[0]
        return PAYMENTS[key]

    def _customer(self, moment, buyer, customer_id=None, delivery=None):
        """(customer id, delivery address id, invoice address id) for a new order. A known
        e-mail address or ``customer_id`` reuses the customer (and an identical address)."""
        if customer_id is None and buyer is not None:
            email = buyer["email"].lower()
            customer_id = self._index["emails"].get(email)
        if customer_id is not None and buyer is None:
            owned = self._index["owned"][int(customer_id)]
            return int(customer_id), owned[-1], owned[0]
        if customer_id is None:
            customer_id = self._next("customers")
            self.customers[str(customer_id)] = psr.customer(
                customer_id, buyer, moment, self.timezone, self.rng, self.rng.random() < 0.15
            )
            self._index["emails"][buyer["email"].lower()] = customer_id
        invoice_id = self._address(int(customer_id), buyer, moment)
        delivery_id = invoice_id
        if delivery is not None:
            if isinstance(delivery, dict):
                delivery = apply_buyer_overrides(dict(buyer), dict(delivery))
            delivery_id = self._address(int(customer_id), delivery, moment)
        return int(customer_id), delivery_id, invoice_id

    def _address(self, customer_id, buyer, moment):
        """The id of the customer's address equal to the buyer's, created if needed."""
        record = psr.address(0, customer_id, buyer, moment, self.timezone)
        same = ("id_customer", "lastname", "firstname", "company", "address1", "postcode", "city")
        key = tuple(record[field] for field in same)
        if key in self._index["addresses"]:
            return self._index["addresses"][key]
        record["id"] = self._next("addresses")
        self.addresses[str(record["id"])] = record
        self._index["addresses"][key] = record["id"]
        self._index["owned"].setdefault(customer_id, []).append(record["id"])
        return record["id"]

    def _random_order(self, now=None, fresh=False):
        """A random order placed in the 20 days before ``now``; ``fresh``: placed in the hour
        before ``now`` and changed at ``now`` (new orders arriving while a client watches)."""
        rng, now = self.rng, now or self.now
        state_id = rng.choices(
            [1, 2, 3, 4, 5, 6, 10, 7, 8, 12, 13], weights=[7, 20, 14, 18, 16, 6, 9, 2, 2, 1, 2]
        )[0]
        placed = random_moment(rng, now, 1 / 24 if fresh else 20)
        customers = list(self.customers)
        if customers and rng.random() < 0.2:
            customer = self._customer(placed, None, rng.choice(customers))
        else:
            country = rng.choices(["FR", "BE", "DE"], weights=[82, 10, 8])[0]
            buyer = make_buyer(rng, country)
            delivery = make_buyer(rng, country) if rng.random() < 0.12 else None
            customer = self._customer(placed, buyer, delivery=delivery)
        label, module = self._payment_for(state_id)
        chain = CHAINS.get(state_id, [state_id])
        if module == "ps_wirepayment" and chain[0] != 10:
            chain = [10, *chain]
        changes, moment = [], placed
        for index, step in enumerate(chain):
            if index:
                moment = later(rng, moment, now, 0.5, 50)
            changes.append((step, moment))
        if fresh:
            changes[-1] = (changes[-1][0], now)
        shop_id = 2 if self.shops > 1 and rng.random() < 0.3 else 1
        return self._create_order(
            changes=changes,
            lines=pick_lines(rng, self.catalog, self.lines),
            payment=(label, module),
            carrier_id=None,
            shipping=_UNSET,
            discount=_UNSET,
            shop_id=shop_id,
            currency_id="1",
            customer=customer,
        )

    def _create_order(
        self,
        *,
        changes,
        lines,
        payment,
        carrier_id,
        shipping,
        discount,
        shop_id,
        carrier_tax_rate=None,
        currency_id,
        customer,
    ):
        rng, tz = self.rng, self.timezone
        order_id = self._next("orders")
        carrier_id = int(carrier_id or rng.choices([2, 3, 4, 1], weights=[50, 30, 12, 8])[0])
        rows, net, gross = psr.order_rows(lines, self._ids["rows"] + 1, order_id)
        self._ids["rows"] += len(rows)
        if shipping is _UNSET:
            shipping = (
                psd.CARRIERS[carrier_id - 1][3] if carrier_id <= len(psd.CARRIERS) else "6.90"
            )
            if gross >= 69 and rng.random() < 0.4:
                shipping = "0.00"
        if discount is _UNSET:
            discount = rng.choice(["5.00", money(gross / 10)]) if rng.random() < 0.12 else None
        shipping, discount = money(shipping or 0), money(discount or 0)
        placed = changes[0][1]
        customer_id, delivery_id, invoice_id = customer
        order = {
            "id": order_id,
            "id_address_delivery": str(delivery_id),
            "id_address_invoice": str(invoice_id),
            "id_cart": str(self._next("carts")),
            "id_currency": str(currency_id),
            "id_lang": psd.LANG,
            "id_customer": str(customer_id),
            "id_carrier": str(carrier_id),
            "current_state": "0",
            "module": payment[1],
            "invoice_number": "0",
            "invoice_date": "0000-00-00 00:00:00",
            "delivery_number": "0",
            "delivery_date": "0000-00-00 00:00:00",
            "valid": "0",
            "date_add": local_text(placed, tz),
            "date_upd": local_text(placed, tz),
            "shipping_number": "",
            "note": "",
            "id_shop_group": "1",
            "id_shop": str(shop_id),
            "secure_key": f"{rng.getrandbits(128):032x}",
            "payment": payment[0],
            "recyclable": "0",
            "gift": "0",
            "gift_message": "",
            "mobile_theme": "0",
            **psr.totals(
                net,
                gross,
                shipping,
                discount,
                carrier_rate=20 if carrier_tax_rate is None else carrier_tax_rate,
            ),
            "total_paid_real": "0.000000",
            "round_mode": "2",
            "round_type": "2",
            "conversion_rate": self.resources["currencies"][str(currency_id)]["conversion_rate"],
            "reference": "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9)),
            "associations": {"order_rows": rows},
        }
        self.orders[str(order_id)] = order
        carrier_record_id = self._next("order_carriers")
        self._index["carriers"][str(order_id)] = str(carrier_record_id)
        self.order_carriers[str(carrier_record_id)] = {
            "id": carrier_record_id,
            "id_order": str(order_id),
            "id_carrier": str(carrier_id),
            "id_order_invoice": "0",
            "weight": f"{rng.uniform(0.2, 8):.6f}",
            "shipping_cost_tax_excl": order["total_shipping_tax_excl"],
            "shipping_cost_tax_incl": order["total_shipping_tax_incl"],
            "tracking_number": "",
            "date_add": local_text(placed, tz),
        }
        for state_id, moment in changes:
            self._change_state(order, str(state_id), moment)
        return order

    def _change_state(self, order, state_id, moment, invent_tracking=True, send_email=False):
        """What ``OrderHistory::changeIdOrderState`` does (tests/vendor/SOURCES.md): the state's
        flags act on the order. ``invoice``: an invoice when it has none; ``paid``: an order
        payment for what its invoices still lack; ``shipped`` changing: the stock of its rows
        leaves (or comes back); with ``send_email`` (the webservice's ``sendemail=1``) the buyer
        gets the state's e-mail."""
        state = self.order_states[state_id]
        old = self.order_states.get(str(order["current_state"]))
        stamp = local_text(moment, self.timezone)
        history_id = self._next("order_histories")
        record = {
            "id": history_id,
            "id_employee": "0",
            "id_order_state": state_id,
            "id_order": str(order["id"]),
            "date_add": stamp,
        }
        self.order_histories[str(history_id)] = record
        order["current_state"], order["date_upd"] = state_id, stamp
        order["valid"] = "1" if state["logable"] == "1" else "0"
        shipped_before = old is not None and old["shipped"] == "1"
        if (state["shipped"] == "1") != shipped_before:
            sign = -1 if state["shipped"] == "1" else 1
            for row in (order.get("associations") or {}).get("order_rows") or []:
                self.stock_movements.append(
                    (
                        str(order["id"]),
                        row["product_reference"],
                        sign * int(row["product_quantity"]),
                    )
                )
        if state["invoice"] == "1" and order["invoice_number"] == "0":
            number = str(self._next("invoices"))
            order["invoice_number"], order["invoice_date"] = number, stamp
            self.order_invoices[number] = {
                "id": int(number),
                "id_order": str(order["id"]),
                "number": number,
                "total_paid_tax_incl": order["total_paid_tax_incl"],
                "date_add": stamp,
            }
        if state["paid"] == "1":
            self._pay_invoices(order, stamp)
        if state["shipped"] == "1" and order["delivery_number"] == "0":
            order["delivery_number"], order["delivery_date"] = order["invoice_number"], stamp
            carrier = self.order_carriers.get(self._index["carriers"].get(str(order["id"]), ""))
            # a merchant shipping from the back office types the number in; the webservice
            # (invent_tracking=False) leaves it to whoever sets it
            if carrier and not carrier["tracking_number"] and invent_tracking:
                carrier["tracking_number"] = f"6A{self.rng.randrange(10**10, 10**11)}"
        if send_email and state["send_email"] == "1":
            template = (state.get("template") or [{}])[0].get("value", "")
            self.emails.append({"order_id": str(order["id"]), "template": template})
        return record

    def _pay_invoices(self, order, stamp):
        """An ``OrderPayment`` for the rest to pay of each invoice of the order."""
        for invoice in self.order_invoices.values():
            if invoice["id_order"] != str(order["id"]):
                continue
            paid = sum(
                money(p["amount"]) for p in self.order_payments if p["id_invoice"] == invoice["id"]
            )
            rest = money(invoice["total_paid_tax_incl"]) - paid
            if rest <= 0:
                continue
            self.order_payments.append(
                {
                    "id_invoice": invoice["id"],
                    "order_reference": order.get("reference", "")[:9],
                    "amount": str(rest),
                    "payment_method": order.get("payment", ""),
                    "date_add": stamp,
                }
            )
            real = money(order.get("total_paid_real") or 0) + rest
            order["total_paid_real"] = f"{real:.6f}"

    def payments_of(self, order_id):
        """The order payments PrestaShop recorded for the order (test helper)."""
        with self._lock:
            invoices = {
                i["id"] for i in self.order_invoices.values() if i["id_order"] == str(order_id)
            }
            return [p for p in self.order_payments if p["id_invoice"] in invoices]

    def stock_given_back(self, order_id):
        """Units the order's state changes took out of stock (negative) or gave back."""
        with self._lock:
            return sum(delta for oid, __, delta in self.stock_movements if oid == str(order_id))
