"""Imports of several accounts run at once, in several cron workers (issue 18): one must not
fail on a row another account's import writes too (PostgreSQL's repeatable read: a row changed
and committed by another transaction since this one began cannot be written by it)."""

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import tagged

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestImportsOfTwoAccountsAtOnce(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def other_worker(self):
        """A real cursor of its own: another cron worker, importing another account."""
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cr.close)
        return cr

    def test_a_currency_another_import_activated_meanwhile(self):
        chf = self.env.ref("base.CHF")
        self.assertFalse(chf.active)
        raw = self.sim.add_order(
            "PROCESSABLE", [("HON-500", 1)], currency="CHF", delivery_fee=None, discount=None
        )
        # this import's transaction is open (the test's); another account's import activates
        # the same currency for its own order and commits
        other = self.other_worker()
        api.Environment(other, SUPERUSER_ID, {})["res.currency"].browse(chf.id).active = True
        other.commit()
        self.addCleanup(self._deactivate, chf.id)
        run = self.fetch()
        reasons = self.env["marketplace.retry"].search([("account_id", "=", self.account.id)])
        self.assertEqual((run.state, run.created_count), ("done", 1), reasons.mapped("reason"))
        self.assertEqual(self.sale(raw["salesOrderId"]).currency_id, chf)

    def _deactivate(self, currency_id):
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["res.currency"].browse(currency_id).active = False
