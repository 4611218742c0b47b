"""The account's payment provider and bank journal, made with its first payment entry (as the
connector: a salesperson's import records payments too)."""

from odoo import Command
from odoo.exceptions import UserError

from ..const import PAYMENT_JOURNAL_CODES, PAYMENT_PROVIDER_CODE


def provider(account):
    """The account's payment provider, with its bank journal; created on first use."""
    account.ensure_one()
    account = account.sudo().with_company(account.company_id)
    if account.payment_provider_id:
        return account.payment_provider_id
    bank_journal = account.payment_journal_id or _create_journal(account)
    new = account.env["payment.provider"].create(
        {
            "name": label(account),
            "code": PAYMENT_PROVIDER_CODE,
            "state": "enabled",
            "is_published": False,
            "company_id": account.company_id.id,
            "payment_method_ids": [
                Command.set(
                    account.env.ref("sale_marketplace_connector.payment_method_marketplace").ids
                )
            ],
            "journal_id": bank_journal.id,
        }
    )
    _set_outstanding_account(account, new)
    account.write({"payment_provider_id": new.id, "payment_journal_id": bank_journal.id})
    return new


def follow_journal(accounts):
    """The accounts' journals changed: their providers (and payment methods) move with them."""
    for account in accounts.sudo().filtered("payment_provider_id"):
        current = account.payment_provider_id
        if account.payment_journal_id and current.journal_id != account.payment_journal_id:
            current.journal_id = account.payment_journal_id  # moves its payment method


def label(account):
    """'OTTO Market', 'PrestaShop My Shop': the provider's and the journal's name."""
    backend = dict(account._fields["backend"]._description_selection(account.env))[account.backend]
    if backend.casefold() in account.name.casefold():
        return account.name
    return f"{backend} {account.name}"


def _create_journal(account):
    Journal = account.env["account.journal"].with_context(active_test=False)
    taken = set(Journal.search(Journal._check_company_domain(account.company_id)).mapped("code"))
    base = PAYMENT_JOURNAL_CODES[account.backend]
    candidates = [base] + [f"{base[:3]}{number}" for number in range(1, 100)]
    code = next((code for code in candidates if code not in taken), None)
    if code is None:
        raise UserError(
            account.env._(
                "Choose the payment journal of %s: no free journal code is left.", account.name
            )
        )
    return Journal.create(
        {
            "name": label(account),
            "type": "bank",
            "code": code,
            "company_id": account.company_id.id,
        }
    )


def _set_outstanding_account(account, new_provider):
    """Entries through the company's outstanding receipts account, in any edition: the
    receivable side is what invoices are matched with, the other what payouts are."""
    line = account.env["account.payment.method.line"].search(
        [("payment_provider_id", "=", new_provider.id)], limit=1
    )
    if line and not line.payment_account_id:
        payment = account.env["account.payment"].new({"company_id": account.company_id.id})
        line.payment_account_id = payment._get_outstanding_account("inbound")
