from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..exporter import marks
from ..exporter.base import customer_deliveries
from .marketplace_export import EXPORT_STATES, STATE_PRIORITY

USER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_user"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_export_ids = fields.One2many(
        "marketplace.export", "picking_id", string="Marketplace Updates", groups=USER_GROUP
    )
    marketplace_export_state = fields.Selection(
        EXPORT_STATES,
        string="Sent to Shop",
        compute="_compute_marketplace_export_state",
        store=True,
        help="Whether the shop has this delivery's shipment (tracking number, carrier, ship "
        "date): to send, sent, failed (see the message), or not needed.",
    )
    marketplace_export_message = fields.Text(
        string="Shop Message",
        compute="_compute_marketplace_export_state",
        store=True,
        help="What the shop answered, or why the shipment was not sent.",
    )
    marketplace_return_tracking_ref = fields.Char(
        string="Return Tracking Reference",
        copy=False,
        help="OTTO Market: the tracking number of the return label in the parcel, sent with the "
        "shipment's position items. A delivery of several packages: one number for all, or one "
        "per package in the order of the tracking numbers, separated by commas.",
    )
    marketplace_backend = fields.Selection(related="sale_id.marketplace_account_id.backend")

    @api.depends("marketplace_export_ids.state", "marketplace_export_ids.message", "state")
    def _compute_marketplace_export_state(self):
        for picking in self:
            exports = picking.marketplace_export_ids
            if exports:
                worst = min(exports, key=lambda e: (STATE_PRIORITY[e.state], -e.id))
                picking.marketplace_export_state = worst.state
                picking.marketplace_export_message = worst.message
            elif customer_deliveries(picking):
                picking.marketplace_export_state = "not_needed"
                picking.marketplace_export_message = False
            else:
                picking.marketplace_export_state = False
                picking.marketplace_export_message = False

    def write(self, vals):
        result = super().write(vals)
        if "carrier_tracking_ref" in vals and not self.env.context.get(
            "marketplace_tracking_from_shop"
        ):
            marks.tracking_changed(self)
        return result

    def action_cancel(self):
        result = super().action_cancel()
        if not self.env.context.get("marketplace_order_cancel"):
            # a backorder that will not ship: the order may be done with what was delivered
            marks.deliveries_cancelled(self)
        return result

    def _action_done(self):
        result = super()._action_done()
        # mark what the shops are to be told; the scheduled action sends it
        marks.deliveries_done(self)
        return result

    def action_marketplace_send(self):
        """Send this delivery's updates to the shop now ("Send to Shop", "Retry")."""
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
