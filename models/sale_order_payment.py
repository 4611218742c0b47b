"""The marketplace payments of a sales order, and matching them with its invoices.

The connector's payment entries (importer/payments.py) are matched with the order's posted
invoices whenever either is posted. What matching leaves open once the order is fully invoiced is
the order's "Payment Difference" (payments minus invoices, draft payments counted as they will
be posted): written off once within the account's tolerance, else shown ("Payment Differs"). A
reason the entries cannot be matched (another currency, another customer, another receivable
account on the invoice, a matching Odoo refused) is never only a server log line: it is the
order's "Payment Issue" and marks it "Payment Differs" too. Matching or unmatching by hand
(outstanding credits, bank reconciliation, cancelling a payment or an invoice) recomputes both
(models/account_partial_reconcile.py, account_payment.py, account_move.py).
"""

import logging

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

_logger = logging.getLogger(__name__)

CONFIRMED_PAYMENT_STATES = ("in_process", "paid")


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

    # --- whom and where a payment entry is booked ------------------------------------------------
    def _marketplace_payment_target(self):
        """(customer, receivable account) of a new payment entry of the order: those of its
        posted invoice when it has one, else those an invoice made from it will have (the
        commercial partner of the invoice address, its receivable account through the order's
        fiscal position, as Odoo books invoices), so that both meet on one account."""
        self.ensure_one()
        invoice = self._marketplace_posted_invoices()[:1]
        if invoice:
            receivable = invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )[:1]
            return invoice.commercial_partner_id, receivable.account_id
        partner = self.partner_invoice_id.commercial_partner_id
        account = partner.with_company(self.company_id).property_account_receivable_id
        if self.fiscal_position_id and account:
            account = self.fiscal_position_id.map_account(account)
        return partner, account

    def _marketplace_posted_invoices(self):
        return self.invoice_ids.filtered(lambda move: move.state == "posted" and move.is_invoice())

    # --- matching payments and invoices ----------------------------------------------------------
    def _marketplace_group(self):
        """The marketplace orders settled together with these: orders sharing an invoice (one
        buyer, invoiced together)."""
        orders = self.sudo().filtered("marketplace_account_id")
        invoices = orders._marketplace_posted_invoices()
        return orders | invoices.line_ids.sale_line_ids.order_id.filtered("marketplace_account_id")

    def _marketplace_reconcile_payments(self):
        """Match the posted invoices of marketplace orders with the connector's posted payments
        (the payments of an order cancelled without invoice with each other: a refund with the
        payment it gives back). Once the orders are fully invoiced, a difference within the
        account's tolerance is written off, once; a larger one, or one that cannot be matched,
        marks the orders 'Payment Differs' with the reason."""
        orders = self._marketplace_group().with_context(marketplace_matching=True)
        if not orders:
            return
        invoices = orders._marketplace_posted_invoices()
        posted = orders.marketplace_payment_ids.filtered(
            lambda payment: (
                payment.state in CONFIRMED_PAYMENT_STATES and payment.move_id.state == "posted"
            )
        )
        issues = orders._marketplace_mismatches(invoices, orders.marketplace_payment_ids)
        cancelled = all(order.state == "cancel" for order in orders)
        if posted and not issues and (invoices or cancelled):
            lines = orders._marketplace_receivable_lines(invoices, posted)
            try:
                with self.env.cr.savepoint():
                    for group in (
                        lines.filtered(lambda line: not line.reconciled)
                        .grouped("account_id")
                        .values()
                    ):
                        if group.filtered(lambda line: line.amount_residual > 0) and group.filtered(
                            lambda line: line.amount_residual < 0
                        ):
                            group.reconcile()
            except (UserError, ValidationError) as exc:
                # posting the invoice must not fail for it: the order says why, a person matches
                _logger.info("Marketplace payments not matched with their invoices: %s", exc)
                issues.append(
                    _(
                        "Odoo refused to match the marketplace payments with the invoices: "
                        "%(error)s Match them by hand.",
                        error=exc.args[0] if exc.args else exc,
                    )
                )
        orders._marketplace_settle(invoices, issues, write_off=True)

    def _marketplace_refresh_payment_difference(self):
        """Payments or invoices were matched or unmatched by hand, posted, reset or cancelled:
        the difference and the issue of the orders follow, nothing is matched or written off."""
        if self.env.context.get("marketplace_matching"):
            return  # the connector's own matching settles at its end
        orders = self._marketplace_group()
        for group in orders._marketplace_partition():
            invoices = group._marketplace_posted_invoices()
            issues = group._marketplace_mismatches(invoices, group.marketplace_payment_ids)
            group._marketplace_settle(invoices, issues, write_off=False)

    def _marketplace_partition(self):
        """The orders in groups settled together (sharing invoices)."""
        groups, seen = [], self.browse()
        for order in self:
            if order in seen:
                continue
            group = order._marketplace_group()
            seen |= group
            groups.append(group)
        return groups

    def _marketplace_receivable_lines(self, invoices, posted_payments):
        moves = invoices | posted_payments.move_id | self.marketplace_writeoff_move_id
        return moves.filtered(lambda move: move.state == "posted").line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def _marketplace_mismatches(self, invoices, payments):
        """Why the invoices and the connector's payments cannot be matched automatically."""
        payments = payments.filtered(lambda payment: payment.state != "canceled")
        if not invoices or not payments:
            return []
        reasons = []
        names = ", ".join(invoices.mapped("name"))
        if len(invoices.currency_id | payments.currency_id) > 1:
            reasons.append(
                _(
                    "The invoice %(invoices)s is in %(invoice_currency)s, the marketplace payments "
                    "in %(payment_currency)s: they are not matched automatically. Match them by "
                    "hand (with the exchange difference) or invoice in the order's currency.",
                    invoices=names,
                    invoice_currency=", ".join(invoices.currency_id.mapped("name")),
                    payment_currency=", ".join(payments.currency_id.mapped("name")),
                )
            )
        partners = invoices.commercial_partner_id
        if payments.partner_id.commercial_partner_id - partners:
            reasons.append(
                _(
                    "The invoice %(invoices)s is addressed to %(invoice_partner)s, the marketplace "
                    "payments to %(payment_partner)s: they are not matched automatically. Check "
                    "the customer, then match them by hand.",
                    invoices=names,
                    invoice_partner=", ".join(partners.mapped("display_name")),
                    payment_partner=", ".join(
                        payments.partner_id.commercial_partner_id.mapped("display_name")
                    ),
                )
            )
        invoice_accounts = invoices.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).account_id
        payment_accounts = payments.destination_account_id
        if payment_accounts - invoice_accounts:
            reasons.append(
                _(
                    "The invoice %(invoices)s books the receivable on %(invoice_account)s, the "
                    "marketplace payments on %(payment_account)s (a fiscal position changed on "
                    "the invoice?): they are not matched automatically. Transfer the amount "
                    "between the accounts and match them by hand.",
                    invoices=names,
                    invoice_account=", ".join(invoice_accounts.mapped("display_name")),
                    payment_account=", ".join(payment_accounts.mapped("display_name")),
                )
            )
        return reasons

    def _marketplace_settle(self, invoices, issues, write_off):
        """Store what matching left open, written off once within the tolerance."""
        account = self[:1].marketplace_account_id
        payments = self.marketplace_payment_ids.filtered(lambda p: p.state != "canceled")
        posted = payments.filtered(
            lambda p: p.state in CONFIRMED_PAYMENT_STATES and p.move_id.state == "posted"
        )
        drafts = payments.filtered(lambda p: p.state == "draft")
        difference = 0.0
        currency = invoices.currency_id if len(invoices.currency_id) == 1 else None
        judged = (
            bool(invoices)
            and bool(payments)
            and currency is not None
            and not issues
            and all(order.invoice_status == "invoiced" for order in self)
        )
        if judged:
            lines = self._marketplace_receivable_lines(invoices, posted)
            open_lines = lines.filtered(lambda line: not line.reconciled)
            residual = currency.round(sum(open_lines.mapped("amount_residual_currency")))
            pending = sum(p.amount if p.payment_type == "inbound" else -p.amount for p in drafts)
            difference = currency.round(pending - residual)  # payments minus invoices
            within = currency.compare_amounts(abs(difference), account.payment_tolerance) <= 0
            if (
                write_off
                and difference
                and within
                and not drafts  # a draft payment still to come changes what is left
                and not self.marketplace_writeoff_move_id  # once
                and account.payment_writeoff_account_id
                and len(open_lines.account_id) == 1
            ):
                move = self._marketplace_write_off(open_lines, account)
                if move:
                    self.marketplace_writeoff_move_id = move
                    message = _(
                        "The payments and invoices of this order differed by %(amount)s, within "
                        "the tolerance of %(tolerance)s: written off to %(account)s (%(entry)s).",
                        amount=format_amount(self.env, abs(difference), currency),
                        tolerance=format_amount(self.env, account.payment_tolerance, currency),
                        account=account.payment_writeoff_account_id.display_name,
                        entry=move.name,
                    )
                    for order in self:
                        order.message_post(body=message)
                    difference = 0.0
        issue = "\n".join(issues) or False
        for order in self:
            new_issue = issue
            if not write_off and not issue and not judged:
                # a matching Odoo refused stays shown until the order is settled
                new_issue = order.marketplace_payment_issue or False
            old_issue = order.marketplace_payment_issue or False
            changed_difference = bool(
                order.currency_id.compare_amounts(order.marketplace_payment_difference, difference)
            )
            if not changed_difference and old_issue == new_issue:
                continue
            order.write(
                {
                    "marketplace_payment_difference": difference,
                    "marketplace_payment_issue": new_issue,
                }
            )
            if new_issue and new_issue != old_issue:
                order.message_post(body=new_issue)
            elif difference and changed_difference:
                order.message_post(
                    body=_(
                        "The order is fully invoiced, but its marketplace payments and invoices "
                        "differ by %(amount)s (more than the tolerance of %(tolerance)s, already "
                        "written off once, or no write-off account): the difference stays open, "
                        "reconcile it by hand.",
                        amount=format_amount(self.env, difference, order.currency_id),
                        tolerance=format_amount(
                            self.env, account.payment_tolerance, order.currency_id
                        ),
                    )
                )

    def _marketplace_write_off(self, open_lines, account):
        """A posted journal entry moving what ``open_lines`` leave open to the write-off account,
        reconciled with them; None when Odoo refuses it (a lock date, no miscellaneous journal):
        posting the invoice must not fail for it, the difference is then shown instead."""
        company = open_lines.company_id[:1]
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "general")], limit=1
        )
        if not journal:
            return None
        try:
            with self.env.cr.savepoint():
                return self._marketplace_write_off_entry(open_lines, account, journal)
        except (UserError, ValidationError) as exc:
            _logger.info("Marketplace payment difference not written off: %s", exc)
            return None

    def _marketplace_write_off_entry(self, open_lines, account, journal):
        company = journal.company_id
        residual_currency = sum(open_lines.mapped("amount_residual_currency"))
        residual = sum(open_lines.mapped("amount_residual"))
        common = {
            "name": _(
                "Marketplace payment difference: %s",
                ", ".join(self.mapped("marketplace_order_ref")),
            ),
            "partner_id": open_lines.partner_id.commercial_partner_id[:1].id,
            "currency_id": open_lines.currency_id.id,
        }
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": company.id,
                "date": fields.Date.context_today(self),
                "ref": common["name"],
                "line_ids": [
                    Command.create(
                        {
                            **common,
                            "account_id": open_lines.account_id.id,
                            "amount_currency": -residual_currency,
                            "balance": -residual,
                        }
                    ),
                    Command.create(
                        {
                            **common,
                            "account_id": account.payment_writeoff_account_id.id,
                            "amount_currency": residual_currency,
                            "balance": residual,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        counterpart = move.line_ids.filtered(lambda line: line.account_id == open_lines.account_id)
        (open_lines | counterpart).reconcile()
        return move

    @api.model
    def _marketplace_orders_of_moves(self, moves):
        """The marketplace orders whose matching these journal entries take part in."""
        moves = moves.sudo().exists()
        if not moves:
            return self.browse()
        orders = (
            moves.line_ids.sale_line_ids.order_id
            | moves.origin_payment_id.marketplace_sale_order_id
        )
        orders |= self.sudo().search([("marketplace_writeoff_move_id", "in", moves.ids)])
        return orders.filtered("marketplace_account_id")
