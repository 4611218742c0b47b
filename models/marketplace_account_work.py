"""marketplace.account (inherited): where an account's work is scheduled and run.

The one seam a job engine plugs into is ``_schedule_account_work(kind, ...)``: the scheduled
actions ("Marketplace: import orders", "Marketplace: send updates to shops") start the work of
their accounts there. Without an engine (this add-on alone) Odoo's own cron workers share the
accounts: the scheduled action runs the first account's work itself and triggers, for each of
the others, the account's own scheduled action of that kind ("Marketplace: import orders of
OTTO Germany", an ``ir.cron`` made the first time it is needed, which runs only when triggered).
Every cron worker of every server of the database takes one of them; Odoo never runs one
scheduled action in two workers at once, and the runs' advisory lock keeps two runs of an
account's kind of work apart whoever starts them. A bridge to a job engine (OCA ``queue_job``:
``bridges/sale_marketplace_connector_queue_job``) overrides that one method to enqueue one job
per account and kind instead, each job calling ``_run_account_work``; the runs themselves
(``runs/``, ``importer/run.py``, ``exporter/run.py``) stay as they are.

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
from datetime import datetime

import psycopg2

from odoo import api, models
from odoo.modules import module

from ..exporter.run import ExportRun
from ..importer.returns_run import ReturnsRun
from ..importer.run import ImportRun
from ..runs import budget

_logger = logging.getLogger(__name__)

# the run of each kind of work (the kinds of ``marketplace.run``)
RUN_CLASSES = {"import": ImportRun, "export": ExportRun, "returns": ReturnsRun}
# the options of a scheduled run of each kind (the account's own scheduled action runs it so)
SCHEDULED_OPTIONS = {"import": {"trigger": "cron"}}
# an account's scheduled action runs only when triggered: its own schedule never comes
NEVER = datetime(9999, 12, 31)


@dataclass
class Scheduled:
    """What ``_schedule_account_work`` did: the results of the work run now (``RunResult``),
    how many accounts' work is left to a later execution of the calling scheduled action
    (stopped at the deadline), and the accounts handed to their own scheduled actions. An
    engine that enqueues jobs returns neither results nor remaining: the jobs report in their
    runs."""

    results: list = field(default_factory=list)
    remaining: int = 0
    handed_over: list = field(default_factory=list)  # account ids


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals:
            crons = self.env["ir.cron"].sudo().with_context(active_test=False)
            crons.search([("marketplace_account_id", "in", self.ids)]).write(
                {"active": vals["active"]}
            )
        return result

    def unlink(self):
        # ir.cron's row would go with the account (cascade), its server action would stay
        crons = (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search([("marketplace_account_id", "in", self.ids)])
        )
        actions = crons.ir_actions_server_id
        crons.unlink()
        actions.unlink()
        return super().unlink()

    def _schedule_account_work(self, kind, deadline=None, **options):
        """Start the work of ``kind`` ("import", "export") of these accounts, with the run's
        ``options`` (``trigger``, ...), until ``deadline`` (``time.monotonic()``).

        Without a job engine: the first account whose own scheduled action is not already
        triggered works now, here, in the account's company; every other one is handed to its
        own scheduled action of ``kind`` (triggered, committed before the work here starts, so
        that the other cron workers start at once), and then, while time remains, works here
        too unless a cron worker has taken it up meanwhile (``_run_untaken_work``). A second
        call within one wake-up of the cron worker after the deadline hands over the first one
        too (Odoo calls a scheduled action that reports work remaining again at once: it must
        not work past the deadline).
        Override to hand the work to a job engine (see the module)."""
        scheduled = Scheduled()
        if not self:
            return scheduled
        crons = self._account_crons(kind)
        waiting = self._triggered_crons(crons)
        inline = next((a for a in self if crons[a.id].id not in waiting), None)
        call = budget.current_cron_call()
        if inline and budget.passed(deadline) and call is not None and call.ran_inline:
            inline = None
        handed = self - inline if inline else self
        self._trigger_crons([crons[a.id] for a in handed if crons[a.id].id not in waiting])
        scheduled.handed_over = handed.ids
        if not inline:
            return scheduled
        if call is not None:
            call.ran_inline = True
        result = inline._run_scheduled_work(kind, deadline, **options)
        if result is not None:
            scheduled.results.append(result)
            if result.stopped_early:
                scheduled.remaining = 1
                return scheduled
        # then, while time remains, the others that no cron worker has taken up meanwhile (with
        # no other worker free, e.g. one cron thread, they would otherwise wait for the next
        # execution): one scheduled action keeps every account current
        for account in handed:
            if budget.passed(deadline):
                break
            result = account._run_untaken_work(kind, crons[account.id], deadline, **options)
            if result is None:
                continue
            scheduled.results.append(result)
            if result.stopped_early:  # its trigger stays: a worker goes on with it
                break
        return scheduled

    def _run_scheduled_work(self, kind, deadline, **options):
        """The account's run now, in its company; ``None`` when it broke (logged)."""
        account = self.with_company(self.company_id)
        try:
            return account._run_account_work(kind, deadline=deadline, **options)
        except Exception:
            _logger.exception("Marketplace %s of %s failed", kind, account.name)
            return None

    def _run_untaken_work(self, kind, cron, deadline, **options):
        """Run the account's work here unless a cron worker runs or ran its scheduled action
        ``cron`` already (``None`` then). Its row is held meanwhile, as Odoo's workers hold the
        row of the job they run (they skip a held one), and its triggers go once the run is
        through: no worker runs it again after."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [cron.id]
            )
            if not cr.fetchone():
                return None
            cr.execute("SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s LIMIT 1", [cron.id])
            if not cr.fetchone():  # a worker ran it meanwhile (Odoo dropped its trigger)
                return None
            result = self._run_scheduled_work(kind, deadline, **options)
            if result is not None and not result.stopped_early:
                cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])
            return result

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

    # --- the accounts' own scheduled actions --------------------------------------------------
    @api.model
    def _cron_account_work(self, account_id, kind):
        """The scheduled action of one account's work of ``kind`` (triggered by the account's
        scheduled actions): the run, within this wake-up's deadline; one that stops there is
        triggered again, to go on in the next wake-up of a cron worker."""
        account = self.sudo().browse(account_id).exists()
        if not account or not account.active:
            return
        account = account.with_company(account.company_id)
        result = account._run_account_work(
            kind, deadline=self._cron_deadline(), **SCHEDULED_OPTIONS.get(kind, {})
        )
        self.env["ir.cron"]._notify_progress(done=result.handled, remaining=0)
        if result.stopped_early:
            account._continue_account_work(kind)

    def _continue_account_work(self, kind):
        """Trigger the account's scheduled action of ``kind`` again (its run stopped at its
        deadline). From within that action, once Odoo has rescheduled it (a trigger made during
        the job would be deleted with the job's own: models/ir_cron.py)."""
        self.ensure_one()
        cron = self._account_crons(kind)[self.id]
        call = budget.current_cron_call()
        if call is not None and self.env.context.get("cron_id") == cron.id:
            call.continued.add(cron.id)
        else:
            self._trigger_crons([cron])

    def _account_crons(self, kind):
        """``{account id: ir.cron}``: each account's scheduled action of ``kind``, made the first
        time it is needed (committed at once: the cron workers must see it)."""
        Cron = self.env["ir.cron"].sudo().with_context(active_test=False)
        crons = {
            cron.marketplace_account_id.id: cron
            for cron in Cron.search(
                [("marketplace_account_id", "in", self.ids), ("marketplace_work_kind", "=", kind)]
            )
        }
        missing = self.filtered(lambda a: a.id not in crons)
        if missing:
            # made in a transaction of its own: this one's snapshot does not see them, so only
            # their ids are kept (triggered in a new transaction too: _trigger_crons)
            made = {}
            for attempt in range(2):
                try:
                    with self.env.registry.cursor() as cr:
                        made = missing.with_env(self.env(cr=cr))._made_account_crons(kind)
                    break
                except psycopg2.errors.UniqueViolation:  # another worker made them meanwhile
                    if attempt:
                        raise
            crons.update({account_id: Cron.browse(cron_id) for account_id, cron_id in made.items()})
        return crons

    def _made_account_crons(self, kind):
        """``{account id: ir.cron id}`` of these accounts' scheduled actions of ``kind``, made
        now where there is none yet."""
        Cron = self.env["ir.cron"].sudo().with_context(active_test=False)
        existing = Cron.search(
            [("marketplace_account_id", "in", self.ids), ("marketplace_work_kind", "=", kind)]
        )
        missing = self - existing.marketplace_account_id
        crons = existing | missing._make_account_crons(kind)
        return {cron.marketplace_account_id.id: cron.id for cron in crons}

    def _make_account_crons(self, kind):
        model = self.env["ir.model"]._get_id("marketplace.account")
        Cron = self.env["ir.cron"].sudo()
        return Cron.create(
            [
                {
                    "name": self._account_cron_name(kind, account),
                    "model_id": model,
                    "state": "code",
                    "code": f"model._cron_account_work({account.id}, {kind!r})",
                    "user_id": self.env.uid,
                    "interval_number": 1,
                    "interval_type": "days",
                    "nextcall": NEVER,
                    "active": account.active,
                    "marketplace_account_id": account.id,
                    "marketplace_work_kind": kind,
                }
                for account in self
            ]
        )

    def _account_cron_name(self, kind, account):
        if kind == "import":
            return self.env._("Marketplace: import orders of %s", account.name)
        if kind == "export":
            return self.env._("Marketplace: send updates of %s", account.name)
        return self.env._("Marketplace: %(kind)s of %(account)s", kind=kind, account=account.name)

    def _triggered_crons(self, crons):
        """The ids of those scheduled actions that are triggered already (their work will start,
        or has started: its trigger goes when it ends)."""
        ids = [cron.id for cron in crons.values()]
        triggers = self.env["ir.cron.trigger"].sudo().search([("cron_id", "in", ids)])
        return set(triggers.cron_id.ids)

    def _trigger_crons(self, crons):
        """Trigger these scheduled actions now, committed (and the cron workers woken) before
        the caller goes on."""
        if not crons:
            return
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            for cron in crons:
                cron.with_env(env)._trigger()


def _read_returns(account, trigger, deadline):
    """The shop's returns and refunds, read by a run of their own (kind "returns") in the
    import's cursor once its orders are in."""
    return RUN_CLASSES["returns"](account, trigger, deadline=deadline).execute()


def _send_import_statuses(account, deadline):
    """The statuses the import marked ("Change Status To"), sent by the updates' sender in the
    import's own cursor once every page is read."""
    return RUN_CLASSES["export"](account, events=("import",), deadline=deadline).execute()
