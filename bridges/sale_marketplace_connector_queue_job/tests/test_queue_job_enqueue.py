"""The scheduled import and sending enqueue one job per account and kind, in the channel of the
account's backend, and nothing runs inline."""

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common import trap_jobs

JOB_METHOD = "_run_queued_account_work"


@tagged("post_install", "-at_install")
class TestQueueJobEnqueue(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["marketplace.account"].search([]).active = False
        cls.accounts = cls.env["marketplace.account"].create(
            [
                {"name": f"Shop {backend}", "backend": backend, "api_url": "http://127.0.0.1:9"}
                for backend in ("otto", "prestashop", "cscart")
            ]
        )

    def jobs(self):
        return self.env["queue.job"].search(
            [("model_name", "=", "marketplace.account"), ("method_name", "=", JOB_METHOD)]
        )

    def test_scheduled_import_enqueues_a_job_per_account_in_its_backends_channel(self):
        with trap_jobs() as trap:
            self.env["marketplace.account"]._cron_import_orders()
        trap.assert_jobs_count(3)
        for account in self.accounts:
            trap.assert_enqueued_job(
                getattr(account, JOB_METHOD),
                args=("import",),
                kwargs={"trigger": "cron"},
                properties={
                    "channel": f"root.marketplace.{account.backend}",
                    "identity_key": f"sale_marketplace_connector:import:{account.id}",
                },
            )
        # the jobs do the work: the scheduled action itself ran no import
        self.assertFalse(self.env["marketplace.run"].search([]))

    def test_scheduled_sending_enqueues_a_job_per_account(self):
        with trap_jobs() as trap:
            self.accounts._schedule_account_work("export")
        trap.assert_jobs_count(3)
        for account in self.accounts:
            trap.assert_enqueued_job(
                getattr(account, JOB_METHOD),
                args=("export",),
                properties={
                    "channel": f"root.marketplace.{account.backend}",
                    "identity_key": f"sale_marketplace_connector:export:{account.id}",
                },
            )

    def test_a_waiting_job_is_not_enqueued_twice(self):
        account_model = self.env["marketplace.account"]
        account_model._cron_import_orders()
        account_model._cron_import_orders()  # the next execution, the jobs still waiting
        self.accounts._schedule_account_work("export")
        jobs = self.jobs()
        self.assertEqual(len(jobs), 6, jobs.mapped("name"))
        for kind in ("import", "export"):
            of_kind = jobs.filtered(lambda job, kind=kind: tuple(job.args) == (kind,))
            self.assertEqual(sorted(job.records.id for job in of_kind), self.accounts.ids, kind)
            self.assertEqual(len(set(of_kind.mapped("identity_key"))), 3)
        self.assertTrue(all(job.state == "pending" for job in jobs))

    def test_the_channels_exist_for_the_merchant_to_set_their_capacity(self):
        self.env["marketplace.account"]._cron_import_orders()
        channels = self.env["queue.job.channel"].search(
            [("complete_name", "in", self.jobs().mapped("channel"))]
        )
        self.assertEqual(
            sorted(channels.mapped("complete_name")),
            ["root.marketplace.cscart", "root.marketplace.otto", "root.marketplace.prestashop"],
        )
        channels.filtered(lambda channel: channel.name == "otto").capacity = 2
        otto = channels.filtered(lambda channel: channel.name == "otto")
        self.assertEqual(otto.effective_capacity, min(2, otto.parent_id.effective_capacity))

    def test_the_job_function_retries_shop_outages_and_opens_the_run(self):
        config = self.env["queue.job.function"].job_config(f"<marketplace.account>.{JOB_METHOD}")
        self.assertEqual(config.channel, "root.marketplace")
        self.assertEqual(config.retry_pattern, {1: 60, 2: 300, 4: 1800})
        self.assertEqual(config.related_action_func_name, "related_action_marketplace_run")
