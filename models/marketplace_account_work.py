"""marketplace.account (inherited): where an account's work is scheduled and run.

The one seam a job engine plugs into is ``_schedule_account_work(kind, ...)``: the scheduled
actions ("Marketplace: import orders", "Marketplace: send updates to shops") start the work of
their accounts there. Without an engine (this add-on alone) it runs each account's work now,
inline, one account after the other, each in a database cursor of its own, until the scheduled
action's time is up. A bridge to a job engine (OCA ``queue_job``: issue 18) overrides that one
method to enqueue one job per account and kind (one at a time per account: the runs' advisory
lock does the rest), each job calling ``_run_account_work``; the runs themselves (``runs/``,
``importer/run.py``, ``exporter/run.py``) stay as they are.

``_run_account_work(kind, ...)`` runs one account's work of ``kind`` now, in a cursor of its own
(the run commits as it goes). A person waiting on the screen (Fetch Orders, Send Now, Retry)
comes here directly. ``_account_run`` says which run does which kind of work: a new kind is
one more subclass of ``runs.account_run.AccountRun`` and one more entry. The returns and refunds
(kind "returns") are read by the import itself once its orders are in: a scheduled import
(trigger "cron", inline or as an engine's job) and Fetch Orders (option ``returns``), so that
one scheduled action keeps an account current and a return never comes before its order.
"""

import logging
from dataclasses import dataclass, field

from odoo import models
from odoo.modules import module

from ..exporter.run import ExportRun
from ..importer.returns_run import ReturnsRun
from ..importer.run import ImportRun
from ..runs import budget

_logger = logging.getLogger(__name__)

# the run of each kind of work (the kinds of ``marketplace.run``)
RUN_CLASSES = {"import": ImportRun, "export": ExportRun, "returns": ReturnsRun}


@dataclass
class Scheduled:
    """What ``_schedule_account_work`` did: the results of the work run now (``RunResult``),
    and how many accounts' work is left to a later execution (not started, or stopped at the
    deadline). An engine that enqueues jobs returns neither: the jobs report in their runs."""

    results: list = field(default_factory=list)
    remaining: int = 0


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    def _schedule_account_work(self, kind, deadline=None, **options):
        """Start the work of ``kind`` ("import", "export") of these accounts, with the run's
        ``options`` (``trigger``, ``since``, ...). Inline: each account now, in the account's
        company, until ``deadline`` (``time.monotonic()``, shared by the accounts); one
        account's trouble does not keep the others from working. Override to hand the work to a
        job engine (see the module)."""
        scheduled = Scheduled()
        for position, account in enumerate(self):
            if position and budget.passed(deadline):
                scheduled.remaining = len(self) - position
                break
            account = account.with_company(account.company_id)
            try:
                result = account._run_account_work(kind, deadline=deadline, **options)
            except Exception:
                _logger.exception("Marketplace %s of %s failed", kind, account.name)
                continue
            scheduled.results.append(result)
            if result.stopped_early:
                scheduled.remaining = len(self) - position
                break
        return scheduled

    def _run_account_work(self, kind, **options):
        """Run this account's work of ``kind`` now, in a cursor of its own that the run commits
        as it goes; return its ``RunResult``. What the caller's transaction has not committed
        yet (in tests: flushed into the same transaction) is flushed first; what the run wrote
        is read again afterwards."""
        self.ensure_one()
        if module.current_test and not self.env.registry.in_test_mode():
            # a cursor of its own would be a real one, outside the test's transaction
            raise RuntimeError("Marketplace runs in tests need the registry's test mode")
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            run = self.with_env(self.env(cr=cr))._account_run(kind, **options)
            result = run.execute().result()
        self.env.invalidate_all()
        return result

    def _account_run(self, kind, **options):
        """The run of ``kind`` for this account, in this account's environment."""
        self.ensure_one()
        if kind == "import":
            options.setdefault("status_sender", _send_import_statuses)
            # the scheduled import (inline or a job engine's job) reads the returns too
            returns = options.pop("returns", options.get("trigger") == "cron")
            if returns and self.import_returns:
                options["returns_reader"] = _read_returns
        elif kind == "export":
            # sends as the account's company, whoever asks
            return ExportRun(self.with_company(self.company_id), **options)
        return RUN_CLASSES[kind](self, **options)


def _read_returns(account, trigger, deadline):
    """The shop's returns and refunds, read by a run of their own (kind "returns") in the
    import's cursor once its orders are in."""
    return RUN_CLASSES["returns"](account, trigger, deadline=deadline).execute()


def _send_import_statuses(account, deadline):
    """The statuses the import marked ("Change Status To"), sent by the updates' sender in the
    import's own cursor once every page is read."""
    return RUN_CLASSES["export"](account, events=("import",), deadline=deadline).execute()
