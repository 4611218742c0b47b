"""The payments floor: the batched floor's documents plus the payment entries the connector's
payment path makes for them, written the fastest way the ORM allows.

What the import with payment entries produces for an order the shop reports as paid (status
ticked 'Paid' in the account's status table, not a backlog quotation, not cancelled, a total
other than zero): a done ``payment.transaction`` of the account's payment provider, linked to
the sales order, and its ``account.payment`` (inbound, the shop's total, dated with the shop's
payment date in the shop's time zone, for the commercial partner of the invoice address, on its
receivable account through the order's fiscal position) posted, with its journal entry. An OTTO
order with returned items also gets a refund transaction and its outbound payment of what went
back. The import makes each through Odoo's online-payment path (``_set_done``,
``_post_process``, ``_create_payment``: one payment created and posted at a time); here, per
page of 128 orders, the transactions are created done in one ``create``, their payments in one
``create`` (journal entries not made one by one) and posted together in one ``action_post``
(Odoo makes and posts all their journal entries in one go), and the transactions are linked to
their payments in one flush. No search for a free reference, no chatter, no savepoint.
"""

from datetime import timezone
from zoneinfo import ZoneInfo

from floor import BatchedFloorLoader

from odoo import Command, fields
from odoo.addons.sale_marketplace_connector.ledger import journal

# the transaction references the connector gives (const.PAYMENT_REFERENCE_PREFIXES)
REFERENCE_PREFIXES = {"otto": "OTTO", "prestashop": "PS", "cscart": "CSCART"}
BACKEND_LABELS = {"otto": "OTTO Market", "prestashop": "PrestaShop", "cscart": "CS-Cart"}


class PaymentsFloorLoader(BatchedFloorLoader):
    def __init__(self, env, account):
        super().__init__(env, account)
        # the provider, its journal and outstanding account exist before the clock starts, as
        # after an account's first payment entry
        self.provider = journal.provider(account)
        self.method_line = self.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == self.provider
        )[:1]
        self.mappings = {mapping.code: mapping for mapping in account.status_mapping_ids}
        self.zone = ZoneInfo(account.shop_timezone or "UTC")
        context = {
            "tracking_disable": True,
            "mail_create_nolog": True,
            "mail_create_nosubscribe": True,
        }
        self.Transaction = env["payment.transaction"].sudo().with_context(**context)
        self.Payment = (
            env["account.payment"]
            .sudo()
            .with_context(**context)
            .with_company(self.provider.company_id)
        )
        self.entries = 0
        self.entries_total = 0.0

    def extra_results(self):
        return {"payments": self.entries, "payments_total": round(self.entries_total, 2)}

    def _paid(self, order, sale):
        mapping = self.mappings.get(order.status)
        return (
            mapping is not None
            and mapping.paid
            and not mapping.refunded
            and mapping.document_state != "cancel"
            and sale.state != "cancel"
            and not sale.marketplace_backlog
        )

    def _date(self, moment):
        if not moment:
            return fields.Date.context_today(self.account)
        return moment.replace(tzinfo=timezone.utc).astimezone(self.zone).date()

    @staticmethod
    def _returned(order):
        returned = getattr(order, "returned_item_ids", None) or set()
        return float(
            sum(
                line.unit_price * len([i for i in line.item_ids if i in returned])
                for line in order.lines
            )
        )

    def _transaction_values(self, sale, order, amount, sequence, date, source=None):
        prefix = REFERENCE_PREFIXES[self.account.backend]
        suffix = f"-{sequence}" if sequence else ""
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.provider.payment_method_ids[:1].id,
            "reference": f"{prefix}-{order.order_ref}{suffix}",
            "provider_reference": order.order_id,
            "amount": amount,
            "currency_id": sale.currency_id.id,
            "partner_id": sale.partner_invoice_id.id,
            "operation": "refund" if amount < 0 else "online_direct",
            "source_transaction_id": source.id if source else False,
            "sale_order_ids": [Command.set(sale.ids)],
            "marketplace_account_id": self.account.id,
            "marketplace_sale_order_id": sale.id,
            "marketplace_order_ref": order.order_ref,
            "marketplace_sequence": sequence,
            "marketplace_payment_date": date,
            "state": "done",
            "state_message": f"Paid on {self.provider.name}: order {order.order_ref}.",
            "last_state_change": fields.Datetime.now(),
            "is_post_processed": True,
        }

    def _payment_values(self, tx, sale):
        partner = sale.partner_invoice_id.commercial_partner_id
        receivable = partner.with_company(sale.company_id).property_account_receivable_id
        if sale.fiscal_position_id and receivable:
            receivable = sale.fiscal_position_id.map_account(receivable)
        label = BACKEND_LABELS[self.account.backend]
        memo = f"{label} order {tx.marketplace_order_ref} ({sale.name})"
        if tx.marketplace_sequence:
            memo += ": change of the total"
        return {
            "amount": abs(tx.amount),
            "payment_type": "inbound" if tx.amount > 0 else "outbound",
            "currency_id": tx.currency_id.id,
            "partner_id": partner.id,
            "partner_type": "customer",
            "journal_id": self.provider.journal_id.id,
            "company_id": self.provider.company_id.id,
            "payment_method_line_id": self.method_line.id,
            "payment_transaction_id": tx.id,
            "memo": memo,
            "date": tx.marketplace_payment_date,
            "payment_reference": tx.marketplace_order_ref,
            **({"destination_account_id": receivable.id} if receivable else {}),
        }

    def after_page(self, page, sales):
        paid = [
            (order, sale)
            for order, sale in zip(page, sales, strict=True)
            if self._paid(order, sale)
            and not sale.currency_id.is_zero(sale.currency_id.round(float(order.total)))
        ]
        if not paid:
            return
        first = self.Transaction.create(
            [
                self._transaction_values(
                    sale,
                    order,
                    sale.currency_id.round(float(order.total)),
                    0,
                    self._date(order.paid_at or order.changed_at),
                )
                for order, sale in paid
            ]
        )
        transactions = first
        # items returned before the first import: a refund entry of what went back (OTTO)
        refunds = [
            (order, sale, source, sale.currency_id.round(self._returned(order)))
            for (order, sale), source in zip(paid, first, strict=True)
        ]
        refunds = [entry for entry in refunds if entry[3]]
        if refunds:
            transactions |= self.Transaction.create(
                [
                    self._transaction_values(
                        sale, order, -returned, 1, self._date(order.changed_at), source
                    )
                    for order, sale, source, returned in refunds
                ]
            )
        sale_of = {tx.id: tx.marketplace_sale_order_id for tx in transactions}
        payments = self.Payment.create(
            [self._payment_values(tx, sale_of[tx.id]) for tx in transactions]
        )
        if self.account.payment_posting != "draft":
            payments.action_post()
        for tx, payment in zip(transactions, payments, strict=True):
            tx.payment_id = payment
        self.entries += len(payments)
        self.entries_total += sum(transactions.mapped("amount"))
