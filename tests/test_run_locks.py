from unittest.mock import patch

from odoo import sql_db
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exporter.run import EXPORT_LOCK_NAMESPACE, ExportRun
from ..importer.run import LOCK_NAMESPACE, ImportRun
from ..simulators import OttoSimulator
from .export_common import MarketplaceExportCase


@tagged("post_install", "-at_install")
class TestRunLocks(MarketplaceExportCase):
    """An account's lock is released on every path: Odoo's pool keeps a connection (and a lock
    it still holds) open, and the account would read "busy" until the server restarts."""

    backend = "otto"
    simulator_class = OttoSimulator

    def assertLockFree(self, namespace):
        """Another connection can take the account's lock (a session lock left behind by the
        run's connection would refuse it)."""
        connection = sql_db.db_connect(self.env.cr.dbname)
        with connection.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", (namespace, self.account.id))
            taken = other_cr.fetchone()[0]
            if taken:
                other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", (namespace, self.account.id))
        self.assertTrue(taken, "the run left the account's lock behind")

    def test_import_lock_released_when_closing_old_runs_fails(self):
        self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        with (
            patch.object(ImportRun, "_close_interrupted_runs", side_effect=RuntimeError("boom")),
            mute_logger("odoo.addons.sale_marketplace_connector.importer.run"),
        ):
            run = self.account._import_orders()
        self.assertEqual(run.state, "failed")
        self.assertIn("boom", run.message)
        self.assertLockFree(LOCK_NAMESPACE)
        # and the next run works
        self.assertEqual(self.account._import_orders().state, "done")

    def test_export_lock_released_when_closing_old_runs_fails(self):
        raw = self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking="T1")
        with (
            patch.object(ExportRun, "_close_interrupted_runs", side_effect=RuntimeError("boom")),
            mute_logger("odoo.addons.sale_marketplace_connector.exporter.run"),
        ):
            run = self.send()
        self.assertEqual(run.state, "failed")
        self.assertLockFree(EXPORT_LOCK_NAMESPACE)
        self.send()
        self.assertEqual(len(self.sim.shipments), 1)

    def test_import_lock_released_when_finishing_the_run_fails(self):
        self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        with (
            patch.object(ImportRun, "_finish", side_effect=RuntimeError("log full")),
            mute_logger("odoo.addons.sale_marketplace_connector.importer.run"),
            self.assertRaisesRegex(RuntimeError, "log full"),
        ):
            self.account._import_orders()
        self.assertLockFree(LOCK_NAMESPACE)
        # and the next run works
        self.assertEqual(self.account._import_orders().state, "done")
