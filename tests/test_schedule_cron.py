"""Without a job engine, Odoo's own cron workers share the accounts: the scheduled action runs
one account itself and triggers the others' own scheduled actions, which any cron worker of any
server takes (and runs, while time remains, those no worker has taken); Odoo never runs one of
them twice at once, and one cut off goes on."""

from datetime import datetime
from unittest.mock import patch

from odoo.tests import tagged

from ..runs import budget
from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestCronWorkers(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def setUp(self):
        super().setUp()
        budget._calls.__dict__.clear()
        self.addCleanup(budget._calls.__dict__.clear)
        self.others = self.env["marketplace.account"]
        self.shops = {self.account: self.sim}
        for number in (2, 3):
            sim = self.make_simulator()
            sim.start()
            self.addCleanup(sim.stop)
            account = self.account.copy({"name": f"Test otto {number}"})
            account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})
            self.others |= account
            self.shops[account] = sim
        self.Account = self.env["marketplace.account"]

    def add(self, account, count=1):
        return [
            self.shops[account].add_order(
                "PROCESSABLE", [("HON-500", 1)], delivery_fee=None, discount=None
            )
            for _ in range(count)
        ]

    def taken_by_workers(self):
        """Every other account's scheduled action taken up by a cron worker meanwhile (a worker
        holds the row of the job it runs; the tests' cursors share one connection, where a row
        lock never keeps anyone out)."""
        return patch.object(type(self.Account), "_run_untaken_work", lambda *args, **kw: None)

    def orders_of(self, account):
        return self.env["sale.order"].search_count([("marketplace_account_id", "=", account.id)])

    def crons(self, kind="import"):
        return self.env["ir.cron"].search(
            [
                ("marketplace_account_id", "in", self.others.ids),
                ("marketplace_work_kind", "=", kind),
            ]
        )

    def triggers(self, crons):
        return self.env["ir.cron.trigger"].search([("cron_id", "in", crons.ids)])

    def process(self, cron):
        """Run ``cron`` as a cron worker of Odoo does (its job, its rescheduling)."""
        self.env.flush_all()
        # the test's transaction began before the triggers were made: Odoo compares them with
        # its start (now()), a worker's transaction begins after them
        self.env.cr.execute(
            """UPDATE ir_cron_trigger SET call_at = (now() at time zone 'UTC') - interval '1 s'
                WHERE cron_id = %s AND call_at >= (now() at time zone 'UTC')""",
            [cron.id],
        )
        job = {**cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0}
        with self.registry.cursor() as cron_cr:
            self.registry["ir.cron"]._process_job(self.registry.db_name, cron_cr, job)
        self.env.invalidate_all()

    def ready(self, cron):
        """Whether a cron worker would take ``cron`` now (Odoo's query of ready jobs; the test's
        transaction started before the triggers were made, so "now" is the clock's)."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT 1 FROM ir_cron
             WHERE id = %s AND active
               AND (nextcall <= (clock_timestamp() at time zone 'UTC')
                    OR id IN (SELECT cron_id FROM ir_cron_trigger
                               WHERE call_at <= (clock_timestamp() at time zone 'UTC')))
            """,
            [cron.id],
        )
        return bool(self.env.cr.fetchone())

    def test_the_scheduled_import_shares_the_accounts_with_other_cron_workers(self):
        for account in self.account | self.others:
            self.add(account, 2)
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        self.env.invalidate_all()
        # the first account here, now; the others in their own scheduled actions, triggered
        self.assertEqual(self.orders_of(self.account), 2)
        self.assertEqual([self.orders_of(account) for account in self.others], [0, 0])
        crons = self.crons()
        self.assertEqual(crons.marketplace_account_id, self.others)
        first = crons.filtered(lambda cron: cron.marketplace_account_id == self.others[0])
        self.assertEqual(first.name, "Marketplace: import orders of Test otto 2")
        self.assertEqual(first.code, f"model._cron_account_work({self.others[0].id}, 'import')")
        self.assertEqual(first.nextcall, datetime(9999, 12, 31), "run only when triggered")
        self.assertEqual(len(self.triggers(crons)), 2)
        self.assertTrue(all(self.ready(cron) for cron in crons))
        # a second execution meanwhile triggers nothing twice (the first account: nothing new)
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        self.assertEqual(len(self.triggers(crons)), 2)
        self.assertEqual(self.account.run_count, 2)
        for cron in crons:
            self.process(cron)
        self.assertEqual([self.orders_of(account) for account in self.others], [2, 2])
        for account in self.others:
            self.assertEqual(
                (account.last_run_id.trigger, account.last_run_id.created_count), ("cron", 2)
            )
        self.assertFalse(self.triggers(crons), "done: Odoo drops their triggers")
        self.assertFalse(any(self.ready(cron) for cron in crons))

    def test_with_no_worker_free_the_scheduled_import_runs_every_account_itself(self):
        """One cron thread (or every worker busy with other databases): the accounts handed to
        their own scheduled actions are not left waiting for the next execution; the scheduled
        action runs them itself, and no worker runs them again after."""
        for account in self.account | self.others:
            self.add(account, 2)
        self.Account._cron_import_orders()
        self.env.invalidate_all()
        self.assertEqual([self.orders_of(a) for a in self.account | self.others], [2, 2, 2])
        for account in self.account | self.others:
            self.assertEqual(account.last_run_id.trigger, "cron")
        crons = self.crons()
        self.assertEqual(crons.marketplace_account_id, self.others)
        self.assertFalse(self.triggers(crons), "done here: no worker runs them again")
        self.assertFalse(any(self.ready(cron) for cron in crons))

    def test_an_account_a_worker_ran_meanwhile_is_not_run_again(self):
        for account in self.account | self.others:
            self.add(account, 1)
        # the workers took the triggers and ran the accounts before this execution got to
        # them: Odoo dropped the triggers when their jobs ended
        with patch.object(type(self.Account), "_trigger_crons", lambda self, crons: None):
            self.Account._cron_import_orders()
        self.env.invalidate_all()
        self.assertEqual([self.orders_of(a) for a in self.account | self.others], [1, 0, 0])
        self.assertFalse(self.others.last_run_id)

    def test_an_account_waits_for_a_worker_with_time_left(self):
        self.add(self.others[0])
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        cron = self.crons()[0]
        with patch.object(budget, "cron_room", return_value=False):
            self.process(cron)
        self.assertEqual(self.orders_of(self.others[0]), 0)
        self.assertTrue(self.ready(cron), "left, triggered, for the next wake-up of a worker")
        self.process(cron)
        self.assertEqual(self.orders_of(self.others[0]), 1)

    def test_a_run_stopped_at_its_deadline_goes_on_in_the_next_wake_up(self):
        self.use_page_size(10)
        account = self.others[0]
        self.add(account, 13)
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        cron = self.crons().filtered(lambda c: c.marketplace_account_id == account)
        self.env["ir.config_parameter"].set_param(budget.CRON_PARAMETER, "0")
        with patch.object(budget, "cron_room", return_value=True):
            self.process(cron)
        self.assertEqual(self.orders_of(account), 10)
        self.assertTrue(account.last_run_id.stopped_early)
        self.assertTrue(self.ready(cron), "triggered again once Odoo rescheduled it")
        self.env["ir.config_parameter"].set_param(budget.CRON_PARAMETER, "600")
        self.process(cron)
        self.assertEqual(self.orders_of(account), 13)
        self.assertEqual(account.run_count, 2)
        self.assertFalse(self.ready(cron))

    def test_a_run_that_died_with_its_worker_is_taken_up_again(self):
        """A worker killed during an account's run (Odoo's watchdog, an out-of-memory kill)
        loses its connection, hence the run's advisory lock and the scheduled action's row lock;
        the action's trigger stays (Odoo drops it when a job ends), so the next worker takes it
        up: the dead run is closed by the next one, which imports what was left, nothing twice."""
        self.use_page_size(10)
        account = self.others[0]
        self.add(account, 13)
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        cron = self.crons().filtered(lambda c: c.marketplace_account_id == account)
        # the dead worker's run: its first page committed, then nothing
        self.env["ir.config_parameter"].set_param(budget.CRON_PARAMETER, "0")
        dead = account._run_account_work("import", trigger="cron", deadline=budget.from_seconds(-1))
        dead_run = self.env["marketplace.run"].browse(dead.run_id)
        dead_run.write({"state": "running", "ended_at": False})
        self.env["ir.config_parameter"].set_param(budget.CRON_PARAMETER, "600")
        self.assertTrue(self.ready(cron))
        self.process(cron)
        self.assertEqual(dead_run.state, "failed")
        self.assertIn("Interrupted", dead_run.message)
        new_run = account.last_run_id
        self.assertEqual((new_run.state, new_run.created_count), ("done", 3))
        self.assertEqual(self.orders_of(account), 13)
        self.assertEqual(
            len(
                set(
                    self.env["sale.order"]
                    .search([("marketplace_account_id", "=", account.id)])
                    .mapped("marketplace_order_id")
                )
            ),
            13,
        )

    def test_the_actions_follow_their_account(self):
        with self.taken_by_workers():
            self.Account._cron_import_orders()
        crons = self.crons()
        actions = crons.ir_actions_server_id
        self.others[0].active = False
        self.assertFalse(
            crons.filtered(lambda c: c.marketplace_account_id == self.others[0]).active
        )
        self.others[0].active = True
        self.assertTrue(all(cron.with_context(active_test=False).active for cron in crons))
        self.others.unlink()
        self.assertFalse(crons.exists())
        self.assertFalse(actions.exists())

    def test_the_scheduled_send_shares_the_accounts_too(self):
        crons_before = self.crons("export")
        self.assertFalse(crons_before)
        sale = self.env["sale.order"].create({"partner_id": self.env.user.partner_id.id})
        for number, account in enumerate(self.account | self.others):
            order = sale.copy()
            order.write(
                {"marketplace_account_id": account.id, "marketplace_order_id": f"X{number}"}
            )
            self.env["marketplace.export"].create(
                {"account_id": account.id, "sale_order_id": order.id, "kind": "note", "key": "k"}
            )
        with self.taken_by_workers():
            self.Account._cron_export_updates()
        crons = self.crons("export")
        self.assertEqual(crons.marketplace_account_id, self.others)
        self.assertEqual(len(self.triggers(crons)), 2)
        self.assertIn("send updates of Test otto 2", crons[0].name)
