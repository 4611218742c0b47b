"""What the models mark to send when something happens in Odoo: ``marketplace.export`` records,
never a request (validating a delivery does not wait on a shop). Each update has a key unique per
order, so a transition is marked, hence sent, once."""

import json

from . import notes
from . import parcels as parcel_plan
from .base import customer_deliveries, split_tracking


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


def _update(order, kind, key, **values):
    return {
        "account_id": order.marketplace_account_id.id,
        "sale_order_id": order.id,
        "kind": kind,
        "key": key,
        **values,
    }


def _shop_status_is(order, states):
    """Whether the shop's current status of the order maps to one of these document states."""
    rows = order.marketplace_account_id.status_mapping_ids
    row = rows.filtered(lambda mapping: mapping.code == order.marketplace_status)
    return bool(row) and row[0].document_state in states


# --- the order -----------------------------------------------------------------------------------
def orders_confirmed(orders):
    """An order confirmed in Odoo: its 'confirmed' status, and (PrestaShop) the order number and
    expected delivery date. An order the import confirms because of the shop's own status needs
    no status from Odoo."""
    orders = orders.sudo()  # whoever confirms, the connector marks
    vals_list = []
    for order in orders.filtered("marketplace_account_id"):
        account = order.marketplace_account_id
        if (
            account.backend != "otto"
            and account._export_status("confirm")
            and not _shop_status_is(order, ("sale", "locked", "cancel"))
        ):
            vals_list.append(_update(order, "status", "status:confirm", event="confirm"))
        if account.backend == "prestashop":
            text = notes.confirm_note(account, order)
            if text:
                vals_list.append(_update(order, "note", "note:confirm", event="confirm", note=text))
    return create_once(orders.env, vals_list)


def orders_cancelled(orders, confirmed):
    """An order cancelled in Odoo: its 'cancelled' status, or on OTTO the cancellation of the
    position items no delivery has shipped (only for orders that were confirmed: the items of a
    quotation are not processable on OTTO)."""
    orders, confirmed = orders.sudo(), confirmed.sudo()
    vals_list = []
    for order in orders.filtered("marketplace_account_id"):
        account = order.marketplace_account_id
        if account.backend == "otto":
            if account.otto_cancel_items and order in confirmed:
                items = open_position_items(order)
                if items:
                    vals_list.append(
                        _update(order, "cancel", "cancel", event="cancel", items=json.dumps(items))
                    )
        elif account._export_status("cancel"):
            vals_list.append(_update(order, "status", "status:cancel", event="cancel"))
    return create_once(orders.env, vals_list)


def invoices_posted(moves):
    """A customer invoice posted: the orders' 'invoiced' status and the invoice number."""
    moves = moves.sudo()
    vals_list = []
    for move in moves.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"):
        orders = move.invoice_line_ids.sale_line_ids.order_id.filtered("marketplace_account_id")
        for order in orders:
            account = order.marketplace_account_id
            if account.backend == "otto":
                continue
            if account._export_status("invoice"):
                vals_list.append(_update(order, "status", "status:invoice", event="invoice"))
            if account.export_document_numbers:
                vals_list.append(
                    _update(
                        order,
                        "note",
                        f"note:invoice:{move.id}",
                        event="invoice",
                        invoice_id=move.id,
                        # CS-Cart: added to shipment comments, which the buyer sees
                        note=notes.invoice_note(
                            account, move, buyer_sees=account.backend == "cscart"
                        ),
                    )
                )
    return create_once(moves.env, vals_list)


# --- deliveries ----------------------------------------------------------------------------------
def deliveries_done(pickings):
    """Deliveries to the buyer validated: a shipment each (with the shop's items it moved, per
    package when it has several), the ship date note (PrestaShop), and what an order now done
    with its deliveries tells the shop (see ``_deliveries_closed``)."""
    pickings = pickings.sudo()
    deliveries = customer_deliveries(pickings)
    env = pickings.env
    vals_list = []
    for picking in deliveries.sorted("id"):
        order = picking.sale_id
        account = order.marketplace_account_id
        if account.export_tracking:
            items, parcels = _shipment_items(picking, taken=_taken_items(order, vals_list))
            vals_list.append(
                _update(
                    order,
                    "shipment",
                    f"shipment:{picking.id}",
                    picking_id=picking.id,
                    event="deliver",
                    items=json.dumps(items) if items else False,
                    parcels=parcel_plan.parcels_json(parcels),
                )
            )
        if account.backend == "prestashop" and account.export_delivery_dates:
            vals_list.append(
                _update(
                    order,
                    "note",
                    f"note:ship:{picking.id}",
                    picking_id=picking.id,
                    event="deliver",
                    note=notes.ship_note(account, picking),
                )
            )
    exports = create_once(env, vals_list)
    return exports | _deliveries_closed(deliveries.sale_id)


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
    ).sale_id.filtered("marketplace_account_id")
    return _deliveries_closed(orders)


def _deliveries_closed(orders):
    """Orders whose deliveries are all done or cancelled, one at least done: the shop gets the
    'delivered' status (PrestaShop, CS-Cart); on OTTO the position items no delivery shipped
    will never ship and are cancelled (for those items only)."""
    vals_list = []
    for order in orders.filtered(lambda o: o.state == "sale" and o.marketplace_account_id):
        deliveries = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.location_dest_id.usage == "customer"
        )
        if not deliveries.filtered(lambda p: p.state == "done") or deliveries.filtered(
            lambda p: p.state not in ("done", "cancel")
        ):
            continue
        account = order.marketplace_account_id
        if account.backend == "otto":
            if not (account.otto_cancel_items and account.export_tracking):
                continue  # without shipments sent, which items shipped is not on record
            items = open_position_items(order, _pending=vals_list)
            if items:
                vals_list.append(
                    _update(
                        order,
                        "cancel",
                        "cancel:unshipped",
                        event="deliver",
                        items=json.dumps(items),
                    )
                )
        elif account._export_status("shipped") or account._export_status("delivered"):
            vals_list.append(_update(order, "status", "status:deliver", event="deliver"))
    return create_once(orders.env, vals_list)


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


def _taken_items(order, pending_vals):
    """The shop items already given to a shipment of the order (marked, or marked just now)."""
    taken = set()
    shipments = _exports(order.env).search(
        [("sale_order_id", "=", order.id), ("kind", "=", "shipment"), ("items", "!=", False)]
    )
    for raw in shipments.mapped("items") + [
        vals["items"]
        for vals in pending_vals
        if vals["sale_order_id"] == order.id and vals.get("items") and vals["kind"] == "shipment"
    ]:
        items = json.loads(raw)
        taken.update(items if isinstance(items, list) else ())
    return taken


def _shipment_items(picking, taken=frozenset()):
    """(the shop's items a delivery moved, [{"package", "items"}] per package when it has
    several). OTTO: position item ids (one unit each), the ones no other delivery took, in line
    order. CS-Cart: {cart item id: quantity}. PrestaShop: none (its order carrier is per
    order)."""
    backend = picking.sale_id.marketplace_account_id.backend
    if backend == "prestashop":
        return None, []
    units = parcel_plan.delivered_units(picking)
    groups = parcel_plan.package_units(picking)
    if backend == "otto":
        by_line = parcel_plan.otto_items(units, taken)
        items = [item for chosen in by_line.values() for item in chosen]
        return items, parcel_plan.split_otto(by_line, groups)
    parcels = [
        {"package": name, "items": parcel_plan.cscart_items(group)} for name, group in groups
    ]
    return parcel_plan.cscart_items(units), parcels


def shop_items(picking, taken=frozenset()):
    """The shop's items a delivery moved (see ``_shipment_items``)."""
    return _shipment_items(picking, taken)[0]


def open_position_items(order, _pending=()):
    """OTTO: the order's position items that no delivery has shipped and no cancellation of the
    connector asks for already."""
    shipped = _taken_items(order, [])
    for export in order.sudo().marketplace_export_ids.filtered(lambda e: e.kind == "cancel"):
        shipped.update(json.loads(export.items or "[]"))
    for vals in _pending:
        if vals["sale_order_id"] == order.id and vals["kind"] == "cancel":
            shipped.update(json.loads(vals["items"]))
    items = []
    # fee and discount lines name the items they concern too: each item once
    for line in order.order_line:
        for item in parcel_plan.line_items(line):
            if item not in shipped and item not in items:
                items.append(item)
    return items
