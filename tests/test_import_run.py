from odoo import sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..importer.run import LOCK_NAMESPACE
from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestImportRun(MarketplaceImportCase):
    """The run log, the fetch wizard, the scheduled action and one run per account at a time."""

    backend = "otto"
    simulator_class = OttoSimulator

    def result_of(self, wizard):
        """Fetch with the wizard; return the wizard that shows the result."""
        action = wizard.action_fetch()
        self.env.invalidate_all()
        return wizard.browse(action["res_id"])

    def add(self, status="PROCESSABLE", sku="HON-500"):
        return self.sim.add_order(status, [(sku, 1)], delivery_fee=None, discount=None)

    def test_run_log(self):
        created = self.add()
        skipped = self.add("SENT")
        failed = self.add(sku="NO-SUCH-SKU")
        run = self.fetch()
        self.assertEqual(run.trigger, "manual")
        self.assertEqual(run.user_id, self.env.user)
        self.assertTrue(run.started_at <= run.ended_at)
        self.assertEqual(
            (run.created_count, run.updated_count, run.skipped_count, run.failed_count),
            (1, 0, 1, 1),
        )
        self.assertEqual(run.state, "partial")
        self.assertEqual(self.line_of(run, created["salesOrderId"]).result, "created")
        self.assertIn("not imported", self.line_of(run, skipped["salesOrderId"]).message)
        self.assertIn("NO-SUCH-SKU", self.line_of(run, failed["salesOrderId"]).message)
        sale = self.sale(created["salesOrderId"])
        self.assertEqual(sale.marketplace_run_line_count, 1)
        self.assertEqual(
            self.env["marketplace.run.line"].search(sale.action_view_marketplace_log()["domain"]),
            self.line_of(run, created["salesOrderId"]),
        )
        self.assertEqual((self.account.run_count, self.account.last_run_id), (1, run))
        self.assertEqual(self.account.order_count, 1)
        self.assertIn(self.account.name, run.display_name)
        self.assertEqual(
            run._summary(), f"{self.account.name}: 1 created, 0 updated, 1 skipped, 1 failed"
        )

    def test_wizard_as_marketplace_user(self):
        user = new_test_user(self.env, login="mp_fetcher", groups="sales_team.group_sale_salesman")
        other = self.env["marketplace.account"].create(
            {"name": "Archived shop", "backend": "cscart", "active": False}
        )
        raw = self.add()
        form = Form(self.env["marketplace.fetch.wizard"].with_user(user))
        self.assertIn(self.account, form.account_ids)
        self.assertNotIn(other, form.account_ids)
        action = form.save().action_fetch()
        self.assertEqual(action["res_model"], "marketplace.fetch.wizard")
        wizard = self.env["marketplace.fetch.wizard"].with_user(user).browse(action["res_id"])
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.run_ids.user_id, user)
        self.assertEqual(wizard.line_ids.mapped("result"), ["created"])
        self.assertIn("1 created", wizard.summary)
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.state, "sale")
        self.assertFalse(sale.user_id)

    def test_wizard_single_order_and_dates(self):
        wanted = self.add()
        self.add()
        form = Form(self.env["marketplace.fetch.wizard"])
        form.order_ref = wanted["orderNumber"]
        wizard = self.result_of(form.save())
        self.assertEqual(wizard.line_ids.marketplace_order_id, wanted["salesOrderId"])
        future = Form(self.env["marketplace.fetch.wizard"])
        future.date_from = "2999-01-01 00:00:00"
        with self.assertRaises(UserError):
            future.save().action_fetch()
        empty = self.env["marketplace.fetch.wizard"].create({"account_ids": [(5, 0, 0)]})
        with self.assertRaises(UserError):
            empty.action_fetch()

    def test_account_button_opens_wizard_for_it(self):
        action = self.account.action_open_fetch_wizard()
        self.assertEqual(action["res_model"], "marketplace.fetch.wizard")
        wizard = self.env["marketplace.fetch.wizard"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.account_ids, self.account)

    def test_scheduled_action(self):
        raw = self.add()
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_import_orders")
        self.assertEqual((cron.interval_number, cron.interval_type), (15, "minutes"))
        cron.method_direct_trigger()
        self.env.invalidate_all()
        run = self.account.last_run_id
        self.assertEqual((run.trigger, run.created_count), ("cron", 1))
        self.assertTrue(self.sale(raw["salesOrderId"]))
        self.account.active = False
        self.env["marketplace.account"]._cron_import_orders()
        self.env.invalidate_all()
        self.assertEqual(self.account.run_count, 1)

    def test_second_run_meanwhile_does_nothing(self):
        raw = self.add()
        connection = sql_db.db_connect(self.env.cr.dbname)
        with connection.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, self.account.id))
            try:
                run = self.fetch()
            finally:
                other_cr.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, self.account.id)
                )
        self.assertEqual(run.state, "busy")
        self.assertIn("Another import", run.message)
        self.assertFalse(self.sale(raw["salesOrderId"]))
        self.assertEqual(self.sim.request_count(), 0)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_test_connection_button(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.account.api_secret = "wrong-secret-xyz"
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        self.assertNotIn("wrong-secret-xyz", str(caught.exception))

    def test_salesperson_run_sees_the_orders_of_others(self):
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        other = new_test_user(self.env, login="mp_other", groups="sales_team.group_sale_salesman")
        sale.user_id = other
        fetcher = new_test_user(
            self.env, login="mp_fetcher2", groups="sales_team.group_sale_salesman"
        )
        self.sim.advance(600)
        self.sim.set_status(raw["salesOrderId"], "CANCELLED_BY_PARTNER")
        wizard = self.env["marketplace.fetch.wizard"].with_user(fetcher).create({})
        wizard = self.result_of(wizard)
        self.assertEqual(wizard.line_ids.result, "updated")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("marketplace_order_id", "=", raw["salesOrderId"])]
            ),
            1,
        )

    def test_run_log_is_read_only_for_users(self):
        self.add()
        run = self.fetch()
        user = new_test_user(self.env, login="mp_reader", groups="sales_team.group_sale_salesman")
        self.assertEqual(run.with_user(user).created_count, 1)
        with self.assertRaises(AccessError):
            run.with_user(user).write({"message": "edited"})
        with self.assertRaises(AccessError):
            run.line_ids.with_user(user).write({"message": "edited"})

    def test_interrupted_run_is_closed_by_the_next(self):
        stale = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "trigger": "cron", "state": "running"}
        )
        sending = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "trigger": "export", "state": "running"}
        )
        self.add()
        run = self.fetch()
        self.assertEqual(run.state, "done")
        self.assertEqual(stale.state, "failed")
        self.assertIn("Interrupted", stale.message)
        # a sending run has a lock of its own: an import does not judge it
        self.assertEqual(sending.state, "running")

    def test_invalid_api_address(self):
        self.account.api_url = "shop.example"
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        self.assertIn("not a valid URL", str(caught.exception))
        run = self.fetch()
        self.assertEqual(run.state, "failed")
        self.assertIn("not a valid URL", run.message)
