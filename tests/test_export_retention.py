"""The requests and answers of updates sent to shops hold the buyer's name and address: the same
retention and the same managers-only access as the import runs (issue 17), without losing what
keeps each update sent exactly once."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..exporter.marks import create_once
from ..simulators import OttoSimulator
from .export_common import MarketplaceExportCase

MANAGER = "sale_marketplace_connector.sale_marketplace_connector_group_manager"


@tagged("post_install", "-at_install")
class TestExportRetention(MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def shipped_and_sent(self):
        raw = self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking="T-RET-1")
        run = self.send()
        [shipment] = self.exports(sale, "shipment")
        self.assertEqual(shipment.state, "sent")
        return sale, shipment, run

    def other_update(self, sale, key, state, days_ago, **values):
        """An update of ``sale`` in ``state``, last tried ``days_ago`` days ago, with its
        request and answer."""
        return (
            self.env["marketplace.export"]
            .sudo()
            .create(
                {
                    "account_id": self.account.id,
                    "sale_order_id": sale.id,
                    "kind": "note",
                    "key": key,
                    "state": state,
                    "request": '{"buyer": "Anna Klein, Hauptstraße 1"}',
                    "answer": '{"ok": true}',
                    "last_attempt_at": fields.Datetime.now() - timedelta(days=days_ago),
                    **values,
                }
            )
        )

    def test_payloads_of_updates_done_with_are_forgotten_after_the_retention(self):
        sale, shipment, run = self.shipped_and_sent()
        self.assertTrue(shipment.request and shipment.answer)
        self.account.log_retention_days = 30
        shipment.last_attempt_at = fields.Datetime.now() - timedelta(days=31)
        run.started_at = fields.Datetime.now() - timedelta(days=31)
        not_needed = self.other_update(sale, "note:old-not-needed", "not_needed", 31)
        recent = self.other_update(sale, "note:recent", "sent", 29)
        unknown = self.other_update(sale, "note:unknown", "to_send", 31, outcome_unknown=True)
        failed = self.other_update(sale, "note:failed", "failed", 31)
        waiting = self.other_update(sale, "note:waiting", "to_send", 31)
        never_tried = self.other_update(sale, "note:never", "not_needed", 0, last_attempt_at=False)
        self.env.cr.execute(
            "UPDATE marketplace_export SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=40), never_tried.id),
        )
        self.env.invalidate_all()

        self.env["marketplace.export"]._gc_old_payloads()
        self.env["marketplace.run"]._gc_old_runs()
        self.env.invalidate_all()

        for update in (shipment, not_needed, never_tried):
            self.assertFalse(update.request or update.answer, update.key)
        for update in (recent, unknown, failed, waiting):
            self.assertTrue(update.request and update.answer, update.key)
        # the export run that logged them is gone with its payloads; the updates stay, with
        # what was sent
        self.assertFalse(run.exists())
        self.assertTrue(shipment.exists())
        self.assertEqual((shipment.state, shipment.sent_tracking), ("sent", "T-RET-1"))
        self.assertTrue(shipment.remote_ref)
        # exactly once still: the same change is not marked again, and nothing is sent again
        again = create_once(
            self.env,
            [
                {
                    "account_id": self.account.id,
                    "sale_order_id": sale.id,
                    "kind": "shipment",
                    "key": shipment.key,
                    "picking_id": shipment.picking_id.id,
                }
            ],
        )
        self.assertFalse(again)
        self.send()
        self.assertFalse(self.sent("POST", "/v1/shipments"))

    def test_requests_and_answers_are_for_managers(self):
        sale, shipment, run = self.shipped_and_sent()
        seller = new_test_user(
            self.env, login="ret_seller", groups="sales_team.group_sale_salesman"
        )
        manager = new_test_user(
            self.env, login="ret_manager", groups=f"sales_team.group_sale_salesman,{MANAGER}"
        )
        self.assertEqual(shipment.with_user(seller).state, "sent")
        for field_name in ("request", "answer"):
            with self.assertRaises(AccessError):
                shipment.with_user(seller).read([field_name])
        self.assertTrue(shipment.with_user(manager).read(["request"])[0]["request"])
        line = run.line_ids.filtered(lambda line: line.export_id == shipment)
        self.assertTrue(line.payload)
        with self.assertRaises(AccessError):
            line.with_user(seller).read(["payload"])
        self.assertTrue(line.with_user(manager).read(["payload"])[0]["payload"])
