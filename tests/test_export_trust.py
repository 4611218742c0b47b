"""Updates a merchant can trust: sent under the account's lock and never twice, the import's
statuses through the same queue, no e-mail the account did not ask for, no state that claims
what Odoo does not know or goes back in the shop's flow, and failures that someone sees."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import new_test_user, tagged

from ..clients import CsCartClient, OttoClient, PrestaShopClient
from ..exporter.run import EXPORT_LOCK_NAMESPACE, ExportRun
from ..simulators import CsCartSimulator, OttoSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase, PrestaShopOrders
from .export_common import MarketplaceExportCase


# --- Send Now beside the scheduled send ----------------------------------------------------------
@tagged("post_install", "-at_install")
class TestSendUnderTheLock(MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def shipped_order(self, tracking):
        raw = self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking=tracking)
        return sale

    def test_send_now_while_another_run_holds_the_lock(self):
        self.shipped_order("L1")
        # another worker (its own database connection) is sending this account's updates
        other = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)", (EXPORT_LOCK_NAMESPACE, self.account.id)
            )
            action = self.account.action_send_updates()
            self.assertIn("Another run is sending", action["params"]["message"])
            self.assertEqual(self.sim.shipments, [])
        finally:
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)", (EXPORT_LOCK_NAMESPACE, self.account.id)
            )
            other.close()
        action = self.account.action_send_updates()
        self.assertIn("1 sent", action["params"]["message"])
        self.assertEqual(len(self.sim.shipments), 1)

    def test_an_update_sent_meanwhile_is_not_sent_again(self):
        first = self.shipped_order("M1")
        self.shipped_order("M2")
        selected = ExportRun._pending

        def pending(run):
            exports = selected(run)
            # the scheduled run sent the first one and committed after this run selected it
            run.env.cr.execute(
                "UPDATE marketplace_export SET state = 'sent' WHERE id = %s",
                [first.marketplace_export_ids.id],
            )
            return exports

        with patch.object(ExportRun, "_pending", pending):
            self.account.action_send_updates()
        self.assertEqual([s["trackingKey"]["trackingNumber"] for s in self.sim.shipments], ["M2"])

    def test_send_now_selects_the_updates_under_the_lock(self):
        self.shipped_order("L2")
        selected = ExportRun._pending
        held = []

        def pending(run):
            # the run's own connection holds the account's sending lock already
            run.env.cr.execute(
                """
                SELECT count(*) FROM pg_locks
                 WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                   AND classid = %s AND objid = %s AND objsubid = 2
                """,
                (EXPORT_LOCK_NAMESPACE, self.account.id),
            )
            held.append(run.env.cr.fetchone()[0])
            return selected(run)

        with patch.object(ExportRun, "_pending", pending):
            action = self.account.action_send_updates()
        self.assertEqual(held, [1])
        self.assertIn("1 sent", action["params"]["message"])


# --- the import's "Change Status To" --------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestImportStatusThroughTheQueue(PrestaShopOrders, MarketplaceImportCase):
    def test_lost_answer_is_looked_up_not_sent_again(self):
        self.mapping("2").change_status_to = self.mapping("3")
        raw = self.add(2)
        writes = []
        self.sim.on_write = writes.append
        # PrestaShop sets the state, and the connection breaks before the answer
        self.sim.inject("disconnect", path="/api/order_histories")
        run = self.fetch()
        sale = self.sale(raw["id"])
        self.assertIn("Could not set the status", self.line_of(run, raw["id"]).message)
        (update,) = sale.marketplace_export_ids
        self.assertEqual((update.kind, update.event, update.status_code), ("status", "import", "3"))
        self.assertEqual((update.state, update.outcome_unknown), ("to_send", True))
        self.assertEqual(sale.marketplace_status_to_push, "3")
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "3")])
        self.fetch()
        self.assertIn(update.state, ("sent", "not_needed"))
        self.assertFalse(sale.marketplace_status_to_push)
        self.assertEqual(self.sim.status_changes, [(str(raw["id"]), "3")])
        self.assertEqual(len(writes), 1)
        # one client method per endpoint: the statuses go through the updates' senders only
        for client in (OttoClient, PrestaShopClient, CsCartClient):
            self.assertFalse(hasattr(client, "set_status"), client)

    def test_import_status_that_would_claim_a_payment_is_not_set(self):
        self.mapping("10").change_status_to = self.mapping("3")
        self.assertIn("tells the shop the order is paid", self.account.export_status_warning)
        raw = self.add(10)
        run = self.fetch()
        self.assertIn("tells the shop the order is paid", self.line_of(run, raw["id"]).message)
        self.assertEqual(self.sim.status_changes, [])
        self.assertEqual(self.sim.payments_of(raw["id"]), [])


# --- CS-Cart: e-mails and statuses the store does not take ---------------------------------------
@tagged("post_install", "-at_install")
class TestCsCartStatusTrust(MarketplaceExportCase):
    backend = "cscart"
    simulator_class = CsCartSimulator
    simulator_options = {"custom_statuses": {"A": "Awaiting pickup"}}
    catalog_language = "fr"

    def add(self, status="O"):
        return self.sim.add_order(
            status, [("PZ-1000", 1)], shipping=None, discount=None, shipping_id=2
        )

    def test_the_buyer_is_mailed_only_when_the_account_says_so(self):
        quiet = self.import_order(self.add()["order_id"])
        quiet.action_confirm()
        self.send()
        # CS-Cart mails whoever gets a non-empty notify flag, "N" included: none is sent
        self.assertEqual(self.sent("PUT")[0]["body"], {"status": "P"})
        self.assertEqual(self.sim.emails, [])
        self.account.export_notify_buyer = True
        raw = self.add()
        told = self.import_order(raw["order_id"])
        told.action_confirm()
        self.send()
        self.assertEqual(
            self.sim.emails, [{"order_id": raw["order_id"], "to": "customer", "status": "P"}]
        )

    def test_a_status_the_store_does_not_take_is_a_failure(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        self.sim.refuse_status_change(raw["order_id"], becomes="B")  # the stock is short
        sale.action_confirm()
        self.send()
        update = self.exports(sale, "status")
        self.assertEqual(update.state, "failed")
        self.assertIn("the store did not take the status", update.message)
        self.assertIn("Backordered", update.message)
        self.assertEqual(sale.marketplace_status, "O")

    def test_statuses_only_go_forward_when_the_shop_moved_since_the_import(self):
        raw = self.add()
        sale = self.import_order(raw["order_id"])
        # completed on the store after the last import: Odoo's copy still says Open
        self.sim.set_status(raw["order_id"], "C")
        sale.action_confirm()  # confirmed -> Processed, behind Complete in the flow
        self.send()
        self.assertEqual(self.sent("PUT"), [])
        self.assertEqual(self.sim.orders[raw["order_id"]]["status"], "C")
        update = self.exports(sale, "status")
        self.assertEqual(update.state, "not_needed")
        self.assertIn("statuses only go forward", update.message)

    def test_a_status_of_the_merchants_own_is_overwritten_only_as_imported(self):
        self.account.action_load_statuses()
        custom = self.mapping("A")
        self.assertEqual(custom.rank, 0)  # the flow cannot tell where it stands
        custom.selected = True
        # imported in the merchant's own status: Odoo knows it, confirming moves it on
        known = self.add("A")
        sale = self.import_order(known["order_id"])
        sale.action_confirm()
        self.send()
        self.assertEqual(self.sim.status_changes, [(known["order_id"], "P")])
        self.assertEqual(self.exports(sale, "status").state, "sent")
        # moved to the merchant's own status on the store after the import: left as it is
        raw = self.add()
        moved = self.import_order(raw["order_id"])
        self.sim.set_status(raw["order_id"], "A")
        moved.action_confirm()
        self.send()
        self.assertEqual(self.sent("PUT"), [])
        self.assertEqual(self.sim.orders[raw["order_id"]]["status"], "A")
        update = self.exports(moved, "status")
        self.assertEqual(update.state, "not_needed")
        self.assertIn("changed on the shop", update.message)
        self.assertIn("Awaiting pickup", update.message)


# --- PrestaShop: flags and the shop's flow --------------------------------------------------------
@tagged("post_install", "-at_install")
class TestPrestaShopStatusTrust(MarketplaceExportCase):
    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"

    def add(self, status, items=(("PZ-1000", 2),)):
        return self.sim.add_order(status, list(items), shipping=None, discount=None)

    def test_an_unpaid_bank_wire_order_is_not_marked_paid(self):
        raw = self.add(10)  # awaiting bank wire: a quotation
        sale = self.import_order(raw["id"])
        sale.action_confirm()  # the default: confirmed -> 3 "Processing in progress" (paid=1)
        self.send()
        self.assertEqual(self.sim.status_changes, [])
        self.assertEqual(self.sim.payments_of(raw["id"]), [])  # no payment booked on the shop
        self.assertEqual(self.sim.orders[str(raw["id"])]["invoice_number"], "0")
        update = self.exports(sale, "status")
        self.assertEqual(update.state, "not_needed")
        self.assertIn("Odoo does not know it paid", update.message)
        # the default statuses that claim a payment say so on the account
        warning = self.account.export_status_warning
        self.assertIn("Processing in progress (3) tells the shop the order is paid", warning)

    def test_statuses_only_go_forward(self):
        # a merchant's choice: "payment accepted" once invoiced
        self.account.export_status_invoice_id = self.mapping("2")
        raw = self.add(2)
        sale = self.import_order(raw["id"])
        self.sim.set_status(raw["id"], 4)  # shipped from the back office
        self.import_order(raw["id"])
        self.assertEqual(sale.marketplace_status, "4")
        stock = self.sim.stock_given_back(raw["id"])
        self.invoice(sale)
        self.send()
        # back to "payment accepted" would give the stock back and mail the buyer
        self.assertEqual(self.sim.status_changes, [])
        self.assertEqual(self.sim.stock_given_back(raw["id"]), stock)
        self.assertEqual(self.sim.emails, [])
        update = self.exports(sale, "status")
        self.assertEqual(update.state, "not_needed")
        self.assertIn("statuses only go forward", update.message)

    def test_the_look_up_after_a_lost_answer_compares_by_the_flow(self):
        # paid orders come in as quotations to review, and confirmed in Odoo -> 3
        self.mapping("2").write({"document_type": "quotation", "document_state": "draft"})
        raw = self.add(2)
        sale = self.import_order(raw["id"])
        sale.action_confirm()
        self.sim.inject("disconnect", path="/api/order_histories")
        self.send()
        update = self.exports(sale, "status")
        self.assertEqual((update.state, update.outcome_unknown), ("to_send", True))
        # before the next try the merchant ships it from the back office
        self.sim.set_status(raw["id"], 4)
        self.send()
        self.assertEqual([r["method"] for r in self.sent()], ["GET"])
        self.assertEqual(update.state, "sent")
        self.assertIn("at or beyond", update.message)
        self.assertEqual(
            [code for order_id, code in self.sim.status_changes if order_id == str(raw["id"])],
            ["3"],
        )
        self.assertEqual(sale.marketplace_status, "4")

    def test_statuses_only_go_forward_when_the_shop_moved_since_the_import(self):
        # paid orders come in as quotations to review, and confirmed in Odoo -> 3
        self.mapping("2").write({"document_type": "quotation", "document_state": "draft"})
        raw = self.add(2)
        sale = self.import_order(raw["id"])
        # shipped from the back office after the last import: Odoo's copy still says 2
        self.sim.set_status(raw["id"], 4)
        stock = self.sim.stock_given_back(raw["id"])
        sale.action_confirm()
        self.send()
        # back to "processing" would give the stock back
        self.assertEqual(self.sent("POST"), [])
        self.assertEqual(self.sim.status_changes, [])
        self.assertEqual(self.sim.stock_given_back(raw["id"]), stock)
        update = self.exports(sale, "status")
        self.assertEqual(update.state, "not_needed")
        self.assertIn("statuses only go forward", update.message)
        self.assertEqual(sale.marketplace_status, "2")  # the next import applies the shop's

    def test_flags_come_from_the_shop(self):
        self.sim.order_states["14"] = dict(
            self.sim.order_states["2"], id=14, name=[{"id": "1", "value": "Payé Marketplace"}]
        )
        self.sim.order_states["3"]["paid"] = "0"  # this shop's "processing" claims no payment
        self.account.action_load_statuses()
        added = self.mapping("14")
        self.assertEqual((added.flag_paid, added.flag_invoice, added.rank), (True, True, 20))
        self.assertFalse(self.mapping("3").flag_paid)
        self.assertNotIn("Processing in progress (3)", self.account.export_status_warning or "")
        # a status table that goes back in the flow is pointed out
        self.mapping("4").change_status_to = self.mapping("2")
        self.assertIn("does not come after Shipped (4)", self.account.export_status_warning)


# --- failures that someone sees -------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestFailuresSomeoneSees(MarketplaceExportCase):
    backend = "otto"
    simulator_class = OttoSimulator

    def shipped_order(self):
        raw = self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        sale = self.import_order(raw["salesOrderId"])
        self.deliver(sale, tracking="F1")
        return sale

    def todo(self, sale):
        return sale.activity_ids.filtered(lambda a: a.summary == "Update not sent to the shop")

    def test_retried_later_and_later_then_given_up_with_one_activity(self):
        self.account.export_retry_limit = 3
        sale = self.shipped_order()
        update = sale.marketplace_export_ids
        # the shop is down (HTTP 503: nothing done) for longer than the client's own tries
        self.sim.inject("server_error", path="/v1/shipments", status=503, times=1000)
        self.send()
        self.assertEqual((update.state, update.failure_count), ("to_send", 1))
        first_wait = update.next_attempt_at - update.last_attempt_at
        self.send()  # the first failure is tried again by the next run
        self.assertEqual(update.failure_count, 2)
        second_wait = update.next_attempt_at - update.last_attempt_at
        self.assertGreater(second_wait, first_wait)
        self.assertFalse(self.send())  # not due yet: no run, no request
        self.assertEqual(self.sent(), [])
        update.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.send()
        self.assertEqual(update.state, "failed")
        self.assertIn("Given up after 3 tries", update.message)
        self.assertEqual(len(self.todo(sale)), 1)
        self.assertEqual(self.todo(sale).user_id, self.account.user_id)
        self.assertEqual(self.account.export_failed_count, 1)
        # a person's Retry starts a new series of tries; given up again, no second activity
        update.action_retry()
        self.assertEqual((update.state, update.failure_count), ("to_send", 1))
        for _try in range(2):
            update.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            self.send()
        self.assertEqual(update.state, "failed")
        self.assertEqual(len(self.todo(sale)), 1)
        # the shop is back: Retry sends it
        self.sim.clear_faults()
        update.action_retry()
        self.assertEqual(update.state, "sent")
        self.assertEqual(len(self.sim.shipments), 1)

    def test_given_up_after_the_days_of_the_account(self):
        self.account.write({"export_retry_limit": 0, "export_retry_days": 3})
        self.account.user_id = False  # nobody responsible: the order's salesperson
        sale = self.shipped_order()
        sale.user_id = new_test_user(
            self.env, login="mp_seller", groups="sales_team.group_sale_salesman"
        )
        update = sale.marketplace_export_ids
        self.sim.inject("rate_limit", path="/v1/shipments", retry_after=0, times=1000)
        self.send()
        self.assertEqual(update.state, "to_send")
        update.first_failure_at = fields.Datetime.now() - timedelta(days=3, minutes=1)
        update.next_attempt_at = False
        self.send()
        self.assertEqual(update.state, "failed")
        self.assertEqual(self.todo(sale).user_id, sale.user_id)
        self.assertIn("Given up after 2 tries", update.message)
