from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..exporter.carriers import default_shop_carrier, shop_carrier
from ..simulators import OttoSimulator
from .export_common import MarketplaceExportCase


@tagged("post_install", "-at_install")
class TestExportFlow(MarketplaceExportCase):
    """What the write-back does whatever the shop: settings, access, runs, schedule."""

    backend = "otto"
    simulator_class = OttoSimulator

    def add(self, items=(("MW-20L", 1),)):
        return self.sim.add_order("PROCESSABLE", list(items), delivery_fee=None, discount=None)

    def shipped_order(self, tracking="T1"):
        raw = self.add()
        sale = self.import_order(raw["salesOrderId"])
        return raw, sale, self.deliver(sale, tracking=tracking)

    def test_new_accounts_get_the_shops_own_statuses(self):
        def codes(account):
            return [
                account[field].code or None
                for field in (
                    "export_status_confirm_id",
                    "export_status_shipped_id",
                    "export_status_delivered_id",
                    "export_status_invoice_id",
                    "export_status_cancel_id",
                )
            ]

        Account = self.env["marketplace.account"]
        prestashop = Account.create({"name": "PS", "backend": "prestashop", "api_url": "https://a"})
        cscart = Account.create({"name": "CS", "backend": "cscart", "api_url": "https://b"})
        self.assertEqual(codes(prestashop), ["3", "4", "5", None, "6"])
        self.assertEqual(codes(cscart), ["P", "C", "C", None, "I"])
        self.assertEqual(codes(self.account), [None] * 5)  # OTTO has no status to set
        # a copy points to its own status rows
        copy = prestashop.copy()
        self.assertEqual(codes(copy), ["3", "4", "5", None, "6"])
        self.assertEqual(copy.export_status_confirm_id.account_id, copy)
        # "do not change" is a choice that stays
        chosen = Account.create(
            {
                "name": "PS2",
                "backend": "prestashop",
                "api_url": "https://c",
                "export_status_cancel_id": False,
            }
        )
        self.assertEqual(codes(chosen), ["3", "4", "5", None, None])

    def test_carriers_by_table_then_by_name(self):
        names = {
            "DHL Paket": "DHL",
            "DHL Express": "DHL_EXPRESS",
            "DPD Classic": "DPD",
            "Hermes": "HERMES",
            "Spedition Krause": "",
        }
        for name, code in names.items():
            self.assertEqual(default_shop_carrier("otto", self.carriers[name]), code, name)
        self.assertEqual(default_shop_carrier("cscart", self.carriers["DHL Express"]), "dhl")
        product = self.carriers["Hermes"].product_id
        ups, groups = self.env["delivery.carrier"].create(
            [{"name": name, "product_id": product.id} for name in ("UPS Standard", "Groupset")]
        )
        self.assertEqual(default_shop_carrier("otto", ups), "UPS")
        self.assertEqual(default_shop_carrier("otto", groups), "")  # a word, not a part of one
        mapping = self.env["marketplace.carrier.mapping"].create(
            {
                "account_id": self.account.id,
                "carrier_id": self.carriers["DHL Paket"].id,
                "shop_carrier": " DHL_2_MANN_HANDLING ",
            }
        )
        self.assertEqual(
            shop_carrier(self.account, self.carriers["DHL Paket"]), "DHL_2_MANN_HANDLING"
        )
        with self.assertRaises(ValidationError):
            mapping.shop_carrier = "dhl"  # not one of OTTO's codes

    def test_warehouse_user_validates_and_only_marks(self):
        picker = new_test_user(self.env, login="picker", groups="stock.group_stock_user")
        raw = self.add()
        sale = self.import_order(raw["salesOrderId"])
        picking = self.open_delivery(sale).with_user(picker)
        picking.write({"carrier_id": self.carriers["DHL Paket"].id, "carrier_tracking_ref": "P1"})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.assertEqual(self.sim.requests[-1]["path"], "/v4/orders")  # nothing sent
        with self.assertRaises(AccessError):
            picking.action_marketplace_send()

    def test_users_read_the_updates_managers_configure(self):
        raw, sale, picking = self.shipped_order()
        seller = new_test_user(self.env, login="seller", groups="sales_team.group_sale_salesman")
        export = self.exports(sale).with_user(seller)
        self.assertEqual(export.state, "to_send")
        with self.assertRaises(AccessError):
            export.write({"state": "sent"})
        with self.assertRaises(AccessError):
            self.env["marketplace.carrier.mapping"].with_user(seller).create(
                {
                    "account_id": self.account.id,
                    "carrier_id": self.carriers["Hermes"].id,
                    "shop_carrier": "HERMES",
                }
            )
        # a salesperson may send them now
        sale.with_user(seller).action_marketplace_send()
        self.env.invalidate_all()
        self.assertEqual(picking.marketplace_export_state, "sent")
        run = self.env["marketplace.run"].search([("trigger", "=", "export")])
        self.assertEqual(run.user_id, seller)

    def test_send_now_on_the_account(self):
        self.shipped_order("A1")
        self.shipped_order("A2")
        self.assertEqual(self.account.export_pending_count, 2)
        action = self.account.action_send_updates()
        self.env.invalidate_all()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("2 sent", action["params"]["message"])
        self.assertEqual(len(self.sim.shipments), 2)
        self.assertEqual(self.account.export_pending_count, 0)
        action = self.account.action_send_updates()
        self.assertIn("nothing to send", action["params"]["message"])

    def test_a_run_from_the_screen_keeps_to_its_time(self):
        self.shipped_order("B1")
        self.shipped_order("B2")
        (summary,) = self.account._export_updates(time_budget=1e-9)
        self.env.invalidate_all()
        self.assertIn("2 more are left to the scheduled action", summary["text"])
        self.assertEqual(self.sim.shipments, [])
        self.assertEqual(self.account.export_pending_count, 2)
        self.send()
        self.assertEqual(len(self.sim.shipments), 2)

    def test_retry_only_what_was_not_sent(self):
        raw, sale, picking = self.shipped_order()
        self.send()
        with self.assertRaises(UserError):
            self.exports(sale).action_retry()
        action = picking.action_marketplace_send()
        self.assertIn("Nothing to send", action["params"]["message"])

    def test_one_account_down_does_not_stop_the_others(self):
        other = self.account.copy({"name": "OTTO down", "api_url": "http://127.0.0.1:9"})
        other.write({"api_login": "x", "api_secret": "y"})
        raw = self.add()
        sale = self.import_order(raw["salesOrderId"])
        down = sale.copy()
        down.write({"marketplace_account_id": other.id, "marketplace_order_id": "elsewhere"})
        down.order_line.marketplace_item_ids = "item-elsewhere"
        down.action_confirm()
        down_picking = self.deliver(down, tracking="D1")
        picking = self.deliver(sale, tracking="U1")
        self.send()
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(down_picking.marketplace_export_state, "to_send")
        self.assertIn("did not answer", down_picking.marketplace_export_message)

    def test_refused_credentials_stop_the_run(self):
        raw, sale, picking = self.shipped_order()
        self.account.api_secret = "wrong-secret-1234"
        run = self.send()
        self.assertEqual(run.state, "failed")
        self.assertIn("refused the credentials", run.message)
        self.assertNotIn("wrong-secret-1234", run.message)
        self.assertEqual(picking.marketplace_export_state, "to_send")
        self.assertEqual(self.sim.shipments, [])

    def test_an_interrupted_run_is_closed_by_the_next(self):
        stale = self.env["marketplace.run"].create(
            {"account_id": self.account.id, "trigger": "export"}
        )
        self.shipped_order()
        self.send()
        self.assertEqual(stale.state, "failed")
        self.assertIn("Interrupted", stale.message)

    def test_other_deliveries_are_left_alone(self):
        partner = self.env["res.partner"].create({"name": "Walk-in"})
        sale = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": self.products["MW-20L"].id})],
            }
        )
        sale.action_confirm()
        picking = self.deliver(sale, tracking="X1")
        self.assertFalse(picking.marketplace_export_state)
        self.assertFalse(sale.marketplace_export_state)
        self.assertFalse(self.env["marketplace.export"].search([]))

    def test_the_cron_is_installed(self):
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_export_updates")
        self.assertEqual(cron.code, "model._cron_export_updates()")
        self.assertEqual(cron.name, "Marketplace: send updates to shops")
