"""An update the shop does not answer: tried again later and later, then given up with one
activity for a person.

The first failure is tried again by the next run, the following ones wait 5, 10, 20... minutes
(at most 6 hours). After the account's limit of tries or days the update is marked failed: the
account's responsible person (else the order's salesperson) gets one activity on the order, and
the overview counts the order among the updates failing to send."""

from datetime import timedelta

from odoo import fields

from ..activities import has_open_activity

FIRST_DELAY = timedelta(minutes=5)
LONGEST_DELAY = timedelta(hours=6)
ACTIVITY_TYPE = "mail.mail_activity_data_todo"


def retry_delay(failures):
    """How long to wait before the next try after ``failures`` failed tries in a row."""
    if failures <= 1:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - 2), LONGEST_DELAY)


def gives_up(account, failures, since, now):
    """Whether an update failing ``failures`` times in a row since ``since`` is given up."""
    limit, days = account.export_retry_limit, account.export_retry_days
    if limit > 0 and failures >= limit:
        return True
    return days > 0 and now - since >= timedelta(days=days)


def retry_values(export, now):
    """The values of an update the shop did not answer, and whether it is given up."""
    failures = export.failure_count + 1
    since = export.first_failure_at or now
    values = {"failure_count": failures, "first_failure_at": since}
    if gives_up(export.account_id, failures, since, now):
        return {**values, "state": "failed", "next_attempt_at": False}, True
    return {**values, "next_attempt_at": now + retry_delay(failures)}, False


def given_up_message(env, failures, since, message):
    return env._(
        "Given up after %(tries)s tries since %(since)s: %(message)s Press Retry once the shop "
        "works again (it looks on the shop first whether the update arrived).",
        tries=failures,
        since=fields.Datetime.to_string(since),
        message=message,
    )


def summary(env):
    return env._("Update not sent to the shop")


def alert(export):
    """One activity on the order for the person who looks after it, unless one is open."""
    order = export.sale_order_id.sudo()
    env = order.env
    if has_open_activity(order, summary):
        return
    account = export.account_id
    user = account.user_id or order.user_id or env.ref("base.user_admin")
    order.activity_schedule(
        ACTIVITY_TYPE,
        summary=summary(env),
        note=env._(
            "%(update)s could not be sent to %(account)s: %(message)s",
            update=export.display_name,
            account=account.name,
            message=export.message or "",
        ),
        user_id=user.id,
    )
