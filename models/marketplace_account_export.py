import logging

from odoo import _, api, models
from odoo.modules import module

from ..const import DEFAULT_EXPORT_STATUSES
from ..exporter.run import ExportRun

_logger = logging.getLogger(__name__)

# Seconds a sending run started from the screen may take: well inside the time an HTTP request
# may take on a server with workers; the scheduled action sends the rest.
MANUAL_TIME_BUDGET = 60

# account field of the shop status each event sets
EXPORT_STATUS_FIELDS = {
    "confirm": "export_status_confirm_id",
    "shipped": "export_status_shipped_id",
    "delivered": "export_status_delivered_id",
    "invoice": "export_status_invoice_id",
    "cancel": "export_status_cancel_id",
}


class MarketplaceAccount(models.Model):
    """Write-back entry points of an account: the schedule and the "Send Now" buttons."""

    _inherit = "marketplace.account"

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        for account, vals in zip(accounts, vals_list, strict=True):
            account._set_default_export_statuses(given=set(vals))
        return accounts

    def _set_default_export_statuses(self, given=()):
        """The shop statuses each Odoo event sets, as the shop's own states go (PrestaShop 3 / 4 /
        5 / 6, CS-Cart P / C / I; invoicing changes nothing by default). A status given with the
        values (a copied account: the original's rows) becomes this account's row of the same
        code."""
        self.ensure_one()
        codes = DEFAULT_EXPORT_STATUSES.get(self.backend, {})
        rows = {mapping.code: mapping for mapping in self.status_mapping_ids}
        values = {}
        for event, field in EXPORT_STATUS_FIELDS.items():
            current = self[field]
            if field not in given:
                values[field] = rows[codes[event]].id if codes.get(event) in rows else False
            elif current and current.account_id != self:
                values[field] = rows[current.code].id if current.code in rows else False
        if any(values[field] != self[field].id for field in values):
            self.write(values)

    def _export_status(self, event):
        """The status mapping row an event sets on the shop, or an empty record."""
        self.ensure_one()
        return self[EXPORT_STATUS_FIELDS[event]]

    def _export_updates(self, export_ids=None, time_budget=None):
        """Send the account's pending updates (or only ``export_ids``, failed ones included), each
        account in a cursor of its own that commits after every update: what the shop accepted
        is recorded at once, so a crash never sends it twice, and a person's request does not
        keep the other updates waiting. ``time_budget``: seconds after which a run leaves the
        rest to the next one. Returns one summary per account (dicts)."""
        if module.current_test and not self.env.registry.in_test_mode():
            # a cursor of its own would be a real one, outside the test's transaction
            raise RuntimeError(
                "Sending marketplace updates in tests needs the registry's test mode"
            )
        summaries = []
        self.env.flush_all()  # the other cursor reads what this one wrote (tests, same request)
        for account in self:
            with self.env.registry.cursor() as cr:
                env = self.env(cr=cr)
                own = account.with_env(env).with_company(account.company_id)
                run = ExportRun(own, export_ids=export_ids, time_budget=time_budget)
                summaries.append(run.execute())
        self.env.invalidate_all()  # what the other cursor wrote
        return summaries

    @api.model
    def _cron_export_updates(self):
        """Scheduled action "Marketplace: send updates to shops": every active account with
        updates to send. One account's trouble does not keep the others from sending."""
        groups = (
            self.env["marketplace.export"]
            .sudo()
            ._read_group(
                [("state", "=", "to_send"), ("account_id.active", "=", True)], ["account_id"]
            )
        )
        for (account,) in groups:
            try:
                account._export_updates()
            except Exception:
                _logger.exception("Sending the updates of %s failed", account.name)

    def action_send_updates(self):
        """ "Send Now": the account's updates waiting to be sent."""
        return self._export_notification(self._export_updates())

    def action_view_exports(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_export_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    @api.model
    def _export_notification(self, summaries):
        lines = [summary["text"] for summary in summaries]
        failed = any(summary["failed"] for summary in summaries)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Updates sent to the shop") if not failed else _("Some updates failed"),
                "message": "\n".join(lines),
                "type": "warning" if failed else "success",
                "sticky": failed,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
