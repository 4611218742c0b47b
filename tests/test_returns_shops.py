"""Returns and refunds of PrestaShop and CS-Cart: a credit slip becomes a credit note of the
order's invoice (its rows and its shipping) with a refund payment matched with it; a status
meaning returned and refunded does the same for the whole order, with the return of its goods;
a credit note posted in Odoo sets the shop's "refunded" status where the account asks for it,
once, and the import does not take that status for a second refund."""

from odoo.tests import tagged

from ..simulators import CsCartSimulator
from .common import CsCartOrders, MarketplaceImportCase, PrestaShopOrders
from .returns_common import ReturnsCaseMixin


@tagged("post_install", "-at_install")
class TestPrestaShopCreditSlips(ReturnsCaseMixin, PrestaShopOrders, MarketplaceImportCase):
    stock_skus = ("GP-28", "VD-1L")

    def paid_order(self):
        raw = self.add(2, [("GP-28", 1), ("VD-1L", 2)], shipping="6.90")
        self.cron_import()
        sale = self.sale(raw["id"])
        self.deliver(sale)
        invoice = self.invoice(sale)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.sim.advance(600)
        return raw, sale, invoice

    def test_partial_credit_slip_with_shipping_refund(self):
        raw, sale, invoice = self.paid_order()
        slip = self.sim.add_slip(raw["id"], [("GP-28", 1)], shipping=True)
        self.assertEqual(
            (slip["total_products_tax_incl"], slip["shipping_cost"]), ("54.900000", "1")
        )
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, 61.80)  # the pan and the shipping
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        credited = {line.product_id: line.quantity for line in credit_note.invoice_line_ids}
        self.assertEqual(
            credited, {self.products["GP-28"]: 1.0, self.account.shipping_product_id: 1.0}
        )
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, 61.80)
        self.assertTrue(refund.is_reconciled)
        self.assertEqual(refund.reconciled_invoice_ids, credit_note)
        self.assertFalse(sale.marketplace_payment_differs)
        # the order keeps the rest: the bottle jars are still invoiced and paid
        pan = sale.order_line.filtered(lambda line: line.product_id == self.products["GP-28"])
        self.assertEqual(pan.qty_invoiced, 0.0)
        (record,) = sale.marketplace_return_ids
        self.assertEqual(
            (record.source, record.shop_ref, record.state), ("slip", str(slip["id"]), "done")
        )
        run = self.env["marketplace.run"].search(
            [("account_id", "=", self.account.id), ("kind", "=", "returns")], limit=1
        )
        self.assertIn(credit_note.name, run.line_ids.message)
        self.assertIn(refund.name, run.line_ids.message)
        # read again: nothing twice
        self.sim.advance(600)
        self.cron_import()
        self.assertEqual(len(self.credit_notes(sale)), 1)
        self.assertEqual(len(self.refunds(sale)), 1)

    def test_slip_of_an_amount_alone(self):
        raw, sale, __ = self.paid_order()
        self.sim.add_slip(raw["id"], [("VD-1L", 1, "2.00")])  # a part of a jar's price
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, 2.0)
        self.assertFalse(credit_note.invoice_line_ids.sale_line_ids)  # no unit came back
        jars = sale.order_line.filtered(lambda line: line.product_id == self.products["VD-1L"])
        self.assertEqual(jars.qty_invoiced, 2.0)
        self.assertEqual(self.refunds(sale).amount, 2.0)

    def test_refunded_status_after_a_cut_connection_is_looked_up(self):
        # PrestaShop sets "Refunded" and mails the buyer, the connection breaks before the
        # answer: the next try reads the order's state first, no second state, no second e-mail
        self.account.write(
            {"export_status_refund_id": self.mapping("7").id, "export_notify_buyer": True}
        )
        raw, sale, invoice = self.paid_order()
        self.cron_send()  # the order's earlier updates (confirmed, delivered)
        self.credit_by_hand(invoice)
        (update,) = sale.marketplace_export_ids.filtered(lambda e: e.event == "refund")
        self.sim.inject("disconnect", path="/api/order_histories")
        self.cron_send()
        self.assertEqual((update.state, update.outcome_unknown), ("to_send", True))
        update.sudo().next_attempt_at = False
        self.cron_send()
        self.assertIn(update.state, ("sent", "not_needed"))
        order_id = str(raw["id"])
        self.assertEqual([c for c in self.sim.status_changes if c[1] == "7"], [(order_id, "7")])
        refund_mails = [m for m in self.sim.emails if m["template"] == "refund"]
        self.assertEqual(refund_mails, [{"order_id": order_id, "template": "refund"}])

    def test_refunded_state_set_on_the_shop(self):
        # the merchant sets "Refunded" (7, ticked Refunded by default, not Returned) in the back
        # office: the order is credited and refunded whole, no goods come back
        self.assertEqual((self.mapping("7").refunded, self.mapping("7").returned), (True, False))
        raw, sale, invoice = self.paid_order()
        self.sim.set_status(raw["id"], 7)
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, invoice.amount_total)
        self.assertEqual(refund.reconciled_invoice_ids, credit_note)
        self.assertFalse(self.returns_of(sale))
        self.assertFalse(sale.marketplace_payment_differs)
        # read again: nothing twice
        self.sim.advance(600)
        self.sim.set_status(raw["id"], 7)
        self.cron_import()
        self.assertEqual(len(self.credit_notes(sale)), 1)
        self.assertEqual(len(self.refunds(sale)), 1)

    def test_refunded_state_after_a_credit_slip_refunds_nothing_more(self):
        # the slip said what went back: the state the merchant sets afterwards is not a second
        # refund of the money
        raw, sale, __ = self.paid_order()
        self.sim.add_slip(raw["id"], [("GP-28", 1)])
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        (refund,) = self.refunds(sale)
        self.sim.advance(600)
        self.sim.set_status(raw["id"], 7)
        self.cron_import()
        self.assertEqual(self.credit_notes(sale), credit_note)
        self.assertEqual(self.refunds(sale), refund)

    def test_credit_note_posted_in_odoo_sets_the_refunded_status(self):
        self.account.export_status_refund_id = self.mapping("7")
        raw, sale, invoice = self.paid_order()
        self.credit_by_hand(invoice)
        (update,) = sale.marketplace_export_ids.filtered(lambda e: e.event == "refund")
        self.assertEqual(update.state, "to_send")
        self.cron_send()
        self.assertEqual(update.state, "sent")
        self.assertEqual(self.sim.orders[str(raw["id"])]["current_state"], "7")
        # the import sees the status the connector set: not a second refund
        self.sim.advance(600)
        self.cron_import()
        self.assertEqual(len(self.credit_notes(sale)), 1)
        self.assertFalse(self.refunds(sale))
        self.assertFalse(sale.marketplace_return_ids)
        # a second credit note does not set it again
        self.credit_by_hand(invoice)
        self.assertEqual(
            len(sale.marketplace_export_ids.filtered(lambda e: e.event == "refund")), 1
        )
        # the account lets the shop e-mail the buyer only when it says so
        self.assertFalse([mail for mail in self.sim.emails if mail["order_id"] == str(raw["id"])])

    def test_partial_credit_note_in_odoo_stays_in_odoo(self):
        # "Refunded" is a status of the whole order: a credit note of part of it is not news
        # for the shop, the one that gives back the rest is (and with the account's word, the
        # shop e-mails the buyer its refund template)
        self.account.write(
            {"export_status_refund_id": self.mapping("7").id, "export_notify_buyer": True}
        )
        raw, sale, invoice = self.paid_order()
        pan = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.products["GP-28"]
        )
        jars = invoice.invoice_line_ids - pan
        self.credit_by_hand(invoice, {pan: 1.0})
        self.assertFalse(sale.marketplace_export_ids.filtered(lambda e: e.event == "refund"))
        self.cron_send()
        self.assertNotEqual(self.sim.orders[str(raw["id"])]["current_state"], "7")
        self.credit_by_hand(invoice, {line: line.quantity for line in jars})
        (update,) = sale.marketplace_export_ids.filtered(lambda e: e.event == "refund")
        self.cron_send()
        self.assertEqual(update.state, "sent")
        self.assertEqual(self.sim.orders[str(raw["id"])]["current_state"], "7")
        refund_mails = [mail for mail in self.sim.emails if mail["template"] == "refund"]
        self.assertEqual(refund_mails, [{"order_id": str(raw["id"]), "template": "refund"}])


@tagged("post_install", "-at_install")
class TestCsCartRefundedStatus(ReturnsCaseMixin, CsCartOrders, MarketplaceImportCase):
    stock_skus = ("RS-25L",)

    def make_simulator(self, **options):
        return CsCartSimulator(
            seed=11,
            orders=0,
            custom_statuses={
                "E": {"description": "Refunded", "appearance_type": "C", "inventory": "I"}
            },
            **options,
        )

    def test_refunded_status_returns_and_refunds_the_whole_order(self):
        self.account.action_load_statuses()
        row = self.mapping("E")
        self.assertEqual((row.refunded, row.returned), (True, True))
        self.assertEqual((self.mapping("I").refunded, self.mapping("I").returned), (False, False))
        raw = self.add("P", [("RS-25L", 2)], shipping="7.50")
        self.cron_import()
        sale = self.sale(raw["order_id"])
        total = sale.amount_total
        stock = self.products["RS-25L"].qty_available
        self.deliver(sale)
        invoice = self.invoice(sale)
        self.sim.advance(600)
        self.sim.set_status(raw["order_id"], "E")
        self.cron_import()
        back = self.returns_of(sale)
        self.assertEqual(back.move_ids.product_uom_qty, 2.0)
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, total)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, total)
        self.assertTrue(refund.is_reconciled)
        self.receive(back)
        self.assertEqual(self.products["RS-25L"].qty_available, stock)
        (record,) = sale.marketplace_return_ids
        self.assertEqual((record.source, record.state), ("status", "done"))
        # CS-Cart takes no return answer: nothing to send for the receipt
        self.assertFalse(back.marketplace_export_ids)
        # read again: nothing twice
        self.sim.advance(600)
        self.sim.set_status(raw["order_id"], "E")
        self.cron_import()
        self.assertEqual(len(self.returns_of(sale)), 1)
        self.assertEqual(len(self.credit_notes(sale)), 1)
        self.assertEqual(len(self.refunds(sale)), 1)

    def test_credit_note_posted_in_odoo_sets_the_refunded_status(self):
        self.account.action_load_statuses()
        self.account.export_status_refund_id = self.mapping("E")
        raw = self.add("P", [("RS-25L", 2)], shipping="7.50")
        self.cron_import()
        sale = self.sale(raw["order_id"])
        self.deliver(sale)
        invoice = self.invoice(sale)
        fee = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.account.shipping_product_id
        )
        # a partial refund recorded in Odoo stays in Odoo: CS-Cart has no credit memo
        self.credit_by_hand(invoice, {fee: 1.0})
        self.assertFalse(sale.marketplace_export_ids.filtered(lambda e: e.event == "refund"))
        # the rest credited: the order is refunded, CS-Cart is told without e-mailing the buyer
        goods = invoice.invoice_line_ids - fee
        self.credit_by_hand(invoice, {line: line.quantity for line in goods})
        (update,) = sale.marketplace_export_ids.filtered(lambda e: e.event == "refund")
        self.sim.reset_requests()
        self.cron_send()
        self.assertEqual(update.state, "sent")
        puts = [r for r in self.sim.requests if r["method"] == "PUT"]
        self.assertEqual(
            [put["body"] for put in puts if put["body"].get("status") == "E"], [{"status": "E"}]
        )
        # the import sees the status the connector set: no return, no second refund
        self.sim.advance(600)
        self.cron_import()
        self.assertFalse(self.returns_of(sale))
        self.assertEqual(len(self.credit_notes(sale)), 2)
        self.assertFalse(sale.marketplace_return_ids)
