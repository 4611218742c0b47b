"""What the network and the API throw at an import: each run ends cleanly, nothing is lost."""

from odoo.tests import tagged

from ..clients.otto import order_changed_at
from ..clients.parsing import iso_to_utc
from ..importer.run import SAFETY_OVERLAP
from ..simulators import OttoSimulator
from ..simulators.server import Response
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestImportFaults(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add_orders(self, count):
        return [
            self.sim.add_order("PROCESSABLE", [("TS-UNI-L", 1)], delivery_fee=None, discount=None)
            for _ in range(count)
        ]

    def imported(self):
        return self.env["sale.order"].search_count(
            [("marketplace_account_id", "=", self.account.id)]
        )

    def test_wrong_credentials(self):
        self.add_orders(1)
        self.account.api_secret = "wrong-secret-value"
        run = self.fetch()
        self.assertEqual(run.state, "failed")
        self.assertIn("refused the credentials", run.message)
        self.assertNotIn("wrong-secret-value", run.message)
        self.assertNotIn("wrong-secret-value", "".join(run.line_ids.mapped("message")))
        self.assertEqual(self.imported(), 0)

    def test_expired_token_renewed_once(self):
        self.add_orders(2)
        self.sim.inject("unauthorized", path="/v4/orders")
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 2))
        self.assertEqual(self.sim.request_count("/v1/token"), 2)

    def test_rate_limit_then_success(self):
        self.add_orders(2)
        self.sim.inject("rate_limit", path="/v4/orders", times=2, retry_after=0)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 2))
        statuses = [r["status"] for r in self.sim.requests if r["path"] == "/v4/orders"]
        self.assertEqual(statuses, [429, 429, 200])

    def test_server_error_then_success(self):
        self.add_orders(1)
        self.sim.inject("server_error", path="/v4/orders", status=503)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_timeout_then_success(self):
        self.add_orders(1)
        self.account.request_timeout = 1
        self.sim.inject("slow", path="/v4/orders", seconds=1.5)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_lasting_outage_fails_cleanly_and_next_run_resumes(self):
        self.add_orders(2)
        self.sim.inject("server_error", path="/v4/orders", times=10)
        run = self.fetch()
        self.assertEqual(run.state, "failed")
        self.assertIn("HTTP 500", run.message)
        self.assertFalse(self.account.imported_until)
        self.sim.clear_faults()
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 2))

    def test_timeouts_exhaust_retries(self):
        self.add_orders(1)
        self.account.request_timeout = 1
        self.sim.inject("slow", path="/v4/orders", seconds=1.5, times=4)
        run = self.fetch()
        self.assertEqual(run.state, "failed")
        self.assertIn("no answer within 1 s", run.message)

    def test_pages_and_a_broken_page(self):
        self.use_page_size(10)
        self.add_orders(13)  # two pages
        self.sim.inject("truncated_json", path="/v4/orders")  # the first answer is cut: retried
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 13))
        self.assertEqual(
            [r["status"] for r in self.sim.requests if r["path"] == "/v4/orders"], [200, 200, 200]
        )

    def test_broken_second_page_keeps_first_and_resumes(self):
        self.use_page_size(10)
        self.add_orders(11)  # a full page, then one more
        list_orders = self.sim._list_orders

        def broken_next_pages(request):
            if request.arg("nextcursor"):
                return Response(200, b'{"resources": [{"salesOrderId": ')
            return list_orders(request)

        self.sim._list_orders = broken_next_pages
        first = self.fetch()
        self.assertEqual(first.state, "partial")
        self.assertIn("not valid JSON", first.message)
        self.assertEqual(first.created_count, 10)
        del self.sim._list_orders
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))
        self.assertEqual(self.imported(), 11)

    def test_same_order_on_two_pages(self):
        self.use_page_size(10)
        self.add_orders(14)
        self.sim.inject("duplicate", path="/v4/orders")
        run = self.fetch()
        self.assertEqual((run.state, run.created_count, run.failed_count), ("done", 14, 0))
        self.assertEqual(self.imported(), 14)

    def test_second_run_fetches_only_changes(self):
        raws = self.add_orders(3)
        self.fetch()
        imported_until = self.account.imported_until
        self.assertEqual(imported_until, order_changed_at(raws[-1]))
        self.sim.advance(3600)
        self.sim.set_status(raws[0]["salesOrderId"], "SENT")
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual((run.created_count, run.updated_count), (0, 1))
        self.assertEqual(len(run.line_ids), 1)
        self.assertEqual(run.request_count, 2)  # a token and one page
        # asked from the last import date, minus the safety overlap
        from_date = self.sim.requests[-1]["query"]["fromDate"][0]
        self.assertEqual(iso_to_utc(from_date), imported_until - SAFETY_OVERLAP)
        self.assertEqual(self.account.imported_until, order_changed_at(raws[0]))

    def test_nothing_new_costs_two_requests(self):
        self.add_orders(2)
        self.fetch()
        self.sim.advance(3600)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual((run.state, len(run.line_ids)), ("done", 0))
        self.assertLessEqual(self.sim.request_count(), 2)
