from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..simulators import OttoSimulator
from .common import MarketplaceImportCase
from .test_payments import PaymentCaseMixin


@tagged("post_install", "-at_install")
class TestPaymentAccess(PaymentCaseMixin, MarketplaceImportCase):
    """Accountants read and reconcile marketplace payments; marketplace users and managers see
    them without editing them, and not the company's other payments; companies stay apart."""

    backend = "otto"
    simulator_class = OttoSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, login="pay_accountant", groups="account.group_account_invoice"
        )
        cls.salesman = new_test_user(
            cls.env, login="pay_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            cls.env, login="pay_manager", groups="sales_team.group_sale_manager"
        )
        cls.both = new_test_user(
            cls.env,
            login="pay_both",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Marketplace GmbH"})
        cls.stranger = new_test_user(
            cls.env,
            login="pay_stranger",
            groups="sales_team.group_sale_manager,account.group_account_invoice",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        vendor = cls.env["res.partner"].create({"name": "A supplier"})
        cls.vendor_payment = cls.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": vendor.id,
                "amount": 250.0,
            }
        )

    def setUp(self):
        super().setUp()
        raw = self.sim.add_order(
            "PROCESSABLE", [("LED-DESK-01", 1)], delivery_fee=None, discount=None
        )
        self.fetch()
        self.sale_order = self.sale(raw["salesOrderId"])
        self.payment = self.payments(self.sale_order)
        self.assertEqual(len(self.payment), 1)

    def _visible(self, user):
        return self.env["account.payment"].with_user(user).search([])

    def test_accountant_reads_and_reconciles(self):
        visible = self._visible(self.accountant)
        self.assertIn(self.payment, visible)
        self.assertIn(self.vendor_payment, visible)
        payment = self.payment.with_user(self.accountant)
        self.assertEqual(payment.marketplace_order_ref, self.sale_order.marketplace_order_ref)
        self.assertEqual(payment.marketplace_sale_order_id, self.sale_order)
        self.assertEqual(payment.marketplace_account_id.name, self.account.name)
        order = self.sale_order.with_user(self.accountant)
        self.assertEqual(order.marketplace_status_name, "Processable")
        self.assertEqual(order.marketplace_payment_ids, self.payment)
        self.assertEqual(order.transaction_ids, self.payment.payment_transaction_id)
        # the accountant posts the invoice: matched with the payment
        invoice = self.sale_order._create_invoices()
        invoice.with_user(self.accountant).action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(self.payment.is_reconciled)
        Form(payment)  # the payment's screen opens
        Form(order)  # and the order's

    def test_marketplace_user_sees_without_editing(self):
        for user in (self.salesman, self.manager):
            with self.subTest(user=user.login):
                visible = self._visible(user)
                self.assertIn(self.payment, visible)
                self.assertNotIn(self.vendor_payment, visible)
                payment = self.payment.with_user(user)
                self.assertEqual(payment.amount, self.payment.amount)
                # issue 16: salespeople read no transaction themselves (as without the add-on);
                # the order shows them its connector transactions
                with self.assertRaises(AccessError):
                    payment.payment_transaction_id.read(["state"])
                self.assertIn(
                    payment.payment_transaction_id.sudo().reference,
                    self.sale_order.with_user(user).marketplace_transactions_html,
                )
                self.assertEqual(
                    self.sale_order.with_user(user).transaction_ids,
                    self.payment.payment_transaction_id,
                )
                Form(payment)  # the payment's screen opens, read-only
                Form(self.sale_order.with_user(user))  # the order's, with its transactions
                with self.assertRaises(AccessError):
                    payment.write({"memo": "changed"})
                with self.assertRaises(AccessError):
                    payment.action_draft()
                with self.assertRaises(AccessError):
                    payment.unlink()
                with self.assertRaises(AccessError):
                    self.vendor_payment.with_user(user).read(["amount"])
        # a user who is also an accountant keeps seeing every payment
        visible = self._visible(self.both)
        self.assertIn(self.payment, visible)
        self.assertIn(self.vendor_payment, visible)

    def test_manager_configures_payment_entries(self):
        account = self.account.with_user(self.manager)
        with Form(account) as form:  # the account's screen, Payments tab included
            form.payment_tolerance = 0.02
        self.assertEqual(self.account.payment_tolerance, 0.02)
        account.write({"payment_posting": "draft", "payment_tolerance": 0.10})
        self.assertEqual(self.account.payment_posting, "draft")
        with self.assertRaises(AccessError):
            self.account.with_user(self.salesman).write({"payment_create": False})
        with self.assertRaises(AccessError):
            self.account.with_user(self.accountant).write({"payment_create": False})

    def test_other_company_sees_nothing(self):
        self.assertFalse(
            self.env["account.payment"]
            .with_user(self.stranger)
            .search([("marketplace_account_id", "!=", False)])
        )
        with self.assertRaises(AccessError):
            self.payment.with_user(self.stranger).read(["amount"])
        with self.assertRaises(AccessError):
            self.payment.payment_transaction_id.with_user(self.stranger).read(["amount"])

    def test_payments_are_seen_as_their_orders(self):
        """A salesperson who sees his own documents only sees the payments of his orders and
        of orders without a salesperson, not a colleague's; "All Documents", sales managers and
        the connector's managers see every marketplace payment; accountants see all payments."""
        colleague = new_test_user(
            self.env, login="pay_colleague", groups="sales_team.group_sale_salesman"
        )
        all_documents = new_test_user(
            self.env, login="pay_all_docs", groups="sales_team.group_sale_salesman_all_leads"
        )
        connector_manager = new_test_user(
            self.env,
            login="pay_connector_manager",
            groups="base.group_user,"
            "sale_marketplace_connector.sale_marketplace_connector_group_manager",
        )
        own_raw, other_raw = (
            self.sim.add_order("PROCESSABLE", [(sku, 1)], delivery_fee=None, discount=None)
            for sku in ("LED-DESK-01", "KB-BIO-1KG")
        )
        self.fetch()
        own, other = self.sale(own_raw["salesOrderId"]), self.sale(other_raw["salesOrderId"])
        own.user_id, other.user_id = self.salesman, colleague
        self.sale_order.user_id = False  # the account's orders without a salesperson
        own_payment, other_payment = self.payments(own), self.payments(other)
        self.assertEqual(len(own_payment | other_payment), 2)
        # the salesman's list: his order's payment and the unassigned order's, not his
        # colleague's; the colleague's is refused as the order itself is
        visible = self._visible(self.salesman)
        self.assertIn(own_payment, visible)
        self.assertIn(self.payment, visible)
        self.assertNotIn(other_payment, visible)
        with self.assertRaises(AccessError):
            other_payment.with_user(self.salesman).read(["amount"])
        with self.assertRaises(AccessError):
            other.with_user(self.salesman).read(["name"])
        self.assertEqual(own.with_user(self.salesman).marketplace_payment_ids, own_payment)
        self.assertNotIn(own_payment, self._visible(colleague))
        for user in (all_documents, self.manager, connector_manager, self.accountant, self.both):
            with self.subTest(user=user.login):
                visible = self._visible(user)
                self.assertIn(own_payment, visible)
                self.assertIn(other_payment, visible)
                self.assertIn(self.payment, visible)
