import logging

from odoo import _, api, fields, models

from ..const import DEFAULT_EXPORT_STATUSES
from ..runs import budget

_logger = logging.getLogger(__name__)

# account field of the shop status each event sets
EXPORT_STATUS_FIELDS = {
    "confirm": "export_status_confirm_id",
    "shipped": "export_status_shipped_id",
    "delivered": "export_status_delivered_id",
    "invoice": "export_status_invoice_id",
    "cancel": "export_status_cancel_id",
}


class MarketplaceAccount(models.Model):
    """Write-back entry points of an account: the schedule and the "Send Now" buttons, how
    long an update that keeps failing is tried, and the warnings about the statuses it sets."""

    _inherit = "marketplace.account"

    export_retry_limit = fields.Integer(
        string="Give Up After (tries)",
        default=10,
        help="An update the shop does not answer (no answer, HTTP 5xx, rate limits) is tried "
        "again by the next runs, each time a little later (at once, then after 5, 10, 20 "
        "minutes... at most 6 hours). After this many tries it is marked failed and the "
        "responsible person gets an activity. 0: no limit of tries.",
    )
    export_retry_days = fields.Integer(
        string="Give Up After (days)",
        default=3,
        help="An update still failing this many days after its first failure is marked failed "
        "and the responsible person gets an activity, whatever the number of tries. 0: no "
        "limit of days.",
    )
    export_status_warning = fields.Text(
        compute="_compute_export_status_warning",
        help="Statuses that tell the shop something Odoo may not know, or that go back in the "
        "shop's flow.",
    )

    @api.depends(
        "backend",
        "export_status_confirm_id",
        "export_status_shipped_id",
        "export_status_delivered_id",
        "export_status_invoice_id",
        "export_status_cancel_id",
        "status_mapping_ids.change_status_to",
        "status_mapping_ids.flag_paid",
        "status_mapping_ids.flag_shipped",
        "status_mapping_ids.paid",
        "status_mapping_ids.rank",
    )
    def _compute_export_status_warning(self):
        for account in self:
            lines = []
            for event, field in EXPORT_STATUS_FIELDS.items():
                row = account[field]
                if row:
                    label = account._fields[field]._description_string(self.env)
                    delivered = event in ("shipped", "delivered")
                    lines += account._status_claims(label, row, delivered=delivered)
            for row in account.status_mapping_ids.filtered("change_status_to"):
                label = _("Change %(status)s To", status=row.display_name)
                lines += account._status_claims(label, row.change_status_to, source=row)
            account.export_status_warning = "\n".join(lines) or False

    def _status_claims(self, label, row, source=None, delivered=False):
        """The warnings about setting ``row`` on the shop for an event (``delivered``: once the
        order is delivered) or right after the import of an order in ``source``."""
        lines = []
        if row.flag_paid and not (source and source.paid):
            lines.append(
                _(
                    "%(label)s: %(status)s tells the shop the order is paid (it makes an invoice "
                    "and a payment): it is set only on orders Odoo knows are paid, the others "
                    "are skipped.",
                    label=label,
                    status=row.display_name,
                )
            )
        if row.flag_shipped and not delivered:
            lines.append(
                _(
                    "%(label)s: %(status)s tells the shop the order has shipped (its stock goes "
                    "out): it is set only on orders delivered in Odoo.",
                    label=label,
                    status=row.display_name,
                )
            )
        if source and row._reached_by(source) and row != source:
            lines.append(
                _(
                    "%(label)s: %(status)s does not come after %(current)s in the shop's flow "
                    "(Flow Rank): it is never set.",
                    label=label,
                    status=row.display_name,
                    current=source.display_name,
                )
            )
        return lines

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
        account in a cursor of its own that commits after every update (``_run_account_work``):
        what the shop accepted is recorded at once, so a crash never sends it twice, and a
        person's request does not keep the other updates waiting. ``time_budget``: seconds after
        which a run leaves the rest to the next one. Returns one summary per account (dicts)."""
        deadline = budget.from_seconds(time_budget)
        return [
            _summary(account._run_account_work("export", export_ids=export_ids, deadline=deadline))
            for account in self
        ]

    @api.model
    def _cron_export_updates(self):
        """Scheduled action "Marketplace: send updates to shops": every active account with
        updates to send. One account's trouble does not keep the others from sending."""
        groups = (
            self.env["marketplace.export"]
            .sudo()
            ._read_group(
                [("account_id.active", "=", True), *self.env["marketplace.export"]._due_domain()],
                ["account_id"],
            )
        )
        accounts = self.browse([account.id for (account,) in groups]).sudo()
        accounts._schedule_account_work("export")

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


def _summary(result):
    """What a person who asked reads of a sending run."""
    return {"text": result.text, "failed": result.failed, "run_id": result.run_id}
