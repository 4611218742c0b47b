"""OTTO Market: a shipment per parcel of a delivery (its position items, tracking key, ship date,
the warehouse as ship-from address, return tracking keys) and the cancellation of position items
that will never ship.

- One shipment per package, with that package's items (OTTO: "If you are shipping different
  articles, each packed in its own parcel with a separate tracking number, each of these shipments
  must be reported individually"); one item in several parcels is a multiparcel shipment.
- Forwarders may have no tracking number (a tracking key of the carrier only); parcel carriers
  need one, and the return label's tracking number on each item where the account puts return
  labels in its parcels (always in a multiparcel shipment).
- A parcel OTTO already has (a backorder put in the same parcel) gets the delivery's items added
  (``.../positionitems``) instead of a second shipment, which OTTO refuses (409).
- A tracking number corrected after OTTO has the shipment cannot be sent: OTTO's API has no
  request that changes a tracking key. The update fails and says what to do on OTTO; once OTTO
  has the corrected number, Retry finds it there.

Exactly once: OTTO refuses a second shipment with the same tracking key (409), and a shipment is
found by its tracking key. Each parcel the shop has is recorded (committed) before the next one
is sent; after a request without an answer the tracking key is looked up first.

This module says what each event means on OTTO and plans a delivery's parcels; the requests of
each parcel are in ``otto_parcels``.
"""

import json

from ..clients.errors import RequestError
from ..clients.otto_export import (
    ALPHA2_TO_ALPHA3,
    OTTO_CARRIERS,
    OTTO_PARCEL_CARRIERS,
)
from . import parcels as parcel_plan
from .base import (
    FAILED,
    NOT_NEEDED,
    SENT,
    Outcome,
    parcel_groups,
    split_tracking,
)
from .carriers import shop_carrier
from .events import taken_items, update
from .otto_parcels import OttoParcels
from .otto_returns import OttoReturns
from .sender import Sender


def open_position_items(order, pending=()):
    """The order's position items that no delivery has shipped and no cancellation of the
    connector asks for already (marked, or in ``pending``: marked just now)."""
    shipped = taken_items(order)
    for export in order.sudo().marketplace_export_ids.filtered(lambda e: e.kind == "cancel"):
        shipped.update(json.loads(export.items or "[]"))
    for vals in pending:
        if vals["sale_order_id"] == order.id and vals["kind"] == "cancel":
            shipped.update(json.loads(vals["items"]))
    items = []
    # fee and discount lines name the items they concern too: each item once
    for line in order.order_line:
        for item in parcel_plan.line_items(line):
            if item not in shipped and item not in items:
                items.append(item)
    return items


class OttoSender(OttoReturns, OttoParcels, Sender):
    # --- what events mean on OTTO: shipments and cancelled items, no statuses --------------------
    @classmethod
    def on_order_confirmed(cls, event, pending):
        return []  # OTTO moves its items' states itself

    @classmethod
    def on_invoiced(cls, event, pending):
        return []  # OTTO invoices the buyer itself

    @classmethod
    def on_order_cancelled(cls, event, pending):
        """The position items no delivery has shipped are cancelled (only for orders that were
        confirmed: the items of a quotation are not processable on OTTO)."""
        if not (event.account.otto_cancel_items and event.was_confirmed):
            return []
        items = open_position_items(event.order, pending)
        if not items:
            return []
        return [update(event.order, "cancel", "cancel", event="cancel", items=json.dumps(items))]

    @classmethod
    def on_deliveries_closed(cls, event, pending):
        """The position items no delivery shipped will never ship: cancelled, those only."""
        account = event.account
        if not (account.otto_cancel_items and account.export_tracking):
            return []  # without shipments sent, which items shipped is not on record
        items = open_position_items(event.order, pending)
        if not items:
            return []
        return [
            update(
                event.order, "cancel", "cancel:unshipped", event="deliver", items=json.dumps(items)
            )
        ]

    @classmethod
    def shipment_items(cls, picking, taken=frozenset()):
        """Position item ids (one unit each) the delivery moved, the ones no other delivery
        took, in line order; per package when it has several."""
        units = parcel_plan.delivered_units(picking)
        by_line = parcel_plan.otto_items(units, taken)
        items = [item for chosen in by_line.values() for item in chosen]
        return items, parcel_plan.split_otto(by_line, parcel_plan.package_units(picking))

    # --- shipments: the steps of Sender._send_shipment -------------------------------------------
    kept_parcel_keys = ("ref", "how")

    def shipment_items_of(self, export):
        return self.items(export, [])

    def no_items_message(self):
        return self.env._("The delivery moved no position item of the OTTO order.")

    def correct_shipment(self, shipment):
        return self._correction(shipment.export, shipment.recorded)

    def check_shipment(self, shipment):
        export, picking, numbers = shipment.export, shipment.picking, shipment.numbers
        carrier = shipment.carrier = shop_carrier(self.account, picking.carrier_id)
        if carrier not in OTTO_CARRIERS:
            if not numbers and self.account.import_tracking:
                found = yield from self._tracking_from_otto(export, shipment.items)
                waiting = found or self.waiting_for_tracking(export)
                if waiting:
                    return waiting
            return Outcome(FAILED, self._carrier_problem(picking))
        forwarder = shipment.shop["forwarder"] = carrier not in OTTO_PARCEL_CARRIERS
        if not numbers and not forwarder:
            found = yield from self._tracking_from_otto(export, shipment.items)
            return found or self.waiting_for_tracking(export) or self.missing_tracking(export)
        ship_from, problem = self._ship_from(picking)
        if problem:
            return Outcome(FAILED, problem)
        shipment.shop["ship_from"] = ship_from
        return None

    def plan_parcels(self, shipment):
        return self._plan(
            shipment.export, shipment.items, shipment.numbers, shipment.shop["forwarder"]
        )

    def send_parcels(self, shipment):
        if len(shipment.parcels) > 1 and len(shipment.items) == 1:
            # one item in several parcels: one request for all of them
            return self._multiparcel(
                shipment.export,
                shipment.parcels,
                shipment.carrier,
                shipment.shop["ship_from"],
                shipment.look_up_first,
            )
        return super().send_parcels(shipment)

    def shipment_sent(self, shipment):
        parcels = shipment.parcels
        return Outcome(
            SENT,
            self._sent_text(parcels, shipment.carrier),
            remote_ref=",".join(p["ref"] for p in parcels if p.get("ref")),
            request=shipment.request(),
            answer=shipment.answer(),
        )

    def _plan(self, export, items, numbers, forwarder):
        """([{"package", "items", "number", "returns"}], problem): the parcels to send."""
        env = self.env
        groups = parcel_groups(export, items)
        if len(numbers) == len(groups):
            parcels = [dict(g, number=n) for g, n in zip(groups, numbers, strict=True)]
        elif len(numbers) <= 1:
            parcels = [{"package": "", "items": items, "number": numbers[0] if numbers else ""}]
        elif len(items) == 1:  # one item in several parcels: a multiparcel shipment
            parcels = [{"package": "", "items": items, "number": n} for n in numbers]
        else:
            packages = [g["package"] for g in groups if g["package"]]
            # translated on its own: Babel does not see a call inside another's arguments
            where = (
                env._("the packages %s", ", ".join(packages)) if packages else env._("no package")
            )
            return None, env._(
                "OTTO takes one tracking number per shipment: this delivery has %(count)s "
                "tracking numbers for %(items)s items in %(parcels)s. Put the items of each "
                "parcel in a package of their own (one tracking number per package, in the order "
                "of the packages), or validate one delivery per parcel, or keep one tracking "
                "number.",
                count=len(numbers),
                items=len(items),
                parcels=where,
            )
        returns = split_tracking(export.picking_id.marketplace_return_tracking_ref)
        multiparcel = len(parcels) > 1 and len(items) == 1
        if returns and len(returns) not in (1, len(parcels)):
            return None, env._(
                "The delivery %(delivery)s has %(returns)s return tracking numbers for "
                "%(parcels)s parcels: give one for all parcels, or one per parcel in their order.",
                delivery=export.picking_id.name,
                returns=len(returns),
                parcels=len(parcels),
            )
        if not returns and (multiparcel or (self.account.otto_return_labels and not forwarder)):
            return None, env._(
                "OTTO needs the tracking number of the return label in each parcel of %s "
                "(always for an item sent in several parcels, and for every parcel delivery "
                "where the account puts return labels in its parcels): enter it in Return "
                "Tracking Reference, then Retry.",
                export.picking_id.name,
            )
        for index, parcel in enumerate(parcels):
            parcel["returns"] = (
                (returns[index] if len(returns) > 1 else returns[0]) if returns else ""
            )
        return parcels, ""

    def _tracking_from_otto(self, export, items):
        """With the account taking tracking numbers from the shop: the delivery's items already
        shipped on OTTO (by another tool) give their tracking numbers to the delivery."""
        if not self.account.import_tracking:
            return None
        client, order_id = self.client, export.sale_order_id.marketplace_order_id
        raw = yield lambda: client.get_raw_order(order_id)
        by_id = {item.get("positionItemId"): item for item in raw["positionItems"]}
        ours = [by_id.get(item) or {} for item in items]
        if not all(item.get("fulfillmentStatus") == "SENT" for item in ours):
            return None
        keys = []
        for item in ours:
            info = item.get("trackingInfo") or {}
            if info.get("trackingNumber") and info["trackingNumber"] not in keys:
                keys.append(info["trackingNumber"])
        if not keys:
            return None
        self.pull_tracking(export.picking_id, keys)
        return Outcome(
            NOT_NEEDED,
            self.env._(
                "OTTO already has these items as shipped: tracking number %s taken onto the "
                "delivery.",
                ", ".join(keys),
            ),
            answer=[item.get("trackingInfo") for item in ours],
        )

    def _carrier_problem(self, picking):
        if not picking.carrier_id:
            return self.env._(
                "The delivery %s has no carrier: choose one (Additional Info), then Retry.",
                picking.name,
            )
        return self.env._(
            "The carrier %s has no OTTO carrier code: add it to the account's carrier mapping "
            "(Updates to the Shop), then Retry.",
            picking.carrier_id.name,
        )

    def _ship_from(self, picking):
        """OTTO's shipFromAddress: the warehouse's address (else the company's)."""
        partner = picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id
        country = ALPHA2_TO_ALPHA3.get((partner.country_id.code or "").upper(), "")
        if not (partner.city and partner.zip and country):
            return None, self.env._(
                "The address of %s needs a city, a ZIP code and a country: OTTO takes it as the "
                "shipment's origin.",
                partner.display_name,
            )
        return {"city": partner.city, "countryCode": country, "zipCode": partner.zip}, ""

    # --- cancellations ---------------------------------------------------------------------------
    # A generator (see ``run``): each request runs in a thread of the run's pool, so that the
    # cancellations of different orders go together.
    def _send_cancel(self, export, look_up_first):
        env, order = self.env, export.sale_order_id
        current = self.rows.get(order.marketplace_status or "")
        if current and current.document_state == "cancel":
            return Outcome(
                NOT_NEEDED,
                env._("OTTO already reports the order as %s.", current.display_name),
            )
        items = self.items(export, [])
        if look_up_first:
            items = yield from self._processable(order, items)
            if not items:
                return Outcome(SENT, env._("OTTO has cancelled the items already."))
        request = {"positionItemIds": items}
        self.attempt(export, request)
        client, order_id = self.client, order.marketplace_order_id
        try:
            yield lambda: client.cancel_position_items(order_id, items)
        except RequestError as exc:
            if exc.status != 409:
                raise
            # some items are no longer processable (shipped or cancelled meanwhile): cancel the
            # others, or none
            items = yield from self._processable(order, items)
            if not items:
                return Outcome(
                    NOT_NEEDED,
                    env._("None of the items is open on OTTO any more: nothing to cancel."),
                    answer=str(exc),
                )
            request = {"positionItemIds": items}
            yield lambda: client.cancel_position_items(order_id, items)
        return Outcome(
            SENT,
            env._(
                "OTTO accepted the cancellation of %s position items; it applies it shortly.",
                len(items),
            ),
            request=request,
            answer={"status": 202},
        )

    def _processable(self, order, items):
        """Of ``items``, those OTTO lists PROCESSABLE now (a request: yields it)."""
        client, order_id = self.client, order.marketplace_order_id
        raw = yield lambda: client.get_raw_order(order_id)
        states = {i.get("positionItemId"): i.get("fulfillmentStatus") for i in raw["positionItems"]}
        return [item for item in items if states.get(item) == "PROCESSABLE"]
