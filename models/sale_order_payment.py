"""sale.order (inherited): its marketplace payments: the fields the order shows (payments,
transactions, the payment difference and its reason, the write-off) and the thin hooks of the
ledger's matching (ledger/matching.py), which the import, the invoices and the payments call.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_amount, format_date

from ..ledger import matching


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_payment_ids = fields.One2many(
        "account.payment",
        "marketplace_sale_order_id",
        string="Marketplace Payments",
        readonly=True,
        help="The payment entries the connector made for this order: its payment on the shop, and "
        "the entries that followed changes of the shop's total.",
    )
    marketplace_payment_count = fields.Integer(compute="_compute_marketplace_payment_count")
    marketplace_transactions_html = fields.Html(
        string="Payment Transactions",
        compute="_compute_marketplace_transactions_html",
        compute_sudo=True,
        sanitize=False,
        help="The connector's payment transactions of this order, shown to whoever may read the "
        "order (salespeople do not read payment transactions themselves).",
    )
    marketplace_payment_difference = fields.Monetary(
        string="Payment Difference",
        readonly=True,
        copy=False,
        help="The order is fully invoiced, but its marketplace payments minus its invoices leave "
        "this amount open (draft payments counted): more than the account's tolerance, or "
        "already written off once. Reconcile it by hand.",
    )
    marketplace_payment_issue = fields.Text(
        string="Payment Issue",
        readonly=True,
        copy=False,
        help="Why the marketplace payments of this order could not be matched with its invoices.",
    )
    marketplace_payment_differs = fields.Boolean(
        string="Payment Differs",
        compute="_compute_marketplace_payment_differs",
        store=True,
    )
    marketplace_writeoff_move_id = fields.Many2one(
        "account.move",
        string="Payment Write-off",
        readonly=True,
        copy=False,
        help="The entry that wrote off the small difference between the marketplace payments "
        "and the invoices of this order (once).",
    )

    @api.depends("marketplace_payment_difference", "marketplace_payment_issue", "currency_id")
    def _compute_marketplace_payment_differs(self):
        for order in self:
            order.marketplace_payment_differs = bool(order.marketplace_payment_issue) or (
                not order.currency_id.is_zero(order.marketplace_payment_difference)
            )

    def _compute_marketplace_payment_count(self):
        # counted as the connector: whoever sees the order may know it has payments
        groups = (
            self.env["account.payment"]
            .sudo()
            ._read_group(
                [("marketplace_sale_order_id", "in", self.ids)],
                ["marketplace_sale_order_id"],
                ["__count"],
            )
        )
        counts = {order.id: count for order, count in groups}
        for order in self:
            order.marketplace_payment_count = counts.get(order.id, 0)

    def _compute_marketplace_transactions_html(self):
        """A table of the order's connector transactions, read as the connector: whoever reads
        the order reads them here, and only here (no access to payment.transaction itself)."""
        transactions = self.env["payment.transaction"].search(
            [("marketplace_sale_order_id", "in", self.ids)], order="marketplace_sequence, id"
        )
        by_order = {
            order.id: txs
            for order, txs in transactions.grouped("marketplace_sale_order_id").items()
        }
        states = dict(transactions._fields["state"]._description_selection(self.env))
        payment_states = dict(
            self.env["account.payment"]._fields["state"]._description_selection(self.env)
        )
        for order in self:
            txs = by_order.get(order.id)
            if not txs:
                order.marketplace_transactions_html = False
                continue
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td><td>%s</td>"
                    "<td>%s</td></tr>"
                )
                % (
                    tx.reference,
                    format_date(self.env, tx.marketplace_payment_date),
                    format_amount(self.env, tx.amount, tx.currency_id),
                    states.get(tx.state, tx.state),
                    " ".join(
                        filter(
                            None,
                            [tx.payment_id.name, payment_states.get(tx.payment_id.state, "")],
                        )
                    ),
                )
                for tx in txs
            )
            head = Markup(
                "<thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th><th>%s</th>"
                "<th>%s</th></tr></thead>"
            ) % (_("Reference"), _("Shop Payment Date"), _("Amount"), _("Status"), _("Payment"))
            order.marketplace_transactions_html = Markup(
                "<table class='table table-sm o_marketplace_transactions'>%s<tbody>%s"
            ) % (head, rows) + Markup("</tbody></table>")

    def action_view_marketplace_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.account_payment_action_marketplace"
        )
        action["domain"] = [("marketplace_sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _send_payment_succeeded_for_order_mail(self):
        if self.env.context.get("marketplace_payment"):
            return None  # the marketplace told the buyer; a mail from Odoo would only confuse
        return super()._send_payment_succeeded_for_order_mail()

    # --- thin hooks of the ledger's matching (ledger/matching.py) --------------------------------
    def _marketplace_reconcile_payments(self):
        """Match the orders' posted invoices with the connector's posted payments."""
        matching.reconcile(self)

    def _marketplace_refresh_payment_difference(self):
        """Matched or unmatched by hand: the payment difference and issue follow."""
        matching.refresh(self)

    @api.model
    def _marketplace_orders_of_moves(self, moves):
        return matching.orders_of_moves(self.env, moves)
