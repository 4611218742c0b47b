from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Matching by hand (outstanding credits on an invoice, bank reconciliation, "Unreconcile")
    changes what the marketplace payments of an order leave open: the order's "Payment
    Difference" follows (ledger/matching.py, through the order)."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._marketplace_refresh_orders()
        return partials

    def unlink(self):
        moves = (
            self._marketplace_moves() if not self.env.context.get("marketplace_matching") else None
        )
        result = super().unlink()
        if moves:
            orders = self.env["sale.order"]._marketplace_orders_of_moves(moves)
            orders._marketplace_refresh_payment_difference()
        return result

    def _marketplace_moves(self):
        return (self.debit_move_id | self.credit_move_id).move_id

    def _marketplace_refresh_orders(self):
        if self.env.context.get("marketplace_matching"):
            return
        self.env["sale.order"]._marketplace_orders_of_moves(
            self._marketplace_moves()
        )._marketplace_refresh_payment_difference()
