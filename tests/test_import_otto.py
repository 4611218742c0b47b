from odoo.tests import tagged

from ..clients.otto import order_changed_at
from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestOttoImport(MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, status="PROCESSABLE", items=(("LED-DESK-01", 1),), **kwargs):
        kwargs.setdefault("delivery_fee", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order(status, list(items), **kwargs)

    def test_processable_order_confirmed_to_the_cent(self):
        raw = self.add(
            items=[("LED-DESK-01", 2), ("KB-BIO-1KG", 1), ("BT-SPK-20", 3)],
            delivery_fee="4.95",
            discount="5.00",
            weee_pickup=True,
            phone="030 1234567",
        )
        run = self.fetch()
        self.assertEqual((run.state, run.created_count, run.failed_count), ("done", 1, 0))
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.marketplace_order_ref, raw["orderNumber"])
        self.assertEqual(sale.marketplace_status, "PROCESSABLE")
        self.assertEqual(sale.marketplace_payment_method, raw["payment"]["paymentMethod"])
        self.assertTrue(sale.marketplace_recycling)
        self.assertFalse(sale.marketplace_backlog)
        self.assertEqual(sale.currency_id.name, "EUR")
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))
        product_lines = sale.order_line.filtered(
            lambda line: line.product_id in self.products.values()
        )
        self.assertEqual(
            sorted((line.product_id.default_code, line.product_uom_qty) for line in product_lines),
            [("BT-SPK-20", 3), ("KB-BIO-1KG", 1), ("LED-DESK-01", 2)],
        )
        led = product_lines.filtered(lambda line: line.product_id.default_code == "LED-DESK-01")
        self.assertEqual(len(led.marketplace_item_ids.split(",")), 2)
        self.assertTrue(all(tax.price_include for tax in sale.order_line.tax_id))
        self.assertEqual(sale.order_line.filtered("is_delivery").product_id, self.shipping_product)
        self.assertEqual(sale.partner_id.phone, "+49301234567")
        self.assertEqual(sale.partner_id.country_id.code, "DE")
        self.assertTrue(sale.partner_id.email.endswith("@customer.otto.market"))
        self.assertEqual(sale.date_order, sale.marketplace_order_date)
        self.assertEqual(self.line_of(run, raw["salesOrderId"]).sale_order_id, sale)

    def test_many_orders_match_their_totals(self):
        sim = OttoSimulator(seed=5, orders=60)
        sim.start()
        self.addCleanup(sim.stop)
        self.account.write({"api_url": sim.url, "api_login": sim.login, "api_secret": sim.secret})
        run = self.fetch()
        self.assertEqual(
            run.failed_count,
            0,
            run.line_ids.filtered(lambda line: line.result == "failed").mapped("message"),
        )
        sales = self.env["sale.order"].search([("marketplace_account_id", "=", self.account.id)])
        self.assertGreater(len(sales), 20)
        for sale in sales:
            self.assertTotal(sale, sim.expected_total(sale.marketplace_order_id))

    def test_announced_not_imported_by_default_then_processable(self):
        raw = self.add("ANNOUNCED")
        run = self.fetch()
        self.assertEqual(run.skipped_count, 1)
        self.assertIn("Announced", self.line_of(run, raw["salesOrderId"]).message)
        self.assertFalse(self.sale(raw["salesOrderId"]))
        self.sim.advance(3600)
        self.sim.release_announced(raw["salesOrderId"])
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(
            (run.created_count, sale.state, sale.marketplace_backlog), (1, "sale", False)
        )

    def test_announced_backlog_filled_later(self):
        self.account.import_announced = True
        raw = self.add("ANNOUNCED", items=[("MW-20L", 2)], delivery_fee="5.95", country="AUT")
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(
            (run.created_count, sale.state),
            (1, "draft"),
            (run.message, run.line_ids.mapped("message")),
        )
        self.assertTrue(sale.marketplace_backlog)
        self.assertEqual(sale.partner_id, self.account.backlog_partner_id)
        self.assertIn("address pending", sale.partner_id.name)
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))
        # a second announced order reuses the same placeholder
        other = self.add("ANNOUNCED")
        self.fetch()
        self.assertEqual(
            self.sale(other["salesOrderId"]).partner_id, self.account.backlog_partner_id
        )

        self.sim.advance(3600)
        self.sim.release_announced(raw["salesOrderId"])
        run = self.fetch()
        self.assertEqual(run.updated_count, 1)
        self.assertIn("Address received", self.line_of(run, raw["salesOrderId"]).message)
        sale.invalidate_recordset()
        self.assertFalse(sale.marketplace_backlog)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.marketplace_status, "PROCESSABLE")
        self.assertNotEqual(sale.partner_id, self.account.backlog_partner_id)
        self.assertEqual(sale.partner_id.country_id.code, "AT")
        self.assertEqual(sale.partner_shipping_id.commercial_partner_id, sale.partner_id)
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))

    def test_announced_cancelled_by_otto(self):
        self.account.import_announced = True
        raw = self.add("ANNOUNCED")
        self.fetch()
        self.sim.advance(7 * 86400)
        self.sim.cancel_by_marketplace(raw["salesOrderId"])
        run = self.fetch()
        self.assertEqual(self.sale(raw["salesOrderId"]).state, "cancel")
        self.assertIn("cancelled", self.line_of(run, raw["salesOrderId"]).message)

    def test_every_default_status_row_for_new_orders(self):
        expected = {
            "PROCESSABLE": "sale",
            "ANNOUNCED": None,
            "SENT": None,
            "RETURNED": None,
            "CANCELLED_BY_PARTNER": None,
            "CANCELLED_BY_MARKETPLACE": None,
        }
        payloads = {status: self.add(status) for status in expected}
        run = self.fetch()
        for status, state in expected.items():
            with self.subTest(status=status):
                sale = self.sale(payloads[status]["salesOrderId"])
                self.assertEqual(sale.state or None, state)
                result = self.line_of(run, payloads[status]["salesOrderId"]).result
                self.assertEqual(result, "created" if state else "skipped")

    def test_status_changes_of_imported_orders(self):
        kept = self.add()
        cancelled = self.add()
        self.fetch()
        self.sim.advance(600)
        self.sim.set_status(kept["salesOrderId"], "SENT")
        self.sim.set_status(cancelled["salesOrderId"], "CANCELLED_BY_PARTNER")
        run = self.fetch()
        self.assertEqual(run.updated_count, 2)
        self.assertEqual(self.sale(kept["salesOrderId"]).state, "sale")
        self.assertEqual(self.sale(kept["salesOrderId"]).marketplace_status, "SENT")
        self.assertEqual(self.sale(cancelled["salesOrderId"]).state, "cancel")

    def test_delivered_order_cancelled_on_otto_needs_a_person(self):
        responsible = self.env["res.users"].create({"name": "Marta", "login": "marta@example.de"})
        self.account.user_id = responsible
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        picking = sale.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.sim.advance(600)
        self.sim.set_status(raw["salesOrderId"], "CANCELLED_BY_MARKETPLACE")
        run = self.fetch()
        self.assertEqual(sale.state, "sale")
        self.assertIn("activity", self.line_of(run, raw["salesOrderId"]).message)
        self.assertEqual(len(sale.activity_ids), 1)
        self.assertIn("Cancelled on the marketplace", sale.activity_ids.summary)
        self.assertEqual(sale.activity_ids.user_id, responsible)
        # a later run does not pile up activities, whatever the language it runs in
        self.fetch(since=sale.marketplace_order_date)
        self.assertEqual(len(sale.activity_ids), 1)
        # a run in another language finds the activity too
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(
            ["sale_marketplace_connector"], ["de_DE"], overwrite=True
        )
        self.sim.advance(600)
        self.sim.set_status(raw["salesOrderId"], "CANCELLED_BY_PARTNER")
        self.account.with_context(lang="de_DE")._import_orders()
        self.env.invalidate_all()
        self.assertEqual(sale.marketplace_status, "CANCELLED_BY_PARTNER")
        self.assertEqual(len(sale.activity_ids), 1)

    def test_reimport_never_duplicates(self):
        raws = [self.add() for _ in range(3)]
        self.fetch()
        self.fetch()
        from_start = self.fetch(since=self.sim.clock.replace(tzinfo=None).replace(year=2000))
        self.assertEqual(from_start.created_count, 0)
        for raw in raws:
            self.assertEqual(len(self.sale(raw["salesOrderId"])), 1)
        self.assertEqual(
            self.env["sale.order"].search_count([("marketplace_account_id", "=", self.account.id)]),
            3,
        )

    def test_unknown_product_fails_then_imports_once_created(self):
        good = self.add()
        bad = self.add(items=[("NOT-IN-ODOO", 1)], prices={"NOT-IN-ODOO": "12.34"})
        run = self.fetch()
        self.assertEqual((run.state, run.created_count, run.failed_count), ("partial", 1, 1))
        line = self.line_of(run, bad["salesOrderId"])
        self.assertIn("NOT-IN-ODOO", line.message)
        self.assertTrue(line.retryable)
        self.assertIn(bad["salesOrderId"], line.payload)
        self.assertTrue(self.sale(good["salesOrderId"]))
        # the import date moves on; the failed order waits on the account's retry list
        self.assertEqual(self.account.imported_until, order_changed_at(bad))
        self.assertEqual(self.account.retry_ids.marketplace_order_id, bad["salesOrderId"])
        # the merchant creates the product: the next run brings the order, nothing else twice
        self.env["product.product"].create({"name": "New", "default_code": "NOT-IN-ODOO"})
        run = self.fetch()
        self.assertEqual((run.created_count, run.failed_count), (1, 0))
        self.assertTotal(self.sale(bad["salesOrderId"]), "12.34")
        self.assertEqual(len(self.sale(good["salesOrderId"])), 1)
        self.assertFalse(self.account.retry_ids)

    def test_unknown_product_with_fallback(self):
        fallback = self.env["product.product"].create({"name": "Unknown article", "type": "consu"})
        self.account.write(
            {"unknown_product_policy": "fallback", "fallback_product_id": fallback.id}
        )
        raw = self.add(items=[("NOT-IN-ODOO", 2)], prices={"NOT-IN-ODOO": "7.77"})
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        line = sale.order_line.filtered(lambda line: line.product_id == fallback)
        self.assertIn("NOT-IN-ODOO", line.name)
        self.assertEqual(line.product_uom_qty, 2)
        self.assertTotal(sale, "15.54")

    def test_invalid_phone_kept_with_warning(self):
        raw = self.add(phone="12")
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.partner_id.phone, "12")
        self.assertIn("not valid", self.line_of(run, raw["salesOrderId"]).message)
        self.assertEqual(sale.state, "sale")

    def test_unknown_country_fails_that_order_only(self):
        good = self.add()
        bad = self.add(country="XXX")
        run = self.fetch()
        self.assertTrue(self.sale(good["salesOrderId"]))
        self.assertFalse(self.sale(bad["salesOrderId"]))
        self.assertIn("XXX", self.line_of(run, bad["salesOrderId"]).message)

    def test_buyer_found_again_and_addresses_reused(self):
        first = self.add(email="same.buyer@example.de", first_name="Eva", last_name="Klein")
        second = self.add(
            email="same.buyer@example.de",
            first_name="Eva",
            last_name="Klein",
            delivery={"street": "Packstation", "house_number": "123"},
        )
        third = self.add(
            email="same.buyer@example.de",
            first_name="Eva",
            last_name="Klein",
            delivery={"street": "Packstation", "house_number": "123"},
        )
        self.fetch()
        one, two, three = (self.sale(raw["salesOrderId"]) for raw in (first, second, third))
        self.assertEqual(one.partner_id, two.partner_id)
        self.assertEqual(two.partner_id, three.partner_id)
        self.assertEqual(one.partner_shipping_id, one.partner_id)
        self.assertNotEqual(two.partner_shipping_id, two.partner_id)
        self.assertEqual(two.partner_shipping_id, three.partner_shipping_id)
        self.assertEqual(two.partner_shipping_id.type, "delivery")
        self.assertEqual(two.partner_shipping_id.parent_id, two.partner_id)

    def test_malformed_order_does_not_stop_the_others(self):
        good = self.add()
        broken = dict(self.add(), salesOrderId="broken-1", orderNumber="BROKEN0001")
        del broken["positionItems"][0]["itemValueGrossPrice"]
        self.sim.add_raw_order(broken)
        run = self.fetch()
        line = self.line_of(run, "broken-1")
        self.assertEqual(line.result, "failed")
        self.assertIn("itemValueGrossPrice", line.message)
        self.assertTrue(line.payload)
        self.assertTrue(self.sale(good["salesOrderId"]))

    def test_single_order_by_number(self):
        wanted = self.add()
        other = self.add()
        run = self.fetch(order_ref=wanted["orderNumber"])
        self.assertEqual(run.created_count, 1)
        self.assertTrue(self.sale(wanted["salesOrderId"]))
        self.assertFalse(self.sale(other["salesOrderId"]))
        self.assertFalse(self.account.imported_until)

    def test_total_that_cannot_match_is_imported_and_flagged(self):
        eco_fee = self.env["account.tax"].create(
            {"name": "Eco fee", "amount_type": "fixed", "amount": 0.5, "type_tax_use": "sale"}
        )
        self.products["HON-500"].taxes_id = [(4, eco_fee.id)]
        raw = self.add(items=[("HON-500", 2)])
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.state, "sale")
        self.assertTrue(sale.marketplace_total_mismatch)
        self.assertEqual(sale.marketplace_total, 14.98)
        self.assertNotEqual(round(sale.amount_total, 2), 14.98)
        message = self.line_of(run, raw["salesOrderId"]).message
        self.assertIn("14.98", message)
        self.assertIn(f"{sale.amount_total:.2f}", message)
        flagged = self.env["sale.order"].search([("marketplace_total_mismatch", "=", True)])
        self.assertEqual(flagged, sale)

    def test_company_team_and_warehouse_from_the_account(self):
        team = self.env["crm.team"].create({"name": "OTTO team"})
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.account.write({"team_id": team.id, "warehouse_id": warehouse.id})
        raw = self.add()
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(
            (sale.company_id, sale.team_id, sale.warehouse_id), (self.company, team, warehouse)
        )
        self.assertEqual(sale.picking_ids.picking_type_id.warehouse_id, warehouse)

    def test_vat_warnings(self):
        self.products["HON-500"].taxes_id = False
        self.products["GP-28"].taxes_id = self.taxes[7]  # OTTO says 19 %
        raw = self.add(items=[("HON-500", 1), ("GP-28", 1)])
        run = self.fetch()
        message = self.line_of(run, raw["salesOrderId"]).message
        self.assertIn("no sales tax", message)
        self.assertIn("19 % VAT on GP-28", message)
        self.assertIn("make 7 %", message)
        self.assertTotal(
            self.sale(raw["salesOrderId"]), self.sim.expected_total(raw["salesOrderId"])
        )
