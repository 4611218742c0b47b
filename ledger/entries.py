"""The operations on an account's payment entries, through Odoo's own online-payment path.

Each entry is a done ``payment.transaction`` of the account's payment provider, linked to its
sales order; Odoo's post-processing makes the ``account.payment`` of it. A transaction is unique
per (sales order, entry number) in the database: neither a re-import nor a second run at the same
time can make a second entry. A posted entry is never edited nor cancelled: money that goes back
gets an entry of its own (a refund payment); a draft entry (waiting for an accountant) can be
cancelled, nothing was posted. What needs a person gets one activity on the payment.
"""

import unicodedata
from datetime import timezone
from zoneinfo import ZoneInfo

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..activities import has_open_activity
from ..const import PAYMENT_REFERENCE_PREFIXES
from . import journal
from .matching import payment_target, posted_invoices

ACTIVITY_SUMMARY_CANCELLED = "cancelled"
ACTIVITY_SUMMARY_UNPAID = "unpaid"
ACTIVITY_SUMMARY_TOTAL = "total"
ACTIVITY_SUMMARY_REFUNDED = "refunded"
ACTIVITY_SUMMARY_PAID_TWICE = "paid_twice"

ACTIVITY_SUMMARIES = {
    ACTIVITY_SUMMARY_CANCELLED: lambda env: env._("Marketplace order cancelled"),
    ACTIVITY_SUMMARY_UNPAID: lambda env: env._("Marketplace order no longer paid"),
    ACTIVITY_SUMMARY_TOTAL: lambda env: env._("Marketplace order total changed"),
    ACTIVITY_SUMMARY_REFUNDED: lambda env: env._("Marketplace order refunded"),
    ACTIVITY_SUMMARY_PAID_TWICE: lambda env: env._("Marketplace order paid twice?"),
}


class Ledger:
    """The payment entries of one account's orders (as the connector: a salesperson's import
    records payments too)."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        # no tracking of what a machine creates, as for the orders themselves
        self.Transaction = (
            self.env["payment.transaction"]
            .sudo()
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
            )
        )

    def transactions(self, sale_ids):
        """The connector's transactions of these orders, by order id (one query)."""
        transactions = self.Transaction.search(
            [("marketplace_sale_order_id", "in", sale_ids)], order="marketplace_sequence, id"
        )
        return {
            sale.id: txs for sale, txs in transactions.grouped("marketplace_sale_order_id").items()
        }

    # --- new entries -----------------------------------------------------------------------------
    def pay(self, sale, amount, date, shop_ref=None, shop_id=None):
        """The order's payment on the shop: its first entry (number 0)."""
        return self._transaction(sale, amount, 0, date, shop_ref=shop_ref, shop_id=shop_id)

    def difference(
        self, sale, transactions, active, amount, date, shop_ref=None, shop_id=None, **values
    ):
        """A new entry of ``amount``: a refund payment of the last inbound entry when negative,
        an inbound payment when positive (the next entry number); ``values``: more fields of
        its transaction (``marketplace_return_refund``)."""
        sequence = max(transactions.mapped("marketplace_sequence")) + 1
        source = active.filtered(lambda tx: tx.amount > 0)[-1:]
        return self._transaction(
            sale,
            amount,
            sequence,
            date,
            source=source,
            shop_ref=shop_ref,
            shop_id=shop_id,
            **values,
        )

    def _transaction(
        self, sale, amount, sequence, date, source=None, shop_ref=None, shop_id=None, **values
    ):
        """A done transaction of ``amount`` (negative: a refund of ``source``), whose Odoo
        post-processing makes the payment entry."""
        provider = journal.provider(self.account)
        shop_ref = shop_ref or sale.marketplace_order_ref
        prefix = f"{PAYMENT_REFERENCE_PREFIXES[self.account.backend]}-{shop_ref}"
        refund = amount < 0
        tx = self.Transaction.create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "reference": self.Transaction._compute_reference(provider.code, prefix=prefix),
                "provider_reference": shop_id or sale.marketplace_order_id,
                "amount": amount,
                "currency_id": sale.currency_id.id,
                "partner_id": sale.partner_invoice_id.id,
                "operation": "refund" if refund else "online_direct",
                "source_transaction_id": source.id if refund and source else False,
                "sale_order_ids": [Command.set(sale.ids)],
                "marketplace_account_id": self.account.id,
                "marketplace_sale_order_id": sale.id,
                "marketplace_order_ref": shop_ref,
                "marketplace_sequence": sequence,
                "marketplace_payment_date": date,
                **values,
            }
        )
        tx._set_done(
            state_message=self.env._(
                "Paid on %(shop)s: order %(number)s.", shop=provider.name, number=shop_ref
            )
        )
        tx._post_process()
        if not tx.payment_id:
            # Odoo's post-processing swallows some errors (and logs them): no entry, no success
            raise UserError(self.env._("Odoo did not create the payment of the transaction."))
        return tx

    def pay_many(self, payments):
        """The first entries of several orders at once: ``payments`` is a list of ``(sale,
        amount, date, shop_ref, shop_id)`` of orders without any entry yet, none invoiced; returns
        their transactions in the same order. What ``pay`` does for each, done together: the
        transactions created done in one ``create`` (Odoo's hooks of a transaction done run on
        them all), their payments created in one ``create`` with the values Odoo's
        ``_create_payment`` gives (and ``payment_values``), posted in one ``action_post`` (Odoo
        makes and posts their journal entries together), then Odoo's post-processing of the
        transactions, which finds their payments made. The caller runs it in a savepoint and falls
        back on ``pay`` order by order when it raises (a reference taken twice, say)."""
        provider = journal.provider(self.account)
        prefixes = [
            _reference(f"{PAYMENT_REFERENCE_PREFIXES[self.account.backend]}-{shop_ref}")
            for __, __, __, shop_ref, __ in payments
        ]
        taken = self.Transaction.search([("reference", "in", prefixes)]).mapped("reference")
        if taken or len(set(prefixes)) < len(prefixes):
            raise UserError(self.env._("A transaction reference is taken already."))
        now = fields.Datetime.now()
        txs = self.Transaction.create(
            [
                {
                    "provider_id": provider.id,
                    "payment_method_id": provider.payment_method_ids[:1].id,
                    "reference": reference,
                    "provider_reference": shop_id or sale.marketplace_order_id,
                    "amount": amount,
                    "currency_id": sale.currency_id.id,
                    "partner_id": sale.partner_invoice_id.id,
                    "operation": "online_direct",
                    "sale_order_ids": [Command.set(sale.ids)],
                    "marketplace_account_id": self.account.id,
                    "marketplace_sale_order_id": sale.id,
                    "marketplace_order_ref": shop_ref,
                    "marketplace_sequence": 0,
                    "marketplace_payment_date": date,
                    # what _set_done writes, with each order's own message
                    "state": "done",
                    "state_message": self.env._(
                        "Paid on %(shop)s: order %(number)s.", shop=provider.name, number=shop_ref
                    ),
                    "last_state_change": now,
                }
                for (sale, amount, date, shop_ref, shop_id), reference in zip(
                    payments, prefixes, strict=True
                )
            ]
        )
        txs._update_source_transaction_state()
        txs._log_received_message()
        method_line = provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == provider
        )[:1]
        drafts = self.account.payment_posting == "draft"
        values_list = []
        for tx in txs:
            values, __ = payment_values(tx, {})
            values_list.append(
                {
                    # account_payment's payment.transaction._create_payment
                    "amount": abs(tx.amount),
                    "payment_type": "inbound",
                    "currency_id": tx.currency_id.id,
                    "partner_type": "customer",
                    "journal_id": provider.journal_id.id,
                    "company_id": provider.company_id.id,
                    "payment_method_line_id": method_line.id,
                    "payment_token_id": False,
                    "payment_transaction_id": tx.id,
                    **values,
                    # no journal entry per payment: action_post makes them all at once
                    "write_off_line_vals": None,
                }
            )
        company = provider.company_id
        # no tracking of what a machine creates, as for the transactions
        Payment = (
            self.env["account.payment"]
            .sudo()
            .with_company(company)
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
            )
        )
        new = Payment.create(values_list)
        if not drafts:
            new.action_post()
        for tx, payment in zip(txs, new, strict=True):
            tx.payment_id = payment
        txs.with_company(company)._post_process()
        if len(txs.payment_id) != len(txs):
            raise UserError(self.env._("Odoo did not create the payment of the transaction."))
        return list(txs)

    def created_message(self, tx):
        """What the log says of a new entry: posted, or a draft for an accountant."""
        payment = tx.payment_id
        amount = format_amount(self.env, abs(tx.amount), tx.currency_id)
        if payment.state == "draft":
            return self.env._(
                "Payment entry of %(amount)s created as a draft, for an accountant to confirm "
                "(transaction %(reference)s).",
                amount=amount,
                reference=tx.reference,
            )
        return self.env._(
            "Payment %(payment)s of %(amount)s created (transaction %(reference)s).",
            payment=payment.name,
            amount=amount,
            reference=tx.reference,
        )

    def entry_date(self, moment):
        """The accounting date of a shop's moment (naive UTC), in the shop's time zone."""
        if not moment:
            return fields.Date.context_today(self.account)
        zone = ZoneInfo(self.account.shop_timezone or "UTC")
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()

    # --- open entries ----------------------------------------------------------------------------
    def cancel_drafts(self, drafts, reason):
        """Cancel draft entries (nothing posted yet), each with a note saying why."""
        for tx in drafts:
            tx._set_canceled(state_message=reason, extra_allowed_states=("done",))
            tx._post_process()  # Odoo cancels the draft payment of a cancelled transaction
            tx.payment_id.message_post(
                body=self.env._(
                    "%(reason)s This entry was still a draft (nothing posted): cancelled.",
                    reason=reason,
                )
            )

    # --- telling and asking ----------------------------------------------------------------------
    def tell(self, sale, entries, note):
        """Write ``note`` on the entries' payments and on the order; return it."""
        for payment in entries.payment_id:
            payment.message_post(body=note)
        sale.message_post(body=note)
        return note

    def ask(self, sale, payment, kind, note):
        """A to-do on the payment for the order's salesperson (else the account's responsible),
        unless one of this kind is still open (in whatever language it was written). Returns
        whether one was created."""
        if not payment or has_open_activity(payment, ACTIVITY_SUMMARIES[kind]):
            return False
        payment.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(payment),
            summary=ACTIVITY_SUMMARIES[kind](self.env),
            note=note,
            user_id=(sale.user_id or self.account.user_id or self.env.user).id,
        )
        return True


def _reference(prefix):
    """The reference Odoo's ``_compute_reference`` gives a prefix no transaction has yet."""
    return unicodedata.normalize("NFKD", prefix).encode("ascii", "ignore").decode("utf-8")


def odoo_keeps(sale):
    """Whether Odoo keeps the order as it is: goods left, or an invoice is posted."""
    delivered = any(picking.state == "done" for picking in sale.picking_ids)
    return delivered or bool(posted_invoices(sale))


# --- how a transaction's payment is booked (payment.transaction._create_payment) ----------------
def payment_values(tx, extra_values):
    """(values of Odoo's payment of a connector transaction, whether it waits as a draft): dated
    and described as the shop's payment, booked where the order's invoice books the receivable
    (a fiscal position may map it), for the invoice's customer: both meet when matched."""
    partner, receivable = payment_target(tx.marketplace_sale_order_id)
    values = {
        "date": tx.marketplace_payment_date or fields.Date.context_today(tx),
        "memo": memo(tx),
        "payment_reference": tx.marketplace_order_ref,
        "partner_id": partner.id,
        **({"destination_account_id": receivable.id} if receivable else {}),
        **extra_values,
    }
    draft = tx.marketplace_account_id.payment_posting == "draft"
    if draft:
        # no journal entry until an accountant confirms it (account.payment.action_post)
        values["write_off_line_vals"] = None
    return values, draft


def memo(tx):
    account = tx.marketplace_account_id
    env = tx.env
    backends = dict(account._fields["backend"]._description_selection(env))
    values = {
        "marketplace": backends.get(account.backend, account.backend),
        "number": tx.marketplace_order_ref,
        "order": tx.marketplace_sale_order_id.name,
    }
    if tx.marketplace_return_refund:
        return env._("%(marketplace)s order %(number)s (%(order)s): refund of a return", **values)
    if tx.marketplace_sequence:
        return env._("%(marketplace)s order %(number)s (%(order)s): change of the total", **values)
    return env._("%(marketplace)s order %(number)s (%(order)s)", **values)
