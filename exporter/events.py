"""What happens to an imported order in Odoo that its shop may need to hear, in no shop's words.

``marks`` turns what the models report into events; each shop's sender says which updates
(``marketplace.export`` values) an event means for that shop: ``updates_for`` calls its
``on_<event>``. The defaults here are what most shops take (a status per event where the account
sets one, a shipment per delivery, the invoice number); ``otto``, ``prestashop`` and ``cscart``
adjust them. Marking never sends: validating a delivery does not wait on a shop.

Events: an order confirmed, an order cancelled, an invoice posted, a delivery done, an order done
with its deliveries (all done or cancelled, one at least done), a return of its goods received
(validated) or refused (cancelled with a reason), a credit note posted in Odoo.
"""

import json
from dataclasses import dataclass

from . import notes
from .parcels import parcels_json

ORDER_CONFIRMED = "order_confirmed"
ORDER_CANCELLED = "order_cancelled"
INVOICED = "invoiced"
DELIVERY_DONE = "delivery_done"
DELIVERIES_CLOSED = "deliveries_closed"
RETURN_RECEIVED = "return_received"
RETURN_REFUSED = "return_refused"
CREDIT_NOTE_POSTED = "credit_note_posted"


@dataclass(frozen=True)
class Event:
    """One thing that happened to ``order`` (a sale.order, read as the connector)."""

    name: str
    order: object
    picking: object = None  # the delivery of DELIVERY_DONE, the return of RETURN_*
    invoice: object = None  # the invoice of INVOICED, the credit note of CREDIT_NOTE_POSTED
    was_confirmed: bool = False  # ORDER_CANCELLED: the order had been confirmed

    @property
    def account(self):
        return self.order.marketplace_account_id


def update(order, kind, key, **values):
    """The values of one update of ``order``; ``key`` is unique per order (marked once)."""
    return {
        "account_id": order.marketplace_account_id.id,
        "sale_order_id": order.id,
        "kind": kind,
        "key": key,
        **values,
    }


def wholly_credited(order, credit_note):
    """Whether the order's posted credit notes (``credit_note`` among them) give back all that
    its posted invoices hold."""
    moves = (order.invoice_ids | credit_note).filtered(lambda move: move.state == "posted")
    invoiced = sum(moves.filtered(lambda m: m.move_type == "out_invoice").mapped("amount_total"))
    credited = sum(moves.filtered(lambda m: m.move_type == "out_refund").mapped("amount_total"))
    currency = credit_note.currency_id or order.currency_id
    return bool(invoiced) and currency.compare_amounts(credited, invoiced) >= 0


def taken_items(order, pending=()):
    """The shop items already given to a shipment of the order (marked, or in ``pending``:
    marked just now, in the same call)."""
    taken = set()
    shipments = (
        order.env["marketplace.export"]
        .sudo()
        .search(
            [("sale_order_id", "=", order.id), ("kind", "=", "shipment"), ("items", "!=", False)]
        )
    )
    for raw in shipments.mapped("items") + [
        vals["items"]
        for vals in pending
        if vals["sale_order_id"] == order.id and vals.get("items") and vals["kind"] == "shipment"
    ]:
        items = json.loads(raw)
        taken.update(items if isinstance(items, list) else ())
    return taken


def shop_status_is(order, states):
    """Whether the shop's current status of the order maps to one of these document states."""
    rows = order.marketplace_account_id.status_mapping_ids
    row = rows.filtered(lambda mapping: mapping.code == order.marketplace_status)
    return bool(row) and row[0].document_state in states


class EventUpdates:
    """What an event means for a shop (class methods: marking needs no run and no client)."""

    # the invoice number goes where the buyer reads it (CS-Cart's shipment comments)
    invoice_note_buyer_sees = False

    @classmethod
    def updates_for(cls, event, pending=()):
        """The updates ``event`` means for this shop; ``pending``: the updates marked just before
        in the same call (a delivery's items are shipped once)."""
        handler = getattr(cls, f"on_{event.name}", None)
        return handler(event, pending) if handler else []

    @classmethod
    def on_order_confirmed(cls, event, pending):
        """The 'confirmed' status, unless the shop's own status made the order (or cancelled
        it)."""
        order, account = event.order, event.account
        if account._export_status("confirm") and not shop_status_is(
            order, ("sale", "locked", "cancel")
        ):
            return [update(order, "status", "status:confirm", event="confirm")]
        return []

    @classmethod
    def on_order_cancelled(cls, event, pending):
        if event.account._export_status("cancel"):
            return [update(event.order, "status", "status:cancel", event="cancel")]
        return []

    @classmethod
    def on_invoiced(cls, event, pending):
        """The 'invoiced' status and the invoice number."""
        order, account, move = event.order, event.account, event.invoice
        updates = []
        if account._export_status("invoice"):
            updates.append(update(order, "status", "status:invoice", event="invoice"))
        if account.export_document_numbers:
            note = notes.invoice_note(account, move, buyer_sees=cls.invoice_note_buyer_sees)
            updates.append(
                update(
                    order,
                    "note",
                    f"note:invoice:{move.id}",
                    event="invoice",
                    invoice_id=move.id,
                    note=note,
                )
            )
        return updates

    @classmethod
    def on_delivery_done(cls, event, pending):
        """A shipment with the shop's items the delivery moved (per package when it has
        several)."""
        order, picking = event.order, event.picking
        if not event.account.export_tracking:
            return []
        items, parcels = cls.shipment_items(picking, taken=taken_items(order, pending))
        return [
            update(
                order,
                "shipment",
                f"shipment:{picking.id}",
                picking_id=picking.id,
                event="deliver",
                items=json.dumps(items) if items else False,
                parcels=parcels_json(parcels),
            )
        ]

    @classmethod
    def on_deliveries_closed(cls, event, pending):
        """The 'delivered' status (with or without tracking: chosen when it is sent)."""
        account = event.account
        if account._export_status("shipped") or account._export_status("delivered"):
            return [update(event.order, "status", "status:deliver", event="deliver")]
        return []

    @classmethod
    def on_credit_note_posted(cls, event, pending):
        """The 'refunded' status, where the account sets one (once per order), once the order's
        posted credit notes give back all its posted invoices hold: a shop status says the
        whole order is refunded, so a partial refund recorded in Odoo stays in Odoo."""
        if event.account._export_status("refund") and wholly_credited(event.order, event.invoice):
            return [update(event.order, "status", "status:refund", event="refund")]
        return []

    # a return received or refused means nothing to a shop without a returns API (PrestaShop,
    # CS-Cart): no on_return_received / on_return_refused here

    @classmethod
    def shipment_items(cls, picking, taken=frozenset()):
        """(the shop's items a delivery moved, [{"package", "items"}] per package when it has
        several); (None, []): the shop's shipments carry no items."""
        return None, []


def deliveries_closed(orders):
    """The confirmed orders whose deliveries to the buyer are all done or cancelled, one at
    least done: they are done with what was delivered."""
    closed = orders.browse()
    for order in orders.filtered(lambda o: o.state == "sale" and o.marketplace_account_id):
        deliveries = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.location_dest_id.usage == "customer"
        )
        if deliveries.filtered(lambda p: p.state == "done") and not deliveries.filtered(
            lambda p: p.state not in ("done", "cancel")
        ):
            closed |= order
    return closed
