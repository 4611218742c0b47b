"""PrestaShop: one tracking number in the order carrier's field (the one its "in transit" e-mail
and the buyer's tracking link use), further parcels in messages, each parcel mailed once,
corrections that replace the wrong number, buyer-visible texts without Odoo's references, the
'delivered' status once a cancelled backorder leaves nothing open."""

from odoo.tests import tagged

from ..simulators import PrestaShopSimulator
from ..simulators.prestashop_query import parse_input
from .export_common import MarketplaceExportCase
from .parcels_common import ParcelsMixin

COLISSIMO = "https://www.laposte.fr/outils/suivre-vos-envois?code="


@tagged("post_install", "-at_install")
class TestPrestaShopParcels(ParcelsMixin, MarketplaceExportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"

    def add(self, items=(("PZ-1000", 2), ("GS-20M", 1))):
        # Colissimo: a carrier with a tracking URL, so PrestaShop mails the tracking link
        return self.sim.add_order(2, list(items), shipping=None, discount=None, carrier_id=2)

    def body(self, request, node):
        return parse_input(request["body"].encode(), node)

    def messages(self):
        return [
            (m["message"], m["private"]) for m in self.sim.resources["customer_messages"].values()
        ]

    def test_one_number_in_the_field_each_parcel_mailed_once(self):
        self.account.write({"export_notify_buyer": True, "prestashop_parcel_messages": "customer"})
        raw = self.add()
        sale = self.import_order(raw["id"])
        first, _packages = self.deliver_in_packages(
            sale, [{"PZ-1000": 1}, {"GS-20M": 1}], tracking="6A100,6A101"
        )
        self.send()
        # the field: the first parcel's number alone, mailed once with a link that works
        (put,) = self.sent("PUT")
        self.assertEqual(put["query"]["sendemail"], ["1"])
        self.assertEqual(self.body(put, "order_carrier")["tracking_number"], "6A100")
        self.assertEqual(
            [(m["shipping_number"], m["followup"]) for m in self.sim.in_transit_mails],
            [("6A100", COLISSIMO + "6A100")],
        )
        # the other parcel: a message the buyer reads on the order page, without Odoo's
        # references (the account does not show them)
        self.assertEqual(
            self.messages(), [("Tracking number of a further parcel: DHL Paket 6A101", "0")]
        )
        self.assertEqual(first.marketplace_export_state, "sent")
        # the backorder: its number goes in a message, the field and the e-mails stay as they are
        second = self.deliver(sale, tracking="6A200")
        self.send()
        self.assertEqual(self.sent("PUT"), [])
        self.assertEqual(self.sim.order_carriers["1"]["tracking_number"], "6A100")
        self.assertEqual(len(self.sim.in_transit_mails), 1)
        self.assertEqual(
            self.messages()[-1][0], "Tracking number of a further parcel: DHL Paket 6A200"
        )
        self.assertEqual(second.marketplace_export_state, "sent")
        # shown when the account chooses to show Odoo's references
        self.account.export_show_internal_refs = True
        other = self.import_order(self.add(items=[("PZ-1000", 1)])["id"])
        picking = self.deliver(other, tracking="6A300, 6A301")
        self.send()
        self.assertEqual(
            self.messages()[-1],
            (f"Tracking number of a further parcel: DHL Paket 6A301 ({picking.name})", "0"),
        )

    def test_lost_answer_of_the_mailing_put_mails_once(self):
        self.account.export_notify_buyer = True
        raw = self.add(items=[("PZ-1000", 1)])
        sale = self.import_order(raw["id"])
        picking = self.deliver(sale, tracking="6A500")
        self.sim.inject("slow", path="/api/order_carriers/1", seconds=3)
        self.send()
        self.wait_for(lambda: len(self.sim.in_transit_mails) == 1)
        self.assertEqual(len(self.sent("PUT")), 1)  # not sent again blind: it mails
        self.send()
        # the field holds the number: not put again, nobody mailed twice
        self.assertEqual(self.sent("PUT"), [])
        self.assertEqual(len(self.sim.in_transit_mails), 1)
        self.assertEqual(picking.marketplace_export_state, "sent")

    def test_corrected_number_replaces_the_wrong_one(self):
        self.account.export_notify_buyer = True
        raw = self.add()
        sale = self.import_order(raw["id"])
        picking = self.deliver(sale, tracking="6A1WRONG, 6A2WRONG")
        self.send()
        self.assertEqual(self.sim.order_carriers["1"]["tracking_number"], "6A1WRONG")
        picking.carrier_tracking_ref = "6A1RIGHT, 6A2RIGHT"
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.send()
        (put,) = self.sent("PUT")
        # replaced, not merged with the wrong number; the buyer gets the right link, once
        self.assertEqual(self.body(put, "order_carrier")["tracking_number"], "6A1RIGHT")
        self.assertEqual(
            [m["followup"] for m in self.sim.in_transit_mails],
            [COLISSIMO + "6A1WRONG", COLISSIMO + "6A1RIGHT"],
        )
        self.assertEqual(
            self.messages()[-1],
            (
                f"Corrected tracking number: DHL Paket 6A2RIGHT (replaces 6A2WRONG) "
                f"({picking.name})",
                "1",
            ),
        )
        self.assertEqual(picking.marketplace_export_state, "sent")
        # sent: the same numbers again send nothing
        picking.carrier_tracking_ref = "6A1RIGHT,6A2RIGHT"
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertFalse(self.send())

    def test_backorder_cancelled_sets_the_delivered_status(self):
        raw = self.add()
        sale = self.import_order(raw["id"])
        self.deliver(sale, {"PZ-1000": 1}, tracking="6A700")
        self.send()
        self.assertEqual(self.sim.status_changes, [])  # one delivery still open
        self.open_delivery(sale).action_cancel()
        self.send()
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "4")])
        self.assertEqual(self.exports(sale, "status").state, "sent")
