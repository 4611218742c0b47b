"""What the models mark to send when something happens in Odoo: ``marketplace.export`` records,
never a request (validating a delivery does not wait on a shop). Marks know events, not shops:
each model hook turns into events (``events``), the shop's sender says which updates each event
means there (``Sender.updates_for``), and each update has a key unique per order, so a transition
is marked, hence sent, once."""

import json

from . import events
from .base import customer_deliveries, split_tracking
from .events import Event
from .shops import sender_class


def _exports(env):
    return env["marketplace.export"].sudo()


def create_once(env, vals_list):
    """Create the updates whose (order, key) is not marked yet."""
    if not vals_list:
        return _exports(env)
    order_ids = {vals["sale_order_id"] for vals in vals_list}
    existing = {
        (export.sale_order_id.id, export.key)
        for export in _exports(env).search(
            [
                ("sale_order_id", "in", list(order_ids)),
                ("key", "in", [vals["key"] for vals in vals_list]),
            ]
        )
    }
    fresh = []
    for vals in vals_list:
        if (vals["sale_order_id"], vals["key"]) not in existing:
            existing.add((vals["sale_order_id"], vals["key"]))
            fresh.append(vals)
    return _exports(env).create(fresh)


def updates_of(happened):
    """The updates the events mean, each for its order's shop, in the order of the events."""
    vals_list = []
    for event in happened:
        vals_list += sender_class(event.account).updates_for(event, pending=vals_list)
    return vals_list


def _mark(env, happened):
    return create_once(env, updates_of(happened))


def _imported(records):
    return records.filtered("marketplace_account_id")


# --- the order -----------------------------------------------------------------------------------
def orders_confirmed(orders):
    """Orders confirmed in Odoo (whoever confirms, the connector marks)."""
    orders = orders.sudo()
    return _mark(orders.env, [Event(events.ORDER_CONFIRMED, o) for o in _imported(orders)])


def orders_cancelled(orders, confirmed):
    """Orders cancelled in Odoo; ``confirmed``: those of them that had been confirmed."""
    orders, confirmed = orders.sudo(), confirmed.sudo()
    return _mark(
        orders.env,
        [
            Event(events.ORDER_CANCELLED, order, was_confirmed=order in confirmed)
            for order in _imported(orders)
        ],
    )


def invoices_posted(moves):
    """Customer invoices posted: an event for each marketplace order they invoice."""
    moves = moves.sudo()
    happened = [
        Event(events.INVOICED, order, invoice=move)
        for move in moves.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        for order in _imported(move.invoice_line_ids.sale_line_ids.order_id)
    ]
    return _mark(moves.env, happened)


# --- deliveries ----------------------------------------------------------------------------------
def deliveries_done(pickings):
    """Deliveries to the buyer validated; then the orders now done with their deliveries."""
    pickings = pickings.sudo()
    deliveries = customer_deliveries(pickings)
    exports = _mark(
        pickings.env,
        [
            Event(events.DELIVERY_DONE, picking.sale_id, picking=picking)
            for picking in deliveries.sorted("id")
        ],
    )
    return exports | _deliveries_closed(deliveries.sale_id)


def customer_returns(pickings, state):
    """The returns from the buyer (receipts from the customer) of imported orders in ``state``."""
    return pickings.filtered(
        lambda p: (
            p.state == state
            and p.picking_type_code == "incoming"
            and p.location_id.usage == "customer"
            and p.sale_id.marketplace_account_id
        )
    )


def returns_received(pickings):
    """Returns of the buyer's goods validated: the goods are back (the shop may accept it)."""
    pickings = pickings.sudo()
    happened = [
        Event(events.RETURN_RECEIVED, picking.sale_id, picking=picking)
        for picking in customer_returns(pickings, "done").sorted("id")
    ]
    return _mark(pickings.env, happened)


def returns_refused(pickings):
    """Returns cancelled with a refusal reason: the goods are not taken back (the shop may
    reject the return)."""
    pickings = pickings.sudo()
    happened = [
        Event(events.RETURN_REFUSED, picking.sale_id, picking=picking)
        for picking in customer_returns(pickings, "cancel").sorted("id")
        if picking.marketplace_return_refusal
    ]
    return _mark(pickings.env, happened)


def credit_notes_posted(moves):
    """Credit notes posted in Odoo: an event for each marketplace order they credit."""
    moves = moves.sudo()
    happened = []
    for move in moves.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted"):
        orders = move.invoice_line_ids.sale_line_ids.order_id | move.marketplace_return_ids.mapped(
            "sale_order_id"
        )
        happened += [
            Event(events.CREDIT_NOTE_POSTED, order, invoice=move) for order in _imported(orders)
        ]
    return _mark(moves.env, happened)


def deliveries_cancelled(pickings):
    """Deliveries to the buyer cancelled (a backorder the merchant will not ship): an order left
    with no delivery open is done with what was delivered."""
    pickings = pickings.sudo()
    orders = pickings.filtered(
        lambda p: (
            p.state == "cancel"
            and p.picking_type_code == "outgoing"
            and p.location_dest_id.usage == "customer"
        )
    ).sale_id
    return _deliveries_closed(_imported(orders))


def _deliveries_closed(orders):
    closed = events.deliveries_closed(orders)
    return _mark(orders.env, [Event(events.DELIVERIES_CLOSED, order) for order in closed])


def tracking_changed(pickings):
    """A tracking number entered (or corrected) after validation: the delivery's shipment that
    has not reached the shop is to be sent again; one the shop has is to be corrected there."""
    pickings = pickings.sudo()
    exports = _exports(pickings.env).search(
        [
            ("picking_id", "in", customer_deliveries(pickings).ids),
            ("kind", "=", "shipment"),
            ("state", "in", ("failed", "not_needed", "to_send", "sent")),
        ]
    )
    corrections = exports.filtered(
        lambda e: (
            e.state == "sent"
            and sent_numbers(e) != split_tracking(e.picking_id.carrier_tracking_ref)
        )
    )
    exports.filtered(lambda e: e.state in ("failed", "not_needed")).write(
        {"state": "to_send", "message": pickings.env._("Tracking number changed: to be sent.")}
    )
    corrections.write(
        {
            "state": "to_send",
            "message": pickings.env._(
                "Tracking number changed after the shop had the shipment: to be sent as a "
                "correction."
            ),
        }
    )
    return exports.filtered(lambda e: e.state == "to_send")


def sent_numbers(export):
    """The tracking numbers the shop has of a shipment sent, in the order of its parcels."""
    parcels = json.loads(export.parcels or "[]")
    if parcels and all("number" in parcel for parcel in parcels):
        return [n for parcel in parcels for n in split_tracking(parcel["number"])]
    return split_tracking(export.sent_tracking)


# --- what an event would mean, before it happens -------------------------------------------------
def items_cancelled_with(order):
    """The shop items that cancelling ``order`` now would cancel on its shop (OTTO's position
    items no delivery has shipped), for the cancel dialog."""
    order = order.sudo()
    event = Event(events.ORDER_CANCELLED, order, was_confirmed=order.state == "sale")
    return [
        item
        for vals in updates_of([event] if order.marketplace_account_id else [])
        if vals["kind"] == "cancel"
        for item in json.loads(vals["items"])
    ]
