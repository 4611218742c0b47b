"""What a shop's status means for the payment entries of its orders (the operations themselves,
pay, refund, cancel an open entry, ask a person, are the ledger's: ``ledger/entries.py``).

Each paid order gets a done ``payment.transaction`` of the account's payment provider, linked to
its sales order; Odoo's post-processing makes the ``account.payment`` of it, and an invoice made
from the order later inherits the transaction and is matched with the payment when it is posted
(``ledger/matching.py``). The rules, also in the README:

- Paid: the status is ticked 'Paid' in the account's status table (an announced OTTO order is
  not: its prepayment is pending). The first entry (sequence 0) is an inbound customer payment of
  the shop's total, in the order's currency, dated with the shop's payment date
  (``Order.paid_at``, else the change date of the import that first sees the order paid), for the
  customer and on the receivable account of the order's invoice. An order whose posted invoice
  was already paid another way gets no entry: the order says so and a person decides.
- Exactly once: a transaction is unique per (sales order, sequence) in the database, so neither a
  re-import nor a second run at the same time can make a second entry. An entry that could not
  be made fails the order's log line and puts the order on the retry list until it exists.
- A posted entry is never edited nor cancelled. Money that goes back to the buyer (a lower shop
  total, a cancelled order) gets an entry of its own: a refund payment of what went back, unless
  Odoo keeps the order (invoiced; for cancellations also delivered): then an activity on the
  payment asks a person. A draft entry (waiting for an accountant) of a cancelled order is
  cancelled: nothing was posted.
- Returns and refunds (returned OTTO items, credit slips, a status meaning returned or
  refunded) are the returns' (return_notes.py, return_documents.py): a credit note and a refund
  payment of their own, matched with each other. The rules here leave those refunds aside: the
  order's other entries still add up to the shop's total.
- The mapping decides the document state, never the payment: a quotation stays a quotation
  (``payment.transaction._check_amount_and_confirm_order``).
"""

import logging
from functools import partial

from odoo import fields
from odoo.tools import format_amount

from ..activities import decision_user, has_open_activity
from ..ledger.entries import (
    ACTIVITY_SUMMARIES,
    ACTIVITY_SUMMARY_CANCELLED,
    ACTIVITY_SUMMARY_PAID_TWICE,
    ACTIVITY_SUMMARY_TOTAL,
    ACTIVITY_SUMMARY_UNPAID,
    Ledger,
)
from ..ledger.matching import posted_invoices
from .errors import record_in_savepoint

_logger = logging.getLogger(__name__)


class PaymentSync:
    """The payment entries of the orders of one page, after their sales documents are written."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        self.ledger = Ledger(account)
        self.failed = set()  # ids of the sales orders whose entry could not be made

    def sync(self, pairs):
        """``pairs``: ``[(sale.order, records.Order)]`` of the orders of a page that have a sales
        document. Returns ``{sale order id: what was done}`` for the orders whose entries were
        created, changed or cancelled (or could not be: their ids are in ``self.failed``)."""
        pairs = [(sale, order) for sale, order in pairs if sale]
        if not pairs:
            return {}
        known = self.ledger.transactions([sale.id for sale, __ in pairs])
        messages = self._pay_together(
            [(sale, order) for sale, order in pairs if self._first_payment(sale, order, known)]
        )
        for sale, order in pairs:
            if sale.id in messages:
                continue
            transactions = known.get(sale.id, self.ledger.Transaction)
            if not transactions and not self.account.payment_create:
                continue  # nothing recorded, nothing to record
            message, why = record_in_savepoint(
                self.env,
                partial(self._sync_order, sale.sudo(), order, transactions),
                _logger,
                f"Payment of marketplace order {order.order_ref}",
                concurrent=self.env._(
                    "Another import recorded the payment of this order at the same time: no "
                    "second payment entry was made."
                ),
            )
            if why is not None:
                self.failed.add(sale.id)
                message = self.env._(
                    "No payment entry: %s The order stays on the retry list until its payment "
                    "entry exists.",
                    why,
                )
            if message:
                messages[sale.id] = message
        return messages

    def _first_payment(self, sale, order, known):
        """Whether the order's only news is its first entry, the one ``_sync_order`` would make
        and say nothing more of: paid, new to the ledger, nothing returned, not invoiced."""
        mapping = self.mappings.get(order.status)
        return bool(
            self.account.payment_create
            and sale.id not in known
            and mapping is not None
            and mapping.paid
            and not mapping.refunded
            and mapping.document_state != "cancel"
            and sale.state != "cancel"
            and not sale.marketplace_backlog
            and not sale.currency_id.is_zero(sale.currency_id.round(float(order.total)))
            and not mapping.returned
            and not order.returned_item_ids
            and not posted_invoices(sale)
        )

    def _pay_together(self, pairs):
        """The first entries of a page's newly paid orders made together (``Ledger.pay_many``),
        in a savepoint: ``{sale order id: message}``. Anything wrong (two orders of one number, a
        constraint, a concurrent run) undoes them all and leaves them to ``_sync_order``, order
        by order, which says what went wrong with which."""
        if len(pairs) < 2:
            return {}
        try:
            with self.env.cr.savepoint():
                txs = self.ledger.pay_many(
                    [
                        (
                            sale.sudo(),
                            sale.currency_id.round(float(order.total)),
                            self.ledger.entry_date(order.paid_at or order.changed_at),
                            order.order_ref,
                            order.order_id,
                        )
                        for sale, order in pairs
                    ]
                )
        except Exception:  # each order again on its own, with its own error
            _logger.info("Payment entries of a page made order by order", exc_info=True)
            return {}
        return {
            sale.id: self.ledger.created_message(tx)
            for (sale, __), tx in zip(pairs, txs, strict=True)
        }

    def _sync_order(self, sale, order, transactions):
        mapping = self.mappings.get(order.status)
        if mapping is None:
            return ""  # a status the mapping does not know says nothing about the payment
        active = transactions.filtered(lambda tx: tx.state == "done")
        if mapping.document_state == "cancel":
            return self._cancel(sale, order, mapping, transactions, active)
        if mapping.refunded or mapping.returned:
            return ""  # the order's returns make the credit note and the refund (ReturnSync)
        if not mapping.paid:
            return self._no_longer_paid(sale, mapping, active)
        if sale.state == "cancel" or sale.marketplace_backlog:
            return ""
        currency = sale.currency_id
        total = currency.round(float(order.total))
        notes = []
        if not transactions:
            if not self.account.payment_create or currency.is_zero(total):
                return ""
            paid_elsewhere = self._paid_another_way(sale, order, mapping)
            if paid_elsewhere:
                return paid_elsewhere
            tx = self.ledger.pay(
                sale,
                total,
                self.ledger.entry_date(order.paid_at or order.changed_at),
                shop_ref=order.order_ref,
                shop_id=order.order_id,
            )
            notes.append(self.ledger.created_message(tx))
            transactions = active = tx
        elif not active and not self.account.payment_create:
            return ""
        # the refunds of returns are matched with their credit notes: the other entries add up
        # to the shop's total (returned items stay in an OTTO order's total)
        recorded = currency.round(
            sum(active.filtered(lambda tx: not tx.marketplace_return_refund).mapped("amount"))
        )
        if currency.compare_amounts(total, recorded):
            if posted_invoices(sale):
                notes.append(self._total_changed_after_invoicing(sale, active, recorded, total))
            else:
                notes.append(self._follow_total(sale, order, transactions, active, recorded, total))
        return " ".join(filter(None, notes))

    def _difference_entry(self, sale, order, transactions, active, difference):
        """A new entry of ``difference`` (negative: a refund payment of the last inbound one),
        dated with the shop's change."""
        return self.ledger.difference(
            sale,
            transactions,
            active,
            difference,
            self.ledger.entry_date(order.changed_at),
            shop_ref=order.order_ref,
            shop_id=order.order_id,
        )

    # --- the shop's total changed ----------------------------------------------------------------
    def _follow_total(self, sale, order, transactions, active, recorded, target):
        """A posted entry is never edited: the difference gets an entry of its own."""
        currency = sale.currency_id
        difference = currency.round(target - recorded)
        tx = self._difference_entry(sale, order, transactions, active, difference)
        values = {
            "old": format_amount(self.env, recorded, currency),
            "new": format_amount(self.env, target, currency),
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
        return self.ledger.tell(sale, active | tx, note)

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
        if self.ledger.ask(sale, active.payment_id[:1], ACTIVITY_SUMMARY_TOTAL, note):
            return note
        return ""

    # --- cancelled, or no longer paid --------------------------------------------------
    def _cancel(self, sale, order, mapping, transactions, active):
        """No posted entry is cancelled: a refund payment gives the money back, a draft entry
        (nothing posted yet) is cancelled; an order Odoo keeps keeps its entries."""
        if not active:
            return ""
        reason = self.env._(
            "The shop cancelled order %(number)s (%(status)s).",
            number=sale.marketplace_order_ref,
            status=mapping.display_name,
        )
        if sale.state != "cancel":
            note = self.env._(
                "%(reason)s Odoo keeps the order (it is delivered or invoiced): its payment "
                "entries stay as they are. If the buyer got the money back, issue a credit note "
                "and register the refund payment with it.",
                reason=reason,
            )
            payment = active.payment_id.filtered(lambda p: p.state != "canceled")[:1]
            if self.ledger.ask(sale, payment, ACTIVITY_SUMMARY_CANCELLED, note):
                return note
            return ""
        notes = []
        drafts = active.filtered(lambda tx: tx.payment_id.state == "draft")
        self.ledger.cancel_drafts(drafts, reason)
        if drafts:
            notes.append(
                self.env._(
                    "Draft payment entries cancelled (nothing was posted): %s.",
                    ", ".join(tx.payment_id.name or tx.reference for tx in drafts),
                )
            )
        currency = sale.currency_id
        held = currency.round(sum((active - drafts).mapped("amount")))
        if currency.compare_amounts(held, 0) > 0:
            tx = self._difference_entry(sale, order, transactions, active - drafts, -held)
            note = self.env._(
                "%(reason)s Posted entries are never edited nor cancelled: the refund payment "
                "%(entry)s of %(amount)s gives the money back.",
                reason=reason,
                entry=tx.payment_id.name or tx.reference,
                amount=format_amount(self.env, held, currency),
            )
            for payment in (active - drafts | tx).payment_id:
                payment.message_post(body=note)
            notes.append(note)
        message = " ".join(notes)
        if message:
            sale.message_post(body=message)
        return message

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
        if self.ledger.ask(sale, active.payment_id[:1], ACTIVITY_SUMMARY_UNPAID, note):
            return note
        return ""

    def _paid_another_way(self, sale, order, mapping):
        """An invoice of the order already paid in Odoo (a bank payment registered by hand): the
        shop's payment is not booked a second time; a person decides."""
        invoices = posted_invoices(sale).filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.payment_state in ("paid", "in_payment", "partial")
            )
        )
        if not invoices:
            return ""
        user = decision_user(sale, self.account.user_id)
        note = self.env._(
            "The shop reports order %(number)s as paid (%(status)s), but its invoice "
            "%(invoices)s is already paid in Odoo. No payment entry was made, so the money is not "
            "booked twice. %(user)s decides: if the buyer paid twice, refund one payment; if it "
            "is the same money, nothing is left to do.",
            number=sale.marketplace_order_ref,
            status=mapping.display_name,
            invoices=", ".join(invoices.mapped("name")),
            user=user.name,
        )
        summary = ACTIVITY_SUMMARIES[ACTIVITY_SUMMARY_PAID_TWICE]
        if not has_open_activity(sale, summary):
            sale.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(sale),
                summary=summary(self.env),
                note=note,
                user_id=user.id,
            )
            sale.message_post(body=note)
        return note
