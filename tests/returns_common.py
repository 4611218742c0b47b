"""Shared set-up of the returns tests: products in stock, a carrier, deliveries and invoices in
Odoo, and the scheduled actions as production runs them (the import, which reads the returns
once the orders are in, and the sending of updates)."""

from odoo import Command
from odoo.tests import Form

from .test_payments import PaymentCaseMixin


class ReturnsCaseMixin(PaymentCaseMixin):
    stock_skus = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.payment_create = True
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse.partner_id = cls.company.partner_id
        cls.account.warehouse_id = cls.warehouse
        fee = cls.env["product.product"].create({"name": "Carrier fee", "type": "service"})
        cls.carrier = cls.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": fee.id, "delivery_type": "fixed"}
        )
        for sku in cls.stock_skus:
            product = cls.products[sku]
            product.is_storable = True
            cls.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "inventory_quantity": 10,
                }
            ).action_apply_inventory()

    # --- the scheduled actions -------------------------------------------------------------------
    def cron_import(self):
        """The scheduled import (orders, then their returns and refunds)."""
        self.env["marketplace.account"]._cron_import_orders()
        self.env.invalidate_all()

    def cron_send(self):
        self.env["marketplace.account"]._cron_export_updates()
        self.env.invalidate_all()

    # --- Odoo's side -----------------------------------------------------------------------------
    def deliver(self, sale, tracking="00340434161094042557"):
        picking = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def returns_of(self, sale):
        return sale.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def credit_notes(self, sale):
        return sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")

    def refunds(self, sale):
        return sale.marketplace_payment_ids.filtered(lambda p: p.payment_type == "outbound")

    def receive(self, picking, **values):
        """The warehouse validates a return: everything came back."""
        picking.write(values)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def credit_by_hand(self, invoice, lines=None):
        """An accountant's credit note of ``invoice`` (Odoo's reversal wizard), posted; ``lines``:
        {invoice line: quantity} to keep (the others are taken out of the draft)."""
        wizard = Form(
            self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )
        wizard.reason = "Customer complaint"
        action = wizard.save().refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        if lines is not None:
            commands = []
            for line in credit_note.invoice_line_ids:
                kept = {k.product_id: q for k, q in lines.items()}.get(line.product_id)
                if kept is None:
                    commands.append(Command.delete(line.id))
                else:
                    commands.append(Command.update(line.id, {"quantity": kept}))
            credit_note.write({"invoice_line_ids": commands})
        credit_note.action_post()
        return credit_note
