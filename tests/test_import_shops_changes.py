"""The web shops as they really are: changes during a run, lists without change dates, keys
without every permission, pricelists and VAT numbers of the merchant's Odoo."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..simulators import CsCartSimulator
from .common import CsCartOrders, MarketplaceImportCase, PrestaShopOrders

# what a PrestaShop key with the documented permissions may do
READS = ("orders", "order_states", "addresses", "customers", "countries", "currencies")


@tagged("post_install", "-at_install")
class TestPrestaShopChanges(PrestaShopOrders, MarketplaceImportCase):
    def test_order_changed_during_the_run_is_read_again(self):
        self.use_page_size(10)
        raws = [self.add() for _ in range(15)]
        first = raws[0]
        # while the client reads the second page, the merchant cancels an order of the first
        self.sim.on_request(
            "/api/orders", lambda: (self.sim.advance(5), self.sim.set_status(first["id"], 6)), nth=2
        )
        run = self.fetch()
        self.assertEqual(run.created_count, 15)
        self.assertEqual(self.sale(first["id"]).state, "cancel")
        lines = run.line_ids.filtered(lambda line: line.marketplace_order_id == str(first["id"]))
        self.assertEqual(lines.mapped("result"), ["created", "updated"])

    def test_key_without_currencies(self):
        self.sim.permissions = {name: ["GET"] for name in READS if name != "currencies"}
        with self.assertRaises(UserError) as caught:
            self.account.action_test_connection()
        self.assertIn("may not read: currencies", str(caught.exception))
        self.account.shop_currency_id = self.env.ref("base.EUR")
        raw = self.add()
        run = self.fetch()
        sale = self.sale(raw["id"])
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertTotal(sale, self.sim.expected_total(raw["id"]))
        self.assertIn("may not read currencies", self.line_of(run, raw["id"]).message)
        self.sim.permissions = {name: ["GET"] for name in READS}
        action = self.account.action_test_connection()
        self.assertIn("currencies", action["params"]["message"])

    def test_key_without_status_writes(self):
        self.sim.permissions = {name: ["GET"] for name in READS} | {"order_histories": ["GET"]}
        self.mapping("2").change_status_to = self.mapping("3")
        raw = self.add()
        run = self.fetch()
        message = self.line_of(run, raw["id"]).message
        self.assertIn("Could not set the status", message)
        self.assertIn("not allowed", message)
        self.assertEqual(self.sale(raw["id"]).marketplace_status_to_push, "3")

    def test_nothing_new_costs_no_address_look_ups(self):
        raws = [self.add() for _ in range(3)]
        self.fetch()
        self.sim.advance(60)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertFalse(run.line_ids)
        self.assertLessEqual(run.request_count, 2)
        self.assertEqual(self.sim.request_count("/api/orders"), 1)
        self.assertEqual(self.sim.request_count("/api/addresses"), 0)
        self.assertEqual(self.sim.request_count("/api/customers"), 0)
        # a status change costs the reading of that order only
        self.sim.set_status(raws[1]["id"], 6)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(run.updated_count, 1)
        addresses = [r for r in self.sim.requests if r["path"] == "/api/addresses"]
        self.assertEqual(len(addresses), 1)
        asked = addresses[0]["query"]["filter[id]"][0].strip("[]").split("|")
        self.assertEqual(
            set(asked), {str(raws[1]["id_address_delivery"]), str(raws[1]["id_address_invoice"])}
        )

    def test_skipped_orders_are_not_read_in_full(self):
        self.add(status=8)  # payment error: not imported by default
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(run.skipped_count, 1)
        self.assertEqual(self.sim.request_count("/api/addresses"), 0)

    def test_pricelist_discounts_do_not_reach_imported_lines(self):
        self.env.user.groups_id += self.env.ref("sale.group_discount_per_so_line")
        rebate = self.env["product.pricelist"].create(
            {
                "name": "10 % for everyone",
                "sequence": 1,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "compute_price": "percentage",
                            "percent_price": 10,
                            "applied_on": "3_global",
                        },
                    )
                ],
            }
        )
        self.env["res.partner"].search([]).property_product_pricelist = rebate
        raw = self.add(items=[("GP-28", 2)])
        self.fetch()
        sale = self.sale(raw["id"])
        self.assertEqual(sale.pricelist_id.marketplace_account_id, self.account)
        self.assertEqual(sale.order_line.mapped("discount"), [0.0])
        self.assertTotal(sale, self.sim.expected_total(raw["id"]))
        # the pricelist's quantity recomputation does not touch the shop's price either
        sale.order_line.product_uom_qty = 3
        self.assertEqual(sale.order_line.discount, 0.0)

    def test_vat_number_odoo_refuses_is_a_warning(self):
        self.assertTrue(self.env["ir.module.module"]._get("base_vat").state == "installed")
        raw = self.add(vat_number="FR00000000000", company="Atelier Dupont")
        run = self.fetch()
        sale = self.sale(raw["id"])
        self.assertTrue(sale, run.line_ids.mapped("message"))
        self.assertFalse(sale.partner_id.vat)
        self.assertIn("VAT number FR00000000000", self.line_of(run, raw["id"]).message)
        good = self.add(vat_number="FR40303265045", company="Atelier Martin", email="m@example.fr")
        self.fetch()
        self.assertEqual(self.sale(good["id"]).partner_invoice_id.vat, "FR40303265045")

    def test_prices_rounded_half_up(self):
        raw = self.add(items=[("GP-28", 1)])
        # 54.885 is 54.89 for a shop (half up); Decimal's default (half to even) gave 54.88
        raw["associations"]["order_rows"][0]["unit_price_tax_incl"] = "54.885000"
        raw["total_paid_tax_incl"] = "54.885000"
        self.fetch()
        sale = self.sale(raw["id"])
        self.assertEqual(sale.order_line.price_unit, 54.89)
        self.assertTotal(sale, "54.89")


@tagged("post_install", "-at_install")
class TestCsCartChanges(CsCartOrders, MarketplaceImportCase):
    def use_legacy_shop(self):
        sim = CsCartSimulator(seed=9, orders=0, legacy=True)
        sim.start()
        self.addCleanup(sim.stop)
        self.sim = sim
        self.account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})

    def test_old_cscart_sees_status_changes_within_the_period(self):
        self.use_legacy_shop()
        placed = self.sim.clock
        old = [self.add("O") for _ in range(3)]
        self.sim.advance(3 * 86400)
        self.fetch()
        self.assertEqual(self.sale(old[0]["order_id"]).state, "draft")
        # days later the merchant marks one of them processed
        self.sim.advance(2 * 86400)
        self.sim.set_status(old[0]["order_id"], "P")
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(self.sale(old[0]["order_id"]).state, "sale")
        # only the changed order was read in full
        details = [r["path"] for r in self.sim.requests if r["path"].startswith("/api/2.0/orders/")]
        self.assertEqual(details, [f"/api/2.0/orders/{old[0]['order_id']}"])
        self.assertLess(placed.replace(tzinfo=None), self.account.imported_until)

    def test_nothing_new_reads_no_details(self):
        for _ in range(3):
            self.add()
        self.fetch()
        self.sim.advance(60)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertFalse(run.line_ids)
        # the probe of the change-date filter and one page of summaries
        self.assertEqual(run.request_count, 2)
        self.assertEqual(self.sim.request_count("/api/2.0/orders/"), 0)

    def test_order_changed_behind_the_listing_is_seen_next_run(self):
        self.use_page_size(10)
        raws = [self.add() for _ in range(15)]
        first = raws[0]
        # the list goes by order id: while page 2 is read, an order of page 1 is cancelled
        self.sim.on_request(
            "/api/2.0/orders",
            lambda: (self.sim.advance(5), self.sim.set_status(first["order_id"], "I")),
            nth=3,  # the probe, page 1, then page 2
        )
        run = self.fetch()
        self.assertEqual(run.created_count, 15)
        self.assertEqual(self.sale(first["order_id"]).state, "sale")
        # the next run starts from when this listing began, by the shop's clock: it sees it
        self.sim.advance(3600)
        run = self.fetch()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(self.sale(first["order_id"]).state, "cancel")

    def test_summaries_without_status_change_are_not_read(self):
        raw = self.add("O")
        self.fetch()
        self.sim.advance(600)
        # an edit that keeps the status (CS-Cart bumps updated_at): nothing to do for Odoo
        self.sim.orders[str(raw["order_id"])]["notes"] = "gift wrap"
        self.sim._touch(self.sim.orders[str(raw["order_id"])])
        self.sim.reset_requests()
        run = self.fetch()
        self.assertFalse(run.line_ids)
        self.assertEqual(self.sim.request_count("/api/2.0/orders/"), 0)
