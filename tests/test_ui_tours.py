from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from ..clients.base import BaseClient
from ..simulators import OttoSimulator, PrestaShopSimulator
from ..simulators.data import localized_catalog
from .tour_screenshots import ScreenshotTourMixin

# Odoo's own modules whose German terms the screens show (menus, views, selections); the texts
# of the web client itself come from its .po files directly.
GERMAN_MODULES = [
    "base",
    "web",
    "mail",
    "product",
    "sales_team",
    "account",
    "payment",
    "account_payment",
    "stock",
    "sale",
    "sale_management",
    "sale_stock",
    "sale_marketplace_connector",
]


@tagged("post_install", "-at_install")
class TestMarketplaceTours(ScreenshotTourMixin, HttpCase):
    """The screens people use, in a real browser, in English and in German; the screenshots of
    the README are taken on the way (see tour_screenshots.py)."""

    browser_size = "1366x1024"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(GERMAN_MODULES, ["de_DE"], overwrite=True)
        cls.env.company.name = "Haushaltswaren Demo GmbH"  # as the screenshots show it
        cls.users = {}
        for role, name, groups in (
            ("manager", "Maria Schneider", "sales_team.group_sale_manager,stock.group_stock_user"),
            ("salesman", "Jonas Weber", "sales_team.group_sale_salesman,stock.group_stock_user"),
        ):
            for lang in ("en_US", "de_DE"):
                login = f"tour_{role}_{lang[:2]}"
                cls.users[role, lang] = new_test_user(
                    cls.env,
                    login=login,
                    password=f"{login}-pw1",
                    name=name,
                    groups=groups,
                    lang=lang,
                )

    def _login(self, role, lang):
        return self.users[role, lang].login

    # --- a manager connects a shop ---------------------------------------------------------------
    def _account_tour(self, lang):
        taken = self.start_tour_with_screenshots(
            "/odoo", "marketplace_account_tour", f"{lang[:2]}_", login=self._login("manager", lang)
        )
        self.assertScreenshots(taken, ["account_new", "account_statuses"])
        account = self.env["marketplace.account"].search([("name", "=", "Tour CS-Cart shop")])
        self.assertEqual(account.backend, "cscart")
        self.assertEqual(account.sudo().api_secret, "tour-api-key")
        self.assertEqual(account.sudo().api_login, "admin@shop.example")
        rows = {row.code: row for row in account.status_mapping_ids}
        self.assertEqual(len(rows), 9)
        self.assertEqual(rows["P"].document_type, "order")
        self.assertTrue(rows["B"].selected, "the manager ticked Import on backordered orders")
        self.assertFalse(rows["Y"].selected)

    def test_account_tour(self):
        self._account_tour("en_US")

    def test_account_tour_in_german(self):
        self._account_tour("de_DE")
        mapping = self.env["marketplace.account"].search([("name", "=", "Tour CS-Cart shop")])
        processed = mapping.status_mapping_ids.filtered(lambda row: row.code == "P")
        self.assertEqual(processed.with_context(lang="de_DE").name, "Bearbeitet")

    # --- a sales user fetches and reads ----------------------------------------------------------
    def _shops(self):
        """An OTTO account and a PrestaShop account on simulators, with orders to fetch: paid
        ones, an announced one (backlog), one with a product Odoo lacks, and payments left to
        review on PrestaShop."""
        patcher = patch.object(BaseClient, "backoff_base", 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        taxes = {
            rate: self.env["account.tax"].create(
                {
                    "name": f"Tour VAT {rate}%",
                    "amount": rate,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
            )
            for rate in (19, 7)
        }
        for entry in localized_catalog("de"):
            self.env["product.product"].create(
                {
                    "name": entry["title"],
                    "default_code": entry["sku"],
                    "barcode": entry["ean"],
                    "list_price": float(entry["price"]),
                    "type": "consu",
                    "taxes_id": [(6, 0, taxes[entry["vat_rate"]].ids)],
                }
            )
        otto = OttoSimulator(seed=21, orders=0).start()
        self.addCleanup(otto.stop)
        shop = PrestaShopSimulator(seed=21, orders=0).start()
        self.addCleanup(shop.stop)
        recycling = otto.add_order(
            "PROCESSABLE", [("KVA-BARISTA", 1)], weee_pickup=True, delivery_fee="5.95"
        )
        recycling["orderNumber"] = "TOUROTTO01"
        several = otto.add_order("PROCESSABLE", [("HT-50100-GR", 3)], discount="3.00")
        several["orderNumber"] = "TOUROTTO02"
        otto.add_order("ANNOUNCED", [("BK-DRACHE", 1)], discount=None)
        otto.add_order("PROCESSABLE", [("NOT-IN-ODOO", 1)], discount=None, delivery_fee=None)
        shop.add_order(2, [("LED-DESK-01", 1)], country="FR")
        shop.add_order(2, [("TS-UNI-L", 2)], country="DE")
        shop.add_order(10, [("PZ-1000", 1)], country="BE")
        self.env["marketplace.account"].search([]).active = False
        Account = self.env["marketplace.account"]
        Account.create(
            {
                "name": "Tour OTTO",
                "backend": "otto",
                "api_url": otto.url,
                "api_login": otto.login,
                "api_secret": otto.secret,
                "import_announced": True,
            }
        )
        Account.create(
            {
                "name": "Tour PrestaShop",
                "backend": "prestashop",
                "api_url": shop.url,
                "api_secret": shop.secret,
                "shop_timezone": "Europe/Paris",
                "payment_create": True,
                "payment_posting": "draft",
            }
        )
        return recycling, several

    def _overview_tour(self, lang):
        recycling, several = self._shops()
        taken = self.start_tour_with_screenshots(
            "/odoo",
            "marketplace_overview_tour",
            f"{lang[:2]}_",
            login=self._login("salesman", lang),
        )
        self.assertScreenshots(taken, ["fetch_result", "overview", "orders", "order_tab"])
        SaleOrder = self.env["sale.order"]
        sale = SaleOrder.search([("marketplace_order_id", "=", recycling["salesOrderId"])])
        self.assertEqual((sale.state, sale.marketplace_recycling), ("sale", True))
        units = SaleOrder.search([("marketplace_order_id", "=", several["salesOrderId"])])
        towels = units.order_line.filtered(
            lambda line: line.product_id.default_code == "HT-50100-GR"
        )
        self.assertEqual(towels.product_uom_qty, 3)
        drafts = self.env["account.payment"].search(
            [("marketplace_account_id.name", "=", "Tour PrestaShop"), ("state", "=", "draft")]
        )
        self.assertEqual(len(drafts), 2)
        return sale

    def test_overview_tour(self):
        sale = self._overview_tour("en_US")
        self.assertEqual(sale.marketplace_status_name, "Processable")

    def test_overview_tour_in_german(self):
        sale = self._overview_tour("de_DE")
        self.assertEqual(sale.with_context(lang="de_DE").marketplace_status_name, "Verarbeitbar")
