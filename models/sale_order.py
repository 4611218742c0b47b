import logging

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_amount

from ..exporter import marks
from .marketplace_export import EXPORT_STATES, STATE_PRIORITY

_logger = logging.getLogger(__name__)

USER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_user"


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "marketplace.status.named"]
    _marketplace_account_field = "marketplace_account_id"

    marketplace_account_id = fields.Many2one(
        "marketplace.account",
        readonly=True,
        copy=False,
        index=True,
        ondelete="restrict",
    )
    marketplace_backend = fields.Selection(related="marketplace_account_id.backend")
    marketplace_order_id = fields.Char(
        string="Marketplace Order ID",
        readonly=True,
        copy=False,
        help="The shop's unique id of the order: OTTO salesOrderId, PrestaShop order id, CS-Cart "
        "order_id.",
    )
    marketplace_order_ref = fields.Char(
        string="Marketplace Order Number",
        readonly=True,
        copy=False,
        index="trigram",
        help="The number buyers and the shop quote: OTTO orderNumber, PrestaShop reference, "
        "CS-Cart order number.",
    )
    marketplace_status = fields.Char(
        readonly=True,
        copy=False,
        help="Code of the last status the shop reported for this order.",
    )
    marketplace_changed_at = fields.Datetime(
        string="Changed On Shop",
        readonly=True,
        copy=False,
        help="When the shop last changed the order, as the last import saw it. A later import "
        "reads the order again only when the shop's change date or status differ.",
    )
    marketplace_order_date = fields.Datetime(
        readonly=True, copy=False, help="When the buyer placed the order on the shop."
    )
    marketplace_payment_method = fields.Char(
        readonly=True,
        copy=False,
        help="How the buyer paid, as the shop says it (OTTO: PREPAYMENT, PAYPAL, INVOICE_SINGLE, "
        "...; PrestaShop and CS-Cart: the payment module's name).",
    )
    marketplace_recycling = fields.Boolean(
        string="Recycling & Disposal",
        readonly=True,
        copy=False,
        help="The buyer asked for the old electrical appliance to be taken back (OTTO "
        "'weeePickup', 'Recycling & Entsorgung').",
    )
    marketplace_backlog = fields.Boolean(
        string="Backlog",
        readonly=True,
        copy=False,
        index=True,
        help="Announced order waiting for the marketplace to release the buyer's address; it "
        "cannot be shipped yet.",
    )
    marketplace_total = fields.Monetary(
        readonly=True,
        copy=False,
        help="The order total according to the shop, taxes included.",
    )
    marketplace_total_mismatch = fields.Boolean(
        string="Total Differs",
        compute="_compute_marketplace_total_mismatch",
        store=True,
        help="The Odoo total differs from the shop's total: check prices and taxes.",
    )
    marketplace_status_to_push = fields.Char(
        string="Shop Status Pending",
        compute="_compute_marketplace_status_to_push",
        help="Status to set on the shop (the mapping's 'Change Status To') that the shop has not "
        "taken yet: an update to the shop, sent after the import (see Updates to Shops).",
    )
    marketplace_run_line_ids = fields.One2many(
        "marketplace.run.line", "sale_order_id", string="Marketplace Log"
    )
    marketplace_run_line_count = fields.Integer(compute="_compute_marketplace_run_line_count")
    marketplace_payment_ids = fields.One2many(
        "account.payment",
        "marketplace_sale_order_id",
        string="Marketplace Payments",
        readonly=True,
        help="The payment entries the connector made for this order: its payment on the shop, and "
        "the entries that followed changes of the shop's total.",
    )
    marketplace_payment_count = fields.Integer(compute="_compute_marketplace_payment_count")
    marketplace_payment_difference = fields.Monetary(
        string="Payment Difference",
        readonly=True,
        copy=False,
        help="The order is fully invoiced, but its marketplace payments minus its invoices leave "
        "this amount open: more than the account's tolerance. Reconcile it by hand.",
    )
    marketplace_payment_differs = fields.Boolean(
        string="Payment Differs",
        compute="_compute_marketplace_payment_differs",
        store=True,
    )
    # Write-back (exporter/): what the shop is told as the order moves in Odoo
    marketplace_export_ids = fields.One2many(
        "marketplace.export", "sale_order_id", string="Marketplace Updates", groups=USER_GROUP
    )
    marketplace_export_state = fields.Selection(
        EXPORT_STATES,
        string="Sent to Shop",
        compute="_compute_marketplace_export_state",
        store=True,
        help="Whether the shop has what happened to the order in Odoo (shipments, statuses, "
        "document numbers): to send, sent, failed (see the message), or not needed.",
    )
    marketplace_export_message = fields.Text(
        string="Shop Message", compute="_compute_marketplace_export_state", store=True
    )
    marketplace_thread_ref = fields.Char(
        string="Shop Message Thread",
        readonly=True,
        copy=False,
        help="PrestaShop: the customer thread holding the connector's private order messages.",
    )
    marketplace_shipping_ref = fields.Char(
        string="Shop Shipping Method",
        readonly=True,
        copy=False,
        help="CS-Cart: the order's shipping method id, needed by its shipments.",
    )

    _sql_constraints = [
        (
            "marketplace_order_unique",
            "UNIQUE(marketplace_account_id, marketplace_order_id)",
            "This marketplace order has already been imported.",
        ),
    ]

    @api.depends("marketplace_account_id", "marketplace_total", "amount_total", "currency_id")
    def _compute_marketplace_total_mismatch(self):
        for order in self:
            order.marketplace_total_mismatch = bool(order.marketplace_account_id) and bool(
                order.currency_id.compare_amounts(order.amount_total, order.marketplace_total)
            )

    @api.depends("marketplace_payment_difference", "currency_id")
    def _compute_marketplace_payment_differs(self):
        for order in self:
            order.marketplace_payment_differs = not order.currency_id.is_zero(
                order.marketplace_payment_difference
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

    def _compute_marketplace_run_line_count(self):
        groups = self.env["marketplace.run.line"]._read_group(
            [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
        )
        counts = {order.id: count for order, count in groups}
        for order in self:
            order.marketplace_run_line_count = counts.get(order.id, 0)

    def action_view_marketplace_log(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_line_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        return action

    def action_view_marketplace_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.account_payment_action_marketplace"
        )
        action["domain"] = [("marketplace_sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _prepare_confirmation_values(self):
        """An imported order confirmed by the import keeps the shop's order date (Odoo stamps
        the confirmation moment), so that its delivery and reports date from the purchase."""
        values = super()._prepare_confirmation_values()
        if self.env.context.get("marketplace_keep_order_date"):
            values.pop("date_order", None)
        return values

    def _send_payment_succeeded_for_order_mail(self):
        if self.env.context.get("marketplace_payment"):
            return None  # the marketplace told the buyer; a mail from Odoo would only confuse
        return super()._send_payment_succeeded_for_order_mail()

    # --- matching payments and invoices ----------------------------------------------------------
    def _marketplace_reconcile_payments(self):
        """Match the posted invoices of marketplace orders with the connector's posted payments.
        Once the orders are fully invoiced, a difference within the account's tolerance is
        written off, a larger one stays open and marks the orders 'Payment Differs'. Orders
        sharing an invoice (one buyer, invoiced together) are settled together."""
        orders = self.sudo().filtered("marketplace_account_id")
        invoices = orders.invoice_ids.filtered(lambda move: move.state == "posted")
        orders |= invoices.line_ids.sale_line_ids.order_id.filtered("marketplace_account_id")
        invoices = orders.invoice_ids.filtered(lambda move: move.state == "posted")
        payments = orders.marketplace_payment_ids.filtered(
            lambda payment: (
                payment.state in ("in_process", "paid") and payment.move_id.state == "posted"
            )
        )
        if not invoices or not payments:
            return
        receivable = (invoices.line_ids | payments.move_id.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        open_lines = receivable.filtered(lambda line: not line.reconciled)
        try:
            with self.env.cr.savepoint():
                for lines in open_lines.grouped("account_id").values():
                    if lines.filtered(lambda line: line.amount_residual > 0) and lines.filtered(
                        lambda line: line.amount_residual < 0
                    ):
                        lines.reconcile()
        except (UserError, ValidationError) as exc:
            # posting the invoice must not fail for it: the accountant reconciles by hand
            _logger.warning("Marketplace payments not matched with their invoices: %s", exc)
            return
        orders._marketplace_settle(receivable.filtered(lambda line: not line.reconciled))

    def _marketplace_settle(self, open_lines):
        """What the matching left open: written off within the tolerance, else shown."""
        account = self[:1].marketplace_account_id
        currency = open_lines.currency_id if len(open_lines.currency_id) == 1 else None
        difference = 0.0
        if open_lines and currency and all(order.invoice_status == "invoiced" for order in self):
            residual = currency.round(sum(open_lines.mapped("amount_residual_currency")))
            difference = -residual  # payments minus invoices
            within = currency.compare_amounts(abs(residual), account.payment_tolerance) <= 0
            move = None
            if (
                residual
                and within
                and account.payment_writeoff_account_id
                and len(open_lines.account_id) == 1
            ):
                move = self._marketplace_write_off(open_lines, account)
            if move:
                message = _(
                    "The payments and invoices of this order differed by %(amount)s, within the "
                    "tolerance of %(tolerance)s: written off to %(account)s (%(entry)s).",
                    amount=format_amount(self.env, abs(residual), currency),
                    tolerance=format_amount(self.env, account.payment_tolerance, currency),
                    account=account.payment_writeoff_account_id.display_name,
                    entry=move.name,
                )
                for order in self:
                    order.message_post(body=message)
                difference = 0.0
        for order in self:
            if not order.currency_id.compare_amounts(
                order.marketplace_payment_difference, difference
            ):
                continue
            order.marketplace_payment_difference = difference
            if difference:
                order.message_post(
                    body=_(
                        "The order is fully invoiced, but its marketplace payments and invoices "
                        "differ by %(amount)s (more than the tolerance of %(tolerance)s, or no "
                        "write-off account): the difference stays open, reconcile it by hand.",
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
            _logger.warning("Marketplace payment difference not written off: %s", exc)
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

    # --- write-back: what the shop is told ------------------------------------------------------
    @api.depends("marketplace_export_ids.state")
    def _compute_marketplace_status_to_push(self):
        for order in self:
            pending = order.sudo().marketplace_export_ids.filtered(
                lambda e: (
                    e.kind == "status" and e.event == "import" and e.state in ("to_send", "failed")
                )
            )
            order.marketplace_status_to_push = pending[:1].status_code or False

    @api.depends(
        "marketplace_account_id", "marketplace_export_ids.state", "marketplace_export_ids.message"
    )
    def _compute_marketplace_export_state(self):
        for order in self:
            exports = order.marketplace_export_ids
            if exports:
                worst = min(exports, key=lambda e: (STATE_PRIORITY[e.state], -e.id))
                order.marketplace_export_state = worst.state
                order.marketplace_export_message = worst.message
            else:
                order.marketplace_export_state = (
                    "not_needed" if order.marketplace_account_id else False
                )
                order.marketplace_export_message = False

    def action_confirm(self):
        result = super().action_confirm()
        marks.orders_confirmed(self)
        return result

    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        # the deliveries cancelled with the order are not backorders the order is done without
        result = super(SaleOrder, self.with_context(marketplace_order_cancel=True))._action_cancel()
        marks.orders_cancelled(self, confirmed)
        return result

    def action_marketplace_send(self):
        """Send the order's pending updates to the shop now ("Send to Shop", "Retry")."""
        self.ensure_one()
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(_("Only marketplace users send updates to the shops."))
        exports = self.sudo().marketplace_export_ids.filtered(
            lambda e: e.state in ("to_send", "failed")
        )
        if not exports:
            return self.env["marketplace.account"]._export_notification(
                [{"text": _("Nothing to send for %s.", self.name), "failed": False}]
            )
        return exports._send_now()
