"""PrestaShop credit slips (``order_slip``), mixed into ``PrestaShopSimulator``: what a
merchant's refund in the back office leaves (``OrderSlipCreator::createOrderSlip``, see
tests/vendor/prestashop/ORDER_SLIP_NOTES.md), listed by the webservice under ``order_slips``.

- ``add_slip(order_id, rows, shipping=None, partial=False)``: a refund of order rows ([(product
  reference or row id, quantity)] at their price, or [(reference, quantity, gross amount)]) and
  of shipping (a gross amount, or True for all of it). Its totals: products and shipping tax
  excluded and included, ``amount`` the products tax excluded, ``shipping_cost_amount`` the
  shipping tax included, ``order_slip_type`` 2 with a shipping refund (else 0); its details one
  per row (``id`` the slip's own id, ``amount_tax_incl`` the row's refund). A legacy partial
  refund (``partial=True``) has only ``amount`` (tax included) and ``shipping_cost_amount``.
  PrestaShop changes no order state for it (the order's rows count the refunded quantities).
- The slips are read like any resource (``GET /api/order_slip``, filters, ``date=1``, sort).
"""

from decimal import Decimal

from .data import local_text, money
from .prestashop_data import six


class PrestaShopSlips:
    def add_slip(self, order_id, rows, shipping=None, partial=False):
        with self._lock:
            order = self.orders[str(order_id)]
            order_rows = (order.get("associations") or {}).get("order_rows") or []
            slip_id = self._next("slips")
            details, net_total, gross_total = [], Decimal(0), Decimal(0)
            for entry in rows:
                reference, quantity = entry[0], int(entry[1])
                row = next(
                    (
                        r
                        for r in order_rows
                        if reference in (r["product_reference"], r["id"], str(r["id"]))
                    ),
                    None,
                )
                if row is None:
                    raise ValueError(f"order {order_id} has no row {reference!r}")
                gross_unit = money(row["unit_price_tax_incl"])
                net_unit = Decimal(row["unit_price_tax_excl"])
                gross = money(entry[2]) if len(entry) > 2 else money(gross_unit * quantity)
                net = money(gross * net_unit / gross_unit) if gross_unit else gross
                details.append(
                    {
                        "id": str(slip_id),
                        "id_order_detail": str(row["id"]),
                        "product_quantity": str(quantity),
                        "amount_tax_excl": six(net),
                        "amount_tax_incl": six(gross),
                    }
                )
                net_total += net
                gross_total += gross
                row["product_quantity_refunded"] = str(
                    int(row.get("product_quantity_refunded") or 0) + quantity
                )
            shipping_gross = Decimal(0)
            if shipping is True:
                shipping_gross = money(order["total_shipping_tax_incl"])
            elif shipping:
                shipping_gross = money(shipping)
            rate = Decimal(str(order.get("carrier_tax_rate") or "20"))
            shipping_net = money(shipping_gross / (1 + rate / 100))
            stamp = local_text(self.clock, self.timezone)
            record = {
                "id": slip_id,
                "id_customer": str(order["id_customer"]),
                "id_order": str(order["id"]),
                "conversion_rate": order.get("conversion_rate") or "1.000000",
                "total_products_tax_excl": six(0 if partial else net_total),
                "total_products_tax_incl": six(0 if partial else gross_total),
                "total_shipping_tax_excl": six(0 if partial else shipping_net),
                "total_shipping_tax_incl": six(0 if partial else shipping_gross),
                "amount": six(gross_total if partial else net_total),
                "shipping_cost": "1" if shipping_gross and not partial else "0",
                "shipping_cost_amount": six(shipping_gross),
                "partial": "1" if partial else "0",
                "date_add": stamp,
                "date_upd": stamp,
                "order_slip_type": "2" if shipping_gross and not partial else "0",
                "associations": {"order_slip_details": details},
            }
            self.order_slips[str(slip_id)] = record
            return record
