from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..exporter import marks
from .marketplace_export import EXPORT_STATES, STATE_PRIORITY

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

    def _prepare_confirmation_values(self):
        """An imported order confirmed by the import keeps the shop's order date (Odoo stamps
        the confirmation moment), so that its delivery and reports date from the purchase."""
        values = super()._prepare_confirmation_values()
        if self.env.context.get("marketplace_keep_order_date"):
            values.pop("date_order", None)
        return values

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
