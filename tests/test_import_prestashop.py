import xml.etree.ElementTree as ET
from datetime import timedelta

from odoo.tests import tagged

from ..clients.parsing import local_to_utc
from ..simulators import PrestaShopSimulator
from .common import MarketplaceImportCase, PrestaShopOrders

NEW_ORDER_STATES = {"1": "draft", "10": "draft", "2": "sale", "5": "sale"}


@tagged("post_install", "-at_install")
class TestPrestaShopImport(PrestaShopOrders, MarketplaceImportCase):
    def test_every_default_status_row_for_new_orders(self):
        payloads = {str(state): self.add(state) for state in range(1, 14)}
        run = self.fetch()
        for state, raw in payloads.items():
            with self.subTest(state=state):
                sale = self.sale(raw["id"])
                self.assertEqual(sale.state or None, NEW_ORDER_STATES.get(state))
                expected = "created" if state in NEW_ORDER_STATES else "skipped"
                self.assertEqual(self.line_of(run, raw["id"]).result, expected)

    def test_order_to_the_cent_with_shipping_discount_and_time_zone(self):
        raw = self.add(
            2,
            [("TS-UNI-L", 3), ("KB-BIO-1KG", 2), ("PZ-1000", 1)],
            shipping="6.90",
            discount="4.50",
            phone="06 12 34 56 78",
        )
        run = self.fetch()
        self.assertEqual(run.created_count, 1)
        sale = self.sale(raw["id"])
        self.assertEqual(sale.marketplace_order_ref, raw["reference"])
        self.assertEqual(sale.state, "sale")
        self.assertTotal(sale, self.sim.expected_total(raw["id"]))
        self.assertEqual(sale.marketplace_order_date, local_to_utc(raw["date_add"], "Europe/Paris"))
        self.assertEqual(sale.partner_id.country_id.code, "FR")
        self.assertEqual(sale.partner_id.phone, "+33612345678")
        # the reduced rate of the coffee (5.5 %) is kept, tax included
        coffee = sale.order_line.filtered(lambda line: line.product_id.default_code == "KB-BIO-1KG")
        self.assertEqual(coffee.tax_id.amount, 5.5)
        self.assertTrue(coffee.tax_id.price_include)

    def test_shipping_taxed_at_the_carriers_rate(self):
        """The shop taxes its carrier at 5.5 % (its tax rule), the shipping product in Odoo at
        20 %: the delivery line takes the shop's rate, its VAT is the shop's shipping VAT."""
        raw = self.add(2, [("TS-UNI-L", 2)], shipping="6.90", discount=None, carrier_tax_rate=5.5)
        self.assertEqual(raw["carrier_tax_rate"], "5.500")
        self.assertEqual(self.account.shipping_product_id.taxes_id.amount, 20)
        self.fetch()
        sale = self.sale(raw["id"])
        fee = sale.order_line.filtered("is_delivery")
        self.assertEqual(fee.tax_id.amount, 5.5)
        self.assertEqual(fee.price_total, 6.90)
        shop_vat = float(raw["total_shipping_tax_incl"]) - float(raw["total_shipping_tax_excl"])
        self.assertEqual(round(fee.price_tax, 2), round(shop_vat, 2))
        self.assertEqual(sale.amount_total, float(raw["total_paid_tax_incl"]))
        self.assertTotal(sale, self.sim.expected_total(raw["id"]))

    def test_many_orders_match_their_totals(self):
        sim = PrestaShopSimulator(seed=8, orders=50)
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_secret": sim.secret})
        run = self.fetch()
        self.assertEqual(run.failed_count, 0, run.line_ids.mapped("message"))
        self.assertGreater(run.created_count, 10)
        for sale in self.env["sale.order"].search(
            [("marketplace_account_id", "=", self.account.id)]
        ):
            self.assertTotal(sale, sim.expected_total(sale.marketplace_order_id))

    def test_status_changes_of_imported_orders(self):
        waiting = self.add(10)
        paid = self.add(2)
        quotation = self.add(1)
        self.fetch()
        self.assertEqual(self.sale(waiting["id"]).state, "draft")
        self.sim.advance(600)
        self.sim.set_status(waiting["id"], 2)
        self.sim.set_status(paid["id"], 6)
        self.sim.set_status(quotation["id"], 6)
        run = self.fetch()
        self.assertEqual(run.updated_count, 3)
        self.assertEqual(self.sale(waiting["id"]).state, "sale")
        self.assertEqual(self.sale(paid["id"]).state, "cancel")
        self.assertEqual(self.sale(quotation["id"]).state, "cancel")
        # a confirmed order never goes back to a quotation
        self.sim.advance(600)
        self.sim.set_status(waiting["id"], 8)
        run = self.fetch()
        self.assertEqual(self.sale(waiting["id"]).state, "sale")
        self.assertEqual(self.sale(waiting["id"]).marketplace_status, "8")

    def test_change_status_after_import_once(self):
        self.mapping("2").change_status_to = self.mapping("3")
        raw = self.add(2)
        run = self.fetch()
        self.assertIn("Status set on the shop", self.line_of(run, raw["id"]).message)
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "3")])
        histories = [r for r in self.sim.requests if r["path"] == "/api/order_histories"]
        # the webservice reads XML bodies only (a JSON body is refused with code 127)
        sent = ET.fromstring(histories[0]["body"]).find("order_history")
        self.assertEqual(
            (sent.findtext("id_order"), sent.findtext("id_order_state")), (str(raw["id"]), "3")
        )
        # the shop now reports state 3: the order is updated, the status is not set again
        run = self.fetch()
        self.assertEqual(self.sale(raw["id"]).marketplace_status, "3")
        self.assertEqual(len(self.sim.status_changes), 1)

    def test_change_status_retried_when_the_shop_refuses(self):
        self.mapping("2").change_status_to = self.mapping("3")
        raw = self.add(2)
        # an HTTP 500 on a POST is not sent again: the shop may have done it
        self.sim.inject("server_error", path="/api/order_histories")
        run = self.fetch()
        sale = self.sale(raw["id"])
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.marketplace_status_to_push, "3")
        line = self.line_of(run, raw["id"])
        self.assertEqual(line.result, "created")
        self.assertIn("Could not set the status", line.message)
        self.assertEqual(self.sim.status_changes, [])
        self.assertEqual(self.sim.request_count("/api/order_histories"), 1)
        # the next run tries again; a 503 (nothing done) is retried at once
        self.sim.inject("server_error", path="/api/order_histories", status=503)
        run = self.fetch()
        self.assertFalse(sale.marketplace_status_to_push)
        self.assertIn("set on the shop", self.line_of(run, raw["id"]).message)
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "3")])

    def test_change_status_after_every_page_is_read(self):
        # setting a status moves the order to the end of the shop's change-date order: done
        # during the paging, it would shift the pages still to be read
        self.mapping("2").change_status_to = self.mapping("3")
        self.use_page_size(10)
        raws = [self.add(2) for _ in range(15)]
        run = self.fetch()
        self.assertEqual((run.created_count, run.failed_count), (15, 0))
        self.assertEqual(len(self.sim.status_changes), 15)
        # the pages (not the read of an order's state right before its status is set)
        orders = [
            r
            for r in self.sim.requests
            if r["path"] == "/api/orders" and r["query"].get("display") != ["[id,current_state]"]
        ]
        histories = [
            i for i, r in enumerate(self.sim.requests) if r["path"] == "/api/order_histories"
        ]
        self.assertLess(self.sim.requests.index(orders[-1]), histories[0])
        for raw in raws[:3] + raws[-3:]:
            self.assertEqual(self.sale(raw["id"]).state, "sale")

    def test_same_customer_after_a_failed_order(self):
        # the first order's savepoint rolls back the new customer: the second creates it again
        failing = self.add(2, [("NOT-A-PRODUCT", 1)], email="claire@example.fr")
        good = self.add(2, email="claire@example.fr")
        run = self.fetch()
        self.assertEqual(self.line_of(run, failing["id"]).result, "failed")
        self.assertEqual(self.line_of(run, good["id"]).result, "created")
        self.assertEqual(self.sale(good["id"]).partner_id.email, "claire@example.fr")

    def test_load_statuses_adds_missing_rows_only(self):
        sim = PrestaShopSimulator(seed=3, orders=0, custom_states=[{"name": "Attente marketplace"}])
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_secret": sim.secret})
        self.mapping("3").selected = True
        self.account.action_load_statuses()
        self.assertEqual(self.mapping("14").name, "Attente marketplace")
        self.assertFalse(self.mapping("14").selected)
        self.assertTrue(self.mapping("3").selected)
        self.assertEqual(self.mapping("3").name, "Processing in progress")
        self.assertEqual(len(self.account.status_mapping_ids), 14)
        self.account.action_load_statuses()
        self.assertEqual(len(self.account.status_mapping_ids), 14)

    def test_multistore_filter(self):
        first = self.add(2, id_shop=1)
        second = self.add(2, id_shop=2)
        self.account.shop_filter = "2"
        self.fetch()
        self.assertFalse(self.sale(first["id"]))
        self.assertTrue(self.sale(second["id"]))

    def test_related_records_read_in_batches(self):
        for _ in range(12):
            self.add(2)
        run = self.fetch()
        self.assertEqual(run.created_count, 12)
        per_path = {}
        for request in self.sim.requests:
            per_path[request["path"]] = per_path.get(request["path"], 0) + 1
        self.assertEqual(per_path["/api/orders"], 1)
        self.assertEqual(per_path["/api/addresses"], 1)
        self.assertEqual(per_path["/api/customers"], 1)
        self.assertLessEqual(per_path["/api/countries"], 1)
        self.assertEqual(run.request_count, sum(per_path.values()))

    def test_product_found_by_ean(self):
        product = self.products["HON-500"]
        product.default_code = "OTHER-REF"
        raw = self.add(2, [("HON-500", 2)])
        self.fetch()
        self.assertEqual(self.sale(raw["id"]).order_line.product_id, product)

    def test_changes_since_the_last_import_only(self):
        old = self.add(2)
        self.fetch()
        self.sim.advance(3600)
        new = self.add(2)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(run.created_count, 1)
        self.assertTrue(self.sale(new["id"]))
        date_filter = self.sim.requests[0]["query"]["filter[date_upd]"][0]
        self.assertEqual(date_filter[:2], ">[")
        since = local_to_utc(date_filter[2:-1], "Europe/Paris")
        self.assertEqual(
            since, local_to_utc(old["date_upd"], "Europe/Paris") - timedelta(minutes=5)
        )
