from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .marketplace_account import MANAGER_GROUP

RETRY_STATES = [
    ("pending", "To Retry"),
    ("manual", "Waits For Retry Now"),
    ("ignored", "Ignored"),
]


class MarketplaceRetry(models.Model):
    """A shop order that failed to import, tried again by id on every run until it goes in.

    The account's "imported until" date does not wait for it: one order that keeps failing (a
    product never created, a country Odoo does not know) must not hold back the orders after it.
    The import keeps the list (creates, updates, removes the rows); people retry or ignore."""

    _name = "marketplace.retry"
    _description = "Marketplace Order To Retry"
    _inherit = ["mail.thread", "mail.activity.mixin", "marketplace.status.named"]
    _order = "account_id, first_try desc, id desc"
    _rec_name = "marketplace_order_ref"

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    backend = fields.Selection(related="account_id.backend")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_order_id = fields.Char(string="Shop Order ID", required=True, readonly=True)
    marketplace_order_ref = fields.Char(string="Shop Order Number", readonly=True)
    marketplace_status = fields.Char(string="Shop Status", readonly=True)
    reason = fields.Text(readonly=True, help="Why the last try failed, and what to do about it.")
    first_try = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now)
    last_try = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now)
    try_count = fields.Integer(string="Tries", readonly=True, default=1)
    state = fields.Selection(
        RETRY_STATES,
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        help="To Retry: every import run fetches the order again by its id. Waits For Retry Now: "
        "only a change on the shop can mend it (a malformed order, one the shop does not find): "
        "fetched again when someone presses Retry Now. Ignored: left alone until someone "
        "restores it.",
    )
    alert_sent = fields.Boolean(
        readonly=True, help="The responsible person got an activity about this order."
    )
    last_run_line_id = fields.Many2one(
        "marketplace.run.line", string="Last Log Line", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "order_unique",
            "UNIQUE(account_id, marketplace_order_id)",
            "An order is on the retry list of its account once.",
        ),
    ]

    @api.depends("marketplace_order_ref", "marketplace_order_id", "account_id")
    def _compute_display_name(self):
        for retry in self:
            retry.display_name = (
                f"{retry.account_id.name}: "
                f"{retry.marketplace_order_ref or retry.marketplace_order_id}"
            )

    def action_retry_now(self):
        """Fetch the orders again now (a run of one order each), and show the result."""
        if self.filtered(lambda r: r.state == "ignored"):
            raise UserError(_("Restore the ignored orders first, then retry them."))
        runs = self.env["marketplace.run"]
        for retry in self:
            runs |= retry.account_id._import_orders(
                trigger="manual", order_ref=retry.marketplace_order_id
            )
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        if len(runs) == 1:
            action.update({"res_id": runs.id, "view_mode": "form", "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", runs.ids)]
        return action

    def action_ignore(self):
        """Stop retrying (an order the shop will never send right, a test order): managers."""
        self._check_manager()
        if self.filtered(lambda r: r.state == "ignored"):
            raise UserError(_("These orders are ignored already."))
        self.sudo().write({"state": "ignored"})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def action_restore(self):
        self._check_manager()
        self.sudo().write({"state": "pending"})

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only marketplace managers can ignore or restore orders to retry."))
