"""Returns and refunds with OTTO Market, both ways, in real accounting (a German company with
Odoo's SKR03 chart): the buyer's announced return becomes a receipt of the delivery, the
warehouse receiving it accepts the return on OTTO (once, also after a cut connection), the item
OTTO then refunds gets a credit note and a refund payment matched with each other; a return
refused in Odoo is rejected on OTTO; a refund Odoo cannot match is kept as an amount with an
activity."""

import json

from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase
from .export_common import watch_requests
from .returns_common import ReturnsCaseMixin

SKUS = ("LED-DESK-01", "KB-BIO-1KG", "WK-1700-INOX")


@tagged("post_install", "-at_install")
class TestOttoReturns(ReturnsCaseMixin, MarketplaceImportCase):
    backend = "otto"
    simulator_class = OttoSimulator
    chart_template = "de_skr03"
    stock_skus = SKUS

    def order_of_three(self):
        """An OTTO order of three items, imported, delivered (OTTO has the shipment: the items
        are SENT) and invoiced."""
        raw = self.sim.add_order(
            "PROCESSABLE", [(sku, 1) for sku in SKUS], delivery_fee=None, discount=None
        )
        self.cron_import()
        sale = self.sale(raw["salesOrderId"])
        self.deliver(sale)
        self.cron_send()
        self.assertEqual([item["fulfillmentStatus"] for item in raw["positionItems"]], ["SENT"] * 3)
        invoice = self.invoice(sale)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.sim.advance(600)
        return raw, sale, invoice

    def posts(self):
        """The writes OTTO received since the last reset (token requests aside)."""
        return [r for r in self.sim.requests if r["method"] == "POST" and r["path"] != "/v1/token"]

    def lamp(self, raw):
        return raw["positionItems"][0]

    def returns_run(self):
        return self.env["marketplace.run"].search(
            [("account_id", "=", self.account.id), ("kind", "=", "returns")], limit=1
        )

    def test_returned_and_refunded_item(self):
        raw, sale, invoice = self.order_of_three()
        lamp = self.lamp(raw)
        price = lamp["itemValueGrossPrice"]["amount"]
        stock = self.products["LED-DESK-01"].qty_available
        # the buyer announces the return of the lamp on OTTO
        self.sim.announce_return(raw["salesOrderId"], [lamp["positionItemId"]], carrier="DHL")
        self.cron_import()
        back = self.returns_of(sale)
        self.assertEqual(len(back), 1)
        self.assertEqual(back.state, "assigned")  # waits for the goods
        self.assertEqual(
            [(m.product_id, m.product_uom_qty) for m in back.move_ids],
            [(self.products["LED-DESK-01"], 1.0)],
        )
        run = self.returns_run()
        self.assertEqual(run.line_ids.sale_order_id, sale)
        self.assertIn(back.name, run.line_ids.message)
        self.assertIn("announced by the buyer", run.line_ids.message)
        # nothing refunded yet: OTTO refunds once the return is accepted
        self.assertFalse(self.credit_notes(sale))
        self.assertFalse(self.refunds(sale))
        # the warehouse receives it: the stock is back, the acceptance is marked, then sent
        self.receive(back, marketplace_return_condition="B")
        self.assertEqual(self.products["LED-DESK-01"].qty_available, stock + 1)
        (accept,) = self.env["marketplace.export"].search(
            [("sale_order_id", "=", sale.id), ("kind", "=", "return_accept")]
        )
        self.assertEqual(
            (accept.state, json.loads(accept.items)), ("to_send", [lamp["positionItemId"]])
        )
        self.sim.reset_requests()
        self.cron_send()
        posts = [r for r in self.sim.requests if r["path"] == "/v3/returns/acceptance"]
        self.assertEqual(len(posts), 1)
        self.assertEqual(
            posts[0]["body"],
            {
                "positionItems": [
                    {
                        "positionItemId": lamp["positionItemId"],
                        "salesOrderId": raw["salesOrderId"],
                        "condition": "B",
                        "reason": "RETURN_RECEIVED",
                    }
                ]
            },
        )
        self.assertEqual(accept.state, "sent")
        self.assertEqual(back.marketplace_export_state, "sent")
        self.assertEqual(lamp["fulfillmentStatus"], "RETURNED")
        # OTTO refunded the lamp: the next scheduled import books it
        self.sim.advance(600)
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, price)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.products["LED-DESK-01"])
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, price)
        self.assertIn(refund.state, ("in_process", "paid"))  # paid once the bank shows it
        self.assertTrue(refund.marketplace_return_refund)
        self.assertTrue(refund.is_reconciled)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment", "reversed"))
        self.assertEqual(refund.reconciled_invoice_ids, credit_note)
        receivable = refund.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.account_id.code, "1410")
        self.assertFalse(sale.marketplace_payment_differs)
        (record,) = sale.marketplace_return_ids
        self.assertEqual(
            (record.state, record.picking_id, record.credit_note_id, record.payment_id),
            ("done", back, credit_note, refund),
        )
        line = self.line_of(
            self.account.run_ids.filtered(lambda r: r.kind == "import")[0], raw["salesOrderId"]
        )
        self.assertIn(credit_note.name, line.message)
        self.assertIn(refund.name, line.message)
        # read again and again: nothing is made twice, nothing sent twice
        self.sim.reset_requests()
        self.sim.advance(600)
        self.cron_import()
        self.cron_import()
        self.cron_send()
        self.assertEqual(len(self.returns_of(sale)), 1)
        self.assertEqual(len(self.credit_notes(sale)), 1)
        self.assertEqual(len(self.refunds(sale)), 1)
        self.assertEqual(len(sale.marketplace_payment_ids), 2)
        self.assertFalse(self.posts())

    def test_refund_before_the_invoice_meets_it_later(self):
        # OTTO refunds an item before Odoo invoiced the order: the refund payment is booked at
        # once and stays open beside the order's payment; the credit note follows the invoice,
        # and each is matched with its own: nothing stays open, nothing differs
        raw = self.sim.add_order(
            "PROCESSABLE", [(sku, 1) for sku in SKUS], delivery_fee=None, discount=None
        )
        self.cron_import()
        sale = self.sale(raw["salesOrderId"])
        self.deliver(sale)
        self.cron_send()
        lamp = self.lamp(raw)
        price = lamp["itemValueGrossPrice"]["amount"]
        self.sim.advance(600)
        self.sim.accept_return_by_otto(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, price)
        self.assertFalse(refund.is_reconciled)
        self.assertFalse(self.credit_notes(sale))
        (record,) = sale.marketplace_return_ids
        self.assertEqual(record.state, "open")  # its credit note waits for the invoice
        invoice = self.invoice(sale)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.sim.advance(600)
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, price)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(len(self.refunds(sale)), 1)
        self.assertTrue(refund.is_reconciled)
        self.assertEqual(refund.reconciled_invoice_ids, credit_note)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment", "reversed"))
        self.assertFalse(sale.marketplace_payment_differs)
        self.assertEqual(record.state, "done")

    def test_accountants_find_refunds_with_the_marketplace_payments(self):
        # Accounting > Customers > Marketplace Payments, filter "Refunds", and Marketplace
        # Credit Notes list what the returns made
        raw, sale, __ = self.order_of_three()
        lamp = self.lamp(raw)
        self.sim.accept_return_by_otto(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        (refund,) = self.refunds(sale)
        (credit_note,) = self.credit_notes(sale)
        action = self.env.ref("sale_marketplace_connector.account_payment_action_marketplace")
        search = self.env["account.payment"].get_views([(action.search_view_id.id, "search")])[
            "views"
        ]["search"]["arch"]
        (refunds_filter,) = etree.fromstring(search).xpath("//filter[@string='Refunds']")
        domain = safe_eval(action.domain) + safe_eval(refunds_filter.get("domain"))
        found = self.env["account.payment"].search(domain)
        self.assertIn(refund, found)
        self.assertNotIn(sale.marketplace_payment_ids - refund, found)
        notes = self.env.ref(
            "sale_marketplace_connector.account_move_action_marketplace_credit_notes"
        )
        self.assertIn(credit_note, self.env["account.move"].search(safe_eval(notes.domain)))

    def test_partial_refund_receipt_without_a_return(self):
        # where the account reads OTTO's receipts, a refund the partner granted without a
        # return (a complaint) is a credit note of that amount and a refund payment, matched;
        # a refund receipt of a returned item books nothing beyond the item's own refund
        raw, sale, __ = self.order_of_three()
        self.assertFalse(self.sim.request_count("/v3/receipts"))  # not without the account
        self.account.otto_read_receipts = True
        lamp, kettle = raw["positionItems"][0], raw["positionItems"][2]
        self.sim.grant_partial_refund(raw["salesOrderId"], lamp["positionItemId"], "5.00")
        self.cron_import()
        (credit_note,) = self.credit_notes(sale)
        self.assertEqual(credit_note.amount_total, 5.0)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.products["LED-DESK-01"])
        self.assertFalse(credit_note.invoice_line_ids.sale_line_ids)  # no unit came back
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, 5.0)
        self.assertEqual(refund.reconciled_invoice_ids, credit_note)
        self.assertFalse(self.returns_of(sale))
        (record,) = sale.marketplace_return_ids
        self.assertEqual(
            (record.source, record.shop_status, record.state), ("receipt", "PARTIAL_REFUND", "done")
        )
        self.assertIn(record.shop_ref, self.returns_run().line_ids.message)
        # OTTO takes the kettle back and refunds it: one refund of its price, not two
        self.sim.advance(600)
        self.sim.accept_return_by_otto(raw["salesOrderId"], [kettle["positionItemId"]])
        self.cron_import()
        self.sim.advance(600)
        self.cron_import()
        self.assertEqual(
            sorted(self.refunds(sale).mapped("amount")),
            sorted([5.0, kettle["itemValueGrossPrice"]["amount"]]),
        )
        self.assertEqual(len(self.credit_notes(sale)), 2)
        self.assertEqual(len(sale.marketplace_return_ids), 2)
        self.assertTrue(self.sim.request_count("/v3/receipts"))

    def test_acceptance_after_a_cut_connection_is_looked_up(self):
        raw, sale, __ = self.order_of_three()
        lamp = self.lamp(raw)
        self.sim.announce_return(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        self.receive(self.returns_of(sale))
        # OTTO accepts it, the connection breaks before the answer
        self.answer_lost_then_looked_up(
            sale,
            "return_accept",
            "/v3/returns/acceptance",
            "ACCEPTED",
            lambda: lamp["fulfillmentStatus"] == "RETURNED",
        )

    def answer_lost_then_looked_up(self, sale, kind, path, status, done_on_otto):
        """The answer to the return (``kind``) is sent, OTTO does it (``done_on_otto()``) and
        the connection breaks before its answer: the update waits, outcome unknown; the next
        try lists OTTO's returns in ``status`` and finds it there: sent once."""
        self.sim.inject("disconnect", path)
        self.sim.reset_requests()
        self.cron_send()
        (answer,) = sale.marketplace_export_ids.filtered(lambda e: e.kind == kind)
        self.assertEqual(answer.state, "to_send")
        self.assertTrue(answer.outcome_unknown)
        self.assertTrue(done_on_otto())
        answer.sudo().next_attempt_at = False
        self.cron_send()
        self.assertEqual(answer.state, "sent")
        self.assertIn("the last request arrived", answer.message)
        posts = [r for r in self.sim.requests if r["path"] == path]
        self.assertEqual(len(posts), 1)
        looks = [r for r in self.sim.requests if r["path"] == "/v3/returns"]
        self.assertEqual(looks[-1]["query"]["status"], [status])

    def test_acceptances_of_different_orders_go_together(self):
        """The answers to the returns of different orders are sent together (at most the
        account's Concurrent Requests at once), each accepted once."""
        raws = [
            self.sim.add_order("PROCESSABLE", [(SKUS[0], 1)], delivery_fee=None, discount=None)
            for __ in range(5)
        ]
        self.cron_import()
        for index, raw in enumerate(raws):
            self.deliver(self.sale(raw["salesOrderId"]), tracking=f"0034043416109404{index:04d}")
        self.cron_send()
        self.sim.advance(600)
        for raw in raws:
            self.sim.announce_return(raw["salesOrderId"], [self.lamp(raw)["positionItemId"]])
        self.cron_import()
        for raw in raws:
            self.receive(self.returns_of(self.sale(raw["salesOrderId"])))
        self.sim.set_latency(80)  # a shop answering as real ones do: requests overlap
        watching, watch = watch_requests(
            lambda method, url: method == "POST" and url.endswith("/v3/returns/acceptance")
        )
        self.sim.reset_requests()
        with watching:
            self.cron_send()
        self.assertEqual(watch["most"], 4)  # the account's Concurrent Requests
        posts = [r for r in self.sim.requests if r["path"] == "/v3/returns/acceptance"]
        self.assertEqual(
            sorted(p["body"]["positionItems"][0]["positionItemId"] for p in posts),
            sorted(self.lamp(raw)["positionItemId"] for raw in raws),
        )
        for raw in raws:
            self.assertEqual(self.lamp(raw)["fulfillmentStatus"], "RETURNED")
            (accept,) = self.sale(raw["salesOrderId"]).marketplace_export_ids.filtered(
                lambda e: e.kind == "return_accept"
            )
            self.assertEqual(accept.state, "sent", accept.message)

    def test_return_refused_in_odoo_is_rejected_on_otto(self):
        raw, sale, __ = self.order_of_three()
        lamp = self.lamp(raw)
        self.sim.announce_return(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        back = self.returns_of(sale)
        back.marketplace_return_refusal = "ITEM_DAMAGED"
        back.action_marketplace_refuse_return()
        self.assertEqual(back.state, "cancel")
        self.sim.reset_requests()
        self.cron_send()
        (post,) = self.posts()
        self.assertEqual(post["path"], "/v3/returns/rejection")
        self.assertEqual(
            post["body"]["positionItems"],
            [
                {
                    "positionItemId": lamp["positionItemId"],
                    "salesOrderId": raw["salesOrderId"],
                    "reason": "ITEM_DAMAGED",
                }
            ],
        )
        self.assertEqual(self.sim.returns[lamp["positionItemId"]]["status"], "REJECTED")
        self.assertEqual(lamp["fulfillmentStatus"], "SENT")
        # no refund for a refused return; OTTO's rejection is read back, nothing more made
        self.sim.advance(600)
        self.cron_import()
        self.assertFalse(self.credit_notes(sale))
        self.assertFalse(self.refunds(sale))
        (record,) = sale.marketplace_return_ids
        self.assertEqual((record.shop_status, record.state), ("REJECTED", "done"))

    def test_rejection_after_a_cut_connection_is_looked_up(self):
        raw, sale, __ = self.order_of_three()
        lamp = self.lamp(raw)
        self.sim.announce_return(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        back = self.returns_of(sale)
        back.marketplace_return_refusal = "ITEM_DAMAGED"
        back.action_marketplace_refuse_return()
        # OTTO rejects it, the connection breaks before the answer
        self.answer_lost_then_looked_up(
            sale,
            "return_reject",
            "/v3/returns/rejection",
            "REJECTED",
            lambda: self.sim.returns[lamp["positionItemId"]]["status"] == "REJECTED",
        )

    def test_refund_odoo_cannot_match_is_an_amount_with_an_activity(self):
        raw, sale, __ = self.order_of_three()
        lamp = self.lamp(raw)
        # the lamp's line no longer names the item (edited in Odoo): Odoo cannot match it
        lamp_product = self.products["LED-DESK-01"]
        line = sale.order_line.filtered(lambda each: each.product_id == lamp_product)
        line.marketplace_item_ids = False
        self.sim.accept_return_by_otto(raw["salesOrderId"], [lamp["positionItemId"]])
        self.cron_import()
        (refund,) = self.refunds(sale)
        self.assertEqual(refund.amount, lamp["itemValueGrossPrice"]["amount"])
        self.assertFalse(self.credit_notes(sale))
        self.assertEqual(refund.activity_ids.summary, "Marketplace refund to match")
        (record,) = sale.marketplace_return_ids
        self.assertEqual(record.state, "attention")
        self.assertIn(lamp["positionItemId"], record.message)
