import logging
import threading

from odoo import _, api, models
from odoo.exceptions import UserError

from ..clients import CLIENTS, MarketplaceError
from ..const import DEFAULT_PAID_STATUSES
from ..importer.run import ImportRun

_logger = logging.getLogger(__name__)


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
        )

    def _shop_ids(self):
        return [part.strip() for part in (self.shop_filter or "").split(",") if part.strip()]

    def _import_orders(self, trigger="manual", since=None, order_ref=None, commit=False):
        """Run an import for each account; return the ``marketplace.run`` records."""
        runs = self.env["marketplace.run"]
        for account in self:
            runs |= ImportRun(
                account, trigger, since=since, order_ref=order_ref, commit=commit
            ).execute()
        return runs

    @api.model
    def _cron_import_orders(self):
        """Scheduled action: import the orders of every active account, committing page by page
        (not inside tests, whose transaction must stay open)."""
        commit = not getattr(threading.current_thread(), "testing", False)
        accounts = self.sudo().search([("active", "=", True)])
        for account in accounts:
            account = account.with_company(account.company_id)
            try:
                account._import_orders(trigger="cron", commit=commit)
            except Exception:
                # one account's trouble must not keep the others from importing
                _logger.exception("Scheduled marketplace import of %s failed", account.name)
                if commit:
                    self.env.cr.rollback()

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
        """Add the shop's statuses missing from the mapping table; existing rows stay as is."""
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
        known = set(self.status_mapping_ids.mapped("code"))
        next_sequence = max(self.status_mapping_ids.mapped("sequence") or [0]) + 1
        new_rows = [
            {
                "account_id": self.id,
                "sequence": next_sequence + position,
                "code": code,
                "name": name or code,
                "selected": False,
                "document_type": "quotation",
                "document_state": "draft",
                "paid": paid
                if paid is not None
                else code in DEFAULT_PAID_STATUSES.get(self.backend, ()),
            }
            for position, (code, name, paid) in enumerate(statuses)
            if code and code not in known
        ]
        self.env["marketplace.status.mapping"].create(new_rows)
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
