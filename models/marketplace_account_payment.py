from odoo import Command, _, models
from odoo.exceptions import UserError

from ..const import PAYMENT_JOURNAL_CODES, PAYMENT_PROVIDER_CODE


class MarketplaceAccount(models.Model):
    """Payment entries of an account: its payment provider and bank journal, made on first use."""

    _inherit = "marketplace.account"

    def write(self, vals):
        result = super().write(vals)
        if "payment_journal_id" in vals:
            for account in self.sudo().filtered("payment_provider_id"):
                provider = account.payment_provider_id
                if account.payment_journal_id and provider.journal_id != account.payment_journal_id:
                    provider.journal_id = account.payment_journal_id  # moves its payment method
        return result

    def _get_payment_provider(self):
        """The account's payment provider, with its bank journal; the first payment entry
        creates them, as the connector (a salesperson's import records payments too)."""
        self.ensure_one()
        account = self.sudo().with_company(self.company_id)
        if account.payment_provider_id:
            return account.payment_provider_id
        journal = account.payment_journal_id or account._create_payment_journal()
        provider = account.env["payment.provider"].create(
            {
                "name": account._payment_label(),
                "code": PAYMENT_PROVIDER_CODE,
                "state": "enabled",
                "is_published": False,
                "company_id": account.company_id.id,
                "payment_method_ids": [
                    Command.set(
                        self.env.ref("sale_marketplace_connector.payment_method_marketplace").ids
                    )
                ],
                "journal_id": journal.id,
            }
        )
        account._set_outstanding_account(provider)
        account.write({"payment_provider_id": provider.id, "payment_journal_id": journal.id})
        return provider

    def _payment_label(self):
        """'OTTO Market', 'PrestaShop My Shop': the provider's and the journal's name."""
        label = dict(self._fields["backend"]._description_selection(self.env))[self.backend]
        if label.casefold() in self.name.casefold():
            return self.name
        return f"{label} {self.name}"

    def _create_payment_journal(self):
        Journal = self.env["account.journal"].with_context(active_test=False)
        taken = set(Journal.search(Journal._check_company_domain(self.company_id)).mapped("code"))
        base = PAYMENT_JOURNAL_CODES[self.backend]
        candidates = [base] + [f"{base[:3]}{number}" for number in range(1, 100)]
        code = next((code for code in candidates if code not in taken), None)
        if code is None:
            raise UserError(
                _("Choose the payment journal of %s: no free journal code is left.", self.name)
            )
        return Journal.create(
            {
                "name": self._payment_label(),
                "type": "bank",
                "code": code,
                "company_id": self.company_id.id,
            }
        )

    def _set_outstanding_account(self, provider):
        """Entries through the company's outstanding receipts account, in any edition: the
        receivable side is what invoices are matched with, the other what payouts are."""
        line = self.env["account.payment.method.line"].search(
            [("payment_provider_id", "=", provider.id)], limit=1
        )
        if line and not line.payment_account_id:
            payment = self.env["account.payment"].new({"company_id": self.company_id.id})
            line.payment_account_id = payment._get_outstanding_account("inbound")
