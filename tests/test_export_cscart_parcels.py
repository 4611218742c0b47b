"""CS-Cart: one shipment per package with its items, the ship date as the shipment's timestamp,
the notify flag only to say yes, comments the buyer sees without Odoo's references, corrections
put on the shipment, kits counted as kits, and the 'delivered' status once a cancelled backorder
leaves nothing open."""

from zoneinfo import ZoneInfo

from odoo.tests import tagged

from ..simulators import CsCartSimulator
from .export_common import MarketplaceExportCase
from .parcels_common import ParcelsMixin


@tagged("post_install", "-at_install")
class TestCsCartParcels(ParcelsMixin, MarketplaceExportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"

    def add(self, items=(("PZ-1000", 1), ("GS-20M", 2))):
        return self.sim.add_order("P", list(items), shipping=None, discount=None, shipping_id=2)

    def item(self, raw, sku):
        return next(key for key, p in raw["products"].items() if p["product_code"] == sku)

    def stamp(self, picking):
        return int(picking.date_done.replace(tzinfo=ZoneInfo("UTC")).timestamp())

    def test_one_shipment_per_package_dated_and_mailed_once_each(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        self.sim.advance(3 * 86400)  # CS-Cart's clock is days after the delivery
        picking, packages = self.deliver_in_packages(
            sale, [{"PZ-1000": 1}, {"GS-20M": 2}], tracking="1ZGS,1ZPZ"
        )
        self.assertEqual(len(packages), 2)
        self.send()
        posts = self.sent("POST")
        self.assertEqual(
            [(p["body"]["tracking_number"], p["body"]["products"]) for p in posts],
            [("1ZGS", {self.item(raw, "GS-20M"): 2}), ("1ZPZ", {self.item(raw, "PZ-1000"): 1})],
        )
        # the ship date, not the moment of the request; no notify flag (it would say yes)
        self.assertEqual({p["body"]["timestamp"] for p in posts}, {self.stamp(picking)})
        self.assertTrue(all("notify_user" not in p["body"] for p in posts))
        self.assertEqual(
            [int(s["shipment_timestamp"]) for s in self.sim.shipments], [self.stamp(picking)] * 2
        )
        # each parcel: one shipment, one e-mail of the store's shipment notification
        self.assertEqual([m["tracking_number"] for m in self.sim.shipment_mails], ["1ZGS", "1ZPZ"])
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(self.exports(sale, "shipment").remote_ref, "1,2")
        self.assertEqual([r["body"]["status"] for r in self.sent("PUT")], ["C"])
        # the account lets the shop e-mail the buyer: the flag is sent, to say yes
        self.account.export_notify_buyer = True
        other = self.import_order(self.add(items=[("PZ-1000", 1)])["order_id"])
        self.deliver(other, tracking="1Z3")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["notify_user"], "Y")

    def test_packages_and_numbers_that_do_not_fit_are_reported(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        picking, _packages = self.deliver_in_packages(
            sale, [{"PZ-1000": 1}, {"GS-20M": 2}], tracking="1Z1,1Z2,1Z3"
        )
        self.send()
        self.assertEqual(self.sent("POST"), [])
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("one tracking number per package", picking.marketplace_export_message)

    def test_corrected_tracking_number_is_put_on_the_shipment(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        picking, _packages = self.deliver_in_packages(
            sale, [{"PZ-1000": 1}, {"GS-20M": 2}], tracking="1ZA,1ZBWRONG"
        )
        self.send()
        picking.carrier_tracking_ref = "1ZA,1ZB"
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.send()
        # only the shipment whose number changed, through Shipments::update; no e-mail
        self.assertEqual(
            [(r["method"], r["path"], r["body"]) for r in self.sent()],
            [("PUT", "/api/2.0/shipments/2", {"tracking_number": "1ZB"})],
        )
        self.assertEqual([s["tracking_number"] for s in self.sim.shipments], ["1ZA", "1ZB"])
        self.assertEqual(len(self.sim.shipment_mails), 2)
        self.assertEqual(picking.marketplace_export_state, "sent")
        # a shipment sent with the carrier alone gets its tracking number the same way
        other = self.import_order(self.add(items=[("PZ-1000", 1)])["order_id"])
        later = self.deliver(other, carrier="DPD Classic")
        self.send()
        later.carrier_tracking_ref = "1ZLATE"
        self.send()
        (put,) = self.sent("PUT")
        self.assertEqual(
            (put["path"], put["body"]), ("/api/2.0/shipments/3", {"tracking_number": "1ZLATE"})
        )

    def test_comments_the_buyer_sees_leave_odoo_references_out(self):
        self.account.export_document_numbers = True
        raw = self.add(items=[("PZ-1000", 2)])
        sale = self.import_order(raw["order_id"])
        invoice = self.invoice(sale)
        picking = self.deliver(sale, {"PZ-1000": 1}, tracking="1Z8")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["comments"], f"Invoice {invoice.name}")
        self.assertNotIn(sale.name, post["body"]["comments"])
        self.assertNotIn(picking.name, post["body"]["comments"])
        # the account chooses to show them: the buyer reads Odoo's references
        self.account.export_show_internal_refs = True
        other = self.import_order(self.add(items=[("PZ-1000", 1)])["order_id"])
        other_invoice = self.invoice(other)
        shipped = self.deliver(other, tracking="1Z9")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(
            post["body"]["comments"],
            f"Odoo order {other.name}, delivery {shipped.name}\nOdoo invoice {other_invoice.name}",
        )

    def test_kit_ships_units_of_the_kit(self):
        self.make_kit("PZ-1000", {"PZ-BOX": 1, "PZ-STONE": 2})
        raw = self.add(items=[("PZ-1000", 2)])
        sale = self.import_order(raw["order_id"])
        self.deliver(sale, {"PZ-BOX": 1, "PZ-STONE": 2}, tracking="1ZK")
        self.send()
        (post,) = self.sent("POST")
        self.assertEqual(post["body"]["products"], {self.item(raw, "PZ-1000"): 1})

    def test_backorder_cancelled_sets_the_delivered_status(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        self.deliver(sale, {"PZ-1000": 1}, tracking="1Z9")
        self.send()
        self.assertEqual(self.sim.status_changes, [])
        self.open_delivery(sale).action_cancel()
        self.send()
        self.assertEqual(self.sim.status_changes, [(raw["order_id"], "C")])
