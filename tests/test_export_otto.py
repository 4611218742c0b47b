import json
from datetime import timedelta

from odoo.tests import Form, tagged

from ..simulators import OttoSimulator
from .export_common import MarketplaceExportCase

HAMBURG = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22767"}


@tagged("post_install", "-at_install")
class TestOttoExport(MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, items):
        return self.sim.add_order("PROCESSABLE", items, delivery_fee=None, discount=None)

    def positions(self, raw, *indexes):
        items = raw["positionItems"]
        return [
            {"positionItemId": items[i]["positionItemId"], "salesOrderId": raw["salesOrderId"]}
            for i in indexes
        ]

    def ship_date(self, picking):
        return picking.date_done.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def test_full_delivery_is_one_shipment(self):
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="00340434161094042557")
        # validating marks the shipment; nothing goes to OTTO before the scheduled action
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.assertEqual(sale.marketplace_export_state, "to_send")
        self.assertEqual(self.sim.shipments, [])
        run = self.send()
        (post,) = self.sent()
        self.assertEqual(
            (post["method"], post["path"], post["status"]), ("POST", "/v1/shipments", 201)
        )
        self.assertEqual(
            post["body"],
            {
                "trackingKey": {"carrier": "DHL", "trackingNumber": "00340434161094042557"},
                "shipDate": self.ship_date(picking),
                "shipFromAddress": HAMBURG,
                "positionItems": self.positions(raw, 0, 1, 2),
            },
        )
        self.assertEqual([item["fulfillmentStatus"] for item in raw["positionItems"]], ["SENT"] * 3)
        self.assertEqual(
            (picking.marketplace_export_state, sale.marketplace_export_state), ("sent", "sent")
        )
        shipment_id = self.sim.shipments[0]["shipmentId"]
        self.assertIn(shipment_id, picking.marketplace_export_message)
        self.assertEqual(self.exports(sale).remote_ref, shipment_id)
        self.assertEqual((run.trigger, run.state, run.sent_count), ("export", "done", 1))
        self.assertEqual(run.request_count, 2)  # the token and the shipment
        (line,) = run.line_ids
        self.assertEqual(
            (line.result, line.picking_id, line.sale_order_id), ("sent", picking, sale)
        )
        self.assertEqual(json.loads(line.payload)["request"], post["body"])
        self.assertEqual(json.loads(line.payload)["answer"], {"shipmentId": shipment_id})
        # sent once: the next run has nothing to send and asks nothing
        self.assertFalse(self.send())
        self.assertEqual(self.sim.requests, [])

    def test_partial_deliveries_ship_the_items_they_moved(self):
        raw = self.add([("MW-20L", 2), ("TS-UNI-L", 1)])
        sale = self.import_order(raw["salesOrderId"])
        first = self.deliver(sale, {"MW-20L": 1}, tracking="H100")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["positionItems"], self.positions(raw, 0))
        self.assertEqual(post["body"]["trackingKey"], {"carrier": "DHL", "trackingNumber": "H100"})
        # the backorder carries the rest: the other unit of MW-20L and the T-shirt
        second = self.deliver(sale, tracking="H200", carrier="Hermes")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"],
            {
                "trackingKey": {"carrier": "HERMES", "trackingNumber": "H200"},
                "shipDate": self.ship_date(second),
                "shipFromAddress": HAMBURG,
                "positionItems": self.positions(raw, 1, 2),
            },
        )
        self.assertEqual(len(self.sim.shipments_of(raw["salesOrderId"])), 2)
        self.assertEqual(
            (first.marketplace_export_state, second.marketplace_export_state), ("sent", "sent")
        )

    def test_several_tracking_numbers(self):
        single = self.add([("ABS-18V", 1)])
        sale = self.import_order(single["salesOrderId"])
        # (OTTO requires the return tracking key of a multiparcel item: issue 15)
        picking = self.deliver(
            sale,
            tracking="01501, 01502",
            carrier="DPD Classic",
            marketplace_return_tracking_ref="R1",
        )
        self.send()
        (post,) = self.sent()
        # one item in two parcels: a multiparcel shipment, one tracking key per parcel
        self.assertEqual(post["path"], "/v1/multiparcel-shipments")
        returned = {"returnTrackingKey": {"carrier": "DHL", "trackingNumber": "R1"}}
        self.assertEqual(
            post["body"],
            [
                {
                    "trackingKey": {"carrier": "DPD", "trackingNumber": number},
                    "shipDate": self.ship_date(picking),
                    "shipFromAddress": HAMBURG,
                    "positionItems": [dict(p, **returned) for p in self.positions(single, 0)],
                }
                for number in ("01501", "01502")
            ],
        )
        self.assertEqual(picking.marketplace_export_state, "sent")
        # several items and several tracking numbers: which parcel holds what is unknown
        several = self.add([("TS-UNI-L", 2)])
        other = self.import_order(several["salesOrderId"])
        picking = self.deliver(other, tracking="01503,01504", carrier="DPD Classic")
        self.send()
        self.assertEqual(self.sent(), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("one tracking number per shipment", picking.marketplace_export_message)

    def test_carrier_mapping_defaults_and_unmapped_carrier(self):
        by_name = self.add([("RS-25L", 1)])
        unmapped = self.add([("YM-PURPLE", 1)])
        express = self.add([("KH-2X5", 1)])
        sales = [self.import_order(raw["salesOrderId"]) for raw in (by_name, unmapped, express)]
        dpd = self.deliver(sales[0], tracking="D1", carrier="DPD Classic")
        krause = self.deliver(sales[1], tracking="K1", carrier="Spedition Krause")
        dhl_express = self.deliver(sales[2], tracking="E1", carrier="DHL Express")
        run = self.send()
        # the unmapped carrier fails with its reason; the other deliveries are sent all the same
        self.assertEqual(
            [p["body"]["trackingKey"] for p in self.sent("POST")],
            [
                {"carrier": "DPD", "trackingNumber": "D1"},
                {"carrier": "DHL_EXPRESS", "trackingNumber": "E1"},
            ],
        )
        self.assertEqual(
            [
                dpd.marketplace_export_state,
                krause.marketplace_export_state,
                dhl_express.marketplace_export_state,
            ],
            ["sent", "failed", "sent"],
        )
        self.assertIn(
            "Spedition Krause has no OTTO carrier code", krause.marketplace_export_message
        )
        self.assertEqual((run.state, run.sent_count, run.failed_count), ("partial", 2, 1))
        self.env["marketplace.carrier.mapping"].create(
            {
                "account_id": self.account.id,
                "carrier_id": self.carriers["Spedition Krause"].id,
                "shop_carrier": "DB_SCHENKER",
            }
        )
        self.sim.reset_requests()
        krause.action_marketplace_send()  # "Retry" on the delivery
        self.env.invalidate_all()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"]["trackingKey"], {"carrier": "DB_SCHENKER", "trackingNumber": "K1"}
        )
        self.assertEqual(krause.marketplace_export_state, "sent")

    def test_missing_tracking_number_then_entered(self):
        raw = self.add([("GS-20M", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale)
        self.send()
        self.assertEqual(self.sent(), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("has no tracking number", picking.marketplace_export_message)
        picking.carrier_tracking_ref = "00340434000001"
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["trackingKey"]["trackingNumber"], "00340434000001")
        self.assertEqual(picking.marketplace_export_state, "sent")

    def test_return_tracking_number_goes_with_each_item(self):
        self.account.otto_return_carrier = "HERMES"
        raw = self.add([("TS-UNI-L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking="T9", marketplace_return_tracking_ref="R77")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"]["positionItems"],
            [
                dict(position, returnTrackingKey={"carrier": "HERMES", "trackingNumber": "R77"})
                for position in self.positions(raw, 0, 1)
            ],
        )

    def test_shop_error_then_retry(self):
        raw = self.add([("WZK-100", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="W1")
        self.sim.inject(
            "refused", path="/v1/shipments", status=400, message="INSUFFICIENT_PERMISSION"
        )
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("INSUFFICIENT_PERMISSION", picking.marketplace_export_message)
        self.assertEqual(self.sim.shipments, [])
        # a refusal waits for a person: the scheduled action leaves it alone
        self.assertFalse(self.send())
        self.sim.reset_requests()
        picking.action_marketplace_send()
        self.env.invalidate_all()
        self.assertEqual([r["path"] for r in self.sent()], ["/v1/shipments"])
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(self.exports(sale).attempt_count, 2)

    def test_timeout_then_retry_sends_no_duplicate(self):
        raw = self.add([("MB-6", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="M1")
        self.sim.inject("slow", path="/v1/shipments", seconds=3)
        run = self.send()
        export = self.exports(sale)
        # no answer in time: not sent again at once (OTTO may have done it), kept to send
        self.assertEqual((export.state, export.outcome_unknown), ("to_send", True))
        self.assertIn("did not answer", picking.marketplace_export_message)
        self.assertTrue(run.line_ids.retryable)
        self.wait_for(lambda: len(self.sim.shipments) == 1)  # OTTO did it after all
        self.assertEqual(len(self.sent("POST")), 1)
        self.send()
        # the retry looks the tracking key up, finds the shipment, and does not post again
        self.assertEqual(
            [(r["method"], r["path"]) for r in self.sent()],
            [("GET", "/v1/shipments/carriers/DHL/trackingnumbers/M1")],
        )
        self.assertEqual((export.state, export.outcome_unknown), ("sent", False))
        self.assertEqual(export.remote_ref, self.sim.shipments[0]["shipmentId"])
        self.assertEqual(len(self.sim.shipments), 1)

    def test_server_error_on_send_then_retry_posts_once_more(self):
        raw = self.add([("MB-6", 1)])
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking="M2")
        self.sim.inject("server_error", path="/v1/shipments")  # HTTP 500: done or not?
        self.send()
        self.assertEqual(len(self.sent("POST")), 1)
        self.assertEqual(self.sim.shipments, [])
        self.send()
        self.assertEqual(
            [(r["method"], r["path"], r["status"]) for r in self.sent()],
            [
                ("GET", "/v1/shipments/carriers/DHL/trackingnumbers/M2", 404),
                ("POST", "/v1/shipments", 201),
            ],
        )
        self.assertEqual(len(self.sim.shipments), 1)
        self.assertEqual(self.exports(sale).state, "sent")

    def test_crash_after_the_request_went_out(self):
        """The server died between the shipment's request and the record of OTTO's answer: the
        update is left marked as attempted; the next run finds the shipment and is done."""
        raw = self.add([("PZ-1000", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale, tracking="C1")
        export = self.exports(sale)
        export.write({"outcome_unknown": True, "sent_tracking": "C1", "sent_carrier": "DHL"})
        # the shipment reached OTTO before the crash
        self.account._get_client().create_shipment(
            {
                "trackingKey": {"carrier": "DHL", "trackingNumber": "C1"},
                "shipDate": self.ship_date(picking),
                "shipFromAddress": HAMBURG,
                "positionItems": self.positions(raw, 0),
            }
        )
        self.send()
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        self.assertEqual(export.state, "sent")
        self.assertIn("already has this shipment", export.message)

    def test_tracking_number_taken_from_otto(self):
        self.account.import_tracking = True
        raw = self.add([("HS-EISENB", 1)])
        sale = self.import_order(raw["salesOrderId"])
        # shipped with another tool: OTTO has the item as SENT with its tracking key
        self.sim.set_status(raw["salesOrderId"], "SENT")
        number = raw["positionItems"][0]["trackingInfo"]["trackingNumber"]
        picking = self.deliver(sale)
        self.send()
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        self.assertEqual(picking.carrier_tracking_ref, number)
        self.assertEqual(picking.marketplace_export_state, "not_needed")
        self.assertIn(number, picking.marketplace_export_message)

    def test_no_tracking_number_anywhere_waits(self):
        self.account.import_tracking = True
        raw = self.add([("HS-EISENB", 1)])
        sale = self.import_order(raw["salesOrderId"])
        picking = self.deliver(sale)
        run = self.send()
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.assertIn("No tracking number yet", picking.marketplace_export_message)
        # waiting is no failure
        self.assertEqual((run.state, run.line_ids.result), ("done", "skipped"))
        self.assertEqual(self.exports(sale).attempt_count, 0)
        # after three days without one, the delivery is reported
        picking.date_done -= timedelta(days=3)
        self.send()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("has no tracking number", picking.marketplace_export_message)

    def test_cancelled_in_odoo_cancels_the_open_items(self):
        raw = self.add([("MW-20L", 1), ("TS-UNI-L", 2)])
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, {"MW-20L": 1}, tracking="X1")
        self.send()
        # cancelling asks for a confirmation that says what it cancels on OTTO
        action = sale.action_cancel()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"])).save()
        self.assertIn("2 position items", wizard.marketplace_cancel_warning)
        wizard.action_cancel()
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.sim.status_changes, [])  # nothing sent before the schedule
        self.send()
        open_items = [item["positionItemId"] for item in raw["positionItems"][1:]]
        (post,) = self.sent()
        self.assertEqual(
            (post["path"], post["body"], post["status"]),
            (
                f"/v4/orders/{raw['salesOrderId']}/positionItems/{','.join(open_items)}/cancellation",
                None,
                202,
            ),
        )
        self.assertEqual(
            self.sim.status_changes, [(raw["salesOrderId"], "CANCELLED_BY_PARTNER", open_items)]
        )
        self.assertEqual(self.exports(sale, "cancel").state, "sent")
        self.assertFalse(self.send())

    def test_cancelled_by_otto_is_not_cancelled_back(self):
        raw = self.add([("MW-20L", 1)])
        sale = self.import_order(raw["salesOrderId"])
        self.sim.advance(600)
        self.sim.cancel_by_marketplace(raw["salesOrderId"])
        self.account._import_orders()
        self.assertEqual(sale.state, "cancel")
        self.send()
        self.assertEqual(self.sent(), [])
        self.assertEqual(self.exports(sale, "cancel").state, "not_needed")
        self.assertEqual(self.sim.status_changes, [])

    def test_nothing_to_send_costs_nothing(self):
        raw = self.add([("MW-20L", 1)])
        sale = self.import_order(raw["salesOrderId"])
        self.assertEqual(sale.marketplace_export_state, "not_needed")
        self.assertFalse(self.send())
        self.assertEqual(self.sim.requests, [])
