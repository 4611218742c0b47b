"""The template of one run of one account's work, the same for every kind of work.

``AccountRun.execute`` takes the steps in this order:

1. take the account's lock for this kind of work (a PostgreSQL advisory lock of the run's
   connection: one run per account and kind at a time, on any worker of any server of the
   database); a run that finds it taken is logged as "busy" and does nothing;
2. create the run (``marketplace.run`` of ``kind``), committed, unless there is nothing to do;
3. close the runs of this kind a crash left "running" (holding the lock, this run knows they
   are dead);
4. do the work (``_work``), committing as it goes, within the deadline;
5. finish the run: its state, counts and message (an error rolls back what was not committed);
6. release the lock, on every path (Odoo's pool keeps connections, and a lock left behind would
   keep the account busy until the server restarts).

The run works in a database cursor of its own (``marketplace.account._run_account_work``) and
commits after each step of work: a crash loses at most the step in hand. A kind of work is a
small subclass: ``kind``, ``lock_namespace``, ``counters``, ``_work`` and its messages.
"""

import logging
from dataclasses import dataclass

import psycopg2

from odoo import fields

from ..clients.errors import MarketplaceError
from . import budget

# The first key of the advisory locks of each kind of work (the second is the account id).
LOCK_NAMESPACES = {"import": 7_482_133, "export": 7_482_134, "returns": 7_482_135}


@dataclass
class RunResult:
    """What the caller of a run learns without reading the run (it was committed by another
    transaction, which the caller's snapshot may not see)."""

    run_id: int
    handled: int = 0  # orders or updates handled (created, updated, sent, skipped, failed)
    created: int = 0
    stopped_early: bool = False
    text: str = ""  # a sentence for the person who asked
    failed: bool = False
    # what stopped the run (a ``MarketplaceError`` of the shop as a whole, or any other), None
    # when it ended on its own: a job engine decides on it whether to try again later
    error: Exception | None = None


class AccountRun:
    """One run of one account's work, logged as a ``marketplace.run`` (see the module)."""

    kind = None  # the run's kind: "import", "export", "returns"
    counters = ()  # the run's counts, each a ``<name>_count`` field of the run
    failure_log = "Marketplace run of %s failed"  # the server log line of an unexpected error
    _logger = logging.getLogger(__name__)  # subclasses log under their own module's name

    def __init__(self, account, trigger="manual", *, deadline=None):
        account.ensure_one()
        self.account = account
        self.env = account.env
        self.uid = account.env.uid
        self.trigger = trigger
        self.deadline = deadline
        self.run = None
        self.client = None
        self.error = None
        self.stopped_early = False
        self.counts = dict.fromkeys(self.counters, 0)
        self.committed_counts = dict(self.counts)

    @property
    def lock_namespace(self):
        return LOCK_NAMESPACES[self.kind]

    # --- the steps -------------------------------------------------------------------------------
    def execute(self):
        """Take the steps (see the module); return self, whose ``result()`` says what happened."""
        if not self._try_lock():
            self._busy()
            return self
        try:
            self._commit()  # a fresh snapshot: what the run that held the lock did is seen
            if self._start():
                self._close_interrupted_runs()
                self._work()
        except MarketplaceError as exc:  # the shop as a whole: refused credentials, no address
            self.error = exc
        except Exception as exc:
            self._logger.exception(self.failure_log, self.account.name)
            self.error = exc
        finally:
            try:
                if self.error is not None:
                    self.env.cr.rollback()  # drop the step in hand; committed steps stay
                    self.counts = dict(self.committed_counts)
                if self.run:
                    self._finish()
            finally:
                # whatever failed above: Odoo's pool keeps the connection, and its lock with it
                self._unlock()
                self._commit()
        return self

    def _start(self):
        """Create the run, committed; False when there is nothing to do (no run is logged)."""
        self.run = self.env["marketplace.run"].sudo().create(self._run_values())
        self._commit()
        return True

    def _run_values(self):
        return {
            "account_id": self.account.id,
            "kind": self.kind,
            "trigger": self.trigger,
            "user_id": self.uid,
        }

    def _work(self):
        raise NotImplementedError

    def _busy(self):
        """Another run of this kind holds the account: logged as a run that did nothing."""
        self.run = (
            self.env["marketplace.run"]
            .sudo()
            .create(
                {
                    **self._run_values(),
                    "state": "busy",
                    "ended_at": fields.Datetime.now(),
                    "message": self._busy_message(),
                }
            )
        )
        self._commit()

    def _finish(self):
        values = {
            "ended_at": fields.Datetime.now(),
            "request_count": self.client.request_count if self.client else 0,
            "stopped_early": self.stopped_early,
            **{f"{name}_count": count for name, count in self.counts.items()},
        }
        if self.error is None:
            values["state"] = "partial" if self.counts.get("failed") else "done"
        else:
            values["state"] = "partial" if any(self.counts.values()) else "failed"
        values.update(self._finish_values())
        self.run.write(values)

    def _finish_values(self):
        """What the kind of work adds to the finished run (its message, say)."""
        return {}

    def result(self):
        """What the caller learns (read inside the run's cursor)."""
        return RunResult(
            self.run.id if self.run else False,
            handled=sum(self.counts.values()),
            created=self.counts.get("created", 0),
            stopped_early=self.stopped_early,
            error=self.error,
        )

    # --- messages --------------------------------------------------------------------------------
    def _busy_message(self):
        raise NotImplementedError

    def _interrupted_message(self):
        raise NotImplementedError

    # --- the deadline ----------------------------------------------------------------------------
    def _out_of_time(self, reserve=0.0):
        """Whether work taking ``reserve`` seconds would end after the deadline."""
        return budget.passed(self.deadline, reserve)

    # --- one run per account and kind at a time --------------------------------------------------
    def _try_lock(self):
        # a lock of the connection, not of the transaction: the run commits as it goes
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (self.lock_namespace, self.account.id)
        )
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", (self.lock_namespace, self.account.id)
                )
        except psycopg2.Error:
            # the transaction broke: roll it back, or the lock would stay with the connection
            self.env.cr.rollback()
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, %s)", (self.lock_namespace, self.account.id)
            )

    def _close_interrupted_runs(self):
        """Runs of this account and kind still 'running' while this one holds the lock were cut
        off (a crash, a killed worker): say so instead of leaving them running forever."""
        self.env["marketplace.run"].sudo().search(
            [
                ("account_id", "=", self.account.id),
                ("kind", "=", self.kind),
                ("state", "=", "running"),
                ("id", "!=", self.run.id),
            ]
        ).write(
            {
                "state": "failed",
                "ended_at": fields.Datetime.now(),
                "message": self._interrupted_message(),
            }
        )

    def _commit(self):
        # the run's own cursor: committed as it goes, so a crash loses at most the step in hand
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.committed_counts = dict(self.counts)
