"""A run says what work it did (its kind) beside who started it (its trigger); the runs of every
kind go through one template; the work of an account is scheduled at one seam, which a job
engine overrides without touching the runs."""

import importlib.util
from pathlib import Path
from unittest.mock import patch

from odoo.tests import tagged

from ..models.marketplace_account_work import Scheduled
from ..runs.account_run import AccountRun
from ..simulators import OttoSimulator
from .common import MarketplaceImportCase

MIGRATION = Path(__file__).parent.parent / "migrations" / "18.0.1.1.0" / "post-migrate.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("smc_post_migrate_18_0_1_1_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestRunKinds(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, status="PROCESSABLE"):
        return self.sim.add_order(status, [("HON-500", 1)], delivery_fee=None, discount=None)

    def test_each_kind_of_work_is_one_run_of_the_template(self):
        raw = self.add()
        run = self.fetch()
        self.assertEqual((run.kind, run.trigger, run.state), ("import", "manual", "done"))
        sale = self.sale(raw["salesOrderId"])
        # an update OTTO takes no request for: a sending run that needs no answer of the shop
        self.env["marketplace.export"].create(
            {"account_id": self.account.id, "sale_order_id": sale.id, "kind": "note", "key": "n"}
        )
        (summary,) = self.account._export_updates()
        sending = self.env["marketplace.run"].browse(summary["run_id"])
        self.assertEqual(
            (sending.kind, sending.trigger, sending.skipped_count), ("export", "export", 1)
        )
        runs = [self.account._account_run(kind) for kind in ("import", "export")]
        self.assertTrue(all(isinstance(each, AccountRun) for each in runs))
        self.assertEqual([each.kind for each in runs], ["import", "export"])

    def test_interrupted_runs_are_judged_by_their_kind_not_their_trigger(self):
        # a sending run the schedule started (as a job engine starts them), cut off: the import
        # holds a lock of its own and leaves it to the next sending run
        sending = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "kind": "export", "trigger": "cron"}
        )
        importing = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "kind": "import", "trigger": "cron"}
        )
        self.add()
        self.assertEqual(self.fetch().state, "done")
        self.assertEqual((sending.state, importing.state), ("running", "failed"))

    def test_the_last_import_of_the_overview_is_an_import(self):
        self.add()
        run = self.fetch()
        later = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "kind": "export", "trigger": "manual"}
        )
        self.account.invalidate_recordset()
        self.assertEqual(self.account.last_import_run_id, run)
        self.assertGreater(later.id, run.id)

    def test_migration_gives_the_runs_logged_before_it_their_kind(self):
        sending, importing = self.env["marketplace.run"].create(
            [
                {"account_id": self.account.id, "trigger": "export"},
                {"account_id": self.account.id, "trigger": "cron"},
            ]
        )
        # as the update leaves them: the new column filled with its default
        self.env.cr.execute(
            "UPDATE marketplace_run SET kind = 'import' WHERE id IN %s",
            [(sending.id, importing.id)],
        )
        self.env.invalidate_all()
        migration = load_migration()
        migration.migrate(self.env.cr, False)  # a new install: nothing to do
        self.assertEqual(sending.kind, "import")
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual((sending.kind, importing.kind), ("export", "import"))

    def test_manifest_version_names_the_migration(self):
        manifest = Path(__file__).parent.parent / "__manifest__.py"
        self.assertIn('"version": "18.0.1.1.0"', manifest.read_text())
        self.assertTrue(MIGRATION.exists())


@tagged("post_install", "-at_install")
class TestScheduleSeam(MarketplaceImportCase):
    """A job engine overrides ``_schedule_account_work`` alone: the scheduled actions hand it
    their accounts, and its job runs ``_run_account_work``, the same run as inline."""

    backend = "otto"
    simulator_class = OttoSimulator

    def test_scheduled_actions_hand_their_accounts_to_the_seam(self):
        queued = []

        def enqueue(accounts, kind, deadline=None, **options):
            queued.append((accounts, kind, options))
            return Scheduled()

        self.sim.add_order("PROCESSABLE", [("HON-500", 1)], delivery_fee=None, discount=None)
        sale = self.env["sale.order"].create({"partner_id": self.env.user.partner_id.id})
        sale.write({"marketplace_account_id": self.account.id, "marketplace_order_id": "X1"})
        self.env["marketplace.export"].create(
            {"account_id": self.account.id, "sale_order_id": sale.id, "kind": "note", "key": "k"}
        )
        Account = type(self.env["marketplace.account"])
        with patch.object(Account, "_schedule_account_work", enqueue):
            self.env["marketplace.account"]._cron_import_orders()
            self.env["marketplace.account"]._cron_export_updates()
        self.assertEqual((queued[1][0].ids, queued[1][1]), ([self.account.id], "export"))
        accounts, kind, options = queued[0]
        self.assertIn(self.account, accounts)
        self.assertEqual((kind, options), ("import", {"trigger": "cron"}))
        # nothing ran inline: the engine's jobs will
        self.assertFalse(self.env["marketplace.run"].search([("account_id", "=", self.account.id)]))
        # the job: the same run as inline
        result = self.account._run_account_work("import", trigger="cron")
        run = self.env["marketplace.run"].browse(result.run_id)
        self.assertEqual((run.kind, run.trigger, run.created_count), ("import", "cron", 1))
