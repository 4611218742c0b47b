import logging

from odoo import _, api, models
from odoo.exceptions import UserError

from ..clients import CLIENTS, MarketplaceError
from ..const import (
    DEFAULT_PAID_STATUSES,
    DEFAULT_REFUNDED_STATUSES,
    DEFAULT_RETURNED_STATUSES,
    DEFAULT_STATUS_RANKS,
    rank_from_flags,
)
from ..runs import budget

_logger = logging.getLogger(__name__)

CRON_XMLID = "sale_marketplace_connector.ir_cron_marketplace_import_orders"


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): the import's entry points (the schedule, the wizard and
    the account's buttons: Test Connection, Load Statuses From Shop) and the account's client.
    The runs themselves start through models/marketplace_account_work.py."""

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
            concurrency=account.concurrent_requests,
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

    def _run_imports(self, trigger, since=None, order_ref=None, deadline=None, returns=False):
        """Import each account now (``_run_account_work``); their ``RunResult``. ``returns``:
        the import then reads the shop's returns and refunds too (a run of their own; the
        scheduled action's imports always do)."""
        return [
            account._run_account_work(
                "import",
                trigger=trigger,
                since=since,
                order_ref=order_ref,
                deadline=deadline,
                returns=returns,
            )
            for account in self
        ]

    def _fetch_now(self, since=None, order_ref=None):
        """Import now, for a person waiting on the screen: within a time budget, after which
        the scheduled import goes on at once in the background."""
        results = self._run_imports(
            "manual",
            since=since,
            order_ref=order_ref,
            deadline=budget.manual_deadline(self.env),
            returns=not order_ref,
        )
        if any(result.stopped_early for result in results):
            self.env.ref(CRON_XMLID).sudo()._trigger()
        return results

    @api.model
    def _cron_import_orders(self):
        """Scheduled action: import the orders of every active account, least recently imported
        first, within the server's time limit for a scheduled action: the first here, the others
        in their own scheduled actions, which every cron worker takes
        (``_schedule_account_work``); each import then reads the account's returns and refunds,
        once its orders are in. What does not fit is reported to Odoo's cron progress API as
        remaining, and the action is triggered again at once, so the next execution goes on
        where this one stopped."""
        if budget.spent_by_earlier_call(self.env):
            # Odoo calls the action again within one execution while work remains; once its
            # budget is spent that call must not start a page more (the execution would run
            # past the server's limit and be killed): a new execution, with a budget of its
            # own, goes on. Nothing done and nothing left in this one: Odoo ends it.
            self.env.ref(CRON_XMLID)._trigger()
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        deadline = self._cron_deadline()
        accounts = self.sudo().search([("active", "=", True)])
        accounts = accounts.sorted(lambda account: account.last_run_id.id or 0)
        scheduled = accounts._schedule_account_work("import", deadline=deadline, trigger="cron")
        done = sum(result.handled for result in scheduled.results)
        # Odoo takes "nothing done" for "nothing left": work stopped at the deadline is some done
        self.env["ir.cron"]._notify_progress(
            done=max(done, 1) if scheduled.remaining else done, remaining=scheduled.remaining
        )
        if scheduled.remaining:
            self.env.ref(CRON_XMLID)._trigger()

    @api.model
    def _cron_deadline(self):
        """When this execution of the scheduled action must stop. Odoo may call the action
        several times in one execution (its progress API): they share one deadline."""
        return budget.cron_deadline(self.env)

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
                    "refunded": status.refunded
                    if status.refunded is not None
                    else code in DEFAULT_REFUNDED_STATUSES.get(self.backend, ()),
                    "returned": status.returned
                    if status.returned is not None
                    else code in DEFAULT_RETURNED_STATUSES.get(self.backend, ()),
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


def _notification(title, message, kind, reload=False):
    action = {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"title": title, "message": message, "type": kind, "sticky": False},
    }
    if reload:
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
    return action
