from odoo import models

from ..exporter import marks


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """``sale`` matches a posted invoice with the posted payments of its transactions; the
        connector's payments are also matched when the invoice came before them, and a small
        difference is written off (ledger/matching.py). The shops of
        the orders learn the invoice number and the 'invoiced' status (marked, sent later)."""
        posted = super()._post(soft)
        orders = posted.filtered(lambda move: move.is_invoice()).line_ids.sale_line_ids.order_id
        orders.filtered("marketplace_account_id")._marketplace_reconcile_payments()
        marks.invoices_posted(posted)
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._marketplace_refresh_orders()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._marketplace_refresh_orders()
        return result

    def _marketplace_refresh_orders(self):
        """An invoice or a payment entry of a marketplace order reset or cancelled by hand: the
        order's payment difference follows (ledger/matching.py)."""
        orders = self.env["sale.order"]._marketplace_orders_of_moves(self)
        orders._marketplace_refresh_payment_difference()
