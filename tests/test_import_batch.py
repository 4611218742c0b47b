"""A page is written in one batch; one bad order never costs the others, and whichever path wrote
a page, the documents and the log are the same."""

from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..importer.order_sync import OrderSync
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase


class Undone(Exception):
    pass


class BatchMixin:
    """Per backend: ``add(sku)`` adds one importable order and returns its shop id."""

    bad_sku = "NOT-IN-ODOO"

    @contextmanager
    def counting_creates(self):
        """Count the calls of sale.order's create and action_confirm, and their sizes."""
        SaleOrder = type(self.env["sale.order"])
        create, confirm = SaleOrder.create, SaleOrder.action_confirm
        calls = {"create": [], "confirm": []}

        def counted_create(records, vals_list):
            calls["create"].append(len(vals_list) if isinstance(vals_list, list) else 1)
            return create(records, vals_list)

        def counted_confirm(records):
            calls["confirm"].append(len(records))
            return confirm(records)

        with (
            patch.object(SaleOrder, "create", counted_create),
            patch.object(SaleOrder, "action_confirm", counted_confirm),
        ):
            yield calls

    def fill(self, count, bad=()):
        return [self.add(self.bad_sku if index in bad else None) for index in range(count)]

    def snapshot(self, run):
        """What a run did, comparable between two runs of the same shop data."""
        lines = {
            line.marketplace_order_id: (line.result, line.message, bool(line.payload))
            for line in run.line_ids
        }
        documents = {}
        for sale in self.env["sale.order"].search(
            [("marketplace_account_id", "=", self.account.id)]
        ):
            documents[sale.marketplace_order_id] = (
                sale.state,
                round(sale.amount_total, 2),
                sale.partner_id.name,
                sale.partner_shipping_id.name,
                sorted((line.product_id.id, line.product_uom_qty) for line in sale.order_line),
                len(sale.picking_ids),
            )
        return lines, documents

    def test_page_of_good_orders_is_written_in_one_batch(self):
        ids = self.fill(12)
        with self.counting_creates() as calls:
            run = self.fetch()
        self.assertEqual((run.created_count, run.failed_count), (12, 0))
        self.assertEqual((run.batched_page_count, run.fallback_page_count), (1, 0))
        self.assertEqual(calls["create"], [12])  # the page's orders, lines included, in one call
        self.assertEqual(calls["confirm"], [self.confirmed_per_page(12)])
        for order_id in ids:
            self.assertEqual(len(self.sale(order_id)), 1)

    def test_bad_order_among_good_ones_same_as_order_by_order(self):
        ids = self.fill(8, bad={3})
        # first order by order, then (that import undone) the same shop data in one batch
        with self.assertRaises(Undone), self.env.cr.savepoint():
            with patch.object(OrderSync, "_write", order_by_order):
                run = self.fetch()
            self.assertEqual(run.batched_page_count, 0)
            one_by_one = self.snapshot(run)
            raise Undone
        self.env.invalidate_all()
        self.assertFalse(self.sale(ids[0]))
        run = self.fetch()
        self.assertEqual(run.batched_page_count, 1)
        batched = self.snapshot(run)
        self.assertEqual(batched[0][str(ids[3])][0], "failed")
        self.assertEqual(len(batched[1]), 7)
        self.assertEqual(batched, one_by_one)

    def test_write_failure_falls_back_to_order_by_order(self):
        ids = self.fill(6)
        poisoned = self.sale_ref(ids[2])
        SaleOrder = type(self.env["sale.order"])
        create = SaleOrder.create

        def failing_create(records, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            if any(vals.get("client_order_ref") == poisoned for vals in vals_list):
                raise ValidationError(records.env._("The warehouse refuses this order"))
            return create(records, vals_list)

        with patch.object(SaleOrder, "create", failing_create):
            run = self.fetch()
        self.assertEqual((run.batched_page_count, run.fallback_page_count), (0, 1))
        self.assertEqual((run.created_count, run.failed_count), (5, 1))
        line = self.line_of(run, ids[2])
        self.assertEqual(line.message, "The warehouse refuses this order")
        self.assertTrue(line.payload)
        for order_id in ids[:2] + ids[3:]:
            self.assertEqual(len(self.sale(order_id)), 1)
        # nothing half-done of the batch stayed: one buyer per order (they differ), no orphans
        buyers = self.env["res.partner"].search(
            [("marketplace_account_id", "=", self.account.id), ("parent_id", "=", False)]
        )
        self.assertEqual(len(buyers), 5)
        self.assertEqual(
            self.env["marketplace.retry"]
            .search([("account_id", "=", self.account.id)])
            .marketplace_order_id,
            str(ids[2]),
        )


def order_by_order(sync, orders, existing):
    """OrderSync._write without the batch: every order in a savepoint of its own."""
    return [sync._write_one(order, existing.get(order.order_id)) for order in orders]


@tagged("post_install", "-at_install")
class TestOttoBatch(BatchMixin, MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, sku=None):
        raw = self.sim.add_order(
            "PROCESSABLE",
            [(sku or "LED-DESK-01", 2), ("HON-500", 1)],
            prices={self.bad_sku: "3.00"},
            delivery_fee="4.95",
            discount=None,
        )
        return raw["salesOrderId"]

    def sale_ref(self, order_id):
        return self.sim.order(order_id)["orderNumber"]

    def confirmed_per_page(self, count):
        return count

    def test_same_new_buyer_twice_in_a_page(self):
        first = self.sim.add_order(
            "PROCESSABLE", [("HON-500", 1)], email="twice@example.de", delivery_fee=None
        )
        second = self.sim.add_order(
            "PROCESSABLE", [("GP-28", 1)], email="twice@example.de", delivery_fee=None
        )
        run = self.fetch()
        self.assertEqual(run.batched_page_count, 1)
        self.assertEqual(
            self.sale(first["salesOrderId"]).partner_id,
            self.sale(second["salesOrderId"]).partner_id,
        )

    def test_mixed_page_of_new_updated_and_skipped_orders(self):
        self.account.import_announced = True
        kept = self.sim.add_order("PROCESSABLE", [("HON-500", 1)], delivery_fee=None)
        backlog = self.sim.add_order("ANNOUNCED", [("HON-500", 1)], delivery_fee=None)
        self.fetch()
        self.sim.advance(600)
        self.sim.set_status(kept["salesOrderId"], "CANCELLED_BY_MARKETPLACE")
        self.sim.release_announced(backlog["salesOrderId"])
        new = self.sim.add_order("PROCESSABLE", [("GP-28", 1)], delivery_fee=None)
        sent = self.sim.add_order("SENT", [("GP-28", 1)], delivery_fee=None)
        run = self.fetch()
        self.assertEqual(run.batched_page_count, 1)
        self.assertEqual(self.sale(kept["salesOrderId"]).state, "cancel")
        self.assertEqual(self.sale(backlog["salesOrderId"]).state, "sale")
        self.assertFalse(self.sale(backlog["salesOrderId"]).marketplace_backlog)
        self.assertEqual(self.sale(new["salesOrderId"]).state, "sale")
        self.assertEqual(self.line_of(run, sent["salesOrderId"]).result, "skipped")


@tagged("post_install", "-at_install")
class TestPrestaShopBatch(BatchMixin, MarketplaceImportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"

    def add(self, sku=None):
        raw = self.sim.add_order(
            2 if sku else (2 if len(self.sim.orders) % 3 else 10),
            [(sku or "GP-28", 1), ("HON-500", 2)],
            prices={self.bad_sku: "3.00"},
            shipping="6.90",
            discount=None,
        )
        return raw["id"]

    def sale_ref(self, order_id):
        return self.sim.orders[str(order_id)]["reference"]

    def confirmed_per_page(self, count):
        # state 2 (payment accepted) is confirmed; 10 (bank wire awaited) stays a quotation
        return sum(1 for order in self.sim.orders.values() if order["current_state"] == "2")


@tagged("post_install", "-at_install")
class TestCsCartBatch(BatchMixin, MarketplaceImportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"

    def add(self, sku=None):
        raw = self.sim.add_order(
            "P",
            [(sku or "RS-25L", 1), ("HON-500", 1)],
            prices={self.bad_sku: "3.00"},
            shipping="7.50",
            discount=None,
        )
        return raw["order_id"]

    def sale_ref(self, order_id):
        return str(order_id)

    def confirmed_per_page(self, count):
        return count
