"""PrestaShop: tracking numbers on the order carrier, order states (order histories), document
numbers and delivery dates as private messages in the order's customer thread.

Exactly once: the order carrier is read before it is put back whole (a PUT: the tracking number
found there needs no second request). An order history and a message are POSTs: after a request
without an answer the order's current state (compared by the status table's flow rank: a state
beyond the one sent says it arrived), or the thread's messages, are read first.
"""

import secrets
import string

from ..clients.prestashop_export import TOKEN_SIZE, TRACKING_NUMBER_SIZE
from .base import FAILED, NOT_NEEDED, SENT, Outcome, Sender, split_tracking

_TOKEN_ALPHABET = string.ascii_letters + string.digits


class PrestaShopSender(Sender):
    def _send_shipment(self, export, look_up_first):
        env, picking, order = self.env, export.picking_id, export.sale_order_id
        numbers = self.tracking_numbers(picking)
        if not numbers and not self.account.import_tracking:
            return Outcome(NOT_NEEDED, env._("The delivery has no tracking number to send."))
        records = self.client.order_carriers(order.marketplace_order_id)
        if not numbers:
            others = {
                number
                for other in order.picking_ids - picking
                for number in split_tracking(other.carrier_tracking_ref)
            }
            found = [
                number
                for number in (
                    split_tracking(records[-1].get("tracking_number")) if records else []
                )
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
        if not records:
            return Outcome(
                FAILED,
                env._("The shop has no carrier record for order %s.", order.marketplace_order_ref),
            )
        record = records[-1]
        existing = split_tracking(record.get("tracking_number"))
        missing = [number for number in numbers if number not in existing]
        if not missing:
            return Outcome(
                SENT,
                env._("The shop already has the tracking number %s.", ", ".join(numbers)),
                remote_ref=str(record.get("id")),
                answer=record,
            )
        tracking = ", ".join(existing + missing)
        if len(tracking) > TRACKING_NUMBER_SIZE:
            return Outcome(
                FAILED,
                env._(
                    "PrestaShop keeps at most %(size)s characters of tracking numbers per order: "
                    "%(tracking)s is too long.",
                    size=TRACKING_NUMBER_SIZE,
                    tracking=tracking,
                ),
            )
        request = dict(record, tracking_number=tracking)
        self.client.put_order_carrier(record, tracking, send_email=self.account.export_notify_buyer)
        return Outcome(
            SENT,
            env._("Tracking number %s set on the order's carrier.", tracking),
            remote_ref=str(record.get("id")),
            request=request,
            answer={"order_carrier": request},
        )

    def _send_status(self, export, look_up_first):
        env, order = self.env, export.sale_order_id
        code, skip = self.prepare_status(export)
        if skip:
            return skip
        if look_up_first:
            # the order history may have arrived: the shop's state at or beyond it says so
            current = self.client.order_fields(order.marketplace_order_id, ("current_state",))
            if self.reached(current["current_state"], code):
                return self.already_there(export, current["current_state"], code, current)
        request = {"id_order": order.marketplace_order_id, "id_order_state": code}
        self.attempt(export, request, status_code=code)
        history_id = self.client.add_order_history(
            order.marketplace_order_id, code, send_email=self.account.export_notify_buyer
        )
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
        env, order = self.env, export.sale_order_id
        thread_id = order.marketplace_thread_ref or self.client.find_customer_thread(
            order.marketplace_order_id
        )
        if thread_id and look_up_first:
            for message in self.client.thread_messages(thread_id):
                if (message.get("message") or "").strip() == export.note.strip():
                    order.marketplace_thread_ref = thread_id
                    return Outcome(
                        SENT,
                        env._("The shop has the message already (the last request arrived)."),
                        remote_ref=str(message.get("id")),
                        answer=message,
                    )
        if not thread_id:
            thread = self._new_thread(order)
            self.attempt(export, {"customer_thread": thread})
            thread_id = self.client.create_customer_thread(thread)
        order.marketplace_thread_ref = thread_id
        request = {"id_customer_thread": thread_id, "message": export.note, "private": 1}
        self.attempt(export, request)
        message_id = self.client.add_private_message(thread_id, export.note)
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
        identity = self.client.order_fields(
            order.marketplace_order_id, ("id_lang", "id_customer", "id_shop")
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
