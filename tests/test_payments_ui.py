from datetime import datetime
from decimal import Decimal

from odoo.tests import HttpCase, new_test_user, tagged

from ..clients.records import Order
from ..importer.payments import PaymentSync


@tagged("post_install", "-at_install")
class TestMarketplacePaymentTour(HttpCase):
    """An accountant's way to a marketplace payment and its order, in a real browser."""

    def test_accountant_opens_a_payment_and_its_order(self):
        new_test_user(
            self.env,
            login="tour_accountant",
            password="tour_accountant-pw1",
            groups="account.group_account_invoice",
        )
        account = self.env["marketplace.account"].create({"name": "OTTO Tour", "backend": "otto"})
        buyer = self.env["res.partner"].create(
            {"name": "Tour Buyer", "country_id": self.env.ref("base.de").id}
        )
        product = self.env["product.product"].create({"name": "Tour lamp", "list_price": 29.9})
        sale = self.env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "marketplace_account_id": account.id,
                "marketplace_order_id": "tour-sales-order-1",
                "marketplace_order_ref": "TOUR000001",
                "marketplace_status": "PROCESSABLE",
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 29.9})
                ],
            }
        )
        sale.action_confirm()
        order = Order(
            backend="otto",
            order_id="tour-sales-order-1",
            order_ref="TOUR000001",
            status="PROCESSABLE",
            order_date=datetime(2026, 11, 20, 9, 0),
            changed_at=datetime(2026, 11, 20, 9, 5),
            currency=sale.currency_id.name,
            total=Decimal(str(sale.amount_total)),
            paid_at=datetime(2026, 11, 20, 9, 5),
        )
        messages = PaymentSync(account).sync([(sale, order)])
        self.assertIn("created", messages[sale.id])
        self.start_tour("/odoo", "marketplace_payment_tour", login="tour_accountant")
