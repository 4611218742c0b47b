from odoo import _, fields, models

from .marketplace_run import RUN_STATES


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): the overview (Sales > Marketplace > Overview) and the
    account's buttons: its last import, the next scheduled one, the numbers that need a look
    (orders, backlog, orders to retry, payments, updates failing to send), each a button that
    opens the records behind it."""

    _inherit = "marketplace.account"

    last_import_run_id = fields.Many2one(
        "marketplace.run",
        string="Last Import",
        compute="_compute_overview",
        help="The account's latest import run, scheduled or started by hand.",
    )
    last_import_at = fields.Datetime(string="Last Import On", compute="_compute_overview")
    last_import_state = fields.Selection(
        RUN_STATES, string="Last Import Result", compute="_compute_overview"
    )
    last_import_created = fields.Integer(compute="_compute_overview")
    last_import_updated = fields.Integer(compute="_compute_overview")
    last_import_failed = fields.Integer(compute="_compute_overview")
    next_import_at = fields.Datetime(
        string="Next Scheduled Import",
        compute="_compute_next_import_at",
        help="When the scheduled action 'Marketplace: import orders' runs next; empty while it "
        "is switched off (Settings > Technical > Scheduled Actions).",
    )
    backlog_count = fields.Integer(
        string="Backlog",
        compute="_compute_overview",
        help="Announced orders waiting for the marketplace to release the buyer's address.",
    )
    payment_count = fields.Integer(string="Marketplace Payments", compute="_compute_overview")
    payment_review_count = fields.Integer(
        string="Payments To Review",
        compute="_compute_overview",
        help="Payment entries left as drafts for an accountant to confirm.",
    )
    export_available = fields.Boolean(compute="_compute_overview")
    export_failed_count = fields.Integer(
        string="Updates Failing To Send",
        compute="_compute_overview",
        help="Orders whose updates (tracking numbers, statuses) the shop did not accept.",
    )
    retry_count = fields.Integer(compute="_compute_retry_count", string="To Retry")
    run_count = fields.Integer(compute="_compute_run_count")
    order_count = fields.Integer(compute="_compute_order_count")
    last_run_id = fields.Many2one("marketplace.run", compute="_compute_run_count")

    def _compute_overview(self):
        def counts(model, domain, field="marketplace_account_id"):
            groups = self.env[model]._read_group(
                [(field, "in", self.ids), *domain], [field], ["__count"]
            )
            return {account.id: count for account, count in groups}

        last_runs = [
            run_id
            for __, run_id in self.env["marketplace.run"]._read_group(
                [("account_id", "in", self.ids), ("kind", "=", "import")],
                ["account_id"],
                ["id:max"],
            )
        ]
        backlog = counts(
            "sale.order", [("marketplace_backlog", "=", True), ("state", "!=", "cancel")]
        )
        # counted as the connector, as on the orders: the list opened shows what one may see
        payments = self.sudo()._payment_counts()
        # the write-back (exporter/) marks what the shop is to be told on the orders
        export_available = "marketplace_export_state" in self.env["sale.order"]._fields
        failed = {}
        if export_available:
            failed = counts("sale.order", [("marketplace_export_state", "=", "failed")])
        runs = self.env["marketplace.run"].browse(last_runs)
        run_of = {run.account_id.id: run for run in runs}
        for account in self:
            run = run_of.get(account.id, runs.browse())
            account.last_import_run_id = run
            account.last_import_at = run.started_at
            account.last_import_state = run.state
            account.last_import_created = run.created_count
            account.last_import_updated = run.updated_count
            account.last_import_failed = run.failed_count
            account.backlog_count = backlog.get(account.id, 0)
            account.payment_count, account.payment_review_count = payments.get(account.id, (0, 0))
            account.export_available = export_available
            account.export_failed_count = failed.get(account.id, 0)

    def _payment_counts(self):
        """{account id: (payment entries, drafts to review)}."""
        groups = self.env["account.payment"]._read_group(
            [("marketplace_account_id", "in", self.ids)],
            ["marketplace_account_id", "state"],
            ["__count"],
        )
        result = {}
        for account, state, count in groups:
            total, drafts = result.get(account.id, (0, 0))
            result[account.id] = (total + count, drafts + (count if state == "draft" else 0))
        return result

    def _compute_next_import_at(self):
        cron = self.env.ref(
            "sale_marketplace_connector.ir_cron_marketplace_import_orders", raise_if_not_found=False
        )
        cron = cron.sudo() if cron else cron
        for account in self:
            account.next_import_at = cron.nextcall if cron and cron.active else False

    def _compute_run_count(self):
        groups = self.env["marketplace.run"]._read_group(
            [("account_id", "in", self.ids)], ["account_id"], ["__count", "id:max"]
        )
        by_account = {account.id: (count, last_id) for account, count, last_id in groups}
        for account in self:
            count, last_id = by_account.get(account.id, (0, False))
            account.run_count = count
            account.last_run_id = last_id

    def _compute_retry_count(self):
        groups = self.env["marketplace.retry"]._read_group(
            [("account_id", "in", self.ids), ("state", "in", ("pending", "manual"))],
            ["account_id"],
            ["__count"],
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.retry_count = by_account.get(account.id, 0)

    def _compute_order_count(self):
        groups = self.env["sale.order"]._read_group(
            [("marketplace_account_id", "in", self.ids)], ["marketplace_account_id"], ["__count"]
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.order_count = by_account.get(account.id, 0)

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.sale_order_action_marketplace"
        )
        action["domain"] = [("marketplace_account_id", "=", self.id)]
        action["context"] = {"default_marketplace_account_id": self.id, "create": False}
        return action

    def action_view_retries(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_retry_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def action_view_last_import(self):
        self.ensure_one()
        if not self.last_import_run_id:
            return self.action_view_runs()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        action.update(
            {"res_id": self.last_import_run_id.id, "view_mode": "form", "views": [(False, "form")]}
        )
        return action

    def action_view_backlog(self):
        action = self.action_view_orders()
        action["name"] = _("Backlog of %s", self.name)
        action["domain"] += [("marketplace_backlog", "=", True), ("state", "!=", "cancel")]
        return action

    def action_view_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.account_payment_action_marketplace"
        )
        action["domain"] = [("marketplace_account_id", "=", self.id)]
        action["context"] = {"create": False, "search_default_group_month": 1}
        return action

    def action_view_payments_to_review(self):
        action = self.action_view_payments()
        action["name"] = _("Payments to review of %s", self.name)
        action["context"] = {"create": False, "search_default_draft": 1}
        return action

    def action_view_failed_updates(self):
        action = self.action_view_orders()
        action["name"] = _("Updates failing to send of %s", self.name)
        action["domain"] += [("marketplace_export_state", "=", "failed")]
        return action
