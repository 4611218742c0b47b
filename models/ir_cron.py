import logging

from odoo import SUPERUSER_ID, api, fields, models

from ..runs import budget

_logger = logging.getLogger(__name__)


class IrCron(models.Model):
    """ir.cron (inherited): the scheduled action of one account's work of one kind ("Marketplace:
    import orders of OTTO Germany"), which the account's scheduled actions trigger so that Odoo's
    cron workers, on every server of the database, share the accounts
    (models/marketplace_account_work.py). Odoo runs a scheduled action in one worker at a time
    (it locks its row): two workers never run the same account's work of a kind at once.

    Odoo's cron loop, seen from here (``_process_job``, once per job of a worker's wake-up):
    the wake-up's time window (runs/budget.py: the wall-clock and CPU limits count per wake-up,
    not per job); an account's action that would start with too little of it left is left for
    the next wake-up, at once, of whichever worker is free; one that stopped at its deadline is
    triggered again after Odoo has rescheduled it (a trigger made during the job would be
    deleted with the job's own)."""

    _inherit = "ir.cron"

    marketplace_account_id = fields.Many2one(
        "marketplace.account",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
        help="The account whose work this scheduled action runs when triggered.",
    )
    marketplace_work_kind = fields.Char(
        string="Marketplace Work",
        readonly=True,
        help="What it runs: import (the account's orders) or export (updates sent to the shop).",
    )

    _sql_constraints = [
        (
            "marketplace_account_work_unique",
            "UNIQUE(marketplace_account_id, marketplace_work_kind)",
            "An account has one scheduled action per kind of work.",
        ),
    ]

    @classmethod
    def _process_job(cls, db, cron_cr, job):
        call = budget.cron_call_begins(cron_cr)
        try:
            if job.get("marketplace_account_id") and not cls._room_for_account(cron_cr, job):
                # too little of this wake-up left: the job stays ready (its trigger is kept)
                # for the next wake-up of a worker, woken at once
                cron_cr.rollback()
                cls._wake_workers(cron_cr)
                return
            super()._process_job(db, cron_cr, job)
            if job["id"] in call.continued:
                call.continued.discard(job["id"])
                cls._continue(cron_cr, job["id"])
        finally:
            budget.cron_job_ends()

    @classmethod
    def _room_for_account(cls, cron_cr, job):
        env = api.Environment(cron_cr, job["user_id"] or SUPERUSER_ID, {"cron_id": job["id"]})
        room = budget.cron_room(env)
        if not room:
            _logger.info(
                "Job %r (%s) left for the next wake-up of a cron worker: too little time left",
                job["cron_name"],
                job["id"],
            )
        return room

    @classmethod
    def _continue(cls, cron_cr, cron_id):
        """Trigger the account's action again now that Odoo has rescheduled it: the run stopped
        at its deadline and goes on in the next wake-up of a worker."""
        env = api.Environment(cron_cr, SUPERUSER_ID, {})
        env["ir.cron"].browse(cron_id)._trigger()
        cron_cr.commit()

    @classmethod
    def _wake_workers(cls, cron_cr):
        api.Environment(cron_cr, SUPERUSER_ID, {})["ir.cron"]._notifydb()
