"""An account's job run as queue_job runs it: it imports the shop's orders, says which run is
its own, and turns a shop out of service into a retry of the job."""

from unittest.mock import patch

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.sale_marketplace_connector.clients.base import BaseClient
from odoo.addons.sale_marketplace_connector.tests.common import (
    MarketplaceImportCase,
    PrestaShopOrders,
)
from odoo.tests import tagged

from ..models.marketplace_account import JOB_BUDGET_PARAMETER
from .common import trap_jobs


@tagged("post_install", "-at_install")
class TestQueueJobRun(PrestaShopOrders, MarketplaceImportCase):
    def setUp(self):
        super().setUp()
        # the client's own retries honour the shop's Retry-After: no real waiting in tests
        patcher = patch.object(BaseClient, "_sleep", lambda client, seconds: None)
        patcher.start()
        self.addCleanup(patcher.stop)

    def enqueue_import(self):
        """The scheduled import's job of the account, trapped (not stored)."""
        with trap_jobs() as trap:
            self.env["marketplace.account"]._cron_import_orders()
        trap.assert_jobs_count(1)
        return trap.enqueued_jobs[0]

    def retry_asked(self, job):
        """Perform ``job``; the RetryableJobError it raises. (Not assertRaises: Odoo's rolls
        back what the block did, the runs too, while a run's commits stay in production.)"""
        try:
            job.perform()
        except RetryableJobError as error:
            return error
        self.fail("the job did not ask to be tried again")

    def job_record(self):
        return self.env["queue.job"].search([("model_name", "=", "marketplace.account")])

    def runs(self):
        return self.env["marketplace.run"].search([("account_id", "=", self.account.id)])

    def test_a_job_run_by_queue_job_imports_the_orders_and_opens_its_run(self):
        first, second = self.add(), self.add()
        self.env["marketplace.account"]._cron_import_orders()
        record = self.job_record()
        self.assertEqual(len(record), 1)
        self.assertEqual(record.channel, "root.marketplace.prestashop")

        RunJobController._runjob(self.env, Job.load(self.env, record.uuid))
        self.env.invalidate_all()

        self.assertEqual(record.state, "done", record.exc_info)
        self.assertTrue(self.sale(first["id"]))
        self.assertTrue(self.sale(second["id"]))
        run = self.runs()
        self.assertEqual(len(run), 1)
        self.assertEqual((run.state, run.trigger, run.created_count), ("done", "cron", 2))
        self.assertEqual(run.queue_job_uuid, record.uuid)
        self.assertIn(f"run {run.id}, 2 handled", record.result)
        action = record.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), ("marketplace.run", run.id))

    def test_a_job_without_a_run_opens_the_account(self):
        self.env["marketplace.account"]._cron_import_orders()
        record = self.job_record()
        action = record.open_related_action()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("marketplace.account", self.account.id)
        )

    def test_a_rate_limit_is_tried_again_after_the_shops_retry_after(self):
        order = self.add()
        job = self.enqueue_import()
        # the client's four tries all answered 429: the job waits as long as the shop asks
        self.sim.inject("rate_limit", times=4, retry_after=90)
        error = self.retry_asked(job)
        self.assertEqual(error.seconds, 90)
        self.assertEqual(job.retry, 1)
        run = self.runs()
        self.assertEqual((run.state, run.queue_job_uuid), ("failed", job.uuid))
        self.assertIn("429", error.args[0])
        self.assertFalse(self.sale(order["id"]))

    def test_a_shop_out_of_service_is_tried_again_by_the_retry_pattern(self):
        self.add()
        job = self.enqueue_import()
        self.sim.inject("server_error", times=4, status=503)
        error = self.retry_asked(job)
        self.assertIsNone(error.seconds)
        self.assertEqual(job._get_retry_seconds(error.seconds), 60)
        self.assertEqual(self.runs().queue_job_uuid, job.uuid)
        # the next try, the shop back: the orders come in
        job.perform()
        self.assertEqual(len(self.runs()), 2)
        self.assertEqual(self.runs()[0].created_count, 1)

    def test_a_run_stopped_by_the_time_budget_goes_on_without_counting_a_retry(self):
        self.use_page_size(1)
        first, second = self.add(), self.add()
        self.env["ir.config_parameter"].set_param(JOB_BUDGET_PARAMETER, "0.000001")
        job = self.enqueue_import()
        error = self.retry_asked(job)
        self.assertEqual(error.seconds, 1)
        self.assertTrue(error.ignore_retry)
        self.assertEqual(job.retry, 0)
        self.assertTrue(self.runs().stopped_early)
        self.assertTrue(self.sale(first["id"]))
        self.assertFalse(self.sale(second["id"]))
        # the next try goes on from there
        self.env["ir.config_parameter"].set_param(JOB_BUDGET_PARAMETER, "600")
        job.perform()
        self.assertTrue(self.sale(second["id"]))

    def test_refused_credentials_end_the_job_and_the_run_says_why(self):
        self.add()
        self.account.api_secret = "WRONGKEYWRONGKEYWRONGKEYWRONGKEY"
        job = self.enqueue_import()
        result = job.perform()
        run = self.runs()
        self.assertEqual(run.state, "failed")
        self.assertIn(f"run {run.id} stopped", result)
