from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class MarketplaceFetchWizard(models.TransientModel):
    """Fetch orders now from the accounts a user picks, and show what happened."""

    _name = "marketplace.fetch.wizard"
    _description = "Fetch Marketplace Orders"

    account_ids = fields.Many2many(
        "marketplace.account",
        string="Accounts",
        domain=[("active", "=", True)],
        default=lambda self: self._default_account_ids(),
        help="The active accounts to fetch orders from.",
    )
    date_from = fields.Datetime(
        string="Changed Since",
        help="Fetch the orders changed on the shop since this moment. Empty: since the last "
        "import of each account (the first time: its default import period).",
    )
    order_ref = fields.Char(
        string="Single Order",
        help="Fetch only this order: OTTO order number or id, PrestaShop reference or id, CS-Cart "
        "order id. The accounts' import dates do not move.",
    )
    state = fields.Selection([("new", "New"), ("done", "Done")], default="new")
    run_ids = fields.Many2many("marketplace.run", string="Runs", readonly=True)
    line_ids = fields.Many2many(
        "marketplace.run.line", string="Result", compute="_compute_line_ids"
    )
    summary = fields.Text(compute="_compute_line_ids")
    continues_in_background = fields.Boolean(
        readonly=True,
        help="The fetch took longer than one screen may wait: the scheduled import goes on with "
        "the rest now, in the background.",
    )

    @api.model
    def _default_account_ids(self):
        account_ids = self.env.context.get("default_account_ids")
        if account_ids:
            return self.env["marketplace.account"].browse(account_ids).filtered("active")
        return self.env["marketplace.account"].search([("active", "=", True)])

    @api.depends("run_ids")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = wizard.run_ids.line_ids
            messages = [wizard.run_ids._summary()] if wizard.run_ids else []
            messages += [
                f"{run.account_id.name}: {run.message}" for run in wizard.run_ids if run.message
            ]
            wizard.summary = "\n".join(messages)

    def action_fetch(self):
        """Import as the scheduled action does (each account's run in a cursor of its own,
        committed page by page, statuses set on the shop only after their orders are committed),
        within a time budget after which the scheduled import goes on in the background.

        The result is shown in a new wizard written by a transaction of its own: this request's
        transaction started before the runs were committed and cannot see them."""
        self.ensure_one()
        accounts = self.account_ids.filtered("active")
        if not accounts:
            raise UserError(_("Choose at least one active account to fetch orders from."))
        if self.date_from and self.date_from > fields.Datetime.now():
            raise UserError(_("The start date is in the future: choose a moment in the past."))
        results = accounts._fetch_now(
            since=self.date_from or None, order_ref=self.order_ref or None
        )
        with self.env.registry.cursor() as cr:
            result = self.with_env(self.env(cr=cr)).create(
                {
                    "account_ids": [Command.set(accounts.ids)],
                    "date_from": self.date_from,
                    "order_ref": self.order_ref,
                    "state": "done",
                    "run_ids": [Command.set([r.run_id for r in results])],
                    "continues_in_background": any(r.stopped_early for r in results),
                }
            )
            result_id = result.id
        self.env.invalidate_all()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": result_id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Fetch Orders"),
        }
