"""CS-Cart REST API simulator (``/api/2.0/`` under the shop's base URL).

- Auth: HTTP Basic, administrator e-mail (``login``) and API key (``secret``); else 401.
- ``GET /api/2.0/orders``: page (1), items_per_page (10, CS-Cart's default), status (a letter,
  ``status[]=`` or "P,C"), sort_by date|order_id|status|total (date; anything else, e.g.
  updated_at, is CS-Cart's default, date), sort_order asc|desc (desc), updated_at_from /
  updated_at_to (UNIX, inclusive; CS-Cart 4.10 and later), company_id,
  user_id, email. Incomplete orders (status N) are left out unless asked for by status or with
  ``include_incompleted=Y``. Answer ``{"orders": [summary...], "params": {"page",
  "items_per_page", "total_items" (a string, as CS-Cart sends it), ...}}``. Summaries carry
  CS-Cart's summary columns (order_id, status, timestamp, total...), never ``updated_at``.
  ``legacy=True`` is an older CS-Cart: no ``updated_at`` anywhere, its filters ignored.
- ``GET /api/2.0/orders/{id}``: the detail (see ``cscart_orders.py``); 404 ``{"message"}``.
- ``PUT /api/2.0/orders/{id}`` ``{"status": "C"}`` -> ``{"order_id": id}``, always 200 (CS-Cart
  does not look at what became of the status); a change bumps updated_at and ``status_changes``
  gets (order id, letter); ``refuse_status_change`` makes an order keep its status, or take
  another one, silently, as ``fn_change_order_status`` does for a status the order cannot take
  (out of stock: Backordered; an add-on's hook). ``notify_user`` / ``notify_department`` /
  ``notify_vendor`` are read as PHP's ``!empty()`` (``"N"`` means yes): each one not empty
  e-mails its recipient of a status change (``emails``). A ``products`` key REPLACES all the
  order's lines, as CS-Cart does (``product_replacements`` records it). Other known top-level
  fields are set.
- ``GET /api/2.0/statuses`` (page, items_per_page, lang_code en|fr): the order statuses, N not
  among them; ``custom_statuses`` adds letters.
- ``PUT`` with any key besides status and notify_* is recorded in ``recalculations``: CS-Cart
  recalculates the whole order then.
- ``POST /api/2.0/shipments``: order_id, shipping_id and a carrier or a tracking number required;
  ``products`` {cart item id: quantity} optional, clamped to what is left to ship -> 201
  ``{"shipment_id"}``, recorded in ``shipments``; a non-empty ``order_status`` also changes the
  status. ``timestamp`` as ``fn_parse_date`` reads it: a number is taken as it is, a
  ``d/m/Y`` date as that day, anything else (or nothing) is the moment of the request. A new
  shipment mails the buyer as the store's "shipment" notification is set
  (``shipment_notifications``, on by default; ``shipment_mails`` records each e-mail):
  ``Shipments::create`` passes no notification rules, so ``notify_user`` and friends in the body
  change nothing. ``GET /api/2.0/shipments?order_id=|shipment_id=``; ``PUT
  /api/2.0/shipments/{id}`` with tracking_number, comments, status (A|P|S) or timestamp only
  (``shipment_updates``; no e-mail, as ``fn_update_shipment`` sends none for an update).
  Errors answer ``{"message": "Bad Request: ...", "status": 400}``.
"""

from datetime import timedelta

from . import cscart_orders as co
from .cscart_api import CsCartApi
from .data import (
    apply_buyer_overrides,
    buyer_for,
    later,
    localized_catalog,
    make_buyer,
    money,
    pick_lines,
    random_moment,
    unknown_product,
)
from .server import SimulatorBase

__all__ = ["CsCartSimulator"]
_UNSET = object()


class CsCartSimulator(CsCartApi, SimulatorBase):
    """A French CS-Cart shop with ``orders`` random orders on ``storefronts`` storefronts
    (company_id 1..n). ``custom_statuses``: {letter: description} added to the defaults (or
    {letter: {"description", and the status's params: "appearance_type" "C" for a credit memo,
    "inventory" "I" to put the stock back}})."""

    backend = "cscart"

    def __init__(
        self,
        seed=1,
        orders=20,
        now=None,
        *,
        legacy=False,
        storefronts=1,
        custom_statuses=None,
        shipment_notifications=True,
        **options,
    ):
        super().__init__(seed, orders, now, **options)
        self.legacy = legacy
        self.shipment_notifications = shipment_notifications
        self.shipment_mails = []  # the "shipment" e-mails the store sent to buyers
        self.storefronts = int(storefronts)
        self.catalog = localized_catalog("fr")
        self.statuses = {letter: (en, fr, color) for letter, en, fr, color in co.DEFAULT_STATUSES}
        self.status_params = {}  # letter -> params of a custom status (appearance_type, ...)
        for letter, description in (custom_statuses or {}).items():
            if len(letter) != 1 or not letter.isupper() or letter in self.statuses or letter == "N":
                raise ValueError(f"a custom status needs a new capital letter, not {letter!r}")
            if isinstance(description, dict):  # {"description", and params: inventory, ...}
                params = dict(description)
                description = params.pop("description")
                self.status_params[letter] = params
            self.statuses[letter] = (description, description, "#999999")
        self.product_replacements = []
        self.recalculations = []  # order PUTs with more than a status: CS-Cart recalculates
        self.shipment_updates = []
        self.emails = []  # {"order_id", "to": customer|department|vendor, "status"}
        self.status_refusals = {}  # order id -> the status it takes instead (None: none)
        self._rates = {}  # order id -> {cart item id: VAT rate}
        self._users = {}  # e-mail -> user id of registered buyers
        self._last_id = 100
        self._next_shipment = 0
        for _ in range(orders):
            self._random_order()

    def _make_credentials(self, login, secret):
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        secret = secret or "".join(self.rng.choice(alphabet) for _ in range(32))
        return login or "admin@boutique-exemple.fr", secret

    # --- public API ------------------------------------------------------------------------------
    def add_order(
        self,
        status="P",
        items=None,
        *,
        prices=None,
        payment=None,
        shipping=_UNSET,
        discount=_UNSET,
        shipping_id=None,
        company_id=1,
        user_id=None,
        currency="EUR",
        delivery=None,
        order_date=None,
        **buyer_fields,
    ):
        """Add an order with ``status`` (a letter, N allowed) dated at the clock. ``items``:
        [(sku, qty)] (unknown SKUs allowed, priced from ``prices``); ``payment``: a payment id of
        cscart_orders.PAYMENTS or its name; ``shipping``/``discount``: gross shipping cost and
        subtotal discount or None; ``user_id``: 0 for a guest (default: registered buyers keep
        their id by e-mail); ``delivery``: buyer fields of a different shipping address; other
        keywords set buyer fields (first_name, last_name, email, phone, company, street,
        zip_code, city, country alpha-2). Returns the detail payload."""
        with self._lock:
            if status != co.HIDDEN_STATUS and status not in self.statuses:
                raise ValueError(f"unknown status {status!r}")
            overrides = dict(buyer_fields)
            payment = payment or overrides.pop("payment_method", None)
            buyer = buyer_for(self.rng, overrides.get("country", "FR"), overrides)
            if overrides:
                raise TypeError(f"unknown add_order arguments: {', '.join(sorted(overrides))}")
            other = None
            if delivery:
                other = apply_buyer_overrides(dict(buyer), dict(delivery))
            moment = order_date or self.clock
            return self._create(
                buyer=buyer,
                delivery=other,
                lines=self._lines(items, prices),
                status=status,
                placed=moment,
                updated=moment,
                payment_id=self._payment_id(payment, status),
                shipping_id=shipping_id,
                shipping=shipping,
                discount=discount,
                user_id=user_id,
                company_id=company_id,
                currency=currency,
            )

    def add_raw_order(self, payload):
        """Insert a hand-made (possibly broken) detail payload as it is."""
        with self._lock:
            if isinstance(payload, dict) and payload.get("order_id") is not None:
                key = str(payload["order_id"])
            else:
                self._last_id += 1
                key = str(self._last_id)
            self.orders[key] = payload
            return payload

    def set_status(self, order_id, status):
        """Change the status as the shop's administrator (or a payment) would."""
        with self._lock:
            order = self.orders[str(order_id)]
            order["status"] = status
            self._touch(order)
            return order

    def refuse_status_change(self, order_id, becomes=None):
        """From now on a status change of the order leaves it as it is, or moves it to
        ``becomes`` (e.g. "B" when the stock is short), and the PUT still answers 200."""
        with self._lock:
            self.status_refusals[str(order_id)] = becomes

    def expected_total(self, order_id):
        return money(self.orders[str(order_id)]["total"])

    def _order_id(self, payload):
        return payload["order_id"]

    # --- generation ------------------------------------------------------------------------------
    def _touch(self, order):
        if not self.legacy:
            order["updated_at"] = str(int(self.clock.timestamp()))

    def _lines(self, items, prices):
        if not items:
            return pick_lines(self.rng, self.catalog, self.lines)
        by_sku = {product["sku"]: product for product in self.catalog}
        lines = []
        for sku, quantity in items:
            product = dict(by_sku.get(sku) or unknown_product(sku, prices, vat_rate=20))
            if sku not in by_sku:
                product["title"] = product["title_fr"]
            if prices and sku in prices:
                product["price"] = str(money(prices[sku]))
            lines.append((product, int(quantity)))
        return lines

    def _payment_id(self, payment, status):
        if payment is None:
            online = status in ("P", "C", "N", "F", "D") and self.rng.random() < 0.8
            choices = co.ONLINE_PAYMENTS if online else ("2", "3", "5")
            return self.rng.choice(choices)
        for payment_id, (name, _processor) in co.PAYMENTS.items():
            if str(payment) in (payment_id, name):
                return payment_id
        raise ValueError(f"unknown payment {payment!r}")

    def _create(
        self,
        *,
        buyer,
        delivery,
        lines,
        status,
        placed,
        updated,
        payment_id,
        shipping_id,
        shipping,
        discount,
        user_id,
        company_id,
        currency,
    ):
        rng = self.rng
        self._last_id += 1
        order_id = self._last_id
        if user_id is None:
            user_id = self._users.get(buyer["email"].lower())
            if user_id is None and rng.random() < 0.6:
                user_id = self._users[buyer["email"].lower()] = len(self._users) + 2
        shipping_id = str(shipping_id or rng.choices(["1", "2", "3"], weights=[55, 35, 10])[0])
        items, rates = co.products(rng, order_id, lines, company_id)
        subtotal = sum(money(product["price"]) * quantity for product, quantity in lines)
        if shipping is _UNSET:
            free = subtotal >= 69 and rng.random() < 0.4
            shipping = "0.00" if free else co.SHIPPINGS[shipping_id][2]
        if discount is _UNSET:
            discount = rng.choice(["5.00", money(subtotal / 10)]) if rng.random() < 0.12 else None
        order = co.build(
            order_id,
            buyer=buyer,
            delivery=delivery,
            lines_products=items,
            status=status,
            placed=placed,
            updated=updated,
            payment_id=payment_id,
            shipping_id=shipping_id,
            user_id=user_id or 0,
            company_id=company_id,
            currency=currency,
            legacy=self.legacy,
        )
        co.fill_totals(order, shipping or 0, discount or 0, rates)
        self._rates[str(order_id)] = rates
        self.orders[str(order_id)] = order
        return order

    def _random_order(self, now=None, fresh=False):
        """A random order placed in the 20 days before ``now``; ``fresh``: placed in the hour
        before ``now`` and changed at ``now`` (new orders arriving while a client watches)."""
        rng, now = self.rng, now or self.now
        status = rng.choices(list("PCOIDFBYN"), weights=[30, 30, 15, 6, 4, 4, 5, 2, 2])[0]
        placed = random_moment(rng, now, 1 / 24 if fresh else 20)
        updated = placed + timedelta(seconds=rng.randint(1, 90))
        if status in ("C", "I", "D", "B"):
            updated = later(rng, placed, now, 2, 120)
        elif status == "P" and rng.random() < 0.3:
            updated = later(rng, placed, now, 1, 72)  # paid by bank transfer later
        updated = now if fresh else min(updated, now)
        country = rng.choices(["FR", "BE", "DE"], weights=[85, 10, 5])[0]
        buyer = make_buyer(rng, country)
        delivery = make_buyer(rng, country) if rng.random() < 0.12 else None
        company_id = rng.randint(1, self.storefronts)
        return self._create(
            buyer=buyer,
            delivery=delivery,
            lines=pick_lines(rng, self.catalog, self.lines),
            status=status,
            placed=placed,
            updated=updated,
            payment_id=self._payment_id(None, status),
            shipping_id=None,
            shipping=_UNSET,
            discount=_UNSET,
            user_id=None,
            company_id=company_id,
            currency="EUR",
        )
