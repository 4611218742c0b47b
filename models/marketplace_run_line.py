from odoo import fields, models

from .marketplace_account import MANAGER_GROUP

LINE_RESULTS = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
    ("sent", "Sent"),
]


class MarketplaceRunLine(models.Model):
    """What one run did with one shop order, and why."""

    _name = "marketplace.run.line"
    _inherit = ["marketplace.status.named"]
    _description = "Marketplace Import Run Line"
    _order = "run_id desc, id"
    _rec_name = "marketplace_order_ref"

    run_id = fields.Many2one("marketplace.run", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="run_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    marketplace_order_id = fields.Char(string="Shop Order ID")
    marketplace_order_ref = fields.Char(string="Shop Order Number")
    marketplace_status = fields.Char(string="Shop Status")
    sale_order_id = fields.Many2one("sale.order", ondelete="set null", index="btree_not_null")
    result = fields.Selection(LINE_RESULTS, required=True)
    message = fields.Text(help="What was done, or why not.")
    retryable = fields.Boolean(
        help="The next run tries this order again (the account's import date stays before it)."
    )
    payload = fields.Text(
        groups=MANAGER_GROUP,
        help="The order as the shop sent it, kept to investigate failures. It holds the buyer's "
        "personal data: managers only, deleted with the run after the account's retention.",
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", ondelete="set null", index="btree_not_null"
    )
    export_id = fields.Many2one(
        "marketplace.export", string="Update", ondelete="set null", index="btree_not_null"
    )
