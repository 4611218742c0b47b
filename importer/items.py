"""Following the single items of an order: some cancelled while the others go on.

OTTO cancels position items one by one (the buyer cancels one unit, OTTO cancels an item it
cannot deliver); the order's status stays that of the other items, so the document would still
deliver and invoice the cancelled units. Each line keeps the ids of its items
(``marketplace_item_ids``); a cancelled item leaves its line, whose quantity follows (and so does
a draft invoice of the order), and a fee or discount concerning only cancelled items drops to
zero. Once goods have left or an invoice is
posted the document is not changed: a person decides (an activity), as for a cancelled order.
"""

import json

from odoo import Command

from ..activities import decision_user, has_open_activity


def item_ids(line):
    return [i for i in (line.marketplace_item_ids or "").split(",") if i]


class ItemFollower:
    def __init__(self, account):
        self.account = account
        self.env = account.env

    def follow(self, sale, order):
        """Apply the order's cancelled items to ``sale``; return notes for the run log."""
        cancelled = order.cancelled_item_ids
        changes = []
        for line in sale.order_line:
            ids = item_ids(line)
            gone = [i for i in ids if i in cancelled]
            if gone:
                changes.append((line, [i for i in ids if i not in cancelled], gone))
        if not changes:
            return []
        count = sum(len(gone) for line, _kept, gone in changes if self._is_product_line(line))
        delivered = any(p.state == "done" for p in sale.picking_ids)
        invoiced = any(m.state == "posted" for m in sale.invoice_ids)
        ours = self._cancelled_by_connector(sale)
        if delivered and not invoiced and all(set(gone) <= ours for *_rest, gone in changes):
            # the connector cancelled them (a backorder that will not ship): nothing to decide
            self._lower_quantities(sale, changes)
            return [
                self.env._(
                    "%s item(s) that will not ship cancelled on the marketplace by the "
                    "connector: quantities lowered to what was delivered.",
                    count,
                )
            ]
        if delivered or invoiced:
            self._ask_a_person(sale, changes, delivered)
            return [
                self.env._(
                    "%(count)s item(s) cancelled on the marketplace after the order was "
                    "%(what)s: activity created, the order is left as it is.",
                    count=count,
                    what=self.env._("delivered") if delivered else self.env._("invoiced"),
                )
            ]
        described = ", ".join(
            f"{line.product_id.default_code or line.name} -{len(gone)}"
            for line, _kept, gone in changes
            if self._is_product_line(line)
        )
        self._lower_quantities(sale, changes)
        return [
            self.env._(
                "%(count)s item(s) cancelled on the marketplace (%(items)s): quantities lowered, "
                "with the fees and discounts of those items.",
                count=count,
                items=described,
            )
        ]

    def _cancelled_by_connector(self, sale):
        """The items whose cancellation the connector sent itself (its updates to the shop)."""
        if "marketplace_export_ids" not in sale._fields:
            return set()
        return {
            item
            for export in sale.sudo().marketplace_export_ids
            if export.kind == "cancel" and export.state == "sent" and export.items
            for item in json.loads(export.items)
        }

    def _is_product_line(self, line):
        return not line.is_delivery and line.product_id != self.account.discount_product_id

    def _lower_quantities(self, sale, changes):
        locked = sale.locked
        if locked:
            sale.action_unlock()
        to_remove = self.env["sale.order.line"]
        lowered = {}
        for line, kept, __ in changes:
            if self._is_product_line(line):
                quantity = float(len(kept))
            else:  # a fee or a discount: gone with the last of its items
                quantity = line.product_uom_qty if kept else 0.0
            if not quantity and sale.state in ("draft", "sent"):
                to_remove |= line
                continue
            removed = line.product_uom_qty - quantity
            lowered[line] = removed
            # price and discount written with the quantity: the shop's price stays, whatever
            # a pricelist would compute for the new quantity. The delivery is lowered below,
            # not by a negative procurement, which Odoo keeps apart when the order date moved
            # (imported orders keep the shop's order date)
            line.with_context(skip_procurement=True).write(
                {
                    "product_uom_qty": quantity,
                    "price_unit": line.price_unit,
                    "discount": 0.0,
                    "marketplace_item_ids": ",".join(kept) or False,
                }
            )
            self._lower_delivery(line, removed)
        to_remove.unlink()
        self._follow_draft_invoices(lowered)
        if locked:
            sale.action_lock()

    def _follow_draft_invoices(self, lowered):
        """A draft invoice of the order follows its lines: a cancelled unit is never invoiced
        beside the refund payment of it (posted invoices are never changed: see ``follow``)."""
        for line, removed in lowered.items():
            for invoice_line in line.invoice_lines.filtered(
                lambda aml: aml.move_id.state == "draft"
            ).sorted("id", reverse=True):
                if removed <= 0:
                    break
                take = min(invoice_line.quantity, removed)
                removed -= take
                invoice = invoice_line.move_id
                if take >= invoice_line.quantity:
                    invoice.write({"invoice_line_ids": [Command.unlink(invoice_line.id)]})
                else:
                    invoice.write(
                        {
                            "invoice_line_ids": [
                                Command.update(
                                    invoice_line.id, {"quantity": invoice_line.quantity - take}
                                )
                            ]
                        }
                    )

    def _lower_delivery(self, line, removed):
        """Take ``removed`` units off the line's moves not done yet (the last ones first); a
        move left without quantity is cancelled, and so is a delivery left without moves."""
        moves = line.move_ids.filtered(
            lambda move: (
                move.state not in ("done", "cancel") and move.location_dest_id.usage == "customer"
            )
        )
        for move in moves.sorted("id", reverse=True):
            if removed <= 0:
                break
            take = min(move.product_uom_qty, removed)
            removed -= take
            if take >= move.product_uom_qty:
                move._action_cancel()
                continue
            move._do_unreserve()
            move.product_uom_qty -= take
            move._action_assign()

    def _ask_a_person(self, sale, changes, delivered):
        lines = "; ".join(
            f"{line.product_id.default_code or line.name}: {len(gone)}"
            for line, _kept, gone in changes
        )
        if has_open_activity(sale, _items_summary, note_part=lines):
            return
        sale.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_items_summary(self.env),
            note=self.env._(
                "The marketplace cancelled items of this order after it was %(what)s in Odoo "
                "(%(lines)s). Decide whether to take the goods back, credit the customer or "
                "correct the order.",
                what=self.env._("delivered") if delivered else self.env._("invoiced"),
                lines=lines,
            ),
            user_id=decision_user(sale, self.account.user_id).id,
        )


def _items_summary(env):
    return env._("Items cancelled on the marketplace")
