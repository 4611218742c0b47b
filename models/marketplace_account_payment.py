from odoo import api, fields, models

from ..ledger import journal


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): its payment entries (ledger/): whether they are made,
    the payment provider and bank journal (made on first use), posted or left as drafts, and the
    tolerance and account of the differences written off."""

    _inherit = "marketplace.account"

    payment_create = fields.Boolean(
        string="Create Payment Entries",
        compute="_compute_payment_create",
        store=True,
        readonly=False,
        tracking=True,
        help="Record the payment of every order the shop reports as paid (see the 'Paid' column "
        "of the status table): one customer payment for the shop's total, through the account's "
        "payment provider and journal, matched with the invoice when it is posted. On for OTTO "
        "Market, which collects the buyers' money and pays it out later.",
    )
    payment_provider_id = fields.Many2one(
        "payment.provider",
        readonly=True,
        copy=False,
        check_company=True,
        help="Odoo's payment provider of this account, created with the first payment entry.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        copy=False,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        tracking=True,
        help="Bank journal of the payment entries, where the marketplace's payouts are matched "
        "with them. Empty: a journal named after the account is created with the first entry.",
    )
    payment_posting = fields.Selection(
        [("post", "Post at once"), ("draft", "Leave as draft for an accountant to confirm")],
        string="Payment Entries",
        default="post",
        required=True,
        tracking=True,
        help="Post each payment entry when it is created, or leave it as a draft: it is matched "
        "with the order's invoice when an accountant confirms it.",
    )
    payment_tolerance = fields.Float(
        string="Payment Difference Tolerance",
        digits=(16, 2),
        default=0.05,
        tracking=True,
        help="When an order is fully invoiced and its payments differ from its invoices by at "
        "most this amount (in the order's currency), the difference is written off to the "
        "write-off account. A larger difference stays open and the order is marked 'Payment "
        "Differs'.",
    )
    payment_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        domain="[('deprecated', '=', False), ('account_type', 'not in', "
        "('asset_receivable', 'liability_payable', 'off_balance'))]",
        tracking=True,
        help="Account of the small differences between payments and invoices (within the "
        "tolerance). Empty: every difference is left open and the order marked.",
    )

    _sql_constraints = [
        (
            "payment_tolerance_positive",
            "CHECK(payment_tolerance >= 0)",
            "The payment difference tolerance cannot be negative.",
        ),
    ]

    @api.depends("backend")
    def _compute_payment_create(self):
        for account in self:
            # OTTO collects the money and pays out later; a shop's own payments are often
            # recorded elsewhere (the payment module, a bank import)
            account.payment_create = account.backend == "otto"

    def write(self, vals):
        result = super().write(vals)
        if "payment_journal_id" in vals:
            journal.follow_journal(self)
        return result
