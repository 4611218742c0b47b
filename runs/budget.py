"""How long an account's run may take.

A person waits on the screen: a run they start stops after ``manual_time_budget`` seconds (60 by
default, well inside the 120 s an HTTP request may take on a server with workers) and leaves the
rest to the scheduled action. The scheduled action stops at 80 % of the server's cron time limit
(``limit_time_real_cron``, else ``limit_time_real``; ``cron_time_budget`` overrides it); Odoo may
call it several times in one execution (its progress API), and those calls share one deadline.
Deadlines are ``time.monotonic()`` moments; None means no limit.

One execution is one cursor of the cron worker (``ir.cron._run_job`` opens it and makes every
call of the execution on it): its deadline is kept in that cursor's own cache, and the next
execution, on a new cursor, gets a fresh one. Not the cron's ``lastcall``: an execution that
stopped on its budget is run again at once with the same ``lastcall`` (Odoo reschedules it
without a new call date), and a deadline kept under it would be spent before that run began.
"""

import time

from odoo.tools import config

MANUAL_TIME_BUDGET = 60
CRON_LIMIT_SHARE = 0.8
CRON_BUDGET_WITHOUT_LIMIT = 900
MANUAL_PARAMETER = "sale_marketplace_connector.manual_time_budget"
CRON_PARAMETER = "sale_marketplace_connector.cron_time_budget"
# the key of the execution's deadline in the cron worker's cursor cache (``cr.cache``)
_DEADLINE_KEY = "sale_marketplace_connector.cron_deadline"


def manual_budget(env):
    """Seconds a run a person started and waits for may take."""
    return int(env["ir.config_parameter"].sudo().get_param(MANUAL_PARAMETER, MANUAL_TIME_BUDGET))


def manual_deadline(env):
    """The deadline of a run a person started and waits for."""
    return time.monotonic() + manual_budget(env)


def cron_deadline(env):
    """When this execution of the scheduled action must stop (the same for every call of one
    execution)."""
    limit = config["limit_time_real_cron"]
    if limit is None or limit < 0:
        limit = config["limit_time_real"]
    budget = limit * CRON_LIMIT_SHARE if limit and limit > 0 else CRON_BUDGET_WITHOUT_LIMIT
    budget = float(env["ir.config_parameter"].sudo().get_param(CRON_PARAMETER, budget))
    cron_id = env.context.get("cron_id")
    if not cron_id:
        return time.monotonic() + budget
    deadlines = env.cr.cache.setdefault(_DEADLINE_KEY, {})
    return deadlines.setdefault(cron_id, time.monotonic() + budget)


def spent_by_earlier_call(env):
    """Whether an earlier call of this execution of the scheduled action has used up its
    budget (the first call of an execution always gets to work)."""
    deadline = env.cr.cache.get(_DEADLINE_KEY, {}).get(env.context.get("cron_id"))
    return deadline is not None and passed(deadline)


def forget_executions(cr):
    """Forget the deadlines of the executions made on this cursor (tests: a test class shares
    one cursor, where each test is a new execution of the scheduled actions)."""
    cr.cache.pop(_DEADLINE_KEY, None)


def from_seconds(seconds):
    """The deadline ``seconds`` from now (None: no limit)."""
    return time.monotonic() + seconds if seconds else None


def passed(deadline, reserve=0.0):
    """Whether work that takes ``reserve`` seconds would end after the deadline."""
    return deadline is not None and time.monotonic() + reserve > deadline


def at_least(deadline, seconds=1.0):
    """The deadline, but no sooner than ``seconds`` from now: a last step always gets a go."""
    if deadline is None:
        return None
    return max(deadline, time.monotonic() + seconds)
