"""CS-Cart: a shipment per delivery (carrier, tracking numbers, the cart items it moved; document
numbers and dates in its comments), order statuses, invoice numbers added to the comments of
the order's last shipment.

Staff notes (``details``) are never written: an order PUT with anything but the status makes
CS-Cart recalculate the whole order. Exactly once: CS-Cart cannot find a shipment by tracking
number, so after a request without an answer the order's shipments are compared (carrier,
tracking number, items) before sending it again; a status is read back after its PUT (CS-Cart
answers 200 whatever it did), and after a lost answer read first. The buyer's e-mail flag is
sent only to say yes: CS-Cart reads any non-empty ``notify_*`` (even "N") as yes.
"""

from .base import FAILED, NOT_NEEDED, SENT, Outcome, Sender, split_tracking
from .carriers import shop_carrier
from .notes import shipment_comments


class CsCartSender(Sender):
    # --- shipments -------------------------------------------------------------------------------
    def _send_shipment(self, export, look_up_first):
        env, picking, order = self.env, export.picking_id, export.sale_order_id
        items = self.items(export, {})
        if look_up_first and export.request:
            found = self._matching_shipment(export, items)
            if found:
                return Outcome(
                    SENT,
                    env._(
                        "CS-Cart already has this shipment (%s): not sent again.",
                        found["shipment_id"],
                    ),
                    remote_ref=str(found["shipment_id"]),
                    answer=found,
                )
        if not items:
            return Outcome(NOT_NEEDED, env._("The delivery moved no item of the CS-Cart order."))
        numbers = self.tracking_numbers(picking)
        if not numbers and self.account.import_tracking:
            waiting = self._tracking_from_shop(export, items) or self.waiting_for_tracking(export)
            if waiting:
                return waiting
        carrier = shop_carrier(self.account, picking.carrier_id)
        if picking.carrier_id and not carrier:
            return Outcome(
                FAILED,
                env._(
                    "The carrier %s has no CS-Cart carrier: add it to the account's carrier "
                    "mapping (Updates to the Shop), then Retry.",
                    picking.carrier_id.name,
                ),
            )
        if not numbers and not carrier:
            return Outcome(
                FAILED,
                env._(
                    "CS-Cart needs a carrier or a tracking number for the shipment of %s: enter "
                    "one, then Retry.",
                    picking.name,
                ),
            )
        body = {
            "order_id": int(order.marketplace_order_id),
            "shipping_id": self._shipping_id(order),
            "products": items,
        }
        if carrier:
            body["carrier"] = carrier
        if numbers:
            body["tracking_number"] = ", ".join(numbers)
        comments = shipment_comments(self.account, picking)
        if comments:
            body["comments"] = comments
        self.attempt(export, body, sent_tracking=",".join(numbers), sent_carrier=carrier)
        shipment_id = self.client.create_shipment(body)
        return Outcome(
            SENT,
            env._(
                "Shipment %(shipment)s: %(carrier)s %(tracking)s.",
                shipment=shipment_id,
                carrier=carrier,
                tracking=", ".join(numbers),
            ),
            remote_ref=shipment_id,
            request=body,
            answer={"shipment_id": shipment_id},
        )

    def _matching_shipment(self, export, items):
        wanted_tracking = ", ".join(split_tracking(export.sent_tracking))
        for shipment in self.client.list_shipments(
            order_id=export.sale_order_id.marketplace_order_id
        ):
            products = {str(k): int(float(v)) for k, v in (shipment.get("products") or {}).items()}
            if (
                (shipment.get("tracking_number") or "") == wanted_tracking
                and (shipment.get("carrier") or "") == (export.sent_carrier or "")
                and products == {str(k): int(v) for k, v in items.items()}
            ):
                return shipment
        return None

    def _shipping_id(self, order):
        """The order's shipping method on CS-Cart, read once per order (the import keeps no
        copy of it)."""
        if not order.marketplace_shipping_ref:
            raw = self.client.get_raw_order(order.marketplace_order_id)
            methods = raw.get("shipping") or []
            first = methods[0] if isinstance(methods, list) and methods else {}
            shipping_id = (
                str(first.get("shipping_id") or "").strip()
                or str(raw.get("shipping_ids") or "").split(",")[0].strip()
            )
            order.marketplace_shipping_ref = shipping_id or "1"
        return order.marketplace_shipping_ref

    def _tracking_from_shop(self, export, items):
        """A shipment made on CS-Cart for the delivery's items gives its tracking number."""
        others = {
            number
            for picking in export.sale_order_id.picking_ids - export.picking_id
            for number in split_tracking(picking.carrier_tracking_ref)
        }
        for shipment in self.client.list_shipments(
            order_id=export.sale_order_id.marketplace_order_id
        ):
            numbers = [
                n for n in split_tracking(shipment.get("tracking_number")) if n not in others
            ]
            shipped = {str(k) for k in (shipment.get("products") or {})}
            if numbers and set(items) <= shipped:
                self.pull_tracking(export.picking_id, numbers)
                return Outcome(
                    NOT_NEEDED,
                    self.env._(
                        "CS-Cart already has shipment %(shipment)s for these items: tracking "
                        "number %(tracking)s taken onto the delivery.",
                        shipment=shipment.get("shipment_id"),
                        tracking=", ".join(numbers),
                    ),
                    remote_ref=str(shipment.get("shipment_id")),
                    answer=shipment,
                )
        return None

    # --- statuses --------------------------------------------------------------------------------
    def _send_status(self, export, look_up_first):
        """CS-Cart answers 200 to an order PUT whatever became of the status (an add-on or a
        short stock may keep it, or move the order elsewhere): the status is read back."""
        env = self.env
        code, skip = self.prepare_status(export)
        if skip:
            return skip
        order_id = export.sale_order_id.marketplace_order_id
        if look_up_first:
            current = self.client.order_status(order_id)
            if self.reached(current, code):
                return self.already_there(export, current, code, {"status": current})
        notify = self.account.export_notify_buyer
        request = {"status": code, **({"notify_user": "Y"} if notify else {})}
        self.attempt(export, request, status_code=code)
        self.client.set_order_status(order_id, code, notify=notify)
        current = self.client.order_status(order_id)
        if current != code:
            return Outcome(
                FAILED,
                env._(
                    "CS-Cart accepted the request but the order is %(current)s, not %(status)s: "
                    "the store did not take the status (a status the order cannot take, a stock "
                    "too short, an add-on refusing it). Set it on the store, or Retry.",
                    current=self.status_label(current),
                    status=self.status_label(code),
                ),
                status_code=code,
                request=request,
                answer={"status": current},
            )
        self.status_sent(export, code)
        return Outcome(
            SENT,
            env._("Status set on the shop: %s.", self.status_label(code)),
            status_code=code,
            request=request,
            answer={"status": current},
        )

    # --- invoice numbers -------------------------------------------------------------------------
    def _send_note(self, export, look_up_first):
        env = self.env
        shipments = self.env["marketplace.export"].search(
            [
                ("sale_order_id", "=", export.sale_order_id.id),
                ("kind", "=", "shipment"),
                ("remote_ref", "!=", False),
            ],
            order="id desc",
            limit=1,
        )
        if not shipments:
            return Outcome(
                NOT_NEEDED,
                env._(
                    "CS-Cart keeps document numbers in the comments of the order's shipments; "
                    "this order has none yet: the number goes with its first shipment."
                ),
            )
        shipment_id = shipments.remote_ref
        found = self.client.list_shipments(shipment_id=shipment_id)
        comments = (found[0].get("comments") or "") if found else ""
        if export.note in comments:
            return Outcome(
                SENT,
                env._("The comments of shipment %s have it already.", shipment_id),
                remote_ref=shipment_id,
            )
        request = {"comments": f"{comments.rstrip()}\n{export.note}".strip()}
        self.client.update_shipment(shipment_id, request)
        return Outcome(
            SENT,
            env._(
                "Added to the comments of shipment %(shipment)s: %(note)s",
                shipment=shipment_id,
                note=export.note,
            ),
            remote_ref=shipment_id,
            request=request,
        )
