"""Shared set-up of the import tests: a real Odoo database, a simulator on 127.0.0.1 per test."""

from unittest.mock import patch
from urllib.parse import urlparse

from odoo.tests import tagged
from odoo.tests.common import TransactionCase, _super_send

from ..clients import CLIENTS
from ..clients.base import BaseClient
from ..runs import budget
from ..simulators import CsCartSimulator, PrestaShopSimulator
from ..simulators.data import localized_catalog


@tagged("post_install", "-at_install")
class MarketplaceImportCase(TransactionCase):
    """Products and taxes as a German merchant has them (prices excluding tax, 19 % and 7 %), an
    account of ``backend`` and, for each test, a fresh simulator it talks to."""

    backend = None
    simulator_class = None
    catalog_language = "de"
    # "de_skr03": the tests run in a new German company with Odoo's SKR03 chart of accounts (its
    # receivable, outstanding receipts and VAT 19 % / 7 % taxes), as a German merchant has it
    chart_template = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # imports run in a cursor of their own and commit page by page, as in production; in
        # test mode that cursor is the test's transaction and its commits are savepoints
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.taxes = {}
        if cls.chart_template:
            cls.company = cls._company_with_chart(cls.chart_template)
            chart = cls.env["account.chart.template"].with_company(cls.company)
            cls.taxes = {
                19: chart.ref(f"tax_ust_19_{cls.chart_template[3:]}"),
                7: chart.ref(f"tax_ust_7_{cls.chart_template[3:]}"),
            }
        for rate in {19, 7, 20, 5.5} - set(cls.taxes):
            cls.taxes[rate] = cls.env["account.tax"].create(
                {
                    "name": f"Test VAT {rate}%",
                    "amount": rate,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                    "company_id": cls.company.id,
                }
            )
        cls.catalog = localized_catalog(cls.catalog_language)
        cls.products = {}
        for entry in cls.catalog:
            cls.products[entry["sku"]] = cls.env["product.product"].create(
                {
                    "name": entry["title"],
                    "default_code": entry["sku"],
                    "barcode": entry["ean"],
                    "list_price": float(entry["price"]),
                    "type": "consu",
                    "taxes_id": [(6, 0, cls.taxes[entry["vat_rate"]].ids)],
                }
            )
        cls.shipping_product = cls.env.ref(
            "sale_marketplace_connector.product_marketplace_shipping"
        )
        cls.shipping_product.taxes_id = cls.taxes[19 if cls.catalog_language == "de" else 20]
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": f"Test {cls.backend}",
                "backend": cls.backend,
                "api_url": "http://127.0.0.1:9",
                "request_timeout": 2,
                "shop_timezone": "Europe/Paris",
            }
        )

    @classmethod
    def _company_with_chart(cls, template):
        """A new German company with ``template`` loaded (about 6 s), the tests' company."""
        company = cls.env["res.company"].create(
            {
                "name": "Haushaltswaren Test GmbH",
                "country_id": cls.env.ref("base.de").id,
                "currency_id": cls.env.ref("base.EUR").id,
                "street": "Große Elbstraße 145",
                "zip": "22767",
                "city": "Hamburg",
            }
        )
        cls.env.user.write({"company_ids": [(4, company.id)], "company_id": company.id})
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        cls.env["account.chart.template"].try_loading(template, company, install_demo=False)
        return company

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        # Odoo's tests raise every timeout under 10 s to 10 s; the simulators are on this machine,
        # and the timeout tests need the client's own. Other addresses stay blocked.
        if urlparse(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)

    def setUp(self):
        super().setUp()
        # no real waiting between retries in tests (the Retry-After of 429s is honoured: 0 here)
        patcher = patch.object(BaseClient, "backoff_base", 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        # the tests of a class share one cursor; each is a new execution of the schedule
        budget.forget_executions(self.env.cr)
        self.sim = self.make_simulator()
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.account.write(
            {"api_url": self.sim.url, "api_login": self.sim.login, "api_secret": self.sim.secret}
        )

    def use_page_size(self, size):
        """Pages of ``size`` orders for this test: several pages cost a few orders, not 130."""
        patcher = patch.object(CLIENTS[self.backend], "page_size", size)
        patcher.start()
        self.addCleanup(patcher.stop)

    def make_simulator(self, **options):
        return self.simulator_class(seed=11, orders=0, **options)

    # --- helpers ---------------------------------------------------------------------------------
    def fetch(self, **kwargs):
        """Import as production does (own cursor, a commit per page); the records this test
        holds are read again afterwards."""
        runs = self.account._import_orders(**kwargs)
        self.env.invalidate_all()
        return runs

    def sale(self, order_id):
        return self.env["sale.order"].search(
            [
                ("marketplace_account_id", "=", self.account.id),
                ("marketplace_order_id", "=", str(order_id)),
            ]
        )

    def line_of(self, run, order_id):
        lines = run.line_ids.filtered(lambda line: line.marketplace_order_id == str(order_id))
        self.assertEqual(
            len(lines), 1, f"one log line for order {order_id}: {run.line_ids.mapped('message')}"
        )
        return lines

    def mapping(self, code):
        return self.account.status_mapping_ids.filtered(lambda m: m.code == code)

    def assertTotal(self, sale, expected):
        self.assertEqual(
            round(sale.amount_total, 2),
            float(expected),
            f"{sale.name}: {sale.order_line.mapped('price_total')}",
        )
        self.assertEqual(round(sale.marketplace_total, 2), float(expected))
        self.assertFalse(sale.marketplace_total_mismatch)


def run_triggered_account_actions(env):
    """Run the accounts' own scheduled actions that the scheduled actions triggered, as Odoo's
    cron workers would (each one, then its triggers gone); return them."""
    triggers = (
        env["ir.cron.trigger"].sudo().search([("cron_id.marketplace_account_id", "!=", False)])
    )
    crons = triggers.cron_id
    triggers.unlink()
    for cron in crons:
        cron.method_direct_trigger()
    env.invalidate_all()
    return crons


class PrestaShopOrders:
    """A MarketplaceImportCase on the PrestaShop simulator with the French catalogue; ``add``
    places an order in a state, without shipping or discount unless given."""

    backend = "prestashop"
    simulator_class = PrestaShopSimulator
    catalog_language = "fr"

    def add(self, status=2, items=(("GP-28", 1),), **kwargs):
        kwargs.setdefault("shipping", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order(status, list(items), **kwargs)


class CsCartOrders:
    """The same on the CS-Cart simulator; ``add`` places an order in a status letter."""

    backend = "cscart"
    simulator_class = CsCartSimulator
    catalog_language = "fr"

    def add(self, status="P", items=(("RS-25L", 1),), **kwargs):
        kwargs.setdefault("shipping", None)
        kwargs.setdefault("discount", None)
        return self.sim.add_order(status, list(items), **kwargs)
