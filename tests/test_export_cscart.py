from datetime import datetime
from zoneinfo import ZoneInfo

from odoo.tests import Form, tagged

from ..simulators import CsCartSimulator
from .export_common import MarketplaceExportCase

# no notify flag: CS-Cart reads any non-empty notify_* (even "N") as "e-mail them"
QUIET = {}


@tagged("post_install", "-at_install")
class TestCsCartExport(MarketplaceExportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    # a store with its own "Invoiced" status
    simulator_options = {"custom_statuses": {"A": "Invoiced"}}
    catalog_language = "fr"

    def add(self, status="P", items=(("PZ-1000", 1),)):
        return self.sim.add_order(status, list(items), shipping=None, discount=None, shipping_id=2)

    def item(self, raw, sku):
        return next(key for key, p in raw["products"].items() if p["product_code"] == sku)

    def calls(self):
        return [(r["method"], r["path"]) for r in self.sent()]

    def stamp(self, picking):
        return int(picking.date_done.replace(tzinfo=ZoneInfo("UTC")).timestamp())

    def test_full_delivery_is_one_shipment_and_complete(self):
        raw = self.add(items=[("PZ-1000", 1), ("GS-20M", 2)])
        sale = self.import_order(raw["order_id"])
        picking = self.deliver(sale, tracking="1Z999AA10123456784")
        self.assertEqual(self.sim.shipments, [])
        run = self.send()
        order_path = f"/api/2.0/orders/{raw['order_id']}"
        # the status is read before its PUT (statuses only go forward) and read back after it
        # (CS-Cart answers 200 whatever it did with it)
        self.assertEqual(
            self.calls(),
            [
                ("GET", order_path),
                ("POST", "/api/2.0/shipments"),
                ("GET", order_path),
                ("PUT", order_path),
                ("GET", order_path),
            ],
        )
        get, post, __, put, __ = self.sent()
        self.assertEqual(
            post["body"],
            {
                "order_id": int(raw["order_id"]),
                "shipping_id": "2",
                "products": {self.item(raw, "PZ-1000"): 1, self.item(raw, "GS-20M"): 2},
                "carrier": "dhl",
                "tracking_number": "1Z999AA10123456784",
                "timestamp": self.stamp(picking),  # the ship date (issue 15)
            },
        )
        self.assertEqual(put["body"], {"status": "C", **QUIET})
        self.assertEqual(self.sim.status_changes, [(raw["order_id"], "C")])
        self.assertEqual(self.sim.recalculations, [])  # only ever a status: no recalculation
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(self.exports(sale, "shipment").remote_ref, "1")
        self.assertEqual(sale.marketplace_status, "C")
        self.assertEqual((run.sent_count, run.request_count), (2, 5))
        self.assertFalse(self.send())

    def test_partial_deliveries_and_several_tracking_numbers(self):
        raw = self.add(items=[("PZ-1000", 2), ("GS-20M", 1)])
        sale = self.import_order(raw["order_id"])
        self.deliver(sale, {"PZ-1000": 1}, tracking="1Z1", carrier="Hermes")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["products"], {self.item(raw, "PZ-1000"): 1})
        self.assertEqual(post["body"]["carrier"], "hermes")
        self.assertEqual(self.sim.status_changes, [])  # not all delivered yet
        second = self.deliver(sale, tracking="1Z2, 1Z3", carrier="Hermes")
        self.send()
        # the shipping method is read once per order (the order is read again for its status)
        order_path = f"/api/2.0/orders/{raw['order_id']}"
        self.assertEqual(
            self.calls(),
            [
                ("POST", "/api/2.0/shipments"),
                ("GET", order_path),
                ("PUT", order_path),
                ("GET", order_path),
            ],
        )
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"],
            {
                "order_id": int(raw["order_id"]),
                "shipping_id": "2",
                "products": {self.item(raw, "PZ-1000"): 1, self.item(raw, "GS-20M"): 1},
                "carrier": "hermes",
                "tracking_number": "1Z2, 1Z3",
                "timestamp": self.stamp(second),  # the ship date (issue 15)
            },
        )
        shipped = {key: p["shipped_amount"] for key, p in raw["products"].items()}
        self.assertEqual(shipped, {self.item(raw, "PZ-1000"): "2", self.item(raw, "GS-20M"): "1"})

    def test_carrier_mapping_and_unmapped_carrier(self):
        first, second = self.add(), self.add()
        sales = [self.import_order(raw["order_id"]) for raw in (first, second)]
        krause = self.deliver(sales[0], tracking="K1", carrier="Spedition Krause")
        dpd = self.deliver(sales[1], tracking="D1", carrier="DPD Classic")
        self.send()
        self.assertEqual(krause.marketplace_export_state, "failed")
        self.assertIn("Spedition Krause has no CS-Cart carrier", krause.marketplace_export_message)
        self.assertEqual(dpd.marketplace_export_state, "sent")
        self.assertEqual([s["carrier"] for s in self.sim.shipments], ["dpd"])
        self.account.carrier_mapping_ids = [
            (0, 0, {"carrier_id": self.carriers["Spedition Krause"].id, "shop_carrier": "krause"})
        ]
        krause.action_marketplace_send()
        self.env.invalidate_all()
        self.assertEqual([s["carrier"] for s in self.sim.shipments], ["dpd", "krause"])
        self.assertEqual(krause.marketplace_export_state, "sent")

    def test_without_tracking_number_a_shipment_with_the_carrier(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        self.deliver(sale, carrier="DPD Classic")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["carrier"], "dpd")
        self.assertNotIn("tracking_number", post["body"])
        other = self.import_order(self.add()["order_id"])
        picking = self.deliver(other, carrier=None)
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("needs a carrier or a tracking number", picking.marketplace_export_message)

    def test_each_status_transition_is_sent_once(self):
        self.env["marketplace.status.mapping"].create(
            {
                "account_id": self.account.id,
                "code": "A",
                "name": "Invoiced",
                "document_type": "order",
                "document_state": "sale",
            }
        )
        self.account.export_status_invoice_id = self.mapping("A")
        raw = self.add(status="O")
        sale = self.import_order(raw["order_id"])
        self.assertEqual(sale.state, "draft")
        sale.action_confirm()
        self.send()
        self.assertEqual([r["body"] for r in self.sent("PUT")], [{"status": "P", **QUIET}])
        self.deliver(sale, tracking="1Z5")
        self.send()
        self.assertEqual([r["body"]["status"] for r in self.sent("PUT")], ["C"])
        self.invoice(sale)
        self.send()
        self.assertEqual([r["body"]["status"] for r in self.sent("PUT")], ["A"])
        action = sale.action_cancel()
        Form(self.env[action["res_model"]].with_context(**action["context"])).save().action_cancel()
        self.send()
        self.assertEqual([r["body"]["status"] for r in self.sent("PUT")], ["I"])
        sale.action_draft()
        sale.action_confirm()
        sale.with_context(disable_cancel_warning=True).action_cancel()
        self.assertFalse(self.send())
        self.assertEqual(
            self.sim.status_changes, [(raw["order_id"], code) for code in ("P", "C", "A", "I")]
        )
        self.assertEqual(self.sim.recalculations, [])

    def test_cancelled_on_the_store_is_left_alone(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        self.sim.advance(600)
        self.sim.set_status(raw["order_id"], "D")  # declined by the store
        self.account._import_orders()
        self.assertEqual(sale.state, "cancel")
        self.send()
        self.assertEqual(self.sent(), [])
        self.assertEqual(self.exports(sale).state, "not_needed")

    def test_document_numbers_and_dates_in_the_shipment_comments(self):
        # the buyer sees the comments: Odoo's references only when the account shows them
        self.account.write(
            {
                "export_document_numbers": True,
                "export_delivery_dates": True,
                "export_show_internal_refs": True,
            }
        )
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        sale.commitment_date = datetime(2026, 12, 3, 10, 0)
        picking = self.deliver(sale, tracking="1Z7")
        self.send()
        (post,) = self.sent("POST")
        shipped = picking.date_done.replace(tzinfo=ZoneInfo("UTC")).astimezone(
            ZoneInfo("Europe/Paris")
        )
        comments = (
            f"Odoo order {sale.name}, delivery {picking.name}\n"
            "Expected delivery: 2026-12-03\n"
            f"Shipped on {shipped.date()}"
        )
        self.assertEqual(post["body"]["comments"], comments)
        # the merchant adds a word to the shipment; the invoice number is added after it
        self.sim.shipments[0]["comments"] += "\nFragile"
        invoice = self.invoice(sale)
        self.send()
        self.assertEqual(
            self.calls(), [("GET", "/api/2.0/shipments"), ("PUT", "/api/2.0/shipments/1")]
        )
        self.assertEqual(self.sent("GET")[0]["query"]["shipment_id"], ["1"])
        self.assertEqual(
            self.sent("PUT")[0]["body"],
            {"comments": f"{comments}\nFragile\nOdoo invoice {invoice.name}"},
        )
        # staff notes are never written: they would make CS-Cart recalculate the order
        self.assertEqual(self.sim.recalculations, [])
        self.assertEqual(self.sim.orders[raw["order_id"]]["details"], "")

    def test_invoice_before_the_first_shipment_goes_with_it(self):
        self.account.write({"export_document_numbers": True, "export_show_internal_refs": True})
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        invoice = self.invoice(sale)
        self.send()
        self.assertEqual(self.sent(), [])
        note = self.exports(sale, "note")
        self.assertEqual(note.state, "not_needed")
        self.assertIn("goes with its first shipment", note.message)
        picking = self.deliver(sale, tracking="1Z8")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"]["comments"],
            f"Odoo order {sale.name}, delivery {picking.name}\nOdoo invoice {invoice.name}",
        )

    def test_shop_error_then_retry(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        picking = self.deliver(sale, tracking="1Z9")
        self.sim.inject("refused", path="/shipments", status=400, message="Bad Request: locked")
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("Bad Request: locked", picking.marketplace_export_message)
        self.assertEqual(self.exports(sale, "status").state, "to_send")  # waits for the shipment
        self.sim.reset_requests()
        sale.action_marketplace_send()  # "Retry" on the order: its shipment and status
        self.env.invalidate_all()
        order_path = f"/api/2.0/orders/{raw['order_id']}"
        self.assertEqual(
            self.calls(),
            [
                ("POST", "/api/2.0/shipments"),
                ("GET", order_path),
                ("PUT", order_path),
                ("GET", order_path),
            ],
        )
        self.assertEqual(
            (picking.marketplace_export_state, sale.marketplace_export_state), ("sent", "sent")
        )

    def test_timeout_then_retry_sends_no_duplicate(self):
        raw = self.add(items=[("PZ-1000", 2)])
        sale = self.import_order(raw["order_id"])
        self.deliver(sale, {"PZ-1000": 1}, tracking="1Z10")
        self.sim.inject("slow", path="/shipments", seconds=3)
        self.send()
        shipment = self.exports(sale, "shipment")
        self.assertEqual((shipment.state, shipment.outcome_unknown), ("to_send", True))
        self.wait_for(lambda: len(self.sim.shipments) == 1)
        self.send()
        # CS-Cart cannot find a shipment by tracking number: the order's shipments are compared
        self.assertEqual(self.calls(), [("GET", "/api/2.0/shipments")])
        self.assertEqual(self.sent()[0]["query"]["order_id"], [raw["order_id"]])
        self.assertEqual((shipment.state, shipment.remote_ref), ("sent", "1"))
        self.assertEqual(len(self.sim.shipments), 1)

    def test_tracking_number_taken_from_the_shop(self):
        self.account.import_tracking = True
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        # the merchant's shipping tool made the shipment on CS-Cart
        self.account._get_client().create_shipment(
            {"order_id": raw["order_id"], "shipping_id": "2", "tracking_number": "1ZSHOP"}
        )
        picking = self.deliver(sale, carrier=None)
        self.send()
        self.assertEqual(picking.carrier_tracking_ref, "1ZSHOP")
        self.assertEqual(picking.marketplace_export_state, "not_needed")
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertEqual([r["body"]["status"] for r in self.sent("PUT")], ["C"])

    def test_nothing_to_send_costs_nothing(self):
        self.import_order(self.add(status="C")["order_id"])
        self.assertFalse(self.send())
        self.assertEqual(self.sim.requests, [])
