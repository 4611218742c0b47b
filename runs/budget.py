"""How long an account's run may take.

A person waits on the screen: a run they start stops after ``manual_time_budget`` seconds (60 by
default, well inside the 120 s an HTTP request may take on a server with workers) and leaves the
rest to the scheduled action.

A scheduled run stops at 80 % of what Odoo lets it take (``cron_time_budget`` overrides the
share of the wall-clock limit):

- the wall-clock limit of a scheduled action, ``limit_time_real_cron`` (else
  ``limit_time_real``). Odoo counts it per wake-up of a cron worker, not per scheduled action:
  every action the worker runs in that wake-up shares it, and a prefork cron worker's watchdog
  starts before its sleep (up to ``PREFORK_CRON_SLEEP`` seconds when its timer wakes it). So the
  deadline is shared by every run of one wake-up (``cron_call_begins``, called by
  ``ir.cron._process_job`` for every job it runs) and counts from the earliest moment Odoo's
  watchdog may have started;
- the CPU limit, ``limit_time_cpu``: a prefork worker's CPU time per wake-up (Odoo sets the
  process's ``RLIMIT_CPU`` before each one, and a run past it is killed by SIGXCPU). The CPU
  seconds left are read from the process itself (``resource``), so what earlier actions of the
  same wake-up spent is counted. A threaded server sets no such limit.

A job of OCA ``queue_job`` runs in an HTTP worker, one job per request: its run stops at 80 % of
``limit_time_real`` and of the CPU seconds left (``job_deadline``).

Deadlines are ``time.monotonic()`` moments; None means no limit.

One execution of a scheduled action is one cursor of the cron worker (``ir.cron._run_job`` opens
it and makes every call of the execution on it): its deadline is kept in that cursor's own
cache, and the next execution, on a new cursor, gets a fresh one (within a wake-up: the wake-up's
window). Not the cron's ``lastcall``: an execution that stopped on its budget is run again at
once with the same ``lastcall`` (Odoo reschedules it without a new call date), and a deadline
kept under it would be spent before that run began.
"""

import resource
import threading
import time

from odoo.tools import config

MANUAL_TIME_BUDGET = 60
CRON_LIMIT_SHARE = 0.8
CRON_BUDGET_WITHOUT_LIMIT = 900
MANUAL_PARAMETER = "sale_marketplace_connector.manual_time_budget"
CRON_PARAMETER = "sale_marketplace_connector.cron_time_budget"
# A prefork cron worker sleeps up to 60 s + (pid % 10) s between two wake-ups, and Odoo's watchdog
# counts that sleep (odoo/service/server.py, WorkerCron.sleep).
PREFORK_CRON_SLEEP = 70
# An account's scheduled action does not start in a wake-up with less than this share of its
# budget left: the next wake-up (another worker, at once) gives it a whole one.
MIN_ROOM_SHARE = 0.25
# the key of the execution's deadline in the cron worker's cursor cache (``cr.cache``)
_DEADLINE_KEY = "sale_marketplace_connector.cron_deadline"
# The wake-up of a cron worker this thread is in (ir.cron._process_job): its cursor, when Odoo's
# watchdog may have started counting, and when the last job of the thread ended.
_calls = threading.local()


def manual_budget(env):
    """Seconds a run a person started and waits for may take."""
    return int(env["ir.config_parameter"].sudo().get_param(MANUAL_PARAMETER, MANUAL_TIME_BUDGET))


def manual_deadline(env):
    """The deadline of a run a person started and waits for."""
    return time.monotonic() + manual_budget(env)


# --- scheduled actions ---
def cron_real_limit():
    """Odoo's wall-clock limit of a scheduled action in seconds (0 or None: none)."""
    limit = config["limit_time_real_cron"]
    if limit is None or limit < 0:
        limit = config["limit_time_real"]
    return limit


def cron_budget(env):
    """Seconds of wall-clock time the runs of one wake-up of a cron worker may take."""
    limit = cron_real_limit()
    budget = limit * CRON_LIMIT_SHARE if limit and limit > 0 else CRON_BUDGET_WITHOUT_LIMIT
    return float(env["ir.config_parameter"].sudo().get_param(CRON_PARAMETER, budget))


def cpu_left():
    """CPU seconds this process may still spend before Odoo's ``limit_time_cpu`` kills the work
    in hand (a prefork worker's RLIMIT_CPU); None without a limit."""
    soft, __ = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return max(soft - (usage.ru_utime + usage.ru_stime), 0.0)


def _cpu_deadline(now):
    left = cpu_left()
    return None if left is None else now + left * CRON_LIMIT_SHARE


def cron_deadline(env):
    """When the runs of this execution of a scheduled action must stop: the same for every call
    of the execution (Odoo's batches of it), and within a cron worker's wake-up counted from the
    wake-up's start (see the module); never past the CPU seconds left."""
    now = time.monotonic()
    budget = cron_budget(env)
    cpu = _cpu_deadline(now)
    cron_id = env.context.get("cron_id")
    if not cron_id:
        deadline = now + budget
    else:
        deadlines = env.cr.cache.setdefault(_DEADLINE_KEY, {})
        call = current_cron_call()
        if call is not None:
            deadlines[cron_id] = call.window_start + budget
        deadline = deadlines.setdefault(cron_id, now + budget)
    return deadline if cpu is None else min(deadline, cpu)


def spent_by_earlier_call(env):
    """Whether an earlier call of this execution of the scheduled action has used up its
    budget (the first call of an execution always gets to work)."""
    deadline = env.cr.cache.get(_DEADLINE_KEY, {}).get(env.context.get("cron_id"))
    return deadline is not None and passed(deadline)


def forget_executions(cr):
    """Forget the deadlines of the executions made on this cursor (tests: a test class shares
    one cursor, where each test is a new execution of the scheduled actions)."""
    cr.cache.pop(_DEADLINE_KEY, None)


def cron_room(env):
    """Whether the wake-up in hand has room for an account's run: at least ``MIN_ROOM_SHARE``
    of a whole budget left."""
    return not passed(cron_deadline(env), cron_budget(env) * MIN_ROOM_SHARE)


class _Call:
    """One wake-up of a cron worker: its cursor, when it began, the earliest moment Odoo's
    watchdog may have started counting it, and what its jobs asked for (``ran_inline``: a
    scheduled action ran an account's work itself; ``continued``: the scheduled actions of
    accounts to run again at once, ``ir.cron`` ids)."""

    __slots__ = ("continued", "cursor", "ran_inline", "started", "window_start")

    def __init__(self, cursor, started, window_start):
        self.cursor = cursor
        self.started = started
        self.window_start = window_start
        self.ran_inline = False
        self.continued = set()


def cron_call_begins(cron_cr, now=None):
    """A job of a cron worker's wake-up starts (``ir.cron._process_job``); the first job of a
    wake-up (a new cursor of Odoo's cron loop) starts the wake-up's window."""
    call = getattr(_calls, "call", None)
    if call is not None and call.cursor is cron_cr:
        return call
    now = time.monotonic() if now is None else now
    call = _calls.call = _Call(cron_cr, now, _window_start(now))
    return call


def cron_job_ends(now=None):
    _calls.last_end = time.monotonic() if now is None else now


def current_cron_call():
    """The wake-up this thread is in, or None (outside a cron worker's loop)."""
    call = getattr(_calls, "call", None)
    if call is None or getattr(call.cursor, "closed", True):
        return None
    return call


def _window_start(now):
    """The earliest moment Odoo's watchdog may have started counting the wake-up beginning
    ``now``: a threaded server's cron thread says when it woke up; a prefork worker pinged its
    watchdog before its sleep, after the last job of its previous wake-up."""
    thread = threading.current_thread()
    started = getattr(thread, "start_time", None)
    if getattr(thread, "type", None) == "cron" and started:
        return now - max(time.time() - started, 0.0)
    if config["workers"]:
        start = now - PREFORK_CRON_SLEEP
        last_end = getattr(_calls, "last_end", None)
        if last_end is not None and last_end < now:
            start = max(start, last_end)
        return start
    return now


# --- jobs of a job engine ---
def job_deadline(env):
    """When a run in a job of OCA queue_job must stop: one job is one HTTP request of a worker,
    held to ``limit_time_real`` and ``limit_time_cpu`` (``cron_time_budget`` overrides the
    wall-clock share)."""
    now = time.monotonic()
    limit = config["limit_time_real"]
    budget = limit * CRON_LIMIT_SHARE if limit and limit > 0 else CRON_BUDGET_WITHOUT_LIMIT
    budget = float(env["ir.config_parameter"].sudo().get_param(CRON_PARAMETER, budget))
    cpu = _cpu_deadline(now)
    deadline = now + budget
    return deadline if cpu is None else min(deadline, cpu)


# --- deadlines ---
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
