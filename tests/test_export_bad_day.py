"""Each shop on a bad day: the write is carried out, and then the answer is lost (HTTP 500, the
connection cut, no answer in time) or spoilt (a module's output after it). Whatever happens, the
shop gets each update exactly once: one shipment, one status change, one e-mail to the buyer."""

from odoo.tests import Form, tagged

from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .export_common import MarketplaceExportCase
from .parcels_common import ParcelsMixin

# faults after the shop carried the write out (simulators/faults.py)
FAULTS = {
    "500 after the write": ("server_error", {"applied": True}),
    "connection cut after the write": ("disconnect", {}),
    "2xx with trailing output": ("trailing_output", {}),
    "timeout after the write": ("slow", {"applied": True, "seconds": 2.5}),
}


class BadDayMixin:
    """Runs the scheduled send until nothing is left to send (three runs at most), and keeps
    every write request the shop received."""

    def setUp(self):
        super().setUp()
        self.writes = []
        self.sim.on_write = self.writes.append

    def written(self, method, path, contains=""):
        """The write requests of ``method`` to ``path`` whose body mentions ``contains``."""
        return [
            w
            for w in self.writes
            if w["method"] == method and w["path"] == path and contains in str(w["body"])
        ]

    def send_until_done(self, sale):
        for _run in range(3):
            self.send()
            if not sale.marketplace_export_ids.filtered(lambda e: e.state == "to_send"):
                break
        self.assertEqual(set(sale.marketplace_export_ids.mapped("state")), {"sent"})


@tagged("post_install", "-at_install")
class TestOttoBadDay(BadDayMixin, MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self):
        return self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)

    def test_one_shipment_and_one_cancellation_whatever_the_fault(self):
        for number, (name, (kind, options)) in enumerate(FAULTS.items()):
            with self.subTest(fault=name):
                shipped = self.import_order(self.add()["salesOrderId"])
                self.deliver(shipped, tracking=f"BD{number}")
                self.sim.inject(kind, path="/v1/shipments", method="POST", **options)
                self.send_until_done(shipped)
                found = self.sim.shipments_of(shipped.marketplace_order_id)
                self.assertEqual(len(found), 1)
                self.assertEqual(len(self.written("POST", "/v1/shipments", f"BD{number}")), 1)
                # the status change of an OTTO order: its cancellation
                raw = self.add()
                cancelled = self.import_order(raw["salesOrderId"])
                action = cancelled.action_cancel()
                Form(
                    self.env[action["res_model"]].with_context(**action["context"])
                ).save().action_cancel()
                self.sim.inject(kind, path="/cancellation", method="POST", **options)
                self.send_until_done(cancelled)
                changes = [c for c in self.sim.status_changes if c[0] == raw["salesOrderId"]]
                self.assertEqual(len(changes), 1)
                requests = [w for w in self.writes if raw["salesOrderId"] in w["path"]]
                self.assertEqual(len(requests), 1)

    def test_one_multiparcel_shipment_after_a_cut_connection(self):
        raw = self.sim.add_order("PROCESSABLE", [("ABS-18V", 1)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        # one item in two parcels: one multiparcel request, carried out, its answer lost
        self.deliver(
            sale,
            tracking="MP1, MP2",
            carrier="DPD Classic",
            marketplace_return_tracking_ref="R1",
        )
        self.sim.inject("disconnect", path="/v1/multiparcel-shipments", method="POST")
        self.send_until_done(sale)
        self.assertEqual(len(self.written("POST", "/v1/multiparcel-shipments")), 1)
        found = self.sim.shipments_of(raw["salesOrderId"])
        self.assertEqual(sorted(s["trackingKey"]["trackingNumber"] for s in found), ["MP1", "MP2"])

    def test_items_added_once_to_a_parcel_after_a_cut_connection(self):
        raw = self.sim.add_order("PROCESSABLE", [("MW-20L", 2)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, {"MW-20L": 1}, tracking="AP1")
        self.send_until_done(sale)
        # the backorder goes in the same parcel: its item is added, the answer lost
        self.deliver(sale, {"MW-20L": 1}, tracking="AP1")
        self.sim.inject("disconnect", path="/positionitems", method="POST")
        self.send_until_done(sale)
        path = "/v1/shipments/carriers/DHL/trackingnumbers/AP1/positionitems"
        self.assertEqual(len(self.written("POST", path)), 1)
        self.assertEqual(len(self.sim.shipment_appends), 1)
        (shipment,) = self.sim.shipments_of(raw["salesOrderId"])
        self.assertEqual(len(shipment["positionItems"]), 2)


@tagged("post_install", "-at_install")
class TestPrestaShopBadDay(BadDayMixin, MarketplaceExportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"

    def test_one_tracking_number_one_state_one_mail_whatever_the_fault(self):
        self.account.export_notify_buyer = True
        for number, (name, (kind, options)) in enumerate(FAULTS.items()):
            with self.subTest(fault=name):
                raw = self.sim.add_order(2, [("PZ-1000", 1)], shipping=None, discount=None)
                order_id = str(raw["id"])
                sale = self.import_order(raw["id"])
                self.deliver(sale, tracking=f"6A{number}")
                self.sim.inject(kind, path="/api/order_carriers", method="PUT", **options)
                self.sim.inject(kind, path="/api/order_histories", method="POST", **options)
                self.send_until_done(sale)
                self.assertEqual(
                    [t for t in self.sim.tracking_updates if t[0] == order_id],
                    [(order_id, f"6A{number}")],
                )
                self.assertEqual(
                    [c for c in self.sim.status_changes if c[0] == order_id], [(order_id, "4")]
                )
                mails = [m for m in self.sim.emails if m["order_id"] == order_id]
                self.assertEqual(len(mails), 1)
                carrier_id = self.sim._index["carriers"][order_id]
                self.assertEqual(len(self.written("PUT", f"/api/order_carriers/{carrier_id}")), 1)
                histories = self.written(
                    "POST", "/api/order_histories", f"<id_order><![CDATA[{order_id}]]>"
                )
                self.assertEqual(len(histories), 1)
                self.assertEqual(self.sim.stock_given_back(order_id), -1)  # shipped once


@tagged("post_install", "-at_install")
class TestCsCartBadDay(ParcelsMixin, BadDayMixin, MarketplaceExportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"

    def test_one_shipment_one_status_one_mail_whatever_the_fault(self):
        self.account.export_notify_buyer = True
        for number, (name, (kind, options)) in enumerate(FAULTS.items()):
            with self.subTest(fault=name):
                raw = self.sim.add_order(
                    "P", [("PZ-1000", 1)], shipping=None, discount=None, shipping_id=2
                )
                order_id = raw["order_id"]
                sale = self.import_order(order_id)
                self.deliver(sale, tracking=f"1Z{number}")
                self.sim.inject(kind, path="/shipments", method="POST", **options)
                self.sim.inject(kind, path=f"/orders/{order_id}", method="PUT", **options)
                self.send_until_done(sale)
                self.assertEqual(
                    len([s for s in self.sim.shipments if s["order_id"] == order_id]), 1
                )
                shipments = [
                    w
                    for w in self.written("POST", "/api/2.0/shipments")
                    if str(w["body"]["order_id"]) == order_id
                ]
                self.assertEqual(len(shipments), 1)
                self.assertEqual(len(self.written("PUT", f"/api/2.0/orders/{order_id}")), 1)
                self.assertEqual(
                    [c for c in self.sim.status_changes if c[0] == order_id], [(order_id, "C")]
                )
                self.assertEqual(
                    [m for m in self.sim.emails if m["order_id"] == order_id],
                    [{"order_id": order_id, "to": "customer", "status": "C"}],
                )

    def test_the_second_parcel_is_sent_once_after_a_cut_connection(self):
        raw = self.sim.add_order(
            "P", [("PZ-1000", 1), ("GS-20M", 2)], shipping=None, discount=None, shipping_id=2
        )
        sale = self.import_order(raw["order_id"])
        self.deliver_in_packages(sale, [{"PZ-1000": 1}, {"GS-20M": 2}], tracking="1ZP1,1ZP2")
        # the first parcel's shipment is answered; CS-Cart makes the second and the answer is lost
        self.sim.on_request(
            "/api/2.0/shipments",
            lambda: self.sim.inject("disconnect", path="/shipments", method="POST"),
            nth=2,
        )
        self.send_until_done(sale)
        posts = self.written("POST", "/api/2.0/shipments")
        self.assertEqual(sorted(p["body"]["tracking_number"] for p in posts), ["1ZP1", "1ZP2"])
        self.assertEqual(sorted(s["tracking_number"] for s in self.sim.shipments), ["1ZP1", "1ZP2"])
        self.assertEqual(len(self.exports(sale, "shipment").remote_ref.split(",")), 2)
