import time

from odoo.tests import tagged

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestRetryRules(MarketplaceImportCase):
    """The retry list keeps only orders worth retrying, and has its turn in every run."""

    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, sku="HON-500", **kwargs):
        kwargs.setdefault("delivery_fee", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order("PROCESSABLE", [(sku, 1)], **kwargs)

    def retry_of(self, order_id):
        return self.env["marketplace.retry"].search(
            [("account_id", "=", self.account.id), ("marketplace_order_id", "=", order_id)]
        )

    def test_an_order_the_shop_no_longer_finds_waits_for_retry_now(self):
        bad = self.add(sku="NEVER-CREATED", prices={"NEVER-CREATED": "5.00"})
        self.fetch()
        retry = self.retry_of(bad["salesOrderId"])
        self.assertEqual(retry.state, "pending")
        del self.sim.orders[bad["salesOrderId"]]  # the shop answers 404 from now on
        self.sim.advance(3600)
        run = self.fetch()
        self.assertEqual(retry.state, "manual")
        self.assertIn("Not Found", retry.reason)
        self.assertEqual(run.failed_count, 1)
        # reported once: the next runs do not ask the shop again
        self.sim.advance(3600)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(self.sim.request_count(f"/v4/orders/{bad['salesOrderId']}"), 0)
        self.assertEqual(run.failed_count, 0)
        self.assertEqual(self.account.retry_count, 1)  # still on the list, shown
        # "Retry Now" asks again
        retry.action_retry_now()
        self.assertEqual(self.sim.request_count(f"/v4/orders/{bad['salesOrderId']}"), 1)

    def test_a_malformed_order_is_reported_once(self):
        broken = dict(self.add())
        broken["positionItems"] = []
        self.sim.add_raw_order(broken)
        self.fetch()
        retry = self.retry_of(broken["salesOrderId"])
        self.assertEqual(retry.state, "manual")
        self.sim.advance(3600)
        self.sim.reset_requests()
        self.fetch()
        self.assertEqual(self.sim.request_count(f"/v4/orders/{broken['salesOrderId']}"), 0)

    def test_retries_run_when_a_run_stops_on_its_time_budget(self):
        bad = self.add(sku="LATE-SKU", prices={"LATE-SKU": "5.00"})
        self.fetch()
        self.assertEqual(self.retry_of(bad["salesOrderId"]).state, "pending")
        self.env["product.product"].create(
            {
                "name": "Late product",
                "default_code": "LATE-SKU",
                "taxes_id": [(6, 0, self.taxes[19].ids)],
            }
        )
        self.sim.advance(3600)
        self.add()
        # a run whose time is already spent: it reads one page and stops, and still retries
        run = self.account._import_orders(deadline=time.monotonic() - 1)
        self.assertTrue(run.stopped_early)
        self.assertTrue(self.sale(bad["salesOrderId"]))
        self.assertFalse(self.retry_of(bad["salesOrderId"]))
