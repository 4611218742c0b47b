"""The floors of the benchmark: the documents an import creates, written with the bare ORM.

The orders are read from the simulator before the clock starts; then, page by page like the
import (a commit per 128 orders), each buyer (once per e-mail, with a delivery contact where the
address differs), each sales order with its lines, and the confirmation of processable orders.
No HTTP, no log, no savepoints, no look-ups: what Odoo itself costs.

- ``FloorLoader``: order by order (one ``create`` and one ``action_confirm`` per order), the way
  a per-order import writes;
- ``BatchedFloorLoader``: per page, one ``create`` for the new buyers, one for their delivery
  contacts, one for the orders with their lines and one ``action_confirm``: what Odoo can do;
- ``PaymentsFloorLoader`` (floor_payments.py): the batched floor plus the payment entries of
  the paid orders, per page in one call per kind of record.
"""

from datetime import datetime, timedelta

from odoo.addons.sale_marketplace_connector.importer.sale_values import SaleOrderBuilder

PAGE = 128


class FloorLoader:
    def __init__(self, env, account):
        self.env = env
        self.account = account
        client = account._get_client()
        since = datetime.utcnow() - timedelta(days=account.import_period_days)
        selected = {m.code for m in account.status_mapping_ids if m.selected}
        self.orders = [
            order
            for page in client.iter_order_pages(since)
            for order in page.orders
            if order.status in selected
        ]
        self.builder = SaleOrderBuilder(account)
        self.products = {
            p.default_code: p
            for p in env["product.product"].search([("default_code", "!=", False)])
        }
        self.country = {c.code: c.id for c in env["res.country"].search([])}
        # taxes and the pricelist are set up before the clock, as a merchant's database has them
        self.builder.pricelist("EUR")
        for product in list(self.products.values()) + [account.shipping_product_id]:
            self.builder.line_taxes(product, None)

    def extra_results(self):
        """What the loader reports besides time, queries and memory."""
        return {}

    def _address(self, address):
        return {
            "name": address.name,
            "street": address.street,
            "street2": address.street2 or False,
            "zip": address.zip,
            "city": address.city,
            "country_id": self.country.get(address.country_code, False),
            "phone": address.phone or False,
            "email": address.email or False,
        }

    def _models(self):
        """res.partner and sale.order as a bare ORM loop writes them, and the address-pending
        placeholder of announced orders."""
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        SaleOrder = self.env["sale.order"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        return Partner, SaleOrder, Partner.create({"name": "OTTO: address pending"})

    def run(self):
        env = self.env
        Partner, SaleOrder, placeholder = self._models()
        buyers = {}
        count = 0
        for start in range(0, len(self.orders), PAGE):
            for order in self.orders[start : start + PAGE]:
                if order.invoice_address is None:
                    partners = (placeholder, placeholder, placeholder)
                else:
                    buyer = buyers.get(order.customer_key)
                    if buyer is None:
                        buyer = buyers[order.customer_key] = Partner.create(
                            self._address(order.invoice_address)
                        )
                    delivery = buyer
                    if order.delivery_address.key() != order.invoice_address.key():
                        delivery = Partner.create(
                            {
                                **self._address(order.delivery_address),
                                "parent_id": buyer.id,
                                "type": "delivery",
                            }
                        )
                    partners = (buyer, buyer, delivery)
                lines = [(line, self.products[line.sku], line.name) for line in order.lines]
                values, __ = self.builder.order_values(order, partners, lines, None)
                sale = SaleOrder.create(values)
                if order.status == "PROCESSABLE":
                    sale.with_context(marketplace_keep_order_date=True).action_confirm()
                count += 1
            env.cr.commit()
            env.invalidate_all()
        return count


class BatchedFloorLoader(FloorLoader):
    def after_page(self, page, sales):
        """Called with the page's orders and their sales documents, before the commit."""

    def run(self):
        env = self.env
        Partner, SaleOrder, placeholder = self._models()
        buyers = {}
        count = 0
        for start in range(0, len(self.orders), PAGE):
            page = self.orders[start : start + PAGE]
            new_buyers = {}
            for order in page:
                key = order.customer_key
                if order.invoice_address and key not in buyers and key not in new_buyers:
                    new_buyers[key] = self._address(order.invoice_address)
            created = Partner.create(list(new_buyers.values()))
            buyers.update(zip(new_buyers, created, strict=True))
            deliveries = {}
            for order in page:
                address = order.delivery_address
                if order.invoice_address and address.key() != order.invoice_address.key():
                    deliveries[order.order_id] = {
                        **self._address(address),
                        "parent_id": buyers[order.customer_key].id,
                        "type": "delivery",
                    }
            delivered_to = dict(
                zip(deliveries, Partner.create(list(deliveries.values())), strict=True)
            )
            values_list = []
            for order in page:
                if order.invoice_address is None:
                    partners = (placeholder, placeholder, placeholder)
                else:
                    buyer = buyers[order.customer_key]
                    partners = (buyer, buyer, delivered_to.get(order.order_id, buyer))
                lines = [(line, self.products[line.sku], line.name) for line in order.lines]
                values_list.append(self.builder.order_values(order, partners, lines, None)[0])
            sales = SaleOrder.create(values_list)
            to_confirm = sales.filtered(lambda sale: sale.marketplace_status == "PROCESSABLE")
            to_confirm.with_context(marketplace_keep_order_date=True).action_confirm()
            self.after_page(page, sales)
            count += len(sales)
            env.cr.commit()
            env.invalidate_all()
        return count
