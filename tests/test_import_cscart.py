from odoo.tests import tagged

from ..simulators import CsCartSimulator
from .common import CsCartOrders, MarketplaceImportCase

NEW_ORDER_STATES = {"O": "draft", "P": "sale", "C": "sale"}


@tagged("post_install", "-at_install")
class TestCsCartImport(CsCartOrders, MarketplaceImportCase):
    def test_every_default_status_row_for_new_orders(self):
        payloads = {status: self.add(status) for status in "OPCFDBIYN"}
        run = self.fetch()
        for status, raw in payloads.items():
            with self.subTest(status=status):
                sale = self.sale(raw["order_id"])
                self.assertEqual(sale.state or None, NEW_ORDER_STATES.get(status))
                if status == "N":
                    # CS-Cart hides incomplete orders: never asked for, never imported
                    self.assertFalse(
                        run.line_ids.filtered(lambda line: line.marketplace_status == "N")
                    )
                else:
                    expected = "created" if status in NEW_ORDER_STATES else "skipped"
                    self.assertEqual(self.line_of(run, raw["order_id"]).result, expected)

    def test_order_to_the_cent(self):
        raw = self.add(
            "P", [("VD-1L", 4), ("MB-6", 1)], shipping="7.50", discount="10.00", country="BE"
        )
        self.fetch()
        sale = self.sale(raw["order_id"])
        self.assertEqual(sale.state, "sale")
        self.assertTotal(sale, self.sim.expected_total(raw["order_id"]))
        self.assertEqual(sale.partner_id.country_id.code, "BE")

    def test_many_orders_match_their_totals(self):
        sim = CsCartSimulator(seed=4, orders=50)
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})
        run = self.fetch()
        self.assertEqual(run.failed_count, 0, run.line_ids.mapped("message"))
        for sale in self.env["sale.order"].search(
            [("marketplace_account_id", "=", self.account.id)]
        ):
            self.assertTotal(sale, sim.expected_total(sale.marketplace_order_id))

    def test_status_changes_of_imported_orders(self):
        open_order = self.add("O")
        processed = self.add("P")
        declined = self.add("P")
        self.fetch()
        self.sim.advance(600)
        self.sim.set_status(open_order["order_id"], "P")
        self.sim.set_status(processed["order_id"], "I")
        self.sim.set_status(declined["order_id"], "D")
        run = self.fetch()
        self.assertEqual(run.updated_count, 3)
        self.assertEqual(self.sale(open_order["order_id"]).state, "sale")
        self.assertEqual(self.sale(processed["order_id"]).state, "cancel")
        self.assertEqual(self.sale(declined["order_id"]).state, "cancel")

    def test_change_status_by_put_without_products(self):
        self.mapping("P").change_status_to = self.mapping("C")
        raw = self.add("P")
        self.fetch()
        self.assertEqual(self.sim.status_changes, [(raw["order_id"], "C")])
        puts = [r for r in self.sim.requests if r["method"] == "PUT"]
        self.assertEqual(puts[0]["body"], {"status": "C"})
        self.assertFalse(self.sim.product_replacements)

    def test_guest_and_registered_buyers(self):
        guest = self.add("P", user_id=0, email="gast@example.de")
        again = self.add("P", user_id=0, email="gast@example.de")
        self.fetch()
        self.assertEqual(
            self.sale(guest["order_id"]).partner_id, self.sale(again["order_id"]).partner_id
        )
        self.assertEqual(
            self.sale(guest["order_id"]).partner_id.marketplace_customer_key, "gast@example.de"
        )

    def test_legacy_cs_cart_without_change_dates(self):
        sim = CsCartSimulator(seed=6, orders=0, legacy=True)
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})
        raws = [sim.add_order("P", [("RS-25L", 1)], shipping=None, discount=None) for _ in range(3)]
        run = self.fetch()
        self.assertEqual(run.created_count, 3)
        sim.advance(3600)
        late = sim.add_order("C", [("RS-25L", 1)], shipping=None, discount=None)
        run = self.fetch()
        self.assertEqual(run.created_count, 1)
        self.assertTrue(self.sale(late["order_id"]))
        self.assertEqual(len(self.sale(raws[0]["order_id"])), 1)

    def test_load_statuses(self):
        sim = CsCartSimulator(seed=6, orders=0, custom_statuses={"A": "Attente marketplace"})
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})
        self.account.action_load_statuses()
        self.assertEqual(self.mapping("A").name, "Attente marketplace")
        self.assertFalse(self.mapping("A").selected)
        self.assertEqual(len(self.account.status_mapping_ids), 10)

    def test_orders_in_the_shop_currency(self):
        usd = self.env.ref("base.USD")
        self.account.shop_currency_id = usd
        raw = self.add("P", [("RS-25L", 2)])
        self.fetch()
        sale = self.sale(raw["order_id"])
        self.assertEqual(sale.currency_id, usd)
        self.assertTotal(sale, self.sim.expected_total(raw["order_id"]))
