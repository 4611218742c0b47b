"""PrestaShop: tracking numbers on the order carrier and in order messages, order states (order
histories), document numbers and delivery dates as private messages in the order's customer
thread.

PrestaShop keeps ONE tracking field per order (the order carrier's): its "in transit" e-mail
(``OrderCarrier::sendInTransitEmail``) and the buyer's order page build the tracking link from
the carrier's URL with that field put in. So the field holds one number, the first parcel's; the
numbers of further parcels (packages, partial deliveries) go in a message of the order, private
or visible to the buyer as the account says. The e-mail (``sendemail``) goes with the PUT that
puts a new number in the field: each parcel is mailed at most once. A number corrected later
replaces the field's (never merged with the wrong one), or is given in a new message.

Exactly once: the order carrier is read before it is put back whole (a PUT): a number it holds
already is not put again, so a retry mails nobody twice. An order history and a message are
POSTs: after a request without an answer the order's current state (compared by the status
table's flow rank: a state beyond the one sent says it arrived), or the thread's messages, are
read first. The order's current state is read before every order history anyway: a state the
merchant set in the back office since the last import, at or beyond the one to send, is not
sent (statuses only go forward).
"""

import json
import secrets
import string

from ..clients.prestashop_export import TOKEN_SIZE, TRACKING_NUMBER_SIZE
from . import notes
from .base import (
    FAILED,
    NOT_NEEDED,
    SENT,
    Outcome,
    split_tracking,
)
from .events import update
from .notes import parcel_note
from .sender import Sender

_TOKEN_ALPHABET = string.ascii_letters + string.digits


class PrestaShopSender(Sender):
    # --- what events mean on PrestaShop: the defaults, and the staff's notes ---------------------
    @classmethod
    def on_order_confirmed(cls, event, pending):
        """The 'confirmed' status, and the order number and expected delivery date (private
        messages)."""
        updates = super().on_order_confirmed(event, pending)
        text = notes.confirm_note(event.account, event.order)
        if text:
            updates.append(update(event.order, "note", "note:confirm", event="confirm", note=text))
        return updates

    @classmethod
    def on_delivery_done(cls, event, pending):
        """The tracking numbers (the order carrier's, per order: no items), and the ship date."""
        updates = super().on_delivery_done(event, pending)
        account, picking = event.account, event.picking
        if account.export_delivery_dates:
            updates.append(
                update(
                    event.order,
                    "note",
                    f"note:ship:{picking.id}",
                    picking_id=picking.id,
                    event="deliver",
                    note=notes.ship_note(account, picking),
                )
            )
        return updates

    # --- shipments: the steps of Sender._send_shipment -------------------------------------------
    kept_parcel_keys = None  # a parcel the shop has keeps its whole record (where, text, ref)

    # each hook that talks to the shop yields its requests (steps, see exporter/run.py)
    def correct_shipment(self, shipment):
        numbers = self.tracking_numbers(shipment.picking)
        return self._correction(shipment.export, shipment.recorded, numbers, shipment.look_up_first)

    def check_shipment(self, shipment):
        """No tracking number: the shop's is taken, if any; the order carrier, read to be put
        back whole, holds the first number."""
        env, export, numbers = self.env, shipment.export, shipment.numbers
        if not numbers and not self.account.import_tracking:
            return Outcome(NOT_NEEDED, env._("The delivery has no tracking number to send."))
        order_id, client = shipment.order.marketplace_order_id, self.client
        records = yield lambda: client.order_carriers(order_id)
        if not numbers:
            return self._tracking_from_shop(export, records)
        if not records:
            return Outcome(
                FAILED,
                env._(
                    "The shop has no carrier record for order %s.",
                    shipment.order.marketplace_order_ref,
                ),
            )
        too_long = self._too_long(numbers)
        if too_long:
            return too_long
        record = shipment.shop["record"] = records[-1]
        shipment.shop["in_field"] = split_tracking(record.get("tracking_number"))
        return None

    def plan_parcels(self, shipment):
        return [{"number": number} for number in shipment.numbers], ""

    def send_parcel(self, shipment, index):
        """The first parcel's number in the order carrier's field, the others in messages."""
        export, parcels, parcel = shipment.export, shipment.parcels, shipment.parcels[index]
        record, in_field = shipment.shop["record"], shipment.shop["in_field"]
        if parcel["number"] in in_field:  # put there by an earlier attempt, or by the shop
            parcel.update(done=True, where="carrier", ref=str(record.get("id")))
        elif not in_field:
            request = yield from self._put_number(export, parcels, record, parcel["number"])
            shipment.requests.append(request)
            shipment.shop["in_field"] = [parcel["number"]]
            parcel.update(done=True, where="carrier", ref=str(record.get("id")))
        else:
            picking = shipment.picking
            text = parcel_note(
                self.account, picking, parcel["number"], picking.carrier_id.name or ""
            )
            parcel.update(text=text)
            ref, request = yield from self._message(export, parcels, text, shipment.look_up_first)
            if request:
                shipment.requests.append(request)
            parcel.update(done=True, where="message", ref=ref)
        return None

    def shipment_sent(self, shipment):
        return Outcome(
            SENT,
            self._sent_text(shipment.parcels),
            remote_ref=str(shipment.shop["record"].get("id")),
            request=shipment.request(),
        )

    def _too_long(self, numbers):
        too_long = [number for number in numbers if len(number) > TRACKING_NUMBER_SIZE]
        if not too_long:
            return None
        return Outcome(
            FAILED,
            self.env._(
                "PrestaShop keeps at most %(size)s characters per tracking number: "
                "%(tracking)s is too long.",
                size=TRACKING_NUMBER_SIZE,
                tracking=too_long[0],
            ),
        )

    def _put_number(self, export, parcels, record, number):
        """Put the order carrier back whole with ``number`` as its tracking number (replaced,
        never merged); the shop mails the buyer the tracking link when the account says so.
        Recorded first: after a lost answer the order carrier is read before anything is put
        again, so the buyer gets one e-mail."""
        request = dict(record, tracking_number=number)
        self.attempt(export, request, parcels=json.dumps(parcels))
        client, notify = self.client, self.account.export_notify_buyer
        yield lambda: client.put_order_carrier(record, number, send_email=notify)
        return request

    def _sent_text(self, parcels):
        lines = []
        for parcel in parcels:
            if parcel.get("where") == "carrier":
                lines.append(
                    self.env._("Tracking number %s set on the order's carrier.", parcel["number"])
                )
            else:
                lines.append(
                    self.env._(
                        "Tracking number %s of a further parcel added to the order's messages.",
                        parcel["number"],
                    )
                )
        return "\n".join(lines)

    def _correction(self, export, recorded, numbers, look_up_first):
        """The tracking numbers changed after the shop had them: the order carrier's is replaced,
        a further parcel's is corrected in a new message."""
        env, picking, order = self.env, export.picking_id, export.sale_order_id
        if not numbers:
            return Outcome(
                SENT,
                env._("No tracking number left on the delivery: the shop keeps what it has."),
            )
        changed = [
            (index, number)
            for index, number in enumerate(numbers)
            if index >= len(recorded) or recorded[index].get("number") != number
        ]
        if not changed:
            return Outcome(SENT, env._("The shop has these tracking numbers already."))
        too_long = self._too_long([number for _i, number in changed])
        if too_long:
            return too_long
        parcels = [dict(parcel) for parcel in recorded]
        requests, lines = [], []
        order_id, client = order.marketplace_order_id, self.client

        def read_carriers():
            return client.order_carriers(order_id)

        for index, number in changed:
            if index >= len(parcels):
                parcels.append({"number": number})
            parcel = parcels[index]
            old = parcel.get("number") or ""
            if parcel.get("where") == "carrier":
                records = yield read_carriers
                record = next(
                    (r for r in records if str(r.get("id")) == parcel.get("ref")), records[-1]
                )
                if (record.get("tracking_number") or "").strip() != number:
                    requests.append((yield from self._put_number(export, parcels, record, number)))
                lines.append(
                    env._(
                        "Tracking number %(new)s set on the order's carrier (replaces %(old)s).",
                        new=number,
                        old=old,
                    )
                )
                parcel.update(number=number)
                continue
            text = parcel_note(
                self.account, picking, number, picking.carrier_id.name or "", replaces=old
            )
            parcel.update(number=number, text=text, done=False)
            ref, request = yield from self._message(export, parcels, text, look_up_first)
            if request:
                requests.append(request)
            parcel.update(done=True, where="message", ref=ref)
            lines.append(
                env._(
                    "Tracking number %(new)s (replaces %(old)s) added to the order's messages.",
                    new=number,
                    old=old or "-",
                )
            )
        export.parcels = json.dumps(parcels)
        return Outcome(
            SENT,
            "\n".join(lines),
            request=(requests[0] if len(requests) == 1 else requests) or None,
        )

    def _tracking_from_shop(self, export, records):
        """No tracking number in Odoo: the one the shop has (set there by the merchant or a
        shipping tool) is taken onto the delivery."""
        env, picking, order = self.env, export.picking_id, export.sale_order_id
        others = {
            number
            for other in order.picking_ids - picking
            for number in split_tracking(other.carrier_tracking_ref)
        }
        found = [
            number
            for number in (split_tracking(records[-1].get("tracking_number")) if records else [])
            if number not in others
        ]
        if found and self.account.import_tracking:
            self.pull_tracking(picking, found)
            return Outcome(
                NOT_NEEDED,
                env._(
                    "Tracking number %s taken from the shop onto the delivery.",
                    ", ".join(found),
                ),
                answer=records[-1],
            )
        return self.waiting_for_tracking(export) or Outcome(
            NOT_NEEDED, env._("No tracking number, in Odoo or on the shop, to send.")
        )

    def _message(self, export, parcels, text, look_up_first):
        """Post a parcel's message in the order's thread (private or visible to the buyer, as
        the account says), unless a lost request put it there already: (message id, request)."""
        order, client = export.sale_order_id, self.client
        private = self.account.prestashop_parcel_messages != "customer"
        thread_id = yield from self._thread(order, export)
        if look_up_first:
            for message in (yield lambda: client.thread_messages(thread_id)):
                if (message.get("message") or "").strip() == text.strip():
                    return str(message.get("id")), None
        request = {"id_customer_thread": thread_id, "message": text, "private": int(private)}
        self.attempt(export, request, parcels=json.dumps(parcels))
        message_id = yield lambda: client.add_message(thread_id, text, private=private)
        return message_id, request

    def _thread(self, order, export):
        """The order's customer thread: the buyer's (found once per order), else a closed one
        the connector opens. Committed: the update yields its next request with nothing
        uncommitted."""
        client, order_id = self.client, order.marketplace_order_id
        thread_id = order.marketplace_thread_ref or (
            yield lambda: client.find_customer_thread(order_id)
        )
        if not thread_id:
            thread = yield from self._new_thread(order)
            self.attempt(export, {"customer_thread": thread})
            thread_id = yield lambda: client.create_customer_thread(thread)
        if order.marketplace_thread_ref != thread_id:
            order.marketplace_thread_ref = thread_id
            self.run._commit()
        return thread_id

    def _send_status(self, export, look_up_first):
        """Steps (see exporter/run.py): each request is yielded, sent in a thread of the run
        while the run goes on with the updates of other orders."""
        env, order = self.env, export.sale_order_id
        code, skip = self.prepare_status(export)
        if skip:
            return skip
        order_id, client = order.marketplace_order_id, self.client
        # the order's state right now: the merchant may have moved it in the back office since
        # the last import, and an order never goes back in the shop's flow
        shop = yield lambda: client.order_fields(order_id, ("current_state",))
        current = shop["current_state"]
        if look_up_first and self.reached(current, code):
            # the order history of the lost answer arrived (or the order went beyond it)
            return self.already_there(export, current, code, shop)
        skip = self.status_not_needed(export, code, current)
        if skip:
            skip.answer = shop
            return skip
        request = {"id_order": order_id, "id_order_state": code}
        self.attempt(export, request, status_code=code)
        notify = self.account.export_notify_buyer
        history_id = yield lambda: client.add_order_history(order_id, code, send_email=notify)
        self.status_sent(export, code)
        return Outcome(
            SENT,
            env._("Status set on the shop: %s.", self.status_label(code)),
            remote_ref=history_id,
            status_code=code,
            request=request,
            answer={"order_history": history_id},
        )

    def _send_note(self, export, look_up_first):
        """Steps (see exporter/run.py), as a status change's."""
        env, order, client = self.env, export.sale_order_id, self.client
        order_id = order.marketplace_order_id
        thread_id = order.marketplace_thread_ref or (
            yield lambda: client.find_customer_thread(order_id)
        )
        if thread_id and look_up_first:
            for message in (yield lambda: client.thread_messages(thread_id)):
                if (message.get("message") or "").strip() == export.note.strip():
                    order.marketplace_thread_ref = thread_id
                    return Outcome(
                        SENT,
                        env._("The shop has the message already (the last request arrived)."),
                        remote_ref=str(message.get("id")),
                        answer=message,
                    )
        if not thread_id:
            thread = yield from self._new_thread(order)
            self.attempt(export, {"customer_thread": thread})
            thread_id = yield lambda: client.create_customer_thread(thread)
        order.marketplace_thread_ref = thread_id
        note = export.note  # read here: the request runs in another thread, without Odoo
        request = {"id_customer_thread": thread_id, "message": note, "private": 1}
        self.attempt(export, request)
        message_id = yield lambda: client.add_message(thread_id, note)
        return Outcome(
            SENT,
            env._("Private message added to the order's thread: %s", export.note),
            remote_ref=message_id,
            request=request,
            answer={"customer_message": message_id},
        )

    def _new_thread(self, order):
        """A closed thread (not one more open request in the shop's customer service) of the
        order's buyer, in the order's language, for the staff's notes."""
        client, order_id = self.client, order.marketplace_order_id
        identity = yield lambda: client.order_fields(
            order_id, ("id_lang", "id_customer", "id_shop")
        )
        thread = {
            "id_lang": identity["id_lang"] or 1,
            "id_shop": identity["id_shop"] or 1,
            "id_customer": identity["id_customer"] or 0,
            "id_order": order.marketplace_order_id,
            "id_contact": self.account.prestashop_contact_id or 0,
            "token": "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_SIZE)),
            "status": "closed",
        }
        if order.partner_id.email:
            thread["email"] = order.partner_id.email
        return thread
