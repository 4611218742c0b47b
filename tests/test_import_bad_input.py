"""Bad input gets a clear answer (issue 17): a malformed order fails alone with the field named in
the merchant's words, text with NUL comes in without it (and a warning), a negative item is
refused; the other orders of the page come in."""

from datetime import datetime
from decimal import Decimal

from odoo.tests import tagged

from ..clients.records import Address, Charge, Order, OrderLine, OrderPage
from ..importer.order_sync import OrderSync
from ..simulators import OttoSimulator
from .common import CsCartOrders, MarketplaceImportCase, PrestaShopOrders


class BadInputCase(MarketplaceImportCase):
    def assertFailedWith(self, run, order_id, message):
        line = self.line_of(run, order_id)
        self.assertEqual(line.result, "failed")
        self.assertEqual(line.message, f"Malformed order in the shop's answer: {message}")
        self.assertNotIn("Unexpected error", line.message)
        self.assertFalse(self.sale(order_id))
        return line


@tagged("post_install", "-at_install")
class TestOttoBadInput(BadInputCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, items=(("LED-DESK-01", 1),), **kwargs):
        kwargs.setdefault("delivery_fee", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order("PROCESSABLE", list(items), **kwargs)

    def test_the_raw_python_messages_of_the_issue_are_the_merchants_words(self):
        good = self.add()
        no_product = self.add(items=[("LED-DESK-01", 1), ("KB-BIO-1KG", 1)])
        no_product["positionItems"][1]["product"] = None
        text_address = self.add()
        text_address["deliveryAddress"] = "Hauptstraße 1, 10115 Berlin"
        bad_date = self.add()
        bad_date["orderDate"] = "not-a-date"
        run = self.fetch()
        self.assertFailedWith(run, no_product["salesOrderId"], "position item 2: product missing")
        self.assertFailedWith(
            run, text_address["salesOrderId"], "delivery address is not an address (a text)"
        )
        line = self.assertFailedWith(
            run, bad_date["salesOrderId"], "orderDate 'not-a-date' is not a date"
        )
        self.assertIn("not-a-date", line.payload)
        self.assertTrue(self.sale(good["salesOrderId"]))

    def test_nul_in_shop_text_is_removed_with_a_warning(self):
        raw = self.add(first_name="Anna\x00", city="Ber\x00lin")
        raw["positionItems"][0]["product"]["productTitle"] = "LED\x00 lamp\x1b[31m"
        run = self.fetch()
        sale = self.sale(raw["salesOrderId"])
        self.assertEqual(sale.partner_id.name.split()[0], "Anna")
        self.assertEqual(sale.partner_id.city, "Berlin")
        self.assertNotIn("\x00", sale.order_line[0].name)
        line = self.line_of(run, raw["salesOrderId"])
        self.assertEqual(line.result, "created")
        self.assertIn("Control characters (such as NUL) removed from the shop's text", line.message)
        self.assertIn("invoice address: firstName", line.message)
        self.assertIn("invoice address: city", line.message)

    def test_importer_refuses_what_no_sales_order_can_be_made_of(self):
        """The importer's own guard, whatever a client lets through: no order without lines,
        no negative item, no impossible quantity, no total below nothing."""

        def order(number, lines, discounts=()):
            return Order(
                backend="otto",
                order_id=f"guard-{number}",
                order_ref=f"GUARD{number}",
                status="PROCESSABLE",
                order_date=datetime(2026, 11, 20, 10, 0),
                changed_at=datetime(2026, 11, 20, 10, 0),
                currency="EUR",
                total=Decimal(0),
                lines=lines,
                discounts=list(discounts),
                invoice_address=Address(first_name="Anna", last_name="Klein", country_code="DE"),
                raw={"salesOrderId": f"guard-{number}"},
            )

        def line(quantity, price):
            return OrderLine("LED-DESK-01", "Lamp", Decimal(quantity), Decimal(price))

        orders = [
            order(1, []),
            order(2, [line(1, "10.00"), line(2, "-5.00")]),
            order(3, [line("0.5", "10.00")]),
            order(4, [line(1, "10.00")], [Charge("Coupon", Decimal("15.00"))]),
        ]
        for each in orders:
            each.total = each.computed_total
        outcomes = OrderSync(self.account, None).process_page(OrderPage(orders=orders))
        self.assertEqual([o.result for o in outcomes], ["failed"] * 4)
        self.assertEqual(
            [o.message for o in outcomes],
            [
                "The order has no items: there is nothing to sell.",
                "Item 2 (LED-DESK-01): the price -5.00 is negative. A shop discount is a "
                "discount, never a negative item.",
                "Item 1 (LED-DESK-01): 0.5 is not a number of units (whole, at least 1).",
                "The order's total -5.00 is negative: its discounts are more than its items and "
                "fees.",
            ],
        )
        self.assertFalse([o for o in outcomes if o.retryable])
        self.assertFalse(
            self.env["sale.order"].search([("marketplace_order_id", "like", "guard-")])
        )

    def test_negative_item_is_refused_with_the_reason(self):
        raw = self.add(items=[("LED-DESK-01", 1), ("KB-BIO-1KG", 1)])
        raw["positionItems"][1]["itemValueGrossPrice"]["amount"] = -10.0
        run = self.fetch()
        self.assertFailedWith(
            run,
            raw["salesOrderId"],
            "position item 2: itemValueGrossPrice -10.00 is negative (a discount is a discount, "
            "never a negative item)",
        )
        self.assertEqual(run.failed_count, 1)


@tagged("post_install", "-at_install")
class TestPrestaShopBadInput(PrestaShopOrders, BadInputCase):
    def test_broken_fields_are_named_and_the_others_come_in(self):
        good = self.add()
        zero = self.add()
        zero["associations"]["order_rows"][0]["product_quantity"] = "0"
        text_address = self.add()
        self.sim.addresses[str(text_address["id_address_delivery"])] = "5 quai Rambaud"
        self.sim.addresses[str(text_address["id_address_invoice"])] = "5 quai Rambaud"
        nul = self.add(last_name="Du\x00pont")
        run = self.fetch()
        self.assertFailedWith(
            run, zero["id"], "order row 1: product_quantity 0 is not a quantity (at least 1 unit)"
        )
        # the address list holds a text where an address belongs: the order says so
        self.assertFailedWith(
            run,
            text_address["id"],
            f"id_address_invoice '{text_address['id_address_invoice']}' is not an address on "
            "the shop",
        )
        self.assertTrue(self.sale(good["id"]))
        sale = self.sale(nul["id"])
        self.assertIn("Dupont", sale.partner_id.name)
        self.assertIn("invoice address: lastname", self.line_of(run, nul["id"]).message)


@tagged("post_install", "-at_install")
class TestCsCartBadInput(CsCartOrders, BadInputCase):
    def test_broken_fields_are_named_and_the_others_come_in(self):
        good = self.add()
        negative = self.add(items=[("RS-25L", 1), ("VD-1L", 2)])
        second = list(negative["products"])[1]
        negative["products"][second]["price"] = "-3.50"
        bad_date = self.add()
        bad_date["timestamp"] = "not-a-date"
        run = self.fetch()
        self.assertFailedWith(
            run,
            negative["order_id"],
            "product 2: price -3.50 is negative (a discount is a discount, never a negative item)",
        )
        self.assertFailedWith(run, bad_date["order_id"], "timestamp 'not-a-date' is not a date")
        self.assertTrue(self.sale(good["order_id"]))
