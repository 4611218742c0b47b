from odoo import fields, models

from ..exporter import marks
from ..ledger import matching

# who reads the returns a credit note was made of: marketplace users and accountants
RETURN_READERS = ",".join(
    (
        "sale_marketplace_connector.sale_marketplace_connector_group_user",
        "account.group_account_invoice",
        "account.group_account_readonly",
    )
)


class AccountMove(models.Model):
    _inherit = "account.move"

    marketplace_return_ids = fields.One2many(
        "marketplace.return",
        "credit_note_id",
        string="Marketplace Returns",
        readonly=True,
        groups=RETURN_READERS,
        help="The shop's returns and refunds this credit note was made of.",
    )

    def _post(self, soft=True):
        """``sale`` matches a posted invoice with the posted payments of its transactions; the
        connector's payments are also matched when the invoice came before them, and a small
        difference is written off (ledger/matching.py). The shops of
        the orders learn the invoice number and the 'invoiced' status (marked, sent later)."""
        # ``sale`` matches the invoice with its transactions' payments (the account alone
        # checked): a connector payment in another currency or of another customer is not
        # matched with it (js_assign_outstanding_line), the order says why
        posting = self.with_context(marketplace_invoice_posting=True)
        posted = super(AccountMove, posting)._post(soft).with_env(self.env)
        orders = posted.filtered(lambda move: move.is_invoice()).line_ids.sale_line_ids.order_id
        orders.filtered("marketplace_account_id")._marketplace_reconcile_payments()
        marks.invoices_posted(posted)
        if not self.env.context.get("marketplace_refund_from_shop"):
            # a credit note posted in Odoo: the shop may be told the order is refunded (those
            # the connector makes of the shop's own refunds are not: the shop knows them)
            marks.credit_notes_posted(posted)
        return posted

    def js_assign_outstanding_line(self, line_id):
        if self.env.context.get("marketplace_invoice_posting"):
            line = self.env["account.move.line"].browse(line_id)
            if matching.refuses_automatic_match(self, line):
                return False  # not by Odoo's automation: the order's "Payment Issue" says why
        return super().js_assign_outstanding_line(line_id)

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
