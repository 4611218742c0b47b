from odoo import models

from ..ledger import journal


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): payment entries: its payment provider and bank journal,
    made on first use (ledger/journal.py)."""

    _inherit = "marketplace.account"

    def write(self, vals):
        result = super().write(vals)
        if "payment_journal_id" in vals:
            journal.follow_journal(self)
        return result
