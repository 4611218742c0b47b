from odoo import fields, models

from ..ledger import entries


class PaymentTransaction(models.Model):
    """payment.transaction (inherited): the transactions the connector records for paid
    marketplace orders (ledger/entries.py): done at once, post-processed by Odoo into a payment
    entry, without Odoo's online-shop habits (confirming the quotation, mailing the buyer,
    invoicing)."""

    _inherit = "payment.transaction"

    marketplace_account_id = fields.Many2one(
        "marketplace.account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    marketplace_sale_order_id = fields.Many2one(
        "sale.order",
        string="Marketplace Order",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The marketplace order whose payment this transaction records.",
    )
    marketplace_order_ref = fields.Char(string="Shop Order Number", readonly=True, copy=False)
    marketplace_sequence = fields.Integer(
        string="Entry Number",
        readonly=True,
        help="0: the order's payment; 1, 2, ...: the entries that followed changes of the "
        "shop's total or a new payment after a cancellation.",
    )
    marketplace_return_refund = fields.Boolean(
        string="Return Refund",
        readonly=True,
        copy=False,
        help="A refund of a shop's return or refund (returned items, a credit slip, a refunded "
        "status), matched with its credit note: the rules that follow the shop's total leave it "
        "aside.",
    )
    marketplace_payment_date = fields.Date(
        string="Shop Payment Date",
        readonly=True,
        copy=False,
        help="The date of the payment entry: when the shop took the payment.",
    )

    _sql_constraints = [
        (
            # one payment per order, whoever imports it and however often: the database refuses
            # the second transaction of two runs that record the same payment at the same time
            "marketplace_order_sequence_unique",
            "UNIQUE(marketplace_sale_order_id, marketplace_sequence)",
            "This marketplace order already has this payment entry.",
        ),
    ]

    def _post_process(self):
        marketplace = self.filtered("marketplace_sale_order_id")
        if marketplace:
            # read by sale.order._send_payment_succeeded_for_order_mail
            super(
                PaymentTransaction, marketplace.with_context(marketplace_payment=True)
            )._post_process()
        return super(PaymentTransaction, self - marketplace)._post_process()

    def _check_amount_and_confirm_order(self):
        """The status mapping decides the document state of a marketplace order (a status mapped
        to a quotation keeps it one), never its payment: ``sale`` would confirm the quotation as
        soon as the transaction is done, whoever post-processes it (the import, the payment
        module's scheduled action)."""
        others = self.filtered(lambda tx: not tx.marketplace_sale_order_id)
        return super(PaymentTransaction, others)._check_amount_and_confirm_order()

    def _invoice_sale_orders(self):
        # the merchant invoices marketplace orders when they choose ('sale.automatic_invoice')
        others = self.filtered(lambda tx: not tx.marketplace_sale_order_id)
        return super(PaymentTransaction, others)._invoice_sale_orders()

    def _send_invoice(self):
        others = self.filtered(lambda tx: not tx.marketplace_sale_order_id)
        return super(PaymentTransaction, others)._send_invoice()

    def _log_message_on_linked_documents(self, message):
        if self.marketplace_sale_order_id:
            # the connector writes its own notes, which say whether the entry is posted or waits
            # for an accountant (Odoo's would say 'posted' of a draft)
            return
        super()._log_message_on_linked_documents(message)

    def _create_payment(self, **extra_create_values):
        """Odoo's payment of the transaction, dated, described and posted as the account says
        (``ledger.entries.payment_values``)."""
        self.ensure_one()
        if not self.marketplace_sale_order_id:
            return super()._create_payment(**extra_create_values)
        values, draft = entries.payment_values(self, extra_create_values)
        tx = self.with_context(marketplace_payment_hold=True) if draft else self
        return super(PaymentTransaction, tx)._create_payment(**values)
