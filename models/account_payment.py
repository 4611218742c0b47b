from odoo import fields, models


class AccountPayment(models.Model):
    """account.payment (inherited): a connector payment's account and order, and the thin hooks
    that keep its order's matching with invoices current (ledger/matching.py, through the
    order)."""

    _inherit = "account.payment"

    marketplace_account_id = fields.Many2one(
        related="payment_transaction_id.marketplace_account_id",
        string="Marketplace Account",
        store=True,
        index="btree_not_null",
    )
    marketplace_backend = fields.Selection(
        related="marketplace_account_id.backend", string="Marketplace", store=True
    )
    marketplace_sale_order_id = fields.Many2one(
        related="payment_transaction_id.marketplace_sale_order_id",
        string="Marketplace Order",
        store=True,
        index="btree_not_null",
    )
    marketplace_return_refund = fields.Boolean(
        related="payment_transaction_id.marketplace_return_refund",
        string="Refund of a Return",
        store=True,
        help="A refund of returned items, a credit slip or a refunded order, matched with its "
        "credit note.",
    )
    marketplace_order_ref = fields.Char(
        related="payment_transaction_id.marketplace_order_ref",
        string="Shop Order Number",
        store=True,
        index="btree_not_null",
    )

    def action_post(self):
        held = self.browse()
        if self.env.context.get("marketplace_payment_hold"):
            # created by the connector for an account whose entries an accountant confirms
            held = self.filtered("marketplace_account_id")
        posted = self - held
        result = super(AccountPayment, posted).action_post()
        # confirmed after the invoice was posted: the invoice did not see it, match them now
        posted.marketplace_sale_order_id._marketplace_reconcile_payments()
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.marketplace_sale_order_id._marketplace_refresh_payment_difference()
        return result

    def action_draft(self):
        result = super().action_draft()
        self.marketplace_sale_order_id._marketplace_refresh_payment_difference()
        return result

    def action_view_marketplace_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.marketplace_sale_order_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
