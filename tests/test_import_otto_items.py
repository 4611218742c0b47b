from decimal import Decimal

from odoo.tests import tagged

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestOttoItems(MarketplaceImportCase):
    """OTTO's position items: what the buyer paid for each, and items cancelled one by one."""

    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, items=(("LED-DESK-01", 2), ("KB-BIO-1KG", 1)), **kwargs):
        kwargs.setdefault("delivery_fee", "4.95")
        kwargs.setdefault("discount", None)
        return self.sim.add_order(kwargs.pop("status", "PROCESSABLE"), list(items), **kwargs)

    def product_lines(self, sale):
        return sale.order_line.filtered(lambda line: line.product_id in self.products.values())

    def test_reduced_prices_in_every_shape_count_once(self):
        # 2 x 24.95 + 1 x 18.90 + 4.95 shipping, 6.00 off: the buyer paid 67.75
        raws = {
            shape: self.add(discount="6.00", discount_shape=shape)
            for shape in ("matching", "item_only", "initial_only")
        }
        plain = self.add()
        run = self.fetch()
        self.assertEqual(run.failed_count, 0, run.line_ids.mapped("message"))
        for shape, raw in raws.items():
            with self.subTest(shape=shape):
                sale = self.sale(raw["salesOrderId"])
                self.assertEqual(self.sim.expected_total(raw["salesOrderId"]), Decimal("67.75"))
                self.assertTotal(sale, "67.75")
                discount_lines = sale.order_line.filtered(
                    lambda line: line.product_id == self.account.discount_product_id
                )
                if shape == "initial_only":
                    # the items are at their full price: the discount is a line of its own,
                    # split over the 19 % lamps and the 7 % coffee (issue 16: VAT per rate)
                    self.assertEqual(round(sum(discount_lines.mapped("price_unit")), 2), -6.0)
                    self.assertEqual(sorted(discount_lines.tax_id.mapped("amount")), [7, 19])
                else:
                    # the reduced item prices already hold the discount: no second one
                    self.assertFalse(discount_lines)
                    self.assertLess(self.product_lines(sale)[0].price_unit, 24.95)
        self.assertTotal(self.sale(plain["salesOrderId"]), "73.75")
        self.assertNotIn("itemValueReducedGrossPrice", plain["positionItems"][0])

    def test_item_cancelled_before_delivery_lowers_the_quantity(self):
        raw = self.add(items=[("LED-DESK-01", 3)], delivery_fee="4.95")
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.picking_ids.move_ids.product_uom_qty, 3)
        cancelled = raw["positionItems"][-1]["positionItemId"]
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], [cancelled], "CANCELLED_BY_PARTNER")
        run = self.fetch()
        line = self.line_of(run, raw["salesOrderId"])
        self.assertEqual(line.result, "updated")
        self.assertIn("1 item(s) cancelled", line.message)
        self.assertEqual(sale.marketplace_status, "PROCESSABLE")
        self.assertEqual(sale.state, "sale")
        led = self.product_lines(sale)
        self.assertEqual(led.product_uom_qty, 2)
        self.assertNotIn(cancelled, led.marketplace_item_ids)
        self.assertEqual(led.price_unit, 24.95)
        self.assertEqual(sale.picking_ids.move_ids.product_uom_qty, 2)
        self.assertEqual(sale.picking_ids.move_ids.quantity, 2)
        # the shipping fee concerns the other items too: it stays
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))
        self.assertTotal(sale, "54.85")
        # nothing changes on the next run
        run = self.fetch()
        self.assertFalse(run.line_ids)
        self.assertEqual(led.product_uom_qty, 2)

    def test_item_cancelled_with_its_own_fee_and_discount(self):
        raw = self.add(
            items=[("LED-DESK-01", 1), ("KB-BIO-1KG", 1)],
            delivery_fee="4.95",
            discount="2.00",
            discount_shape="initial_only",
        )
        # OTTO charged one fee per item here: the fee of the cancelled item goes with it
        led_id, kb_id = (item["positionItemId"] for item in raw["positionItems"])
        fee = raw["initialDeliveryFees"][0]
        raw["initialDeliveryFees"] = [
            dict(fee, positionItemIds=[led_id]),
            dict(
                fee, positionItemIds=[kb_id], deliveryFeeAmount={"amount": 2.0, "currency": "EUR"}
            ),
        ]
        raw["initialDiscounts"][0]["positionItemIds"] = [kb_id]
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertTotal(sale, "48.80")  # 24.95 + 18.90 + 4.95 + 2.00 - 2.00
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], [kb_id], "CANCELLED_BY_MARKETPLACE")
        self.fetch()
        self.assertEqual(len(self.product_lines(sale).filtered("product_uom_qty")), 1)
        # 24.95 + its 4.95 fee; the 2.00 fee and the 2.00 discount of the cancelled item are gone
        self.assertTotal(sale, "29.90")

    def test_item_cancelled_on_a_quotation_removes_its_line(self):
        self.account.import_announced = True
        raw = self.add(status="ANNOUNCED", items=[("LED-DESK-01", 1), ("KB-BIO-1KG", 1)])
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.state, "draft")
        kb_id = raw["positionItems"][1]["positionItemId"]
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], [kb_id], "CANCELLED_BY_MARKETPLACE")
        run = self.fetch()
        self.assertIn("1 item(s) cancelled", run.line_ids.message)
        self.assertEqual(self.product_lines(sale).product_id.default_code, "LED-DESK-01")
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))

    def test_item_cancelled_after_delivery_asks_a_person(self):
        raw = self.add(items=[("LED-DESK-01", 2)])
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        sale.picking_ids.move_ids.quantity = 2
        sale.picking_ids.button_validate()
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], 1, "CANCELLED_BY_MARKETPLACE")
        run = self.fetch()
        self.assertIn("activity", self.line_of(run, raw["salesOrderId"]).message)
        self.assertEqual(self.product_lines(sale).product_uom_qty, 2)
        self.assertEqual(sale.activity_ids.summary, "Items cancelled on the marketplace")
        # the shop's total now is lower: the order is flagged until a person decides
        self.assertTrue(sale.marketplace_total_mismatch)
        self.assertEqual(
            sale.marketplace_total, float(self.sim.expected_total(raw["salesOrderId"]))
        )
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], 1, "CANCELLED_BY_MARKETPLACE")
        self.fetch(since=sale.marketplace_order_date)
        self.assertEqual(len(sale.activity_ids), 1)

    def test_all_items_cancelled_one_by_one_cancels_the_order(self):
        raw = self.add(items=[("LED-DESK-01", 2)])
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], 1, "CANCELLED_BY_PARTNER")
        self.fetch()
        self.assertEqual(self.product_lines(sale).product_uom_qty, 1)
        self.sim.advance(600)
        self.sim.set_item_status(raw["salesOrderId"], 2, "CANCELLED_BY_PARTNER")
        run = self.fetch()
        self.assertEqual(sale.state, "cancel")
        self.assertIn("cancelled", self.line_of(run, raw["salesOrderId"]).message)

    def test_partially_cancelled_new_order_imports_the_rest(self):
        raw = self.add(
            items=[("LED-DESK-01", 2)],
            item_statuses=["PROCESSABLE", "CANCELLED_BY_PARTNER"],
        )
        self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(self.product_lines(sale).product_uom_qty, 1)
        self.assertTotal(sale, self.sim.expected_total(raw["salesOrderId"]))

    def test_odd_orders_fail_alone(self):
        good = self.add()
        empty = dict(self.add(), salesOrderId="empty-1", orderNumber="EMPTY00001")
        empty["positionItems"] = []
        strange = dict(self.add(), salesOrderId="strange-1", orderNumber="STRANGE001")
        strange["positionItems"] = [
            dict(item, fulfillmentStatus="PARKED_BY_OTTO") for item in strange["positionItems"]
        ]
        for raw in (empty, strange):
            self.sim.add_raw_order(raw)
        run = self.fetch()
        self.assertTrue(self.sale(good["salesOrderId"]))
        self.assertIn("no position items", self.line_of(run, "empty-1").message)
        self.assertIn("PARKED_BY_OTTO", self.line_of(run, "strange-1").message)
        self.assertEqual(self.line_of(run, "strange-1").marketplace_order_ref, "STRANGE001")
        retries = self.account.retry_ids
        self.assertEqual(set(retries.mapped("marketplace_order_id")), {"empty-1", "strange-1"})

    def test_nothing_new_costs_two_requests(self):
        for _ in range(3):
            self.add()
        self.fetch()
        self.sim.reset_requests()
        self.sim.advance(60)
        # a fresh client, as the next scheduled run has: token and one page of the list
        run = self.fetch()
        self.assertEqual((run.request_count, self.sim.request_count()), (2, 2))
        self.assertFalse(run.line_ids)
        # an order failing since: one more request, to fetch it again by its id
        bad = self.add(items=[("NOT-IN-ODOO", 1)], prices={"NOT-IN-ODOO": "3.00"})
        self.fetch()
        self.sim.advance(3600)
        self.add()  # a newer order moves the import date past the failing one
        self.fetch()
        self.sim.advance(60)
        self.sim.reset_requests()
        run = self.fetch()
        self.assertEqual(run.request_count, 3)
        self.assertEqual(self.sim.request_count(f"/v4/orders/{bad['salesOrderId']}"), 1)
