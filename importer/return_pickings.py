"""Returns of the goods of an imported order: a return of the delivery that shipped them, made
by Odoo's own return wizard (``stock.return.picking``), as a person would from the delivery:
a receipt from the customer into the warehouse, linked to the order (its ``picking_ids``), that
updates the order's delivered quantities (``to_refund``) once validated. The connector makes it
and leaves it open: the warehouse validates it when the goods arrive (the stock comes back
then), or refuses it.

Which delivery: an OTTO position item's is the delivery whose shipment carried it (the updates
sent to OTTO say which), else the order's done deliveries that moved its line, newest first; a
whole order's are all its done deliveries. Never more than a delivery moved and its earlier
returns have not taken back (a kit comes back as the components it was delivered as).
"""

import json

from odoo.tools import float_compare, float_is_zero, float_round


def customer_deliveries(sale):
    """The order's done deliveries to the buyer, newest first."""
    return sale.picking_ids.filtered(
        lambda p: (
            p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.location_dest_id.usage == "customer"
        )
    ).sorted(lambda p: (p.date_done, p.id), reverse=True)


def done_quantity(move):
    """What a done move moved, in its product's unit."""
    return move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)


def returnable(move):
    """What of a done move (in its product's unit) no return has taken back yet (open returns
    count)."""
    taken = sum(
        returned.product_qty
        for returned in move.returned_move_ids
        if returned.state != "cancel" and returned.location_id.usage == "customer"
    )
    return max(done_quantity(move) - taken, 0.0)


def per_unit(line, product):
    """How much of ``product`` one unit of the sale line is (a kit: its component's share of
    the line's deliveries)."""
    if product == line.product_id:
        return line.product_uom._compute_quantity(1.0, product.uom_id)
    moves = line.move_ids.filtered(
        lambda m: (
            m.product_id == product
            and m.state != "cancel"
            and m.location_dest_id.usage == "customer"
            and not m.origin_returned_move_id
        )
    )
    return sum(moves.mapped("product_qty")) / (line.product_uom_qty or 1.0)


def shipped_by(sale, item):
    """The done delivery whose shipment carried the OTTO position item ``item``, if one did."""
    for export in sale.sudo().marketplace_export_ids:
        if export.kind != "shipment" or not export.items or export.picking_id.state != "done":
            continue
        items = json.loads(export.items)
        if isinstance(items, list) and item in items:
            return export.picking_id
    return sale.env["stock.picking"]


class ReturnPickings:
    def __init__(self, account):
        self.account = account
        self.env = account.env

    def of_units(self, sale, wanted):
        """Returns of ``wanted`` [(sale line, units, delivery or empty)]: {return picking:
        [index of each entry it covers]} and the entries no delivery could give back."""
        plan = {}  # delivery -> {move: quantity}
        covered = {}  # delivery -> [entry indexes]
        missing = []
        deliveries = customer_deliveries(sale)
        for index, (line, units, delivery) in enumerate(wanted):
            candidates = delivery if delivery else deliveries
            placed = False
            for candidate in candidates:
                quantities = self._take(candidate, line, units, plan.get(candidate, {}))
                if quantities:
                    plan.setdefault(candidate, {}).update(quantities)
                    covered.setdefault(candidate, []).append(index)
                    placed = True
                    break
            if not placed:
                missing.append(index)
        pickings = {}
        for delivery, quantities in plan.items():
            pickings[self._create(delivery, quantities)] = covered[delivery]
        return pickings, missing

    def of_everything(self, sale):
        """Returns of everything the order's deliveries shipped that no return took back yet."""
        pickings = self.env["stock.picking"]
        for delivery in customer_deliveries(sale):
            quantities = {
                move: returnable(move)
                for move in delivery.move_ids.filtered(lambda m: m.state == "done")
            }
            quantities = {
                move: quantity
                for move, quantity in quantities.items()
                if not float_is_zero(quantity, precision_rounding=move.product_uom.rounding)
            }
            if quantities:
                pickings |= self._create(delivery, quantities)
        return pickings

    def _take(self, delivery, line, units, already):
        """{move: quantity} giving back ``units`` of ``line`` from ``delivery`` (a kit: its
        components), or {} when the delivery cannot (it did not move them, or they came back
        already)."""
        moves = delivery.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id == line)
        if not moves:
            return {}
        quantities = {}
        for product in moves.product_id:
            rounding = product.uom_id.rounding
            need = float_round(units * per_unit(line, product), precision_rounding=rounding)
            for move in moves.filtered(lambda m, product=product: m.product_id == product):
                if float_is_zero(need, precision_rounding=rounding):
                    break
                left = returnable(move) - already.get(move, 0.0)
                take = min(need, max(left, 0.0))
                if take > 0:
                    quantities[move] = already.get(move, 0.0) + take
                    need -= take
            if float_compare(need, 0.0, precision_rounding=rounding) > 0:
                return {}
        return quantities

    def _create(self, delivery, quantities):
        """A return of ``delivery`` with {move: quantity} (product units), by Odoo's wizard."""
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.move_id, 0.0)  # the product's unit, as the line's
            if "to_refund" in line._fields:
                line.to_refund = True  # the order's delivered quantities follow
        return wizard._create_return()
