from datetime import timedelta

from odoo import fields
from odoo.tools.misc import format_datetime

# Orders retried by id per run at most (oldest try first); the others wait for the next run.
RETRIES_PER_RUN = 50
# Orders retried by a run even when its pages spent its time budget: the list moves on however
# long the backlog of pages takes.
RETRIES_ALWAYS = 5


class RetryList:
    """The account's orders that failed to import, kept with their reason and tried again by id.

    ``record`` follows the outcomes of every page: a failed order goes on the list (or has its
    reason and last try updated); an order that went in, or was read and found as Odoo has it
    (or is now skipped: its status is no longer imported), leaves it. Only orders worth
    retrying are fetched again by every run; one that only a change on the shop can mend (a
    malformed order, one the shop does not find) is reported once and waits for "Retry Now"
    (state ``manual``). An entry older than the account's alert delay gets one activity for the
    account's responsible person."""

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.Retry = self.env["marketplace.retry"].sudo()

    def pending(self, exclude=()):
        return self.Retry.search(
            [
                ("account_id", "=", self.account.id),
                ("state", "=", "pending"),
                ("marketplace_order_id", "not in", sorted(exclude)),
            ],
            order="last_try, id",
            limit=RETRIES_PER_RUN,
        )

    def record(self, outcomes, lines_by_order=None):
        lines_by_order = lines_by_order or {}
        by_order = {o.order_id: o for o in outcomes if o.order_id}
        if not by_order:
            return
        existing = {
            retry.marketplace_order_id: retry
            for retry in self.Retry.search(
                [
                    ("account_id", "=", self.account.id),
                    ("marketplace_order_id", "in", sorted(by_order)),
                ]
            )
        }
        now = fields.Datetime.now()
        new = []
        solved = self.Retry
        for order_id, outcome in by_order.items():
            retry = existing.get(order_id)
            line = lines_by_order.get(order_id)
            if outcome.result == "unchanged" and not outcome.read:
                continue  # not read: says nothing about why it is on the list
            if outcome.result != "failed":
                if retry:
                    solved |= retry
                continue
            values = {
                "state": "pending" if outcome.retryable else "manual",
                "marketplace_order_ref": outcome.order_ref or order_id,
                "marketplace_status": outcome.status or False,
                "reason": outcome.message,
                "last_try": now,
                "last_run_line_id": line.id if line else False,
            }
            if retry:
                if retry.state == "ignored":
                    del values["state"]  # a manager's choice stands
                retry.write({**values, "try_count": retry.try_count + 1})
            else:
                new.append(
                    {
                        **values,
                        "account_id": self.account.id,
                        "marketplace_order_id": order_id,
                        "first_try": now,
                    }
                )
        if new:
            self.Retry.create(new)
        solved.unlink()

    def alert_stale(self):
        """One activity per entry failing for longer than the account's alert delay."""
        days = self.account.retry_alert_days
        if days <= 0:
            return
        stale = self.Retry.search(
            [
                ("account_id", "=", self.account.id),
                ("state", "=", "pending"),
                ("first_try", "<=", fields.Datetime.now() - timedelta(days=days)),
                ("alert_sent", "=", False),
            ]
        )
        user = self.account.user_id or self.env.ref("base.user_admin")
        for retry in stale:
            retry.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Marketplace order failing for %s days", days),
                note=self.env._(
                    "Order %(order)s of %(account)s has failed to import since %(since)s: "
                    "%(reason)s Mend the cause and retry it, or ignore it.",
                    order=retry.marketplace_order_ref,
                    account=self.account.name,
                    since=format_datetime(self.env, retry.first_try, tz=user.tz),
                    reason=retry.reason or "",
                ),
                user_id=user.id,
            )
        stale.write({"alert_sent": True})
