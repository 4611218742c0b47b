from datetime import datetime
from zoneinfo import ZoneInfo

from odoo.tests import Form, tagged

from ..simulators import PrestaShopSimulator
from ..simulators.prestashop_query import parse_input
from .export_common import MarketplaceExportCase

ORDER_CARRIER_FIELDS = [
    "id",
    "id_order",
    "id_carrier",
    "id_order_invoice",
    "weight",
    "shipping_cost_tax_excl",
    "shipping_cost_tax_incl",
    "tracking_number",
    "date_add",
]


@tagged("post_install", "-at_install")
class TestPrestaShopExport(MarketplaceExportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    # a shop with its own "Invoiced" state (id 14)
    simulator_options = {"custom_states": [{"name": "Facturée", "invoice": 1, "logable": 1}]}
    catalog_language = "fr"

    def add(self, status=2, items=(("PZ-1000", 1),)):
        return self.sim.add_order(status, list(items), shipping=None, discount=None)

    def body(self, request, node):
        """A write as the webservice reads it: XML, never JSON."""
        self.assertTrue(request["headers"]["content-type"].startswith("text/xml"), request)
        return parse_input(request["body"].encode(), node)

    def writes(self):
        return [(r["method"], r["path"]) for r in self.sent() if r["method"] != "GET"]

    def paris_date(self, moment):
        return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Paris")).date()

    def test_full_delivery_sets_the_tracking_number_and_shipped(self):
        raw = self.add(items=[("PZ-1000", 1), ("GS-20M", 2)])
        sale = self.import_order(raw["id"])
        record = dict(self.sim.order_carriers["1"])
        picking = self.deliver(sale, tracking="6A12345678901", carrier="Spedition Krause")
        self.assertEqual(self.sim.tracking_updates, [])  # validating sends nothing
        run = self.send()
        get, put, read, post = self.sent()
        self.assertEqual((get["method"], get["path"]), ("GET", "/api/order_carriers"))
        self.assertEqual(get["query"]["filter[id_order]"], [f"[{raw['id']}]"])
        # the whole record goes back (a PUT empties what it leaves out), the shop's own carrier
        # kept whatever the Odoo carrier
        self.assertEqual((put["method"], put["path"]), ("PUT", "/api/order_carriers/1"))
        sent = self.body(put, "order_carrier")
        self.assertEqual(list(sent), ORDER_CARRIER_FIELDS)
        self.assertEqual(
            sent, {**{k: str(v) for k, v in record.items()}, "tracking_number": "6A12345678901"}
        )
        # the order's state is read right before the state is set: statuses only go forward
        self.assertEqual((read["method"], read["path"]), ("GET", "/api/orders"))
        self.assertEqual((post["method"], post["path"]), ("POST", "/api/order_histories"))
        self.assertEqual(
            self.body(post, "order_history"), {"id_order": str(raw["id"]), "id_order_state": "4"}
        )
        self.assertEqual(self.sim.tracking_updates, [(str(raw["id"]), "6A12345678901")])
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "4")])
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(sale.marketplace_export_state, "sent")
        self.assertEqual((run.sent_count, run.request_count), (2, 4))
        self.assertEqual(
            run.line_ids.filtered(lambda line: line.marketplace_status).marketplace_status, "4"
        )
        self.assertFalse(self.send())

    def test_partial_deliveries_and_several_tracking_numbers(self):
        raw = self.add(items=[("PZ-1000", 2), ("GS-20M", 1)])
        sale = self.import_order(raw["id"])
        self.deliver(sale, {"PZ-1000": 1}, tracking="6A100")
        self.send()
        # not fully delivered: the tracking number, no status yet
        self.assertEqual(self.writes(), [("PUT", "/api/order_carriers/1")])
        second = self.deliver(sale, tracking="6A200; 6A300")
        self.send()
        # issue 15: the order carrier keeps ONE number (the one its tracking link can use); the
        # further parcels' numbers go in messages of the order (private by default)
        self.assertEqual(
            self.writes(),
            [
                ("POST", "/api/customer_threads"),
                ("POST", "/api/customer_messages"),
                ("POST", "/api/customer_messages"),
                ("POST", "/api/order_histories"),
            ],
        )
        self.assertEqual(self.sim.order_carriers["1"]["tracking_number"], "6A100")
        messages = [
            self.body(r, "customer_message") for r in self.sent("POST", "/api/customer_messages")
        ]
        self.assertEqual(
            [(m["message"], m["private"]) for m in messages],
            [
                (f"Tracking number of a further parcel: DHL Paket 6A200 ({second.name})", "1"),
                (f"Tracking number of a further parcel: DHL Paket 6A300 ({second.name})", "1"),
            ],
        )
        post = self.sent("POST", "/api/order_histories")[0]
        self.assertEqual(self.body(post, "order_history")["id_order_state"], "4")
        self.assertEqual(second.marketplace_export_state, "sent")
        # a number longer than PrestaShop holds is reported, not cut
        raw = self.add()
        other = self.import_order(raw["id"])
        picking = self.deliver(other, tracking="6A" + "0" * 63)
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("at most 64 characters", picking.marketplace_export_message)

    def test_each_status_transition_is_sent_once(self):
        self.env["marketplace.status.mapping"].create(
            {
                "account_id": self.account.id,
                "code": "14",
                "name": "Facturée",
                "document_type": "order",
                "document_state": "sale",
            }
        )
        self.account.export_status_invoice_id = self.mapping("14")
        # paid orders come in as quotations to review: the shop's payment is known (an unpaid
        # order would not get the states that tell PrestaShop it is paid, 3 and 5)
        self.mapping("2").write({"document_type": "quotation", "document_state": "draft"})
        raw = self.add(status=2)
        sale = self.import_order(raw["id"])
        self.assertEqual(sale.state, "draft")
        sale.action_confirm()
        self.send()
        read, post = self.sent()
        self.assertEqual((read["method"], read["path"]), ("GET", "/api/orders"))
        self.assertEqual(
            self.body(post, "order_history"), {"id_order": str(raw["id"]), "id_order_state": "3"}
        )
        self.deliver(sale, carrier=None)  # no tracking number: delivered, not shipped
        self.send()
        self.assertEqual(
            [self.body(r, "order_history")["id_order_state"] for r in self.sent("POST")], ["5"]
        )
        self.invoice(sale)
        self.send()
        self.assertEqual(
            [self.body(r, "order_history")["id_order_state"] for r in self.sent("POST")], ["14"]
        )
        action = sale.action_cancel()
        Form(self.env[action["res_model"]].with_context(**action["context"])).save().action_cancel()
        self.send()
        self.assertEqual(
            [self.body(r, "order_history")["id_order_state"] for r in self.sent("POST")], ["6"]
        )
        # confirmed and cancelled again: each transition went once, nothing more is sent
        sale.action_draft()
        sale.action_confirm()
        sale.with_context(disable_cancel_warning=True).action_cancel()
        self.assertFalse(self.send())
        self.assertEqual(
            self.sim.status_changes, [(str(raw["id"]), code) for code in ("3", "5", "14", "6")]
        )
        statuses = self.exports(sale, "status")
        self.assertEqual(sorted(statuses.mapped("status_code")), ["14", "3", "5", "6"])

    def test_confirmed_by_the_import_needs_no_status(self):
        raw = self.add(status=2)  # payment accepted: the import confirms it
        sale = self.import_order(raw["id"])
        self.assertEqual(sale.state, "sale")
        self.assertFalse(self.exports(sale))
        self.assertFalse(self.send())
        self.assertEqual(self.sim.requests, [])

    def test_document_numbers_and_delivery_dates_in_private_messages(self):
        self.account.write({"export_document_numbers": True, "export_delivery_dates": True})
        raw = self.add(status=10)
        sale = self.import_order(raw["id"])
        sale.commitment_date = datetime(2026, 12, 3, 10, 0)
        sale.action_confirm()
        self.send()
        # awaiting the bank wire: "Processing in progress" (paid=1) would make PrestaShop book
        # a payment that never came; it is not set
        self.assertEqual(
            self.writes(),
            [("POST", "/api/customer_threads"), ("POST", "/api/customer_messages")],
        )
        self.assertEqual(self.exports(sale, "status").state, "not_needed")
        self.assertIn("tells the shop the order is paid", self.exports(sale, "status").message)
        thread = self.body(self.sent("POST", "/api/customer_threads")[0], "customer_thread")
        self.assertEqual(len(thread.pop("token")), 12)
        self.assertEqual(
            thread,
            {
                "id_lang": "1",
                "id_shop": "1",
                "id_customer": self.sim.orders[str(raw["id"])]["id_customer"],
                "id_order": str(raw["id"]),
                "id_contact": "2",
                "status": "closed",
                "email": sale.partner_id.email,
            },
        )
        (message,) = self.sent("POST", "/api/customer_messages")
        self.assertEqual(
            self.body(message, "customer_message"),
            {
                "id_employee": "0",
                "id_customer_thread": "1",
                "message": f"Odoo order {sale.name}\nExpected delivery: 2026-12-03",
                "private": "1",
            },
        )
        picking = self.deliver(sale, tracking="6A7")
        self.send()
        # the thread is known now: messages go straight into it
        (message,) = self.sent("POST", "/api/customer_messages")
        self.assertEqual(
            self.body(message, "customer_message")["message"],
            f"Shipped on {self.paris_date(picking.date_done)} ({picking.name})",
        )
        self.assertEqual(self.sent("GET", "/api/customer_threads"), [])
        invoice = self.invoice(sale)
        self.send()
        (message,) = self.sent("POST")
        self.assertEqual(
            self.body(message, "customer_message")["message"], f"Odoo invoice {invoice.name}"
        )
        self.assertEqual(len(self.sim.resources["customer_messages"]), 3)
        self.assertTrue(
            all(m["private"] == "1" for m in self.sim.resources["customer_messages"].values())
        )

    def test_messages_join_the_buyers_thread(self):
        self.account.export_document_numbers = True
        raw = self.add(status=10)
        sale = self.import_order(raw["id"])
        client = self.account._get_client()
        thread_id = client.create_customer_thread(
            {"id_lang": 1, "id_contact": 2, "id_order": raw["id"], "token": "buyer0000001"}
        )
        client.add_message(thread_id, "Please leave the parcel with the neighbour.")
        sale.action_confirm()
        self.send()
        self.assertEqual(self.sent("POST", "/api/customer_threads"), [])
        messages = self.sim.resources["customer_messages"].values()
        self.assertEqual(
            [m["message"] for m in messages],
            ["Please leave the parcel with the neighbour.", f"Odoo order {sale.name}"],
        )
        self.assertEqual({m["id_customer_thread"] for m in messages}, {thread_id})

    def test_shop_error_then_retry(self):
        raw = self.add()
        sale = self.import_order(raw["id"])
        picking = self.deliver(sale, tracking="6A<1>")  # not a tracking number for PrestaShop
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("Validation error", picking.marketplace_export_message)
        self.assertEqual(self.sim.tracking_updates, [])
        # 'shipped' waits for the tracking number: the buyer is not told without it
        self.assertEqual(self.exports(sale, "status").state, "to_send")
        self.assertEqual(self.sim.status_changes, [])
        self.assertFalse(self.send())  # both wait for a person: no run, no request
        picking.carrier_tracking_ref = "6A1"  # corrected: to send again
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.send()
        self.assertEqual(self.sim.tracking_updates, [(str(raw["id"]), "6A1")])
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "4")])
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(sale.marketplace_export_state, "sent")

    def test_timeout_then_retry_sends_no_duplicate(self):
        raw = self.add()
        sale = self.import_order(raw["id"])
        self.deliver(sale, tracking="6A9")
        self.sim.inject("slow", path="/api/order_histories", seconds=3)
        self.send()
        status = self.exports(sale, "status")
        self.assertEqual((status.state, status.outcome_unknown), ("to_send", True))
        self.wait_for(lambda: len(self.sim.status_changes) == 1)
        self.send()
        # the order's state is read: the history arrived, it is not posted again
        (get,) = self.sent()
        self.assertEqual((get["method"], get["path"]), ("GET", "/api/orders"))
        self.assertEqual(get["query"]["filter[id]"], [f"[{raw['id']}]"])
        self.assertEqual(status.state, "sent")
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "4")])

    def test_message_timeout_then_retry_sends_no_duplicate(self):
        self.account.export_document_numbers = True
        raw = self.add(status=10)
        sale = self.import_order(raw["id"])
        self.account.export_status_confirm_id = False
        sale.action_confirm()
        self.sim.inject("slow", path="/api/customer_messages", seconds=3)
        self.send()
        self.wait_for(lambda: len(self.sim.resources["customer_messages"]) == 1)
        self.send()
        self.assertEqual(self.writes(), [])
        self.assertEqual(self.exports(sale).state, "sent")
        self.assertEqual(len(self.sim.resources["customer_messages"]), 1)

    def test_tracking_number_taken_from_the_shop(self):
        self.account.import_tracking = True
        raw = self.add()
        sale = self.import_order(raw["id"])
        self.sim.advance(600)
        self.sim.set_status(raw["id"], 4)  # shipped from the back office, with a tracking number
        number = self.sim.order_carriers["1"]["tracking_number"]
        self.assertTrue(number)
        self.account._import_orders()
        picking = self.deliver(sale)
        self.send()
        self.assertEqual(picking.carrier_tracking_ref, number)
        self.assertEqual(picking.marketplace_export_state, "not_needed")
        # the shop says shipped already: no status either
        self.assertEqual(self.writes(), [])
        self.assertEqual(self.exports(sale, "status").state, "not_needed")

    def test_nothing_to_send_costs_nothing(self):
        raw = self.add(status=5)
        self.import_order(raw["id"])
        self.assertFalse(self.send())
        self.assertEqual(self.sim.requests, [])
