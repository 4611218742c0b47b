"""OTTO Market shipments of real deliveries: packages, a backorder in a parcel OTTO has, return
tracking keys and return addresses, forwarders, corrected tracking numbers, kits, backorders
cancelled. Against the OTTO simulator, which refuses what OTTO's openapi.json refuses."""

from odoo.tests import tagged

from ..simulators import OttoSimulator
from .export_common import MarketplaceExportCase
from .parcels_common import ParcelsMixin
from .test_export_otto import HAMBURG

RETURN_ADDRESSES = ("7423afd2-e7ab-4bae-ac30-048b7c0346c1", "1bd2bd6e-5d7c-4b6a-9d33-2f1c2c0d9a11")


@tagged("post_install", "-at_install")
class TestOttoParcels(ParcelsMixin, MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, items):
        return self.sim.add_order("PROCESSABLE", items, delivery_fee=None, discount=None)

    def item_ids(self, raw, *indexes):
        return [raw["positionItems"][i]["positionItemId"] for i in indexes]

    def positions(self, raw, *indexes, **extra):
        return [
            {"positionItemId": item, "salesOrderId": raw["salesOrderId"], **extra}
            for item in self.item_ids(raw, *indexes)
        ]

    def test_one_shipment_per_package(self):
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        # Odoo's carriers number the packages as the delivery lists them: the newest first
        picking, packages = self.deliver_in_packages(
            sale, [{"MW-20L": 1}, {"TS-UNI-L": 2}], tracking="T-SHIRTS,MICROWAVE"
        )
        self.assertEqual(packages.mapped("name"), [f"{sale.name}-P2", f"{sale.name}-P1"])
        self.send()
        posts = self.sent("POST")
        self.assertEqual([p["path"] for p in posts], ["/v1/shipments", "/v1/shipments"])
        self.assertEqual(
            [(p["body"]["trackingKey"], p["body"]["positionItems"]) for p in posts],
            [
                ({"carrier": "DHL", "trackingNumber": "T-SHIRTS"}, self.positions(raw, 1, 2)),
                ({"carrier": "DHL", "trackingNumber": "MICROWAVE"}, self.positions(raw, 0)),
            ],
        )
        self.assertEqual(len(self.sim.shipments_of(raw["salesOrderId"])), 2)
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(len(self.exports(sale, "shipment").remote_ref.split(",")), 2)
        # a delivery with more tracking numbers than packages is reported, nothing sent half
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 2)])
        other = self.import_order(raw["salesOrderId"])
        picking, _packages = self.deliver_in_packages(
            other, [{"MW-20L": 1, "TS-UNI-L": 2}], tracking="A1,A2"
        )
        self.send()
        self.assertEqual(self.sent("POST"), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("one tracking number per shipment", picking.marketplace_export_message)

    def test_backorder_in_a_parcel_otto_has_adds_its_items(self):
        raw = self.add([("MW-20L", 3)])
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, {"MW-20L": 1}, tracking="P1")
        self.send()
        (shipment,) = self.sim.shipments
        # the backorder goes in the same parcel: its item is added to OTTO's shipment
        second = self.deliver(sale, {"MW-20L": 1}, tracking="P1")
        self.send()
        self.assertEqual(
            [(r["method"], r["path"], r["status"]) for r in self.sent()],
            [
                ("GET", "/v1/shipments/carriers/DHL/trackingnumbers/P1", 200),
                ("POST", "/v1/shipments/carriers/DHL/trackingnumbers/P1/positionitems", 200),
            ],
        )
        self.assertEqual(self.sent("POST")[0]["body"], self.positions(raw, 1))
        self.assertEqual(
            self.sim.shipment_appends, [(shipment["shipmentId"], self.positions(raw, 1))]
        )
        self.assertEqual(second.marketplace_export_state, "sent")
        self.assertIn("added to shipment", second.marketplace_export_message)

    def test_duplicate_key_of_the_same_order_adds_the_missing_items(self):
        raw = self.add([("MW-20L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        # the second unit was reported on OTTO's portal under the parcel's tracking number
        self.account._get_client().create_shipment(
            {
                "trackingKey": {"carrier": "DHL", "trackingNumber": "P5"},
                "shipDate": "2026-11-20T10:00:00.000Z",
                "shipFromAddress": HAMBURG,
                "positionItems": self.positions(raw, 1),
            }
        )
        picking = self.deliver(sale, {"MW-20L": 1}, tracking="P5")
        self.send()
        self.assertEqual(
            [(r["method"], r["path"], r["status"]) for r in self.sent()],
            [
                ("POST", "/v1/shipments", 409),
                ("GET", "/v1/shipments/carriers/DHL/trackingnumbers/P5", 200),
                ("POST", "/v1/shipments/carriers/DHL/trackingnumbers/P5/positionitems", 200),
            ],
        )
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertEqual(
            [p["positionItemId"] for p in self.sim.shipments[0]["positionItems"]],
            self.item_ids(raw, 1, 0),
        )
        self.assertEqual(picking.marketplace_export_state, "sent")

    def test_return_labels_return_addresses_and_forwarders(self):
        self.sim.return_labels = True
        self.sim.return_address_carrier_ids = RETURN_ADDRESSES
        self.account.write(
            {
                "otto_return_labels": True,
                "otto_return_carrier": "HERMES",
                "otto_return_address_carrier_id": RETURN_ADDRESSES[1],
            }
        )
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="H1")
        self.send()
        # a parcel delivery without the return label's tracking number: reported, not sent
        self.assertEqual(self.sent(), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("return label", picking.marketplace_export_message)
        picking.marketplace_return_tracking_ref = "R1"
        self.sim.reset_requests()
        picking.action_marketplace_send()
        self.env.invalidate_all()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"]["positionItems"],
            self.positions(
                raw,
                0,
                1,
                returnTrackingKey={"carrier": "HERMES", "trackingNumber": "R1"},
                returnAddressCarrierId=RETURN_ADDRESSES[1],
            ),
        )
        self.assertEqual(picking.marketplace_export_state, "sent")
        # a forwarder without tracking number and without return label: the carrier alone
        self.env["marketplace.carrier.mapping"].create(
            {
                "account_id": self.account.id,
                "carrier_id": self.carriers["Spedition Krause"].id,
                "shop_carrier": "OTHER_FORWARDER",
            }
        )
        raw = self.add([("GS-20M", 1)])
        other = self.import_order(raw["salesOrderId"])
        pallet = self.deliver(other, carrier="Spedition Krause")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["trackingKey"], {"carrier": "OTHER_FORWARDER"})
        self.assertEqual(
            post["body"]["positionItems"],
            self.positions(raw, 0, returnAddressCarrierId=RETURN_ADDRESSES[1]),
        )
        self.assertEqual(pallet.marketplace_export_state, "sent")
        # an account with several return addresses that names none: OTTO refuses, and says why
        self.account.otto_return_address_carrier_id = False
        raw = self.add([("GS-20M", 1)])
        third = self.import_order(raw["salesOrderId"])
        refused = self.deliver(third, tracking="H3", marketplace_return_tracking_ref="R3")
        self.send()
        self.assertEqual(refused.marketplace_export_state, "failed")
        self.assertIn("returnAddressCarrierId", refused.marketplace_export_message)

    def test_corrected_tracking_number_is_a_failure_that_says_what_to_do(self):
        raw = self.add([("MW-20L", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="WRONG1")
        self.send()
        self.assertEqual(picking.marketplace_export_state, "sent")
        picking.carrier_tracking_ref = "RIGHT1"
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.send()
        # OTTO's API cannot change a tracking key: no shipment is posted, the merchant is told
        self.assertEqual(self.sent("POST"), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        message = picking.marketplace_export_message
        self.assertIn("OTTO Partner Connect", message)
        self.assertIn("WRONG1", message)
        self.assertIn("RIGHT1", message)
        self.assertEqual(len(self.sim.shipments), 1)
        # corrected on OTTO: Retry finds the new number there and is done
        self.sim.correct_tracking("DHL", "WRONG1", "RIGHT1")
        self.sim.reset_requests()
        picking.action_marketplace_send()
        self.env.invalidate_all()
        self.assertEqual(
            [(r["method"], r["path"]) for r in self.sent()],
            [("GET", "/v1/shipments/carriers/DHL/trackingnumbers/RIGHT1")],
        )
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertIn("corrected tracking number", picking.marketplace_export_message)
        # the same number again changes nothing
        picking.carrier_tracking_ref = "RIGHT1"
        self.assertEqual(picking.marketplace_export_state, "sent")

    def test_several_parcels_of_one_item_need_return_keys(self):
        raw = self.add([("ABS-18V", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="01501, 01502", carrier="DPD Classic")
        self.send()
        self.assertEqual(self.sent(), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("return label", picking.marketplace_export_message)

    def test_kit_ships_units_of_the_kit(self):
        self.make_kit("MW-20L", {"MW-BODY": 1, "MW-PLATE": 2})
        raw = self.add([("MW-20L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        delivery = self.open_delivery(sale)
        self.assertEqual(
            sorted(delivery.move_ids.mapped("product_id.default_code")), ["MW-BODY", "MW-PLATE"]
        )
        # one kit: one body and two plates, one position item (not three)
        self.deliver(sale, {"MW-BODY": 1, "MW-PLATE": 2}, tracking="K1")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["positionItems"], self.positions(raw, 0))
        # a body without its plates is no kit: nothing to ship yet
        first_half = self.deliver(sale, {"MW-BODY": 1, "MW-PLATE": 0}, tracking="K2")
        self.send()
        self.assertEqual(self.sent("POST"), [])
        self.assertEqual(first_half.marketplace_export_state, "not_needed")
        self.deliver(sale, {"MW-PLATE": 2}, tracking="K3")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["positionItems"], self.positions(raw, 1))

    def test_backorder_cancelled_cancels_the_items_that_will_never_ship(self):
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, {"MW-20L": 1, "TS-UNI-L": 1}, tracking="B1")
        backorder = self.open_delivery(sale)
        backorder.action_cancel()
        self.assertEqual(sale.state, "sale")
        (cancel,) = self.exports(sale, "cancel")
        self.send()
        cancellation = self.sent("POST", f"/v4/orders/{raw['salesOrderId']}/positionItems")
        self.assertEqual(len(cancellation), 1)
        self.assertEqual(
            self.sim.status_changes,
            [(raw["salesOrderId"], "CANCELLED_BY_PARTNER", self.item_ids(raw, 2))],
        )
        self.assertEqual(cancel.state, "sent")
        self.assertEqual(
            [i["fulfillmentStatus"] for i in raw["positionItems"]],
            ["SENT", "SENT", "CANCELLED_BY_PARTNER"],
        )
        # the next import finds the item the connector cancelled: the line follows, quietly
        self.sim.advance(60)
        self.account._import_orders()
        line = sale.order_line.filtered(lambda o: o.product_id.default_code == "TS-UNI-L")
        self.assertEqual((line.product_uom_qty, line.qty_delivered), (1, 1))
        self.assertFalse(sale.activity_ids)
        self.assertFalse(sale.marketplace_total_mismatch)
        # validated without a backorder: the same
        raw = self.add([("GS-20M", 2)])
        other = self.import_order(raw["salesOrderId"])
        picking = self.open_delivery(other)
        picking.write({"carrier_id": self.carriers["DHL Paket"].id, "carrier_tracking_ref": "B2"})
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        self._validate(picking, backorder=False)
        self.send()
        self.assertEqual(
            self.sim.status_changes[-1],
            (raw["salesOrderId"], "CANCELLED_BY_PARTNER", self.item_ids(raw, 1)),
        )
