"""Runs that never stall: failing orders on a retry list, time budgets, commits before statuses."""

import time
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..clients.otto import OttoClient
from ..runs import budget
from ..simulators import OttoSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestRetryList(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, sku="HON-500", **kwargs):
        kwargs.setdefault("delivery_fee", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order("PROCESSABLE", [(sku, 1)], **kwargs)

    def retry_of(self, raw):
        return self.env["marketplace.retry"].search(
            [
                ("account_id", "=", self.account.id),
                ("marketplace_order_id", "=", raw["salesOrderId"]),
            ]
        )

    def test_failing_order_does_not_hold_the_others_back(self):
        bad = self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        self.sim.advance(60)
        first = self.add()
        run = self.fetch()
        self.assertEqual((run.created_count, run.failed_count), (1, 1))
        retry = self.retry_of(bad)
        self.assertEqual(retry.state, "pending")
        self.assertIn("NEVER-CREATED", retry.reason)
        self.assertEqual(retry.try_count, 1)
        self.assertEqual(retry.last_run_line_id.run_id, run)
        # the import date moves on past the failed order
        self.assertEqual(
            self.account.imported_until,
            first_change := self.sale(first["salesOrderId"]).marketplace_changed_at,
        )
        # newer orders keep coming while it fails; it is fetched by id, once per run
        for _ in range(3):
            self.sim.advance(3600)
            newer = self.add()
            self.sim.reset_requests()
            run = self.fetch()
            self.assertTrue(self.sale(newer["salesOrderId"]))
            self.assertGreater(self.account.imported_until, first_change)
        self.assertEqual(self.sim.request_count(f"/v4/orders/{bad['salesOrderId']}"), 1)
        self.assertEqual(run.failed_count, 1)
        self.assertEqual(retry.try_count, 4)
        self.assertEqual(self.account.retry_count, 1)
        # mended in Odoo: the next run imports it and the list is empty
        self.env["product.product"].create(
            {"name": "Now it exists", "default_code": "NEVER-CREATED"}
        )
        run = self.fetch()
        self.assertEqual((run.created_count, run.failed_count), (1, 0))
        self.assertTotal(self.sale(bad["salesOrderId"]), "5.00")
        self.assertFalse(retry.exists())

    def test_retry_now_ignore_and_restore(self):
        bad = self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        self.fetch()
        retry = self.retry_of(bad)
        self.sim.reset_requests()
        action = retry.action_retry_now()
        self.env.invalidate_all()
        self.assertEqual(action["res_model"], "marketplace.run")
        run = self.env["marketplace.run"].browse(action["res_id"])
        self.assertEqual((run.order_ref, run.failed_count), (bad["salesOrderId"], 1))
        self.assertEqual(retry.try_count, 2)
        user = new_test_user(
            self.env, login="mp_retry_user", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            retry.with_user(user).action_ignore()
        retry.action_ignore()
        self.assertEqual(retry.state, "ignored")
        self.sim.advance(7200)
        self.add()
        self.fetch()
        self.sim.advance(60)
        self.sim.reset_requests()
        self.fetch()
        self.assertEqual(self.sim.request_count(f"/v4/orders/{bad['salesOrderId']}"), 0)
        self.assertEqual(self.account.retry_count, 0)
        retry.action_restore()
        self.account.invalidate_recordset(["retry_count"])
        self.assertEqual(self.account.retry_count, 1)

    def test_activity_after_the_alert_delay(self):
        responsible = new_test_user(
            self.env, login="mp_responsible", groups="sales_team.group_sale_manager"
        )
        self.account.write({"user_id": responsible.id, "retry_alert_days": 2})
        bad = self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        self.fetch()
        retry = self.retry_of(bad)
        self.assertFalse(retry.activity_ids)
        retry.sudo().first_try = fields.Datetime.now() - timedelta(days=3)
        self.fetch()
        self.assertEqual(retry.activity_ids.user_id, responsible)
        self.assertIn("failing for 2 days", retry.activity_ids.summary)
        retry.activity_ids.action_done()
        self.fetch()
        self.assertFalse(retry.activity_ids, "one activity per order, not one per run")

    def test_unknown_country_goes_on_the_list(self):
        bad = self.add(country="XXX")
        good = self.add()
        run = self.fetch()
        self.assertTrue(self.sale(good["salesOrderId"]))
        self.assertIn("XXX", self.retry_of(bad).reason)
        self.assertEqual(run.state, "partial")

    def test_order_skipped_now_leaves_the_list(self):
        bad = self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        self.fetch()
        self.sim.advance(600)
        self.sim.set_status(bad["salesOrderId"], "CANCELLED_BY_PARTNER")
        self.fetch()
        self.assertFalse(self.retry_of(bad))

    # --- time budgets ----------------------------------------------------------------------------
    def test_scheduled_import_stops_at_its_budget_and_goes_on(self):
        self.use_page_size(10)
        for _ in range(13):  # two pages
            self.add()
        self.env["ir.config_parameter"].set_param(
            "sale_marketplace_connector.cron_time_budget", "0"
        )
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_import_orders")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        account_model = self.env["marketplace.account"].with_context(
            ir_cron_progress_id=progress.id, cron_id=cron.id, lastcall="2026-11-23 10:00:00"
        )
        account_model._cron_import_orders()
        self.env.invalidate_all()
        run = self.account.last_run_id
        self.assertTrue(run.stopped_early)
        self.assertEqual(run.created_count, 10)
        self.assertIn("next run goes on", run.message)
        self.assertEqual((progress.done, progress.remaining), (10, 1))
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        # the next execution picks up where this one stopped
        self.env["ir.config_parameter"].set_param(
            "sale_marketplace_connector.cron_time_budget", "600"
        )
        self.env["marketplace.account"]._cron_import_orders()
        self.env.invalidate_all()
        self.assertEqual(self.account.last_run_id.created_count, 3)
        self.assertEqual(
            self.env["sale.order"].search_count([("marketplace_account_id", "=", self.account.id)]),
            13,
        )

    def test_a_later_call_of_a_spent_execution_imports_nothing(self):
        # Odoo calls the action up to ten times in one execution while work remains: once the
        # execution's budget is spent, a further call must not read one more page (the
        # execution would run past the server's limit), but leave the rest to a new execution
        self.use_page_size(10)
        for _ in range(13):
            self.add()
        self.env["ir.config_parameter"].set_param(
            "sale_marketplace_connector.cron_time_budget", "0"
        )
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_import_orders")
        context = {"cron_id": cron.id, "lastcall": "2026-11-23 11:00:00"}
        for batch in range(2):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            self.env["marketplace.account"].with_context(
                ir_cron_progress_id=progress.id, **context
            )._cron_import_orders()
            self.env.invalidate_all()
            if batch == 0:
                first_run = self.account.last_run_id
                self.assertEqual(first_run.created_count, 10)
        self.assertEqual(self.account.last_run_id, first_run, "no run in the spent execution")
        self.assertEqual((progress.done, progress.remaining), (0, 0))
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertEqual(
            self.env["sale.order"].search_count([("marketplace_account_id", "=", self.account.id)]),
            10,
        )

    def test_scheduled_sending_has_a_budget_and_goes_on(self):
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_export_updates")
        self.env["ir.config_parameter"].set_param(
            "sale_marketplace_connector.cron_time_budget", "0"
        )
        with patch.object(
            type(self.env["marketplace.account"]), "_schedule_account_work", autospec=True
        ) as schedule:
            schedule.return_value.remaining = 1
            self.env["marketplace.export"].create(
                {
                    "account_id": self.account.id,
                    "sale_order_id": self._an_order().id,
                    "kind": "status",
                    "key": "status:test",
                }
            )
            self.env["marketplace.account"].with_context(cron_id=cron.id)._cron_export_updates()
        self.assertIsNotNone(schedule.call_args.kwargs["deadline"])
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    def _an_order(self):
        self.add()
        self.account._import_orders()
        return self.env["sale.order"].search(
            [("marketplace_account_id", "=", self.account.id)], limit=1
        )

    def test_scheduled_import_shares_one_deadline_per_execution(self):
        model = self.env["marketplace.account"].with_context(cron_id=7, lastcall="2026-11-23 10:00")
        first = model._cron_deadline()
        self.assertEqual(model._cron_deadline(), first)
        later = model.with_context(lastcall="2026-11-23 10:15")._cron_deadline()
        self.assertGreaterEqual(later, first)

    def test_each_execution_of_the_schedule_gets_a_deadline_of_its_own(self):
        # An execution that stopped on its budget is run again at once with the same lastcall
        # (Odoo 18 reschedules it as it is): that new execution, on a new cursor of the cron
        # worker, must get a budget of its own, not the spent one of the last execution.
        context = {"cron_id": 7, "lastcall": "2026-11-23 10:00:00"}
        deadlines = []
        for _execution in range(2):
            with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, context)
                deadline = budget.cron_deadline(env)
                self.assertEqual(budget.cron_deadline(env), deadline, "one per execution")
                deadlines.append(deadline)
            time.sleep(0.01)
        self.assertGreater(deadlines[1], deadlines[0])

    def test_fetch_from_the_screen_hands_over_to_the_schedule(self):
        self.use_page_size(10)
        for _ in range(13):
            self.add()
        self.env["ir.config_parameter"].set_param(
            "sale_marketplace_connector.manual_time_budget", "0"
        )
        wizard = self.env["marketplace.fetch.wizard"].create(
            {"account_ids": [(6, 0, self.account.ids)]}
        )
        action = wizard.action_fetch()
        self.env.invalidate_all()
        result = wizard.browse(action["res_id"])
        self.assertNotEqual(result, wizard)
        self.assertTrue(result.continues_in_background)
        self.assertEqual(len(result.line_ids), 10)
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_import_orders")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    # --- commits ---------------------------------------------------------------------------------
    def test_status_set_on_the_shop_only_after_its_order_is_committed(self):
        shop = PrestaShopSimulator(seed=4, orders=0)
        shop.start()
        self.addCleanup(shop.stop)
        account = self.env["marketplace.account"].create(
            {
                "name": "Shop",
                "backend": "prestashop",
                "api_url": shop.url,
                "api_secret": shop.secret,
                "shop_timezone": "Europe/Paris",
            }
        )
        account.status_mapping_ids.filtered(
            lambda m: m.code == "2"
        ).change_status_to = account.status_mapping_ids.filtered(lambda m: m.code == "3")
        raw = shop.add_order(2, [("HON-500", 1)], shipping=None, discount=None)
        events = []
        real_commit = sql_db.TestCursor.commit
        sale_model = self.env["sale.order"]

        def commit(cursor):
            found = (
                sale_model.with_env(sale_model.env(cr=cursor))
                .sudo()
                .search_count([("marketplace_order_id", "=", str(raw["id"]))])
            )
            events.append(("commit", found))
            return real_commit(cursor)

        def status_request(*args, **kwargs):
            events.append(("set status", None))

        with (
            patch.object(sql_db.TestCursor, "commit", commit),
            patch(
                "odoo.addons.sale_marketplace_connector.clients.prestashop.PrestaShopClient.add_order_history",
                side_effect=status_request,
            ),
        ):
            account._import_orders()
        first_status = events.index(("set status", None))
        self.assertIn(("commit", 1), events[:first_status])

    def test_failure_mid_run_keeps_the_pages_committed(self):
        self.use_page_size(10)
        for _ in range(13):
            self.add()
        # the second page keeps failing: the first stays imported, the next run goes on
        self.sim.on_request("/v4/orders", lambda: self.sim.inject("server_error", times=10), nth=2)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("partial", 10))
        self.assertIn("resumes from the last order imported", run.message)
        self.sim.clear_faults()
        run = self.fetch()
        self.assertEqual(run.created_count, 3)

    # --- the log ---------------------------------------------------------------------------------
    def test_payload_is_for_managers_and_old_runs_are_deleted(self):
        self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        run = self.fetch()
        line = run.line_ids
        self.assertTrue(line.payload)
        user = new_test_user(
            self.env, login="mp_log_reader", groups="sales_team.group_sale_salesman"
        )
        self.assertEqual(line.with_user(user).result, "failed")
        with self.assertRaises(AccessError):
            line.with_user(user).read(["payload"])
        self.account.log_retention_days = 30
        recent = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "trigger": "cron", "state": "done"}
        )
        run.started_at = fields.Datetime.now() - timedelta(days=31)
        self.env["marketplace.run"]._gc_old_runs()
        self.assertFalse(run.exists())
        self.assertFalse(line.exists())
        self.assertTrue(recent.exists())

    def test_runs_found_by_account_name_quickly(self):
        other = self.env["marketplace.account"].create({"name": "Zalando-ish", "backend": "cscart"})
        self.env["marketplace.run"].create(
            [
                {"account_id": account.id, "trigger": "cron", "state": "done"}
                for account in [self.account, other] * 150
            ]
        )
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        found = self.env["marketplace.run"].name_search("Zalando", limit=500)
        # a handful of queries whatever the number of runs (it used to compute every run's name)
        self.assertLessEqual(self.cr.sql_log_count - queries, 6)
        self.assertEqual(len(found), 150)
        self.assertTrue(all("Zalando" in name for __, name in found))

    def test_client_is_built_for_the_account(self):
        client = self.account._get_client()
        self.assertIsInstance(client, OttoClient)
        self.assertEqual(client.period_days, self.account.import_period_days)
