"""Payment entries of the orders a shop reports as paid, through Odoo's own online-payment path.

Each paid order gets a done ``payment.transaction`` of the account's payment provider, linked to
its sales order; Odoo's post-processing makes the ``account.payment`` of it, and an invoice made
from the order later inherits the transaction and is matched with the payment when it is posted
(``sale.order._marketplace_reconcile_payments``). The rules, also in the README:

- Paid: the status is ticked 'Paid' in the account's status table (an announced OTTO order is
  not: its prepayment is pending). The first entry (sequence 0) is an inbound customer payment of
  the shop's total, in the order's currency, dated with the shop's payment date
  (``Order.paid_at``, else the change date of the import that first sees the order paid), for the
  commercial partner of the invoice address.
- Exactly once: a transaction is unique per (sales order, sequence) in the database, so neither a
  re-import nor a second run at the same time can make a second entry.
- The shop's total changes before the order is invoiced: no entry is edited; the difference gets
  its own entry (the next sequence), a refund payment when the total went down, an inbound one
  when it went up, and both entries say so on their chatter. After invoicing, the accountant
  decides (an activity on the payment).
- The shop cancels the order: entries not reconciled yet are cancelled with a note; a reconciled
  one is never touched, an activity asks the order's salesperson (else the account's responsible)
  to decide. An order that leaves the paid statuses otherwise (refunded, payment error) keeps its
  entry, with the same kind of activity.
- The mapping decides the document state, never the payment: a quotation stays a quotation
  (``payment.transaction._check_amount_and_confirm_order``).
"""

import logging
from datetime import timezone
from zoneinfo import ZoneInfo

from psycopg2 import errors as pg_errors

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from ..const import PAYMENT_REFERENCE_PREFIXES
from .activities import has_open_activity

_logger = logging.getLogger(__name__)

ACTIVITY_SUMMARY_CANCELLED = "cancelled"
ACTIVITY_SUMMARY_UNPAID = "unpaid"
ACTIVITY_SUMMARY_TOTAL = "total"


class PaymentSync:
    """The payment entries of the orders of one page, after their sales documents are written."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        # as the connector (a salesperson's import records payments too); no tracking of what a
        # machine creates, as for the orders themselves
        self.Transaction = (
            self.env["payment.transaction"]
            .sudo()
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
            )
        )

    def sync(self, pairs):
        """``pairs``: ``[(sale.order, records.Order)]`` of the orders of a page that have a sales
        document. Returns ``{sale order id: what was done}`` for the orders whose entries were
        created, changed or cancelled (or could not be)."""
        pairs = [(sale, order) for sale, order in pairs if sale]
        if not pairs:
            return {}
        known = self._transactions([sale.id for sale, __ in pairs])
        messages = {}
        for sale, order in pairs:
            transactions = known.get(sale.id, self.Transaction)
            if not transactions and not self.account.payment_create:
                continue  # nothing recorded, nothing to record
            try:
                with self.env.cr.savepoint():
                    message = self._sync_order(sale.sudo(), order, transactions)
            except pg_errors.UniqueViolation:
                message = self.env._(
                    "Another import recorded the payment of this order at the same time: no "
                    "second payment entry was made."
                )
            except (UserError, ValidationError) as exc:
                message = self.env._(
                    "No payment entry: %s Fetch the order again (by its number) once this is "
                    "mended.",
                    exc.args[0] if exc.args else exc,
                )
            except Exception as exc:
                # the order itself is imported: only its payment entry is missing
                _logger.exception("Payment of marketplace order %s not recorded", order.order_ref)
                message = self.env._("No payment entry, unexpected error: %s", exc)
            if message:
                messages[sale.id] = message
        return messages

    def _transactions(self, sale_ids):
        """The connector's transactions of these orders, by order (one query per page)."""
        transactions = self.Transaction.search(
            [("marketplace_sale_order_id", "in", sale_ids)], order="marketplace_sequence, id"
        )
        return {
            sale.id: txs for sale, txs in transactions.grouped("marketplace_sale_order_id").items()
        }

    def _sync_order(self, sale, order, transactions):
        mapping = self.mappings.get(order.status)
        if mapping is None:
            return ""  # a status the mapping does not know says nothing about the payment
        active = transactions.filtered(lambda tx: tx.state == "done")
        if mapping.document_state == "cancel":
            return self._cancel(sale, mapping, active)
        if not mapping.paid:
            return self._no_longer_paid(sale, mapping, active)
        if sale.state == "cancel" or sale.marketplace_backlog:
            return ""
        currency = sale.currency_id
        total = currency.round(float(order.total))
        if not transactions:
            if not self.account.payment_create or currency.is_zero(total):
                return ""
            tx = self._transaction(
                sale, order, total, 0, self._date(order.paid_at or order.changed_at)
            )
            return self._created_message(tx)
        if not active and not self.account.payment_create:
            return ""
        recorded = currency.round(sum(active.mapped("amount")))
        if not currency.compare_amounts(total, recorded):
            return ""
        if sale.invoice_ids.filtered(lambda move: move.state == "posted"):
            return self._total_changed_after_invoicing(sale, active, recorded, total)
        return self._follow_total(sale, order, transactions, active, recorded, total)

    # --- new entries -----------------------------------------------------------------------------
    def _transaction(self, sale, order, amount, sequence, date, source=None):
        """A done transaction of ``amount`` (negative: a refund of ``source``), whose Odoo
        post-processing makes the payment entry."""
        provider = self.account._get_payment_provider()
        prefix = f"{PAYMENT_REFERENCE_PREFIXES[self.account.backend]}-{order.order_ref}"
        refund = amount < 0
        tx = self.Transaction.create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "reference": self.Transaction._compute_reference(provider.code, prefix=prefix),
                "provider_reference": order.order_id,
                "amount": amount,
                "currency_id": sale.currency_id.id,
                "partner_id": sale.partner_invoice_id.id,
                "operation": "refund" if refund else "online_direct",
                "source_transaction_id": source.id if refund and source else False,
                "sale_order_ids": [Command.set(sale.ids)],
                "marketplace_account_id": self.account.id,
                "marketplace_sale_order_id": sale.id,
                "marketplace_order_ref": order.order_ref,
                "marketplace_sequence": sequence,
                "marketplace_payment_date": date,
            }
        )
        tx._set_done(
            state_message=self.env._(
                "Paid on %(shop)s: order %(number)s.", shop=provider.name, number=order.order_ref
            )
        )
        tx._post_process()
        return tx

    def _created_message(self, tx):
        payment = tx.payment_id
        amount = format_amount(self.env, abs(tx.amount), tx.currency_id)
        if payment.state == "draft":
            message = self.env._(
                "Payment entry of %(amount)s created as a draft, for an accountant to confirm "
                "(transaction %(reference)s).",
                amount=amount,
                reference=tx.reference,
            )
        else:
            message = self.env._(
                "Payment %(payment)s of %(amount)s created (transaction %(reference)s).",
                payment=payment.name,
                amount=amount,
                reference=tx.reference,
            )
        return message

    def _date(self, moment):
        """The accounting date of a shop's moment (naive UTC), in the shop's time zone."""
        if not moment:
            return fields.Date.context_today(self.account)
        zone = ZoneInfo(self.account.shop_timezone or "UTC")
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()

    # --- the shop's total changed ----------------------------------------------------------------
    def _follow_total(self, sale, order, transactions, active, recorded, total):
        """A posted entry is never edited: the difference gets an entry of its own."""
        currency = sale.currency_id
        difference = currency.round(total - recorded)
        sequence = max(transactions.mapped("marketplace_sequence")) + 1
        source = active.filtered(lambda tx: tx.amount > 0)[-1:]
        tx = self._transaction(
            sale, order, difference, sequence, self._date(order.changed_at), source=source
        )
        values = {
            "old": format_amount(self.env, recorded, currency),
            "new": format_amount(self.env, total, currency),
            "entry": tx.payment_id.name or tx.reference,
            "amount": format_amount(self.env, abs(difference), currency),
        }
        if difference < 0:
            note = self.env._(
                "The shop's total of this order went from %(old)s to %(new)s before it was "
                "invoiced. Posted entries are never edited: the refund payment %(entry)s of "
                "%(amount)s records the difference.",
                **values,
            )
        else:
            note = self.env._(
                "The shop's total of this order went from %(old)s to %(new)s before it was "
                "invoiced. Posted entries are never edited: the payment %(entry)s of %(amount)s "
                "records the difference.",
                **values,
            )
        for payment in (active | tx).payment_id:
            payment.message_post(body=note)
        sale.message_post(body=note)
        return note

    def _total_changed_after_invoicing(self, sale, active, recorded, total):
        currency = sale.currency_id
        note = self.env._(
            "The shop's total of order %(number)s went from %(old)s to %(new)s after it was "
            "invoiced. The payment entries were left as they are: issue a credit note or a "
            "refund, or reconcile the difference by hand.",
            number=sale.marketplace_order_ref,
            old=format_amount(self.env, recorded, currency),
            new=format_amount(self.env, total, currency),
        )
        if self._ask(sale, active.payment_id[:1], ACTIVITY_SUMMARY_TOTAL, note):
            return note
        return ""

    # --- cancelled, or no longer paid ------------------------------------------------------------
    def _cancel(self, sale, mapping, active):
        """Cancel the entries nobody has reconciled yet; ask about the others."""
        cancelled, kept = [], []
        reason = self.env._(
            "The shop cancelled order %(number)s (%(status)s).",
            number=sale.marketplace_order_ref,
            status=mapping.display_name,
        )
        for tx in active.sorted("marketplace_sequence", reverse=True):
            payment = tx.payment_id
            if payment and payment._marketplace_is_reconciled():
                kept.append((payment, self.env._("it is reconciled")))
                continue
            try:
                with self.env.cr.savepoint():
                    tx._set_canceled(state_message=reason, extra_allowed_states=("done",))
                    tx._post_process()  # Odoo cancels the payment of a cancelled transaction
            except UserError as exc:  # a locked period, an inalterable journal
                kept.append((payment, exc.args[0] if exc.args else str(exc)))
                continue
            cancelled.append(tx)
            if payment:
                payment.message_post(
                    body=self.env._(
                        "%(reason)s This entry was not reconciled yet: cancelled.", reason=reason
                    )
                )
        notes = []
        if cancelled:
            names = ", ".join(tx.payment_id.name or tx.reference for tx in cancelled)
            notes.append(self.env._("Payment entries cancelled: %s.", names))
        asked = []
        for payment, why in kept:
            note = self.env._(
                "%(reason)s This payment entry was not cancelled (%(why)s): decide whether to "
                "refund the customer or to reverse the entry.",
                reason=reason,
                why=why,
            )
            if self._ask(sale, payment, ACTIVITY_SUMMARY_CANCELLED, note):
                asked.append(payment.display_name)
        if asked:
            notes.append(
                self.env._(
                    "Payment entries left as they are, an activity asks what to do: %s.",
                    ", ".join(asked),
                )
            )
        if notes:
            sale.message_post(body=" ".join(notes))
        return " ".join(notes)

    def _no_longer_paid(self, sale, mapping, active):
        if not active:
            return ""
        note = self.env._(
            "The shop reports order %(number)s as %(status)s, which does not count as paid. The "
            "payment entry was left as it is: refund the customer or cancel the entry if the "
            "money went back.",
            number=sale.marketplace_order_ref,
            status=mapping.display_name,
        )
        if self._ask(sale, active.payment_id[:1], ACTIVITY_SUMMARY_UNPAID, note):
            return note
        return ""

    def _ask(self, sale, payment, kind, note):
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


ACTIVITY_SUMMARIES = {
    ACTIVITY_SUMMARY_CANCELLED: lambda env: env._("Marketplace order cancelled"),
    ACTIVITY_SUMMARY_UNPAID: lambda env: env._("Marketplace order no longer paid"),
    ACTIVITY_SUMMARY_TOTAL: lambda env: env._("Marketplace order total changed"),
}
