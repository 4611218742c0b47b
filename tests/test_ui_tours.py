from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from ..clients.base import BaseClient
from ..simulators import OttoSimulator
from ..simulators.data import localized_catalog


@tagged("post_install", "-at_install")
class TestMarketplaceTours(HttpCase):
    """The screens people use, in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="tour_manager",
            password="tour_manager-pw1",
            groups="sales_team.group_sale_manager,stock.group_stock_user",
        )
        new_test_user(
            cls.env,
            login="tour_salesman",
            password="tour_salesman-pw1",
            groups="sales_team.group_sale_salesman,stock.group_stock_user",
        )

    def test_account_tour(self):
        self.start_tour("/odoo", "marketplace_account_tour", login="tour_manager")
        account = self.env["marketplace.account"].search([("name", "=", "Tour CS-Cart shop")])
        self.assertEqual(account.backend, "cscart")
        self.assertEqual(account.sudo().api_secret, "tour-api-key")
        self.assertEqual(len(account.status_mapping_ids), 9)

    def test_fetch_tour(self):
        sim = OttoSimulator(seed=21, orders=0)
        sim.start()
        self.addCleanup(sim.stop)
        patcher = patch.object(BaseClient, "backoff_base", 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        entry = localized_catalog("de")[0]
        self.env["product.product"].create(
            {"name": entry["title"], "default_code": entry["sku"], "type": "consu"}
        )
        raw = sim.add_order("PROCESSABLE", [(entry["sku"], 1)], delivery_fee=None, discount=None)
        self.env["marketplace.account"].search([]).active = False
        self.env["marketplace.account"].create(
            {
                "name": "Tour OTTO",
                "backend": "otto",
                "api_url": sim.url,
                "api_login": sim.login,
                "api_secret": sim.secret,
            }
        )
        self.start_tour("/odoo", "marketplace_fetch_tour", login="tour_salesman")
        sale = self.env["sale.order"].search([("marketplace_order_id", "=", raw["salesOrderId"])])
        self.assertEqual(sale.state, "sale")
