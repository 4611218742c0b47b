"""OTTO Market: a shipment per delivery (its position items, tracking key, ship date, the
warehouse as ship-from address) and the cancellation of the open items of a cancelled order.

Exactly once: OTTO refuses a second shipment with the same tracking key (409), and a shipment is
found by its tracking key. After a request without an answer the tracking key is looked up
first; a 409 is looked up too, and is a success when the shipment found carries our items.
"""

from ..clients.errors import RequestError
from ..clients.otto_export import (
    ALPHA2_TO_ALPHA3,
    OTTO_CARRIERS,
    shipment_body,
    shipment_items,
)
from .base import FAILED, NOT_NEEDED, SENT, Outcome, Sender
from .carriers import shop_carrier


class OttoSender(Sender):
    # --- shipments -------------------------------------------------------------------------------
    def _send_shipment(self, export, look_up_first):
        env, picking, order = self.env, export.picking_id, export.sale_order_id
        items = self.items(export, [])
        wanted = {(order.marketplace_order_id, item) for item in items}
        if look_up_first and export.sent_tracking:
            found = self._find(export.sent_carrier, export.sent_tracking.split(",")[0])
            if found is not None and wanted <= shipment_items(found):
                return self._already_there(found)
        if not items:
            return Outcome(
                NOT_NEEDED, env._("The delivery moved no position item of the OTTO order.")
            )
        numbers = self.tracking_numbers(picking)
        if not numbers:
            return (
                self._tracking_from_otto(export, items)
                or self.waiting_for_tracking(export)
                or self.missing_tracking(export)
            )
        carrier = shop_carrier(self.account, picking.carrier_id)
        if carrier not in OTTO_CARRIERS:
            return Outcome(FAILED, self._carrier_problem(picking))
        ship_from, problem = self._ship_from(picking)
        if problem:
            return Outcome(FAILED, problem)
        if len(numbers) > 1 and len(items) > 1:
            return Outcome(
                FAILED,
                env._(
                    "OTTO takes one tracking number per shipment, and several only for a single "
                    "item sent in several parcels: this delivery has %(count)s tracking numbers "
                    "for %(items)s items. Validate one delivery per parcel (the rest goes to a "
                    "backorder), or keep one tracking number.",
                    count=len(numbers),
                    items=len(items),
                ),
            )
        return_key = None
        if picking.marketplace_return_tracking_ref:
            return_key = (
                self.account.otto_return_carrier or "DHL",
                picking.marketplace_return_tracking_ref.strip(),
            )
        bodies = [
            shipment_body(
                carrier,
                number,
                picking.date_done,
                ship_from,
                [(order.marketplace_order_id, item) for item in items],
                return_key,
            )
            for number in numbers
        ]
        request = bodies[0] if len(bodies) == 1 else bodies
        self.attempt(export, request, sent_tracking=",".join(numbers), sent_carrier=carrier)
        try:
            if len(bodies) == 1:
                shipment_id = self.client.create_shipment(bodies[0])
            else:
                shipment_id = self.client.create_multiparcel_shipment(bodies)
        except RequestError as exc:
            if exc.status != 409:
                raise
            found = self._find(carrier, numbers[0])
            if found is not None and wanted <= shipment_items(found):
                return self._already_there(found)
            return Outcome(
                FAILED,
                env._("OTTO refused the shipment: %s", exc),
                request=request,
                answer=str(exc),
            )
        return Outcome(
            SENT,
            env._(
                "Shipment %(shipment)s: %(count)s position items, %(carrier)s %(tracking)s.",
                shipment=shipment_id,
                count=len(items),
                carrier=carrier,
                tracking=", ".join(numbers),
            ),
            remote_ref=shipment_id,
            request=request,
            answer={"shipmentId": shipment_id},
        )

    def _find(self, carrier, number):
        return self.client.find_shipment(carrier, number) if carrier and number else None

    def _already_there(self, found):
        key = found.get("trackingKey") or {}
        return Outcome(
            SENT,
            self.env._(
                "OTTO already has this shipment (%(shipment)s, %(carrier)s %(tracking)s): not "
                "sent again.",
                shipment=found.get("shipmentId"),
                carrier=key.get("carrier"),
                tracking=key.get("trackingNumber"),
            ),
            remote_ref=str(found.get("shipmentId") or ""),
            answer=found,
        )

    def _tracking_from_otto(self, export, items):
        """With the account taking tracking numbers from the shop: the delivery's items already
        shipped on OTTO (by another tool) give their tracking numbers to the delivery."""
        if not self.account.import_tracking:
            return None
        raw = self.client.get_raw_order(export.sale_order_id.marketplace_order_id)
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
            items = self._processable(order, items)
            if not items:
                return Outcome(SENT, env._("OTTO has cancelled the items already."))
        request = {"positionItemIds": items}
        self.attempt(export, request)
        try:
            self.client.cancel_position_items(order.marketplace_order_id, items)
        except RequestError as exc:
            if exc.status != 409:
                raise
            # some items are no longer processable (shipped or cancelled meanwhile): cancel the
            # others, or none
            items = self._processable(order, items)
            if not items:
                return Outcome(
                    NOT_NEEDED,
                    env._("None of the items is open on OTTO any more: nothing to cancel."),
                    answer=str(exc),
                )
            request = {"positionItemIds": items}
            self.client.cancel_position_items(order.marketplace_order_id, items)
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
        raw = self.client.get_raw_order(order.marketplace_order_id)
        states = {i.get("positionItemId"): i.get("fulfillmentStatus") for i in raw["positionItems"]}
        return [item for item in items if states.get(item) == "PROCESSABLE"]
