"""Property tests of the importer's value building over random and hostile shop payloads (issue
17): each payload goes through its client's page making and the importer's hub into real Odoo
records. Whatever it holds: a run line is written, its reason is never a raw Python error
("Unexpected error"), a sales order is never made without product lines, its total is the
shop's or it is flagged, and no payment entry exists without its order. Few examples (each writes
documents), derandomized: the same ones every run."""

import logging
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..clients import cscart, otto, prestashop
from ..importer.order_sync import OrderSync
from ..simulators import OttoSimulator
from ..simulators.data import localized_catalog
from . import hostile
from .common import CsCartOrders, MarketplaceImportCase, PrestaShopOrders

_logger = logging.getLogger(__name__)

ODOO_SIDE = settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


# new OTTO orders in these come in (the others are skipped: announced ones by default)
IMPORTED_OTTO_STATES = ("PROCESSABLE", "SENT", "CANCELLED_BY_MARKETPLACE")


def skus(language):
    """Three SKUs the test's catalogue has, and one Odoo does not know."""
    return (*(entry["sku"] for entry in localized_catalog(language)[:3]), "NEVER-CREATED")


class ImportPropertyCase(MarketplaceImportCase):
    id_key = None  # the key of the shop's order id in the payload

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.payment_create = True
        cls.run_log = cls.env["marketplace.run"].create(
            {"account_id": cls.account.id, "trigger": "manual", "state": "done"}
        )
        cls.number = 0

    def order_payload(self, payload):
        return payload

    def make_page(self, payload):
        raise NotImplementedError

    def check_property(self, strategy):
        """Run ``check_import`` over the examples of ``strategy``; some must have come in and
        some must have failed, or the property was not put to the test."""
        results = Counter()

        @ODOO_SIDE
        @given(strategy, st.booleans())
        def check(case, again):
            results[self.check_import(case, again)] += 1

        check()
        _logger.info("%s: %s", type(self).__name__, dict(results))
        self.assertTrue(results["created"] and results["failed"], results)

    def check_import(self, case, again=False):
        """Import one (maybe hostile) payload and check what must hold whatever it held;
        ``again``: as a change of the order of the example before (an update), else as a new
        order."""
        payload, __ = case
        raw = self.order_payload(payload)
        if isinstance(raw, dict) and raw.get(self.id_key) in ("105", "42", hostile.OTTO_ID):
            if not again or not self.number:
                type(self).number += 1
            raw[self.id_key] = f"{self.number}"
        page = self.make_page(payload)
        client = self.account._get_client()
        outcomes = OrderSync(self.account, client).process_page(page)
        self.assertEqual(len(outcomes), 1)
        [outcome] = outcomes
        self.assertIn(outcome.result, ("created", "updated", "unchanged", "skipped", "failed"))
        self.assertNotIn("Unexpected error", outcome.message)
        self.assertNotIn("unexpected error", outcome.message)
        for words in hostile.RAW_PYTHON:
            self.assertNotIn(words, outcome.message)
        if outcome.result != "unchanged":  # (the run logs no unchanged order)
            # the log line is written whatever the payload held (no NUL reaches PostgreSQL)
            line = self.env["marketplace.run.line"].create(outcome.log_values(self.run_log.id))
            line.flush_recordset()
        if outcome.result == "created":
            self.check_sale(self.env["sale.order"].browse(outcome.sale_order_id), page.orders[0])
        self.check_no_orphans()
        return outcome.result

    def check_sale(self, sale, order):
        products = sale.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_delivery
                and line.product_id != self.account.discount_product_id
            )
        )
        self.assertTrue(products, f"{sale.name} has no product line")
        self.assertEqual(sum(products.mapped("product_uom_qty")), float(order_units(order)))
        same_total = not sale.currency_id.compare_amounts(sale.amount_total, float(order.total))
        self.assertTrue(
            same_total or sale.marketplace_total_mismatch,
            f"{sale.name}: {sale.amount_total} against the shop's {order.total}, not flagged",
        )

    def check_no_orphans(self):
        sales = self.env["sale.order"].search([("marketplace_account_id", "=", self.account.id)])
        self.assertFalse(sales.filtered(lambda sale: not sale.order_line), "orders without lines")
        transactions = self.env["payment.transaction"].search(
            [("marketplace_account_id", "=", self.account.id)]
        )
        self.assertFalse(
            transactions.filtered(
                lambda tx: not tx.marketplace_sale_order_id or not tx.sale_order_ids
            ),
            "payment transactions without their order",
        )
        journal = self.account.payment_journal_id
        if journal:
            payments = self.env["account.payment"].search([("journal_id", "=", journal.id)])
            self.assertFalse(
                payments.filtered(lambda pay: not pay.payment_transaction_id.sale_order_ids),
                "payments without their order",
            )


def order_units(order):
    return sum(line.quantity for line in order.lines)


@tagged("post_install", "-at_install")
class TestOttoImportProperty(ImportPropertyCase):
    backend = "otto"
    simulator_class = OttoSimulator
    id_key = "salesOrderId"

    def make_page(self, payload):
        client = self.account._get_client()
        return client._make_page([payload], otto.parse_order, otto.identify_order)

    def test_hostile_otto_orders(self):
        self.check_property(hostile.otto_orders(skus=skus("de"), states=IMPORTED_OTTO_STATES))


@tagged("post_install", "-at_install")
class TestPrestaShopImportProperty(PrestaShopOrders, ImportPropertyCase):
    id_key = "id"

    def order_payload(self, payload):
        return payload["order"]

    def make_page(self, payload):
        def parse(raw):
            return prestashop.parse_order(
                raw,
                payload["addresses"],
                payload["customers"],
                {"8": "FR"},
                {"1": "EUR"},
                "Europe/Paris",
            )

        client = self.account._get_client()
        return client._make_page([payload["order"]], parse, client._identify)

    def test_hostile_prestashop_orders(self):
        self.check_property(hostile.prestashop_orders(skus=skus("fr")))


@tagged("post_install", "-at_install")
class TestCsCartImportProperty(CsCartOrders, ImportPropertyCase):
    id_key = "order_id"

    def make_page(self, payload):
        client = self.account._get_client()
        return client._make_page([payload], client._parse, cscart.identify_order)

    def test_hostile_cscart_orders(self):
        self.check_property(hostile.cscart_orders(skus=skus("fr")))
