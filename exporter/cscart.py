"""CS-Cart: a shipment per parcel of a delivery (carrier, tracking number, the cart items it
moved, the ship date; document numbers and dates in its comments), order statuses, invoice
numbers added to the comments of the order's last shipment.

- A delivery of several packages with one tracking number each is one shipment per package,
  with that package's items.
- ``timestamp`` is the delivery's date (``fn_update_shipment`` stamps the moment of the request
  when it is missing); a number, which ``fn_parse_date`` takes as it is.
- ``notify_user`` is sent only to say yes (CS-Cart reads any non-empty value as yes,
  ``fn_get_notification_rules``), when the account lets the shop e-mail the buyer. The stock
  ``Shipments::create`` passes no notification rules: the store's own setting of the
  "shipment" notification decides whether the buyer gets an e-mail.
- Comments are shown to the buyer: Odoo's references only where the account shows them.
- A tracking number corrected after CS-Cart has the shipment is put on it
  (``PUT /shipments/{id}`` with tracking_number, which ``Shipments::update`` accepts).

Staff notes (``details``) are never written: an order PUT with anything but the status makes
CS-Cart recalculate the whole order. Exactly once: CS-Cart cannot find a shipment by tracking
number, so after a request without an answer the order's shipments are compared (carrier,
tracking number, items) before sending it again; each parcel CS-Cart has is recorded before the
next one is sent. The order's status is read before its PUT (a status the merchant set on the
store since the last import, at or beyond the one to send, stops it: statuses only go forward;
after a lost answer it tells whether the PUT arrived) and read back after it (CS-Cart answers 200
whatever it did). The buyer's e-mail flag is sent only to say yes: CS-Cart reads
any non-empty ``notify_*`` (even "N") as yes.
"""

import calendar
import json

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
from .notes import shipment_comments
from .sender import Sender


class CsCartSender(Sender):
    # --- what events mean on CS-Cart: the defaults, invoice numbers where the buyer reads them ----
    invoice_note_buyer_sees = True  # in the shipment comments

    @classmethod
    def shipment_items(cls, picking, taken=frozenset()):
        """{cart item id: quantity} the delivery moved; per package when it has several."""
        units = parcel_plan.delivered_units(picking)
        parcels = [
            {"package": name, "items": parcel_plan.cscart_items(group)}
            for name, group in parcel_plan.package_units(picking)
        ]
        return parcel_plan.cscart_items(units), parcels

    # --- shipments: the steps of Sender._send_shipment -------------------------------------------
    def shipment_items_of(self, export):
        return self.items(export, {})

    def no_items_message(self):
        return self.env._("The delivery moved no item of the CS-Cart order.")

    def correct_shipment(self, shipment):
        return self._correction(shipment.export, shipment.recorded)

    def check_shipment(self, shipment):
        env, export, picking, numbers = (
            self.env,
            shipment.export,
            shipment.picking,
            shipment.numbers,
        )
        if not numbers and self.account.import_tracking:
            found = yield from self._tracking_from_shop(export, shipment.items)
            waiting = found or self.waiting_for_tracking(export)
            if waiting:
                return waiting
        carrier = shipment.carrier = shop_carrier(self.account, picking.carrier_id)
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
        return None

    def plan_parcels(self, shipment):
        """One shipment per package, one tracking number each; without packages, which parcel
        holds what is unknown: one shipment with every number."""
        env, numbers = self.env, shipment.numbers
        groups = parcel_groups(shipment.export, shipment.items)
        if len(numbers) == len(groups):
            return [dict(g, number=n) for g, n in zip(groups, numbers, strict=True)], ""
        if len(groups) > 1 and len(numbers) > 1:
            # translated on its own: Babel does not see a call inside another's arguments
            unpacked = env._("not packed")
            return None, env._(
                "The delivery %(delivery)s has %(packages)s packages and %(count)s tracking "
                "numbers: give one tracking number per package, in the order of the packages "
                "(%(names)s), or one for all, then Retry.",
                delivery=shipment.picking.name,
                packages=len(groups),
                count=len(numbers),
                names=", ".join(g["package"] or unpacked for g in groups),
            )
        return [{"package": "", "items": shipment.items, "number": ", ".join(numbers)}], ""

    def send_parcels(self, shipment):
        shipping_id = yield from self._shipping_id(shipment.order)
        shipment.shop.update(
            shipping_id=shipping_id,
            comments=shipment_comments(self.account, shipment.picking),
            known={p.get("ref") for p in shipment.parcels if p.get("ref")},
        )
        return (yield from super().send_parcels(shipment))

    def send_parcel(self, shipment, index):
        export, parcel, carrier = shipment.export, shipment.parcels[index], shipment.carrier
        known = shipment.shop["known"]
        body = {
            "order_id": int(shipment.order.marketplace_order_id),
            "shipping_id": shipment.shop["shipping_id"],
            "products": parcel["items"],
        }
        if carrier:
            body["carrier"] = carrier
        if parcel["number"]:
            body["tracking_number"] = parcel["number"]
        if shipment.shop["comments"]:
            body["comments"] = shipment.shop["comments"]
        # the ship date, as a UNIX timestamp (a date text in another format becomes "now")
        body["timestamp"] = calendar.timegm(shipment.picking.date_done.timetuple())
        if self.account.export_notify_buyer:
            body["notify_user"] = "Y"  # any non-empty value is yes: sent only to say yes
        if shipment.look_up_first:
            found = yield from self._matching_shipment(export, parcel, carrier, known)
            if found:
                parcel.update(done=True, ref=str(found["shipment_id"]), found=True)
                known.add(parcel["ref"])
                return None
        shipment.requests.append(body)
        self.attempt(
            export,
            body,
            parcels=json.dumps(shipment.parcels),
            sent_tracking=",".join(shipment.numbers),
            sent_carrier=carrier,
        )
        client = self.client
        shipment_id = yield lambda: client.create_shipment(body)
        parcel.update(done=True, ref=shipment_id)
        known.add(shipment_id)
        return None

    def shipment_sent(self, shipment):
        env, parcels = self.env, shipment.parcels
        refs = [p["ref"] for p in parcels]
        if not shipment.requests:
            message = env._(
                "CS-Cart already has this shipment (%s): not sent again.", ", ".join(refs)
            )
        else:
            message = "\n".join(
                env._(
                    "Shipment %(shipment)s: %(carrier)s %(tracking)s.",
                    shipment=parcel["ref"],
                    carrier=shipment.carrier,
                    tracking=parcel["number"],
                )
                for parcel in parcels
            )
        return Outcome(
            SENT,
            message,
            remote_ref=",".join(refs),
            request=shipment.request(),
            answer=[{"shipment_id": ref} for ref in refs]
            if len(refs) > 1
            else {"shipment_id": refs[0]},
        )

    def _correction(self, export, recorded):
        """The tracking number changed after CS-Cart had the shipment(s): put the new number on
        each shipment whose number changed (``PUT /shipments/{id}``)."""
        env = self.env
        numbers = self.tracking_numbers(export.picking_id)
        if len(recorded) == 1:
            targets = [", ".join(numbers)]
        elif len(numbers) == len(recorded):
            targets = numbers
        else:
            return Outcome(
                FAILED,
                env._(
                    "CS-Cart has this delivery as %(count)s shipments (%(refs)s); the delivery "
                    "now has %(numbers)s tracking numbers. Give one per shipment, in their "
                    "order, or correct the shipments on CS-Cart.",
                    count=len(recorded),
                    refs=", ".join(p.get("ref") or "?" for p in recorded),
                    numbers=len(numbers),
                ),
            )
        changes, requests, client = [], [], self.client
        for parcel, target in zip(recorded, targets, strict=True):
            if (parcel.get("number") or "") == target:
                continue
            ref, request = parcel["ref"], {"tracking_number": target}
            yield lambda ref=ref, request=request: client.update_shipment(ref, request)
            requests.append({"shipment_id": parcel["ref"], **request})
            changes.append(
                env._(
                    "Shipment %(shipment)s: tracking number %(new)s (was %(old)s).",
                    shipment=parcel["ref"],
                    new=target or "-",
                    old=parcel.get("number") or "-",
                )
            )
            parcel["number"] = target
        export.parcels = json.dumps(recorded)
        if not changes:
            return Outcome(SENT, env._("CS-Cart has these tracking numbers already."))
        return Outcome(
            SENT,
            env._("Corrected on CS-Cart. %s", " ".join(changes)),
            request=requests[0] if len(requests) == 1 else requests,
        )

    def _matching_shipment(self, export, parcel, carrier, known):
        """The order's shipment on CS-Cart that is this parcel (carrier, tracking number, items),
        not one of the delivery's other parcels."""
        wanted = {str(k): int(v) for k, v in parcel["items"].items()}
        client, order_id = self.client, export.sale_order_id.marketplace_order_id
        for shipment in (yield lambda: client.list_shipments(order_id=order_id)):
            products = {str(k): int(float(v)) for k, v in (shipment.get("products") or {}).items()}
            if (
                str(shipment.get("shipment_id")) not in known
                and (shipment.get("tracking_number") or "") == parcel["number"]
                and (shipment.get("carrier") or "") == (carrier or "")
                and products == wanted
            ):
                return shipment
        return None

    def _shipping_id(self, order):
        """The order's shipping method on CS-Cart, read once per order (the import keeps no
        copy of it). Committed: the update yields its next request with nothing uncommitted."""
        if not order.marketplace_shipping_ref:
            client, order_id = self.client, order.marketplace_order_id
            raw = yield lambda: client.get_raw_order(order_id)
            methods = raw.get("shipping") or []
            first = methods[0] if isinstance(methods, list) and methods else {}
            shipping_id = (
                str(first.get("shipping_id") or "").strip()
                or str(raw.get("shipping_ids") or "").split(",")[0].strip()
            )
            order.marketplace_shipping_ref = shipping_id or "1"
            self.run._commit()
        return order.marketplace_shipping_ref

    def _tracking_from_shop(self, export, items):
        """A shipment made on CS-Cart for the delivery's items gives its tracking number."""
        others = {
            number
            for picking in export.sale_order_id.picking_ids - export.picking_id
            for number in split_tracking(picking.carrier_tracking_ref)
        }
        client, order_id = self.client, export.sale_order_id.marketplace_order_id
        for shipment in (yield lambda: client.list_shipments(order_id=order_id)):
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
        short stock may keep it, or move the order elsewhere): the status is read back. Steps
        (see exporter/run.py): each request is yielded, sent in a thread of the run while the
        run goes on with the updates of other orders."""
        env, client = self.env, self.client
        code, skip = self.prepare_status(export)
        if skip:
            return skip
        order_id = export.sale_order_id.marketplace_order_id
        # the order's status right now: the merchant may have changed it on the store since the
        # last import, and an order never goes back in the shop's flow
        current = yield lambda: client.order_status(order_id)
        if look_up_first and self.reached(current, code):
            # the status of the lost answer arrived (or the order went beyond it)
            return self.already_there(export, current, code, {"status": current})
        skip = self.status_not_needed(export, code, current)
        if skip:
            skip.answer = {"status": current}
            return skip
        notify = self.account.export_notify_buyer
        request = {"status": code, **({"notify_user": "Y"} if notify else {})}
        self.attempt(export, request, status_code=code)
        yield lambda: client.set_order_status(order_id, code, notify=notify)
        current = yield lambda: client.order_status(order_id)
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
        """Steps (see exporter/run.py), as a status change's."""
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
        shipment_id = shipments.remote_ref.split(",")[-1]  # the delivery's last parcel
        client = self.client
        found = yield lambda: client.list_shipments(shipment_id=shipment_id)
        comments = (found[0].get("comments") or "") if found else ""
        if export.note in comments:
            return Outcome(
                SENT,
                env._("The comments of shipment %s have it already.", shipment_id),
                remote_ref=shipment_id,
            )
        request = {"comments": f"{comments.rstrip()}\n{export.note}".strip()}
        yield lambda: client.update_shipment(shipment_id, request)
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
