"""marketplace.account (inherited): each account's import and sending as a queue_job job.

The connector starts the scheduled work of its accounts through one seam,
``_schedule_account_work(kind, ...)`` (sale_marketplace_connector's
models/marketplace_account_work.py), which runs it inline. Here it enqueues one job per account
and kind instead, in the channel of the account's backend (``root.marketplace.otto``,
``.prestashop``, ``.cscart``; their capacities are the merchant's, Job Channels menu), with an
identity key: while an account's job of a kind waits, the scheduled action adds no second one.
Two jobs of one account that still meet (one started, the next one taken up by another worker)
meet the run's advisory lock: the second logs a "busy" run and ends.

The job (``_run_queued_account_work``) runs the same run as the inline schedule
(``_run_account_work``), within the time an Odoo worker may give a request, and turns what
stopped the run into queue_job's outcomes: a shop out of service (HTTP 5xx, timeouts) or
limiting the rate (HTTP 429) is tried again later, after the shop's Retry-After when it gave
one, else after the job function's retry pattern; a run stopped by its time budget goes on at
once in a new try that does not count as a retry; refused credentials end the job (the run's
log says why, and the next scheduled execution tries again).
"""

import math
import time

from odoo import models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.sale_marketplace_connector.clients.errors import MarketplaceError
from odoo.tools import config

# the channel of each backend's jobs: root.marketplace.<backend> (data/queue_job_data.xml)
CHANNEL_PREFIX = "root.marketplace"
# a job stops at this share of the worker's time limit (the run says where it stopped)
JOB_LIMIT_SHARE = 0.8
JOB_BUDGET_WITHOUT_LIMIT = 900  # seconds, on a server without a time limit (threaded mode)
JOB_BUDGET_PARAMETER = "sale_marketplace_connector_queue_job.job_time_budget"
# the delay of the try that goes on where the time budget stopped a run (queue_job reads 0 as
# "use the retry pattern")
CONTINUE_SECONDS = 1


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    def _schedule_account_work(self, kind, deadline=None, **options):
        """Enqueue one job per account for its work of ``kind`` (see the module); the
        scheduled action's ``deadline`` is its own, a job gets one of its own when it runs.
        Nothing runs now: the runs report in their log (and the jobs in the Jobs menu)."""
        for account in self:
            account = account.with_company(account.company_id)
            account.with_delay(
                channel=account._queue_job_channel(),
                identity_key=account._queue_job_identity(kind),
                description=account._queue_job_description(kind),
            )._run_queued_account_work(kind, **options)
        # what the inline schedule returns when it ran nothing: no result, nothing left over
        return super(MarketplaceAccount, self.browse())._schedule_account_work(
            kind, deadline=deadline, **options
        )

    def _queue_job_channel(self):
        self.ensure_one()
        return f"{CHANNEL_PREFIX}.{self.backend}"

    def _queue_job_identity(self, kind):
        """One waiting job per account and kind."""
        self.ensure_one()
        return f"sale_marketplace_connector:{kind}:{self.id}"

    def _queue_job_description(self, kind):
        self.ensure_one()
        if kind == "import":
            return self.env._("Import the orders of %s", self.name)
        if kind == "export":
            return self.env._("Send the updates of %s to the shop", self.name)
        return self.env._(
            "Marketplace work (%(kind)s) of %(account)s", kind=kind, account=self.name
        )

    def _run_queued_account_work(self, kind, **options):
        """The job: this account's work of ``kind`` now (see the module); a sentence for the
        job's result."""
        self.ensure_one()
        result = self._run_account_work(kind, deadline=self._queue_job_deadline(), **options)
        error = result.error
        if isinstance(error, MarketplaceError) and error.retryable:
            raise RetryableJobError(
                self.env._("The shop did not answer as it should: %s", error),
                seconds=_retry_seconds(error),
            )
        if result.stopped_early:
            raise RetryableJobError(
                self.env._(
                    "Stopped after the time one job may take; a new try goes on from there."
                ),
                seconds=CONTINUE_SECONDS,
                ignore_retry=True,
            )
        if not result.run_id:
            return self.env._("%s: nothing to do.", self.name)
        if error is not None:
            return self.env._(
                "%(account)s: run %(run)s stopped: %(error)s (see the run's log)",
                account=self.name,
                run=result.run_id,
                error=error,
            )
        return self.env._(
            "%(account)s: run %(run)s, %(count)s handled",
            account=self.name,
            run=result.run_id,
            count=result.handled,
        )

    def _queue_job_deadline(self):
        """When the job's run must stop: at a share of the worker's time limit (jobs run in
        the HTTP workers), or after ``JOB_BUDGET_PARAMETER`` seconds when set."""
        limits = [
            limit
            for limit in (config["limit_time_real"], config["limit_time_cpu"])
            if limit and limit > 0
        ]
        seconds = min(limits) * JOB_LIMIT_SHARE if limits else JOB_BUDGET_WITHOUT_LIMIT
        seconds = float(
            self.env["ir.config_parameter"].sudo().get_param(JOB_BUDGET_PARAMETER, seconds)
        )
        return time.monotonic() + seconds


def _retry_seconds(error):
    """When to try again after the shop's ``error``: its Retry-After (HTTP 429), else None (the
    job function's retry pattern)."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after is None or retry_after <= 0:
        return None
    return max(math.ceil(retry_after), 1)
