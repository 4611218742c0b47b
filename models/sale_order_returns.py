"""sale.order (inherited): the returns and refunds its shop reported (marketplace.return) and
the credit notes made of them, which are the order's invoices too (a credit note of an amount
alone, not of units of its lines, is linked to the order by its return)."""

from odoo import api, fields, models

USER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_user"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_return_ids = fields.One2many(
        "marketplace.return",
        "sale_order_id",
        string="Returns and Refunds",
        readonly=True,
        groups=USER_GROUP,
        help="What the shop reported coming back or refunded, and the return, credit note and "
        "refund payment made of it.",
    )

    @api.depends("marketplace_return_ids.credit_note_id")
    def _get_invoiced(self):
        super()._get_invoiced()
        ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        returns = ids and (
            self.env["marketplace.return"]
            .sudo()
            .search([("sale_order_id", "in", ids), ("credit_note_id", "!=", False)])
        )
        if not returns:
            return
        for order in self:
            extra = returns.filtered(lambda r, o=order: r.sale_order_id == o).credit_note_id
            extra -= order.invoice_ids
            if extra:
                order.invoice_ids |= extra.with_env(order.env)
                order.invoice_count = len(order.invoice_ids)
