from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..exporter import marks
from ..exporter.base import customer_deliveries
from .marketplace_export import EXPORT_STATES, STATE_PRIORITY

USER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_user"

# OTTO Market Returns v3 (tests/vendor/otto/returns_v3_enums.json): the condition of a returned
# item, and the reasons a partner accepts or rejects a return
RETURN_CONDITIONS = [
    ("A", "A: in original packaging"),
    ("B", "B: in mint condition"),
    ("C", "C: slightly used"),
    ("D", "D: heavily used"),
    ("E", "E: mistake (delivery incomplete, not available...)"),
]
RETURN_ACCEPT_REASONS = [
    ("RETURN_RECEIVED", "Return received"),
    ("STATUS_SENT_BY_ACCIDENT", "Status 'sent' set by accident"),
    ("CANCEL_REQUEST_BY_CUSTOMER", "Cancellation requested by the customer"),
    ("REFUND_AFTER_AFFIDAVIT", "Refund after an affidavit"),
    ("COMPLAINT", "Complaint"),
    ("SHIPMENT_LOST", "Shipment lost"),
    ("RETURN_LOST", "Return lost"),
    ("UNDELIVERABLE", "Undeliverable"),
]
RETURN_REJECT_REASONS = [
    ("THIRD_PARTY_ITEM", "Item of another seller"),
    ("WRONG_ITEM", "Wrong item sent back"),
    ("EXCHANGE", "Exchange"),
    ("DAMAGE_TO_THE_HYGIENE_SEAL", "Hygiene seal broken"),
    ("ITEM_DAMAGED", "Item damaged"),
    ("RETURN_PERIOD_EXCEEDED", "Return period exceeded"),
    ("ITEM_NOT_IN_THE_PARCEL", "Item not in the parcel"),
]


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
    # returns of marketplace orders (a receipt from the customer of an imported order)
    marketplace_is_return = fields.Boolean(
        compute="_compute_marketplace_is_return",
        help="A return of an imported order's goods: a receipt from the customer.",
    )
    marketplace_return_ids = fields.One2many(
        "marketplace.return", "picking_id", string="Marketplace Returns", groups=USER_GROUP
    )
    marketplace_return_condition = fields.Selection(
        RETURN_CONDITIONS,
        string="Condition of the Goods",
        copy=False,
        help="OTTO Market: the condition of the returned items, sent when this return is "
        "validated (it accepts the return on OTTO). A: in original packaging, B: in mint "
        "condition, C: slightly used, D: heavily used, E: a mistake (delivery incomplete, not "
        "available). Empty: none is sent.",
    )
    marketplace_return_reason = fields.Selection(
        RETURN_ACCEPT_REASONS,
        string="Acceptance Reason",
        copy=False,
        help="OTTO Market: why the return is accepted, sent when this return is validated. "
        "Empty: 'Return received'.",
    )
    marketplace_return_refusal = fields.Selection(
        RETURN_REJECT_REASONS,
        string="Refusal Reason",
        copy=False,
        help="OTTO Market: why the return is refused. 'Refuse Return' (or cancelling the return "
        "with a reason) rejects it on OTTO, which then does not refund the buyer. A return "
        "accepted on OTTO cannot be rejected any more.",
    )

    def _compute_marketplace_is_return(self):
        for picking in self:
            picking.marketplace_is_return = bool(
                picking.picking_type_code == "incoming"
                and picking.location_id.usage == "customer"
                and picking.sale_id.marketplace_account_id
            )

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
            # a return refused (a reason given): the shop rejects it
            marks.returns_refused(self)
        return result

    def _action_done(self):
        result = super()._action_done()
        # mark what the shops are to be told; the scheduled action sends it
        marks.deliveries_done(self)
        marks.returns_received(self)
        return result

    def action_marketplace_refuse_return(self):
        """ "Refuse Return": the goods are not taken back; the shop rejects the return (OTTO
        Market, with the refusal reason)."""
        self.ensure_one()
        if not self.marketplace_return_refusal:
            raise UserError(
                _(
                    "Choose the Refusal Reason of %s first: OTTO Market rejects a return only "
                    "with its reason.",
                    self.name,
                )
            )
        if self.state in ("done", "cancel"):
            raise UserError(_("%s is done or cancelled already: it cannot be refused.", self.name))
        self.action_cancel()
        return True

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
