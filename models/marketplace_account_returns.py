from odoo import _, api, fields, models


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): the returns and refunds the shop reports (OTTO Market
    Returns v3 and RETURNED items, PrestaShop credit slips, statuses meaning returned or
    refunded): whether the scheduled import reads them, how far it has read them, and the
    account's returns. The run that reads them is importer/returns_run.py, started by the
    scheduled import once the orders are in."""

    _inherit = "marketplace.account"

    import_returns = fields.Boolean(
        string="Import Returns and Refunds",
        default=True,
        help="The scheduled import (and Fetch Orders) also reads the shop's returns and refunds "
        "and makes their documents in Odoo: OTTO Market's returns (the buyer's announcements, "
        "the items OTTO refunds), PrestaShop's credit slips (the webservice key needs GET on "
        "order_slip), and the statuses the status table marks Returned or Refunded. A return "
        "becomes a receipt of the goods from the customer, a refund a credit note and a refund "
        "payment, matched with each other.",
    )
    otto_read_receipts = fields.Boolean(
        string="Read OTTO Refund Receipts",
        help="OTTO Market: also read OTTO's refund receipts (Receipts v3; the API user needs "
        "the 'receipts' scope). A partial refund you granted the buyer without a return (a "
        "complaint) becomes a credit note of that amount and a refund payment; the delivery "
        "fees a refund receipt gives back too. The items of a refund receipt are booked from "
        "the items OTTO reports returned, at the price the buyer paid.",
    )
    returns_until = fields.Datetime(
        string="Returns Read Until",
        readonly=True,
        copy=False,
        help="The shop's returns and credit slips changed before this date (UTC, shown in your "
        "time zone) have been read. The next run asks for changes since then, with a safety "
        "overlap of a few minutes.",
    )
    return_ids = fields.One2many("marketplace.return", "account_id", string="Returns")
    return_count = fields.Integer(compute="_compute_return_count", string="Returns and Refunds")

    @api.depends("return_ids")
    def _compute_return_count(self):
        groups = self.env["marketplace.return"]._read_group(
            [("account_id", "in", self.ids)], ["account_id"], ["__count"]
        )
        counts = {account.id: count for account, count in groups}
        for account in self:
            account.return_count = counts.get(account.id, 0)

    def _read_returns(self, trigger="manual", deadline=None):
        """Read the returns and refunds of each account now (a run of kind "returns" each, in a
        cursor of its own); return the ``marketplace.run`` records."""
        results = [
            account._run_account_work("returns", trigger=trigger, deadline=deadline)
            for account in self
        ]
        self.env.invalidate_all()
        return self.env["marketplace.run"].browse([result.run_id for result in results])

    def action_view_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_return_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["display_name"] = _("Returns and Refunds of %s", self.name)
        return action
