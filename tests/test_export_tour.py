from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from ..clients.base import BaseClient
from ..simulators import OttoSimulator
from ..simulators.data import localized_catalog


@tagged("post_install", "-at_install")
class TestExportTour(HttpCase):
    """The delivery screen a warehouse user works with, in a real browser."""

    def test_send_delivery_tour(self):
        new_test_user(
            self.env,
            login="tour_warehouse",
            password="tour_warehouse-pw1",
            groups="sales_team.group_sale_salesman,stock.group_stock_user",
        )
        self.env.company.partner_id.write(
            {"city": "Hamburg", "zip": "22767", "country_id": self.env.ref("base.de").id}
        )
        sim = OttoSimulator(seed=23, orders=0)
        sim.start()
        self.addCleanup(sim.stop)
        patcher = patch.object(BaseClient, "backoff_base", 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        entry = localized_catalog("de")[0]
        self.env["product.product"].create(
            {"name": entry["title"], "default_code": entry["sku"], "type": "consu"}
        )
        fee = self.env["product.product"].create({"name": "DHL fee", "type": "service"})
        carrier = self.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": fee.id, "delivery_type": "fixed"}
        )
        raw = sim.add_order("PROCESSABLE", [(entry["sku"], 1)], delivery_fee=None, discount=None)
        self.env["marketplace.account"].search([]).active = False
        account = self.env["marketplace.account"].create(
            {
                "name": "Tour OTTO",
                "backend": "otto",
                "api_url": sim.url,
                "api_login": sim.login,
                "api_secret": sim.secret,
            }
        )
        account._import_orders()
        sale = self.env["sale.order"].search([("marketplace_order_id", "=", raw["salesOrderId"])])
        picking = sale.picking_ids
        picking.carrier_id = carrier
        self.assertEqual(picking.state, "assigned")
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "marketplace_send_delivery_tour",
            login="tour_warehouse",
        )
        self.env.invalidate_all()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(len(sim.shipments), 1)
        self.assertEqual(
            sim.shipments[0]["trackingKey"],
            {"carrier": "DHL", "trackingNumber": "00340434161094042557"},
        )
