import time
from unittest.mock import patch

from odoo.tests import tagged

from ..importer.page_writer import PageWriter
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

    def test_an_order_meeting_a_concurrent_update_is_named_and_comes_in_next_run(self):
        """Found by the soak: a delivery validated while the import confirmed an order of the
        same product; PostgreSQL refused the import's write of the stock quant ("could not
        serialize access due to concurrent update"). The order fails alone, in the merchant's
        words, stays on the retry list, and the next run brings it in."""
        good = self.add()
        victim = self.add()
        victim_id = victim["salesOrderId"]
        create = PageWriter._create

        def create_meeting_a_concurrent_update(writer, plans):
            if any(plan.order.order_id == victim_id for plan in plans):
                writer.env.cr.execute(  # what PostgreSQL answers, raised by PostgreSQL itself
                    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent "
                    "update' USING ERRCODE = 'serialization_failure'; END $$"
                )
            return create(writer, plans)

        with patch.object(PageWriter, "_create", create_meeting_a_concurrent_update):
            run = self.fetch()
        line = self.line_of(run, victim_id)
        self.assertEqual(line.result, "failed")
        self.assertNotIn("Unexpected error", line.message)
        self.assertNotIn("serialize", line.message)
        self.assertIn("the next run tries the order again", line.message)
        self.assertTrue(self.sale(good["salesOrderId"]))
        self.assertFalse(self.sale(victim_id))
        self.assertEqual(self.retry_of(victim_id).state, "pending")
        run = self.fetch()
        self.assertEqual(len(self.sale(victim_id)), 1)
        self.assertFalse(self.retry_of(victim_id))

    def test_an_order_read_again_as_odoo_has_it_leaves_the_retry_list(self):
        """Found by the soak: a status change failed on a concurrent update, then the order came
        back to the status Odoo has (here the shop moved it back; in the soak Odoo's own status
        update did). Read in full and found unchanged, it leaves the retry list instead of
        staying there for ever."""
        raw = self.add()
        order_id = raw["salesOrderId"]
        self.fetch()
        self.sim.set_status(order_id, "SENT")
        self.sim.advance(60)

        def update_meeting_a_concurrent_update(writer, plans):
            writer.env.cr.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent "
                "update' USING ERRCODE = 'serialization_failure'; END $$"
            )

        with patch.object(PageWriter, "_update", update_meeting_a_concurrent_update):
            self.fetch()
        self.assertEqual(self.retry_of(order_id).state, "pending")
        self.assertEqual(self.sale(order_id).marketplace_status, "PROCESSABLE")
        self.sim.set_status(order_id, "PROCESSABLE")
        self.sim.advance(60)
        run = self.fetch()
        self.assertEqual(run.failed_count, 0)
        self.assertFalse(self.retry_of(order_id))
