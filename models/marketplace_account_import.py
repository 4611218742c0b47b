import logging
import time
from dataclasses import dataclass

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import config

from ..clients import CLIENTS, MarketplaceError
from ..const import (
    DEFAULT_PAID_STATUSES,
    DEFAULT_REFUNDED_STATUSES,
    DEFAULT_STATUS_RANKS,
    rank_from_flags,
)
from ..exporter.run import ExportRun
from ..importer.run import ImportRun

_logger = logging.getLogger(__name__)

CRON_XMLID = "sale_marketplace_connector.ir_cron_marketplace_import_orders"
# Seconds a run started from the screen may take before it hands over to the scheduled import
# (system parameter sale_marketplace_connector.manual_time_budget): well inside the 120 s an
# HTTP request may take on a server with workers.
MANUAL_TIME_BUDGET = 60
# Share of the server's cron time limit the scheduled import uses before it stops and asks Odoo
# to run it again at once; without a limit, this many seconds.
CRON_LIMIT_SHARE = 0.8
CRON_BUDGET_WITHOUT_LIMIT = 900
# The deadline of each execution of the scheduled action, shared by Odoo's batches of it.
_cron_deadlines = {}


@dataclass
class RunResult:
    """What the caller of a run learns without reading the run (it was committed by another
    transaction, which the caller's snapshot may not see)."""

    run_id: int
    handled: int  # orders created, updated, skipped or failed
    created: int
    stopped_early: bool


class MarketplaceAccount(models.Model):
    """Import entry points of an account: the schedule, the wizard and the account's buttons."""

    _inherit = "marketplace.account"

    def _get_client(self):
        """The API client of the account; credentials are read as the connector, never shown."""
        self.ensure_one()
        account = self.sudo()
        return CLIENTS[account.backend](
            account.api_url,
            account.api_login,
            account.api_secret,
            timeout=account.request_timeout,
            shop_timezone=account.shop_timezone,
            shop_ids=account._shop_ids(),
            currency=account.shop_currency_id.name or account.company_id.currency_id.name,
            period_days=account.import_period_days,
        )

    def _shop_ids(self):
        return [part.strip() for part in (self.shop_filter or "").split(",") if part.strip()]

    def _import_orders(self, trigger="manual", since=None, order_ref=None, deadline=None):
        """Run an import for each account; return the ``marketplace.run`` records.

        Each run works in a cursor of its own and commits page by page (see ImportRun), whoever
        starts it: the scheduled action, the wizard, a button. What the caller's transaction
        has not committed yet (in tests: flushed into the same transaction) is flushed first.
        The caller's transaction started before the runs were committed: outside tests it may
        not see them (use ``_run_imports``' results, or read them in a new transaction)."""
        results = self._run_imports(trigger, since=since, order_ref=order_ref, deadline=deadline)
        self.env.invalidate_all()
        return self.env["marketplace.run"].browse([result.run_id for result in results])

    def _run_imports(self, trigger, since=None, order_ref=None, deadline=None):
        if module.current_test and not self.env.registry.in_test_mode():
            # a cursor of its own would be a real one, outside the test's transaction
            raise RuntimeError("Marketplace imports in tests need the registry's test mode")
        self.env.flush_all()
        results = []
        for account in self:
            with self.env.registry.cursor() as cr:
                run_env = self.env(cr=cr)
                importer = ImportRun(
                    account.with_env(run_env),
                    trigger,
                    since=since,
                    order_ref=order_ref,
                    deadline=deadline,
                    status_sender=_send_import_statuses,
                )
                run = importer.execute()
                results.append(
                    RunResult(
                        run.id,
                        sum(importer.counts.values()),
                        importer.counts["created"],
                        importer.stopped_early,
                    )
                )
        return results

    def _fetch_now(self, since=None, order_ref=None):
        """Import now, for a person waiting on the screen: within a time budget, after which
        the scheduled import goes on at once in the background."""
        budget = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sale_marketplace_connector.manual_time_budget", MANUAL_TIME_BUDGET)
        )
        results = self._run_imports(
            "manual", since=since, order_ref=order_ref, deadline=time.monotonic() + budget
        )
        if any(result.stopped_early for result in results):
            self.env.ref(CRON_XMLID).sudo()._trigger()
        return results

    @api.model
    def _cron_import_orders(self):
        """Scheduled action: import the orders of every active account, least recently imported
        first, within the server's time limit for a scheduled action. What does not fit is
        reported to Odoo's cron progress API as remaining, and the action is triggered again at
        once, so the next execution goes on where this one stopped."""
        cron = self.env["ir.cron"]
        deadline = self._cron_deadline()
        accounts = self.sudo().search([("active", "=", True)])
        accounts = accounts.sorted(lambda account: account.last_run_id.id or 0)
        handled, remaining = 0, 0
        for position, account in enumerate(accounts):
            if position and time.monotonic() >= deadline:  # each execution reads one page
                remaining = len(accounts) - position
                break
            account = account.with_company(account.company_id)
            try:
                [result] = account._run_imports("cron", deadline=deadline)
            except Exception:
                # one account's trouble must not keep the others from importing
                _logger.exception("Scheduled marketplace import of %s failed", account.name)
                continue
            handled += result.handled
            if result.stopped_early:
                remaining = len(accounts) - position
                break
        cron._notify_progress(done=handled, remaining=remaining)
        if remaining:
            self.env.ref(CRON_XMLID)._trigger()

    @api.model
    def _cron_deadline(self):
        """When this execution of the scheduled action must stop. Odoo may call the action
        several times in one execution (its progress API): they share one deadline."""
        limit = config["limit_time_real_cron"]
        if limit is None or limit < 0:
            limit = config["limit_time_real"]
        budget = limit * CRON_LIMIT_SHARE if limit and limit > 0 else CRON_BUDGET_WITHOUT_LIMIT
        budget = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sale_marketplace_connector.cron_time_budget", budget)
        )
        now = time.monotonic()
        cron_id, lastcall = self.env.context.get("cron_id"), self.env.context.get("lastcall")
        if not cron_id:
            return now + budget
        for key, moment in list(_cron_deadlines.items()):
            if moment < now - 3600:
                del _cron_deadlines[key]
        return _cron_deadlines.setdefault((self.env.cr.dbname, cron_id, lastcall), now + budget)

    def action_open_fetch_wizard(self):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_fetch_wizard_action"
        )
        action["context"] = {"default_account_ids": self.ids}
        return action

    def action_test_connection(self):
        self.ensure_one()
        try:
            message = self._get_client().test_connection()
        except MarketplaceError as exc:
            raise UserError(
                _(
                    "The connection to %(account)s failed: %(error)s\nCheck the API address and "
                    "the credentials of the account.",
                    account=self.name,
                    error=exc,
                )
            ) from exc
        return _notification(_("Connection works"), message, "success")

    def action_load_statuses(self):
        """Add the shop's statuses missing from the mapping table; existing rows stay as the
        merchant set them, only the flags the shop gives (PrestaShop: paid, shipped...) are
        read again."""
        self.ensure_one()
        try:
            statuses = self._get_client().list_statuses()
        except MarketplaceError as exc:
            raise UserError(
                _(
                    "The statuses of %(account)s could not be read: %(error)s",
                    account=self.name,
                    error=exc,
                )
            ) from exc
        Mapping = self.env["marketplace.status.mapping"]
        rows = {mapping.code: mapping for mapping in self.status_mapping_ids}
        next_sequence = max(self.status_mapping_ids.mapped("sequence") or [0]) + 1
        ranks = DEFAULT_STATUS_RANKS.get(self.backend, {})
        new_rows = []
        for status in statuses:
            code = status.code
            flags = status.flags
            if not code:
                continue
            if code in rows:
                if flags:  # the shop's facts, not the merchant's choices
                    values = Mapping._flags_values(flags)
                    row = rows[code]
                    if any(row[field] != value for field, value in values.items()):
                        row.write(values)
                continue
            rank = ranks.get(code) or (rank_from_flags(flags) if flags else 0)
            new_rows.append(
                {
                    "account_id": self.id,
                    "sequence": next_sequence + len(new_rows),
                    "code": code,
                    "name": status.name or code,
                    "selected": False,
                    "document_type": "quotation",
                    "document_state": "draft",
                    "paid": status.paid
                    if status.paid is not None
                    else code in DEFAULT_PAID_STATUSES.get(self.backend, ()),
                    "refunded": code in DEFAULT_REFUNDED_STATUSES.get(self.backend, ()),
                    "rank": rank,
                    **Mapping._flags_values(flags),
                }
            )
        Mapping.create(new_rows)
        if new_rows:
            message = _(
                "%(count)s statuses added: %(names)s. They are not imported until you select them.",
                count=len(new_rows),
                names=", ".join(row["name"] for row in new_rows),
            )
        else:
            message = _("The mapping already lists every status of the shop.")
        return _notification(_("Statuses loaded"), message, "success", reload=bool(new_rows))


def _send_import_statuses(account, time_budget):
    """The statuses the import marked ("Change Status To"), sent by the updates' sender in the
    import's own cursor once every page is read."""
    run = ExportRun(account, events=("import",), time_budget=time_budget)
    run.execute()
    return run


def _notification(title, message, kind, reload=False):
    action = {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"title": title, "message": message, "type": kind, "sticky": False},
    }
    if reload:
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
    return action
