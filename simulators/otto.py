"""OTTO Market API simulator: OAuth2 token, orders v4 with cursor paging, cancellations and
shipments v1, as described in the shared API facts.

- ``POST /v1/token`` (form: grant_type=client_credentials, client_id, client_secret; HTTP Basic
  client auth also accepted) -> ``{"access_token", "token_type": "Bearer", "expires_in": 1800}``.
  Tokens live 1800 s of the simulator clock; ``expire_tokens()`` invalidates all of them.
- ``GET /v4/orders``: fulfillmentStatus (repeatable), mode BUCKET|AT_LEAST_ONE, fromDate (change
  date >=), fromOrderDate, toOrderDate, limit (1..128, default 128), orderDirection ASC|DESC,
  orderColumnType ORDER_LIFECYCLE_DATE|ORDER_DATE, nextcursor (then only ``limit`` counts).
  Paging is keyset-based: an order changed between two pages moves, as on the real API.
- ``GET /v4/orders/{salesOrderId | orderNumber}``.
- ``POST /v4/orders/{salesOrderId}/cancellation`` and
  ``POST /v4/orders/{salesOrderId}/positionItems/{id,id}/cancellation``: PROCESSABLE items only
  (409 otherwise); 202 without a body; recorded in ``status_changes`` as (salesOrderId,
  "CANCELLED_BY_PARTNER", ids).
- Shipments V1 (``otto_shipments.py``): ``POST /v1/shipments`` -> 201 ``{"shipmentId"}``,
  ``POST /v1/multiparcel-shipments``, ``GET /v1/shipments/carriers/{c}/trackingnumbers/{n}`` and
  ``/v1/shipments/{id}``, position items added with ``POST .../positionitems``; recorded in
  ``shipments`` and ``shipment_appends``. Options: ``return_labels`` (the partner puts return
  labels in its parcels), ``return_address_carrier_ids`` (its return addresses).
- Returns V3 (``otto_returns.py``): ``GET /v3/returns`` by status, ``POST /v3/returns/acceptance``
  and ``/rejection``; ``announce_return`` and ``accept_return_by_otto`` play the buyer and OTTO.
- Receipts V3 (``otto_receipts.py``): ``GET /v3/receipts``, a REFUND receipt per item whose
  return is accepted, ``grant_partial_refund`` (a PARTIAL_REFUND receipt, no return).
Errors answer ``{"errors": [{"title", "detail", "path"}]}``.
"""

from datetime import timedelta

from . import otto_orders as oo
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
from .otto_api import OttoApi
from .otto_orders import ITEM_STATES, PAYMENT_METHODS, bucket_status
from .otto_receipts import OttoReceiptsApi
from .otto_returns import OttoReturnsApi
from .otto_shipments import SHIPMENT_CARRIERS as CARRIERS
from .otto_shipments import OttoShipmentsApi
from .server import SimulatorBase

__all__ = ["CARRIERS", "ITEM_STATES", "PAYMENT_METHODS", "OttoSimulator", "bucket_status"]
_UNSET = object()


class OttoSimulator(OttoReceiptsApi, OttoReturnsApi, OttoShipmentsApi, OttoApi, SimulatorBase):
    """OTTO Market with ``orders`` random orders; ``login``/``secret`` are the API client id and
    secret. Options of ``SimulatorBase``: host, port, rate_limit_every, lines, login, secret."""

    backend = "otto"
    token_path = "/v1/token"

    def __init__(
        self,
        seed=1,
        orders=20,
        now=None,
        return_labels=False,
        return_address_carrier_ids=(),
        **options,
    ):
        super().__init__(seed, orders, now, **options)
        self.return_labels = return_labels
        self.return_address_carrier_ids = tuple(return_address_carrier_ids)
        self.shipment_appends = []  # (shipmentId, position items added)
        self.returns = {}  # positionItemId -> the item's return (Returns v3)
        self.return_answers = []  # ("acceptance" | "rejection", position item ids) carried out
        self.receipts = []  # Receipts v3: refund receipts (newest last)
        self.catalog = localized_catalog("de")
        self.tokens = {}  # access token -> expiry on the simulator clock
        self._held = {}  # salesOrderId -> addresses kept back while the order is announced
        self._shares = {}  # salesOrderId -> {positionItemId: share of the discount}
        self._buyers = []
        for _ in range(orders):
            self._random_order()

    def _make_credentials(self, login, secret):
        login = login or f"partner-{self.rng.getrandbits(32):08x}"
        secret = secret or "".join(
            self.rng.choice("abcdefghijkmnopqrstuvwxyz0123456789") for _ in range(32)
        )
        return login, secret

    # --- public API ------------------------------------------------------------------------------
    def order(self, order_id):
        """An order by salesOrderId or orderNumber (KeyError if unknown)."""
        if order_id in self.orders:
            return self.orders[order_id]
        for order in self.orders.values():
            if isinstance(order, dict) and order.get("orderNumber") == order_id:
                return order
        raise KeyError(order_id)

    def add_order(
        self,
        status="PROCESSABLE",
        items=None,
        *,
        prices=None,
        payment_method=None,
        delivery_fee=_UNSET,
        delivery_fee_vat_rate=None,
        discount=_UNSET,
        discount_shape="matching",
        weee_pickup=None,
        country="DEU",
        currency="EUR",
        item_statuses=None,
        delivery=None,
        order_date=None,
        **buyer_fields,
    ):
        """Add an order dated at the clock. ``items``: [(sku, qty)] (unknown SKUs get a made-up
        product priced from ``prices`` or 19.99); ``item_statuses``: one status per position
        item; ``delivery_fee_vat_rate``: the fee's VAT rate (default the highest of the items');
        ``discount_shape``: how a discount shows (otto_orders.DISCOUNT_SHAPES);
        ``delivery``: buyer fields of a different delivery address; other keywords set buyer
        fields (first_name, last_name, email, phone, company, street, house_number, addition,
        zip_code, city, salutation). Returns the payload."""
        with self._lock:
            rng, moment = self.rng, order_date or self.clock
            overrides = {"country": country, **buyer_fields}
            buyer = buyer_for(rng, country, overrides)
            if overrides:
                raise TypeError(f"unknown add_order arguments: {', '.join(sorted(overrides))}")
            buyer["phone_forced"] = "phone" in buyer_fields
            buyer["email_forced"] = "email" in buyer_fields
            delivery_buyer = None
            if delivery:
                delivery_buyer = apply_buyer_overrides(dict(buyer), dict(delivery))
                delivery_buyer["phone_forced"] = "phone" in delivery or buyer["phone_forced"]
            lines = self._lines(items, prices)
            if payment_method is None:
                payment_method = (
                    "PREPAYMENT" if status == "ANNOUNCED" else self._payment(prepayment=False)
                )
            fee = self._random_fee() if delivery_fee is _UNSET else delivery_fee
            rebate = self._random_discount() if discount is _UNSET else discount
            order, held, shares = oo.build_order(
                rng,
                moment=moment,
                lines=lines,
                payment_method=payment_method,
                currency=currency,
                delivery_fee=fee,
                delivery_fee_vat_rate=delivery_fee_vat_rate,
                discount=rebate,
                discount_shape=discount_shape,
                weee_pickup=weee_pickup,
                invoice=buyer,
                delivery=delivery_buyer,
            )
            self._shares[order["salesOrderId"]] = shares
            statuses = item_statuses or [status] * len(order["positionItems"])
            if len(statuses) != len(order["positionItems"]):
                raise ValueError("item_statuses needs one status per position item (unit)")
            unpaid = payment_method == "PREPAYMENT"
            for item, item_status in zip(order["positionItems"], statuses, strict=True):
                # an item was processable before it was sent, returned or cancelled, except a
                # prepayment OTTO cancels unpaid: that one never had addresses
                if item_status != "ANNOUNCED" and not (
                    unpaid and item_status == "CANCELLED_BY_MARKETPLACE"
                ):
                    oo.set_item_status(item, "PROCESSABLE", moment)
                oo.set_item_status(item, item_status, moment, rng)
            oo.touch(order, moment)
            return self._store(order, held)

    def add_raw_order(self, payload):
        """Insert a hand-made (possibly broken) payload as it is."""
        with self._lock:
            key = payload.get("salesOrderId") if isinstance(payload, dict) else None
            self.orders[str(key or oo.new_uuid(self.rng))] = payload
            return payload

    def set_status(self, order_id, status):
        """Move every position item to ``status``, as OTTO or the buyer would."""
        with self._lock:
            order = self.order(order_id)
            for item in order["positionItems"]:
                oo.set_item_status(item, status, self.clock, self.rng)
            self._changed(order)
            return order

    def set_item_status(self, order_id, item_ids, status):
        """Move single position items (ids, or a number: the last ones of the order) to
        ``status``, as OTTO does when one unit is cancelled and the others go on."""
        with self._lock:
            order = self.order(order_id)
            items = order["positionItems"]
            if isinstance(item_ids, int):
                item_ids = [item["positionItemId"] for item in items[-item_ids:]]
            wanted = set(item_ids)
            for item in items:
                if item["positionItemId"] in wanted:
                    oo.set_item_status(item, status, self.clock, self.rng)
            self._changed(order)
            return order

    def release_announced(self, order_id):
        """The buyer paid: ANNOUNCED items become PROCESSABLE and the addresses appear."""
        with self._lock:
            order = self.order(order_id)
            for item in order["positionItems"]:
                if item["fulfillmentStatus"] == "ANNOUNCED":
                    oo.set_item_status(item, "PROCESSABLE", self.clock)
            self._changed(order)
            return order

    def cancel_by_marketplace(self, order_id):
        """OTTO cancels the order (unpaid after 7 days): every item CANCELLED_BY_MARKETPLACE."""
        with self._lock:
            order = self.order(order_id)
            for item in order["positionItems"]:
                oo.set_item_status(item, "CANCELLED_BY_MARKETPLACE", self.clock)
            self._changed(order)
            return order

    def expire_tokens(self):
        with self._lock:
            self.tokens.clear()

    def expected_total(self, order_id):
        order = self.order(order_id)
        return oo.expected_total(order, self._shares.get(order.get("salesOrderId")))

    # --- generation ------------------------------------------------------------------------------
    def _store(self, order, held):
        self.orders[order["salesOrderId"]] = order
        self._held[order["salesOrderId"]] = held
        oo.sync_addresses(order, held)
        return order

    def _changed(self, order):
        oo.touch(order, self.clock)
        oo.sync_addresses(order, self._held.get(order.get("salesOrderId")))

    def _lines(self, items, prices):
        if not items:
            return pick_lines(self.rng, self.catalog, self.lines)
        by_sku = {product["sku"]: product for product in self.catalog}
        lines = []
        for sku, quantity in items:
            product = dict(by_sku.get(sku) or unknown_product(sku, prices))
            if prices and sku in prices:
                product["price"] = str(money(prices[sku]))
            lines.append((product, int(quantity)))
        return lines

    def _payment(self, prepayment):
        if prepayment:
            return "PREPAYMENT"
        return self.rng.choices(
            [
                "PAYPAL",
                "INVOICE_SINGLE",
                "CREDIT_CARD",
                "INVOICE_INSTALLMENTS",
                "DIRECT_DEBIT",
                "PREPAYMENT",
            ],
            weights=[30, 25, 12, 10, 8, 15],
        )[0]

    def _random_fee(self):
        roll = self.rng.random()
        return None if roll < 0.15 else ("5.95" if roll < 0.25 else "4.95")

    def _random_discount(self):
        return self.rng.choice(["5.00", "10.00", "3.50"]) if self.rng.random() < 0.12 else None

    def _buyer(self):
        if self._buyers and self.rng.random() < 0.15:
            return dict(self.rng.choice(self._buyers))
        buyer = make_buyer(self.rng, "AT" if self.rng.random() < 0.08 else "DE")
        self._buyers.append(buyer)
        return buyer

    def _random_order(self, now=None, fresh=False):
        """A random order placed in the 20 days before ``now``; ``fresh``: placed in the hour
        before ``now`` and changed at ``now`` (new orders arriving while a client watches)."""
        rng, now = self.rng, now or self.now
        kind = rng.choices(
            [
                "PROCESSABLE",
                "SENT",
                "ANNOUNCED",
                "CANCELLED_BY_MARKETPLACE",
                "CANCELLED_BY_PARTNER",
                "RETURNED",
                "PARTLY_SENT",
            ],
            weights=[52, 22, 9, 4, 4, 5, 4],
        )[0]
        ages = {
            "PROCESSABLE": (0, 8),
            "ANNOUNCED": (0, 6.5),
            "CANCELLED_BY_MARKETPLACE": (7.3, 20),
            "RETURNED": (8, 20),
        }
        low, high = ages.get(kind, (0.5, 20))
        placed = random_moment(rng, now, *((1 / 24, 0) if fresh else (high, low)))
        prepaid = kind in ("ANNOUNCED", "CANCELLED_BY_MARKETPLACE")
        payment = self._payment(prepayment=prepaid)
        invoice = self._buyer()
        delivery = None
        if rng.random() < 0.15:
            delivery = make_buyer(rng, invoice["country"])
            delivery["email"] = invoice["email"]
        elif rng.random() < 0.05:
            delivery = dict(
                invoice,
                street="Packstation",
                house_number=str(rng.randint(100, 250)),
                addition=f"Postnummer {rng.randint(10**7, 10**8 - 1)}",
                company="",
            )
        order, held, shares = oo.build_order(
            rng,
            moment=placed,
            lines=pick_lines(rng, self.catalog, self.lines),
            payment_method=payment,
            delivery_fee=self._random_fee(),
            discount=self._random_discount(),
            discount_shape=rng.choice(oo.DISCOUNT_SHAPES),
            invoice=invoice,
            delivery=delivery,
        )
        self._shares[order["salesOrderId"]] = shares
        items, moment = order["positionItems"], placed
        if not prepaid:
            paid_after = (2, 72) if payment == "PREPAYMENT" else (0.01, 0.3)
            moment = later(rng, placed, now, *paid_after)
            for item in items:
                oo.set_item_status(item, "PROCESSABLE", moment)
        if kind == "CANCELLED_BY_MARKETPLACE":
            moment = min(placed + timedelta(days=7, hours=rng.uniform(0, 6)), now)
            for item in items:
                oo.set_item_status(item, kind, moment)
        elif kind in ("SENT", "RETURNED", "PARTLY_SENT"):
            moment = later(rng, moment, now, 4, 60)
            tracking = None
            for index, item in enumerate(items):
                if kind == "PARTLY_SENT" and index == len(items) - 1 and len(items) > 1:
                    oo.set_item_status(item, "CANCELLED_BY_PARTNER", moment)
                else:
                    oo.set_item_status(item, "SENT", moment, rng, tracking)
                    tracking = item.get("trackingInfo")
            if kind == "RETURNED":
                moment = later(rng, moment, now, 72, 240)
                for item in items[: rng.randint(1, len(items))]:
                    oo.set_item_status(item, "RETURNED", moment)
        elif kind == "CANCELLED_BY_PARTNER":
            moment = later(rng, moment, now, 1, 48)
            for item in items:
                oo.set_item_status(item, kind, moment)
        oo.touch(order, now if fresh else moment)
        return self._store(order, held)

    def _order_id(self, payload):
        return payload["salesOrderId"]
