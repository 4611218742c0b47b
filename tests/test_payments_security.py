from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase


@tagged("post_install", "-at_install")
class TestTransactionAccess(MarketplaceImportCase):
    """Who reads payment transactions (buyer e-mail, address, amount): salespeople read none
    themselves, as without the add-on; the order shows whoever may read it its connector
    transactions; accountants read them as Odoo lets them."""

    backend = "otto"
    simulator_class = OttoSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="tx_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.colleague = new_test_user(
            cls.env, login="tx_colleague", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            cls.env, login="tx_manager", groups="sales_team.group_sale_manager"
        )
        cls.marketplace_user = new_test_user(
            cls.env,
            login="tx_marketplace",
            groups="base.group_user,sale_marketplace_connector.sale_marketplace_connector_group_user",
        )
        cls.accountant = new_test_user(
            cls.env, login="tx_accountant", groups="account.group_account_invoice"
        )
        cls.both = new_test_user(
            cls.env,
            login="tx_both",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
        )
        # a transaction of Odoo's own online payments (an e-shop), not the connector's
        provider = cls.env["payment.provider"].create({"name": "Shop cards", "code": "none"})
        buyer = cls.env["res.partner"].create(
            {"name": "Web Buyer", "email": "web.buyer@example.com", "street": "Weg 1"}
        )
        cls.shop_tx = cls.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": cls.env.ref("payment.payment_method_unknown").id,
                "reference": "WEB-0001",
                "amount": 99.0,
                "currency_id": cls.env.company.currency_id.id,
                "partner_id": buyer.id,
            }
        )

    def setUp(self):
        super().setUp()
        own = self.sim.add_order("PROCESSABLE", [("MW-20L", 1)], delivery_fee=None, discount=None)
        other = self.sim.add_order(
            "PROCESSABLE", [("HON-500", 1)], delivery_fee=None, discount=None
        )
        self.fetch()
        self.own_sale = self.sale(own["salesOrderId"])
        self.other_sale = self.sale(other["salesOrderId"])
        self.other_sale.user_id = self.colleague  # not the salesman's: he may not read it
        self.own_tx = self.own_sale.transaction_ids
        self.other_tx = self.other_sale.transaction_ids
        self.assertEqual(len(self.own_tx | self.other_tx), 2)

    def test_salespeople_read_no_transaction(self):
        for user in (self.salesman, self.manager, self.marketplace_user):
            with self.subTest(user=user.login):
                Transaction = self.env["payment.transaction"].with_user(user)
                with self.assertRaises(AccessError):
                    Transaction.search([])
                with self.assertRaises(AccessError):
                    Transaction.search_read([], ["reference", "partner_email", "amount"])
                for tx in (self.shop_tx, self.own_tx, self.other_tx):
                    with self.assertRaises(AccessError):
                        tx.with_user(user).read(["reference", "partner_email"])

    def test_the_order_shows_its_connector_transactions(self):
        own = self.own_sale.with_user(self.salesman)
        html = own.read(["marketplace_transactions_html"])[0]["marketplace_transactions_html"]
        self.assertIn(self.own_tx.reference, html)
        self.assertNotIn(self.other_tx.reference, html)
        self.assertNotIn(self.shop_tx.reference, html)
        # an order the salesman may not read shows him nothing
        with self.assertRaises(AccessError):
            self.other_sale.with_user(self.salesman).read(["marketplace_transactions_html"])
        # the manager reads every order, hence each one's connector transactions
        other = self.other_sale.with_user(self.manager)
        self.assertIn(self.other_tx.reference, other.marketplace_transactions_html)

    def test_accountants_read_transactions_as_odoo_gives_them(self):
        everything = self.shop_tx | self.own_tx | self.other_tx
        for user in (self.accountant, self.both):
            with self.subTest(user=user.login):
                Transaction = self.env["payment.transaction"].with_user(user)
                self.assertEqual(Transaction.search([("id", "in", everything.ids)]), everything)
                rows = Transaction.search_read([("id", "in", everything.ids)], ["reference"])
                self.assertEqual(len(rows), 3)
                self.assertEqual(
                    self.shop_tx.with_user(user).read(["reference"])[0]["reference"], "WEB-0001"
                )
