"""The same faults for the two web shops: their own auth, paging and error shapes."""

from odoo.tests import tagged

from ..simulators import CsCartSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase


class ShopFaultsMixin:
    first_status = None
    item = None

    def add(self, sku=None, **kwargs):
        return self.sim.add_order(
            self.first_status, [(sku or self.item, 1)], shipping=None, discount=None, **kwargs
        )

    def order_id(self, raw):
        return str(raw.get("id") or raw.get("order_id"))

    def imported(self):
        return self.env["sale.order"].search_count(
            [("marketplace_account_id", "=", self.account.id)]
        )

    def test_wrong_credentials(self):
        self.add()
        self.account.api_secret = "not-the-key-123"
        run = self.fetch()
        self.assertEqual(run.state, "failed")
        self.assertIn("refused the credentials", run.message)
        self.assertNotIn("not-the-key-123", run.message)

    def test_rate_limit_and_server_error_then_success(self):
        self.add()
        self.sim.inject("rate_limit", retry_after=0)
        self.sim.inject("server_error", status=502)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_timeout_then_success(self):
        self.add()
        self.account.request_timeout = 1
        self.sim.inject("slow", seconds=1.5)
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_more_than_one_page_and_no_duplicates(self):
        self.use_page_size(10)
        for _ in range(15):
            self.add()
        run = self.fetch()
        self.assertEqual((run.state, run.created_count), ("done", 15))
        run = self.fetch(since=run.since)
        self.assertEqual((run.created_count, self.imported()), (0, 15))

    def test_unknown_product_under_both_policies(self):
        raw = self.add(sku="UNKNOWN-1", prices={"UNKNOWN-1": "9.90"})
        run = self.fetch()
        self.assertEqual(run.failed_count, 1)
        self.assertIn("UNKNOWN-1", run.line_ids.message)
        fallback = self.env["product.product"].create({"name": "Article inconnu"})
        self.account.write(
            {"unknown_product_policy": "fallback", "fallback_product_id": fallback.id}
        )
        run = self.fetch()
        sale = self.sale(self.order_id(raw))
        self.assertEqual(sale.order_line.product_id, fallback)
        self.assertTotal(sale, "9.90")


@tagged("post_install", "-at_install")
class TestPrestaShopFaults(ShopFaultsMixin, MarketplaceImportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"
    first_status = 2
    item = "PZ-1000"


@tagged("post_install", "-at_install")
class TestCsCartFaults(ShopFaultsMixin, MarketplaceImportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"
    first_status = "P"
    item = "PZ-1000"
