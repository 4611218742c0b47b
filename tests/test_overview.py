from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged

from ..simulators import OttoSimulator, PrestaShopSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestOverview(MarketplaceImportCase):
    """The overview's numbers per account, and the records each of them opens."""

    backend = "otto"
    simulator_class = OttoSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({"import_announced": True, "payment_posting": "draft"})
        cls.salesman = new_test_user(
            cls.env, login="overview_salesman", groups="sales_team.group_sale_salesman"
        )

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def test_counts_and_what_they_open(self):
        paid = self.sim.add_order("PROCESSABLE", [("LED-DESK-01", 2)], discount=None)
        announced = self.sim.add_order("ANNOUNCED", [("BK-DRACHE", 1)], discount=None)
        unknown = self.sim.add_order("PROCESSABLE", [("NOT-IN-ODOO", 1)], discount=None)
        self.sim.add_order(
            "CANCELLED_BY_MARKETPLACE", [("PZ-1000", 1)], payment_method="PREPAYMENT"
        )
        cron = self.env.ref("sale_marketplace_connector.ir_cron_marketplace_import_orders")
        account = self.account.with_user(self.salesman)
        self.assertFalse(account.last_import_run_id)
        self.assertEqual(account.next_import_at, cron.nextcall)

        run = self.fetch()
        account.invalidate_recordset()
        self.assertEqual(account.last_import_run_id, run)
        self.assertEqual(account.last_import_at, run.started_at)
        self.assertEqual(account.last_import_state, "partial")
        self.assertEqual(
            (account.last_import_created, account.last_import_updated, account.last_import_failed),
            (2, 0, 1),
        )
        self.assertEqual(account.order_count, 2)
        self.assertEqual(account.backlog_count, 1)
        self.assertEqual(account.retry_count, 1)
        self.assertEqual(account.payment_count, 1)
        self.assertEqual(account.payment_review_count, 1)
        self.assertEqual(
            self._records(account.action_view_backlog()), self.sale(announced["salesOrderId"])
        )
        retries = self.env["marketplace.retry"].search(account.action_view_retries()["domain"])
        self.assertEqual(retries.marketplace_order_id, unknown["salesOrderId"])
        to_review = account.action_view_payments_to_review()
        self.assertEqual(to_review["context"].get("search_default_draft"), 1)
        drafts = self._records(to_review).filtered(lambda payment: payment.state == "draft")
        self.assertEqual(drafts.marketplace_sale_order_id, self.sale(paid["salesOrderId"]))
        self.assertEqual(account.action_view_last_import()["res_id"], run.id)
        self.assertEqual(
            run.with_user(self.salesman).sale_order_count, 2, "the run's orders, once each"
        )
        self.assertEqual(
            self._records(run.action_view_orders()),
            self.sale(paid["salesOrderId"]) | self.sale(announced["salesOrderId"]),
        )
        # the write-back branch marks what is sent on the orders; without it there is no counter
        export = "marketplace_export_state" in self.env["sale.order"]._fields
        self.assertEqual(account.export_available, export)
        self.assertEqual(account.export_failed_count, 0)

        # a confirmed draft is no longer to review; the switched-off schedule shows
        self.sale(paid["salesOrderId"]).marketplace_payment_ids.action_post()
        cron.active = False
        account.invalidate_recordset()
        self.assertEqual((account.payment_count, account.payment_review_count), (1, 0))
        self.assertFalse(account.next_import_at)

    def test_a_second_run_of_nothing_new_is_the_last_import(self):
        self.sim.add_order("PROCESSABLE", [("LED-DESK-01", 1)], discount=None)
        self.fetch()
        again = self.fetch()
        self.account.invalidate_recordset()
        self.assertEqual(self.account.last_import_run_id, again)
        self.assertEqual(
            (self.account.last_import_created, self.account.last_import_state), (0, "done")
        )


@tagged("post_install", "-at_install")
class TestStatusNames(MarketplaceImportCase):
    """Lists show the shop's status by its name, and find orders by it."""

    backend = "prestashop"
    simulator_class = PrestaShopSimulator

    def test_orders_log_lines_and_retries_by_status_name(self):
        accepted = self.sim.add_order(2, [("LED-DESK-01", 1)], discount=None)
        failing = self.sim.add_order(10, [("NOT-IN-ODOO", 1)], discount=None)
        run = self.fetch()
        sale = self.sale(accepted["id"])
        self.assertEqual(sale.marketplace_status, "2")
        self.assertEqual(sale.marketplace_status_name, "Payment accepted")
        line = self.line_of(run, accepted["id"])
        self.assertEqual(line.marketplace_status_name, "Payment accepted")
        retry = self.env["marketplace.retry"].search([("account_id", "=", self.account.id)])
        self.assertEqual(retry.marketplace_order_id, str(failing["id"]))
        self.assertEqual(retry.marketplace_status_name, "Awaiting bank wire payment")

        SaleOrder = self.env["sale.order"]
        self.assertEqual(SaleOrder.search([("marketplace_status_name", "ilike", "accepted")]), sale)
        self.assertEqual(SaleOrder.search([("marketplace_status_name", "=", "2")]), sale)
        self.assertNotIn(
            sale, SaleOrder.search([("marketplace_status_name", "not ilike", "accepted")])
        )
        self.assertEqual(
            self.env["marketplace.run.line"]
            .search([("run_id", "=", run.id), ("marketplace_status_name", "ilike", "bank wire")])
            .marketplace_order_id,
            str(failing["id"]),
        )
        self.assertEqual(
            self.env["marketplace.retry"].search([("marketplace_status_name", "ilike", "wire")]),
            retry,
        )
        # the name follows the table, in the reader's language
        self.mapping("2").name = "Bezahlt"
        sale.invalidate_recordset()
        self.assertEqual(sale.marketplace_status_name, "Bezahlt")
        self.mapping("2").unlink()
        sale.invalidate_recordset()
        self.assertEqual(sale.marketplace_status_name, "2", "a status the table lacks: its code")


@tagged("post_install", "-at_install")
class TestAccountHelp(TransactionCase):
    """Every setting of the account form explains itself to a merchant."""

    def _model_of(self, node):
        """The model a field node of the account form belongs to (x2many lists: the comodel)."""
        model = self.env["marketplace.account"]
        for parent in reversed(node.xpath("ancestor::field")):
            model = self.env[model._fields[parent.get("name")].comodel_name]
        return model

    def test_every_setting_has_help(self):
        views = self.env["marketplace.account"].get_views([(False, "form")])
        root = etree.fromstring(views["views"]["form"]["arch"])
        missing = []
        for node in root.iter("field"):
            if node.get("widget") in ("statinfo", "handle") or node.get("invisible") in (
                "1",
                "True",
            ):
                continue
            if node.get("column_invisible") in ("True", "1") or node.xpath("ancestor::button"):
                continue
            model = self._model_of(node)
            if not model._fields[node.get("name")].help:
                missing.append(f"{model._name}.{node.get('name')}")
        self.assertFalse(missing, "settings without a help text")
        fields = self.env["marketplace.account"]._fields
        self.assertIn("OTTO Partner Connect", fields["api_login"].help)
        self.assertIn("Advanced Parameters > Webservice", fields["api_secret"].help)
        self.assertIn("Administrators > API access", fields["api_secret"].help)
