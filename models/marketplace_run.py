from datetime import timedelta

from odoo import _, api, fields, models

# Who started a run: the scheduled action or a person. Sending runs have kept the trigger
# "Export" their log always showed (their user says who started them).
RUN_TRIGGERS = [("cron", "Schedule"), ("manual", "Manual"), ("export", "Export")]
# What work a run did (runs/account_run.py: one template, one subclass per kind).
RUN_KINDS = [("import", "Import"), ("export", "Updates Sent"), ("returns", "Returns and Refunds")]
RUN_STATES = [
    ("running", "Running"),
    ("done", "Done"),
    ("partial", "Done With Errors"),
    ("failed", "Failed"),
    ("busy", "Not Started: Already Running"),
]


def retention_limits(env):
    """``[(accounts, moment)]``: what the accounts log before ``moment`` is past their "Keep
    Import Logs" days (archived accounts included)."""
    accounts = env["marketplace.account"].with_context(active_test=False).search([])
    now = fields.Datetime.now()
    return [
        (
            accounts.filtered(lambda account, days=days: account.log_retention_days == days),
            now - timedelta(days=days),
        )
        for days in sorted(set(accounts.mapped("log_retention_days")))
    ]


class MarketplaceRun(models.Model):
    """One run of one account's work (an import, a sending of updates): what was asked, what
    happened to each order, and why."""

    _name = "marketplace.run"
    _description = "Marketplace Import Run"
    _order = "id desc"
    # searched by account name (and single order number); display_name is computed, and
    # _rec_name = "display_name" made every name_search scan and compute all runs
    _rec_names_search = ["account_id", "order_ref"]

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    backend = fields.Selection(related="account_id.backend")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    kind = fields.Selection(
        RUN_KINDS,
        required=True,
        default="import",
        readonly=True,
        index=True,
        help="What the run did: import orders, send updates to the shop, or read the shop's "
        "returns and refunds.",
    )
    trigger = fields.Selection(
        RUN_TRIGGERS, required=True, readonly=True, help="Who started the run."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Started By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    started_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    ended_at = fields.Datetime(readonly=True)
    state = fields.Selection(RUN_STATES, default="running", required=True, readonly=True)
    since = fields.Datetime(
        string="Changes Since", readonly=True, help="Orders changed after this date were asked for."
    )
    order_ref = fields.Char(string="Single Order", readonly=True)
    message = fields.Text(readonly=True, help="What went wrong with the run as a whole.")
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    request_count = fields.Integer(string="HTTP Requests", readonly=True)
    batched_page_count = fields.Integer(
        string="Pages In Batches",
        readonly=True,
        help="Pages whose orders were written together (one create, one confirmation).",
    )
    fallback_page_count = fields.Integer(
        string="Pages Order By Order",
        readonly=True,
        help="Pages written order by order because writing them together failed: one order "
        "could not be written, the others went in.",
    )
    sent_count = fields.Integer(string="Sent", readonly=True, help="Updates the shop accepted.")
    stopped_early = fields.Boolean(
        string="Stopped At Time Limit",
        readonly=True,
        help="The run used the time one run may take; the next run went on from there.",
    )
    line_ids = fields.One2many("marketplace.run.line", "run_id", string="Orders", readonly=True)
    sale_order_count = fields.Integer(string="Sales Orders", compute="_compute_sale_order_count")

    @api.depends("account_id", "started_at")
    def _compute_display_name(self):
        for run in self:
            started = (
                fields.Datetime.context_timestamp(run, run.started_at) if run.started_at else ""
            )
            run.display_name = f"{run.account_id.name} {started:%Y-%m-%d %H:%M:%S}".strip()

    def _compute_sale_order_count(self):
        groups = self.env["marketplace.run.line"]._read_group(
            [("run_id", "in", self.ids), ("sale_order_id", "!=", False)],
            ["run_id"],
            ["sale_order_id:count_distinct"],
        )
        counts = {run.id: count for run, count in groups}
        for run in self:
            run.sale_order_count = counts.get(run.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a run created without its kind (older code, tests): a sending run says so by its
            # trigger
            if "kind" not in vals:
                vals["kind"] = "export" if vals.get("trigger") == "export" else "import"
        return super().create(vals_list)

    def action_view_orders(self):
        """The sales orders this run created or changed."""
        self.ensure_one()
        action = self.account_id.action_view_orders()
        action["domain"] = [("id", "in", self.line_ids.sale_order_id.ids)]
        return action

    @api.autovacuum
    def _gc_old_runs(self):
        """Delete the runs older than their account's retention (with their lines and the shop
        payloads they kept: personal data is not kept longer than needed)."""
        for accounts, limit in retention_limits(self.env):
            old = self.search(
                [
                    ("account_id", "in", accounts.ids),
                    ("started_at", "<", limit),
                    ("state", "!=", "running"),
                ]
            )
            old.unlink()

    def _summary(self):
        """One line per run for the fetch wizard and the chatter."""
        return "; ".join(
            _(
                "%(account)s: %(created)s created, %(updated)s updated, %(skipped)s skipped, "
                "%(failed)s failed",
                account=run.account_id.name,
                created=run.created_count,
                updated=run.updated_count,
                skipped=run.skipped_count,
                failed=run.failed_count,
            )
            for run in self
        )
