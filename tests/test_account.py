from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from ..const import DEFAULT_STATUS_TABLES

MANAGER = "sale_marketplace_connector.sale_marketplace_connector_group_manager"
USER = "sale_marketplace_connector.sale_marketplace_connector_group_user"


@tagged("post_install", "-at_install")
class TestMarketplaceAccount(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Account = cls.env["marketplace.account"]

    def _account(self, backend="otto", **values):
        return self.Account.create(
            {
                "name": f"Test {backend}",
                "backend": backend,
                "api_url": "http://127.0.0.1:1",
                **values,
            }
        )

    def _table(self, account):
        return [
            (m.code, m.selected, m.document_type, m.document_state)
            for m in account.status_mapping_ids.sorted("sequence")
        ]

    def test_default_tables_per_backend(self):
        for backend, rows in DEFAULT_STATUS_TABLES.items():
            with self.subTest(backend=backend):
                account = self._account(backend)
                self.assertEqual(self._table(account), [(r[0], r[2], r[3], r[4]) for r in rows])
                self.assertFalse(account.status_mapping_ids.change_status_to)

    def test_otto_table_as_established_connectors_ship_it(self):
        table = {row[0]: row[1:] for row in self._table(self._account("otto"))}
        self.assertEqual(table["PROCESSABLE"], (True, "order", "sale"))
        self.assertEqual(table["ANNOUNCED"], (False, "quotation", "draft"))
        self.assertEqual(table["CANCELLED_BY_MARKETPLACE"], (False, "order", "cancel"))
        self.assertEqual(table["CANCELLED_BY_PARTNER"], (False, "order", "cancel"))
        self.assertFalse(table["SENT"][0])
        self.assertFalse(table["RETURNED"][0])

    def test_prestashop_and_cscart_tables(self):
        presta = {row[0]: row[1:] for row in self._table(self._account("prestashop"))}
        self.assertEqual(len(presta), 13)
        self.assertEqual(presta["1"], (True, "quotation", "draft"))
        self.assertEqual(presta["10"], (True, "quotation", "draft"))
        self.assertEqual(presta["2"], (True, "order", "sale"))
        self.assertEqual(presta["5"], (True, "order", "sale"))
        self.assertEqual(presta["6"][1:], ("order", "cancel"))
        selected = {code for code, row in presta.items() if row[0]}
        self.assertEqual(selected, {"1", "10", "2", "5"})
        cscart = {row[0]: row[1:] for row in self._table(self._account("cscart"))}
        self.assertEqual({c for c, row in cscart.items() if row[0]}, {"P", "C", "O"})
        self.assertEqual(cscart["P"], (True, "order", "sale"))
        self.assertEqual(cscart["O"], (True, "quotation", "draft"))
        self.assertEqual(cscart["I"][1:], ("order", "cancel"))
        self.assertEqual(cscart["D"][1:], ("order", "cancel"))

    def test_default_api_url_and_fields(self):
        otto = self.Account.create({"name": "OTTO", "backend": "otto"})
        self.assertEqual(otto.api_url, "https://api.otto.market")
        presta = self.Account.create({"name": "Shop", "backend": "prestashop"})
        self.assertFalse(presta.api_url)
        self.assertEqual(otto.import_period_days, 30)
        self.assertFalse(otto.import_announced)
        self.assertEqual(otto.company_id, self.env.company)
        self.assertFalse(otto.imported_until)

    def test_document_type_state_combinations(self):
        account = self._account("prestashop")
        row = account.status_mapping_ids.filtered(lambda m: m.code == "1")
        for document_type, state in (
            ("quotation", "sale"),
            ("quotation", "locked"),
            ("order", "draft"),
            ("order", "sent"),
        ):
            with self.subTest(type=document_type, state=state), self.assertRaises(ValidationError):
                row.write({"document_type": document_type, "document_state": state})
        for document_type, state in (
            ("quotation", "sent"),
            ("order", "locked"),
            ("order", "cancel"),
        ):
            row.write({"document_type": document_type, "document_state": state})
            self.assertEqual(row.document_state, state)

    def test_mapping_code_unique_per_account(self):
        account = self._account("cscart")
        other = self._account("cscart")
        self.env["marketplace.status.mapping"].create(
            {"account_id": other.id, "code": "X", "name": "Custom"}
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["marketplace.status.mapping"].create(
                {"account_id": account.id, "code": "P", "name": "Again"}
            )

    def test_change_status_to(self):
        presta = self._account("prestashop")
        rows = {m.code: m for m in presta.status_mapping_ids}
        rows["12"].change_status_to = rows["1"]
        self.assertEqual(rows["12"].change_status_to.code, "1")
        other = self._account("prestashop")
        with self.assertRaises(ValidationError):
            rows["12"].change_status_to = other.status_mapping_ids[0]
        otto = self._account("otto")
        otto_rows = otto.status_mapping_ids
        with self.assertRaises(ValidationError):
            otto_rows[0].change_status_to = otto_rows[1]

    def test_incomplete_cscart_status_never_selected(self):
        account = self._account("cscart")
        incomplete = account.status_mapping_ids.filtered(lambda m: m.code == "N")
        with self.assertRaises(ValidationError):
            incomplete.selected = True

    def test_announced_switch_and_row_agree(self):
        account = self._account("otto")
        announced = account.status_mapping_ids.filtered(lambda m: m.code == "ANNOUNCED")
        account.import_announced = True
        self.assertTrue(announced.selected)
        announced.selected = False
        self.assertFalse(account.import_announced)
        created_on = self._account("otto", import_announced=True)
        self.assertTrue(
            created_on.status_mapping_ids.filtered(lambda m: m.code == "ANNOUNCED").selected
        )
        with self.assertRaises(ValidationError):
            self._account("prestashop", import_announced=True)

    def test_sale_order_unique_per_account_and_order_id(self):
        account = self._account("otto")
        partner = self.env["res.partner"].create({"name": "Buyer"})
        values = {
            "partner_id": partner.id,
            "marketplace_account_id": account.id,
            "marketplace_order_id": "9f1c-1",
        }
        self.env["sale.order"].create(values)
        self.env["sale.order"].create({**values, "marketplace_account_id": self._account().id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env["sale.order"].create(values)

    def test_account_copy_keeps_table_not_credentials(self):
        account = self._account("prestashop", api_secret="KEY-123456")
        account.status_mapping_ids.filtered(lambda m: m.code == "3").selected = True
        copy = account.copy()
        self.assertFalse(copy.api_secret)
        self.assertEqual(self._table(copy), self._table(account))
        self.assertIn("(copy)", copy.name)

    def test_account_form_creates_table(self):
        form = Form(self.Account)
        form.name = "My shop"
        form.backend = "cscart"
        form.api_url = "https://shop.example"
        account = form.save()
        self.assertEqual(len(account.status_mapping_ids), len(DEFAULT_STATUS_TABLES["cscart"]))


@tagged("post_install", "-at_install")
class TestMarketplaceSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "OTTO A",
                "backend": "otto",
                "api_login": "client-a",
                "api_secret": "s3cr3t-value",
            }
        )
        cls.salesman = new_test_user(
            cls.env, login="mp_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.sales_manager = new_test_user(
            cls.env, login="mp_sales_manager", groups="sales_team.group_sale_manager"
        )
        cls.user_b = new_test_user(
            cls.env,
            login="mp_user_b",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_sales_groups_imply_marketplace_groups(self):
        self.assertTrue(self.salesman.has_group(USER))
        self.assertFalse(self.salesman.has_group(MANAGER))
        self.assertTrue(self.sales_manager.has_group(MANAGER))

    def test_user_cannot_read_secret_or_write(self):
        account = self.account.with_user(self.salesman)
        self.assertEqual(account.name, "OTTO A")
        self.assertTrue(account.status_mapping_ids)
        with self.assertRaises(AccessError):
            account.read(["api_secret"])
        with self.assertRaises(AccessError):
            account.read(["api_login"])
        self.assertNotIn("api_secret", account.read()[0])
        with self.assertRaises(AccessError):
            account.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            account.status_mapping_ids[0].write({"selected": True})
        with self.assertRaises(AccessError):
            self.env["marketplace.account"].with_user(self.salesman).create(
                {"name": "New", "backend": "cscart"}
            )

    def test_manager_reads_and_writes_secret(self):
        account = self.account.with_user(self.sales_manager)
        self.assertEqual(account.api_secret, "s3cr3t-value")
        account.write({"api_secret": "other-secret"})
        self.assertEqual(account.api_secret, "other-secret")

    def test_other_company_sees_no_account(self):
        accounts = self.env["marketplace.account"].with_user(self.user_b).search([])
        self.assertNotIn(self.account, accounts)
        mappings = self.env["marketplace.status.mapping"].with_user(self.user_b).search([])
        self.assertFalse(mappings & self.account.status_mapping_ids)
        with self.assertRaises(AccessError):
            self.account.with_user(self.user_b).read(["name"])
        own = (
            self.env["marketplace.account"]
            .with_user(self.user_b)
            .with_company(self.company_b)
            .create({"name": "Shop B", "backend": "cscart"})
        )
        self.assertEqual(own.company_id, self.company_b)
        self.assertNotIn(own, self.env["marketplace.account"].with_user(self.salesman).search([]))
