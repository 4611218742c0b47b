from odoo import api, fields, models

from ..exporter.marks import items_cancelled_with


class SaleOrderCancel(models.TransientModel):
    """The confirmation before cancelling an order: what it cancels on the shop (OTTO position
    items)."""

    _inherit = "sale.order.cancel"

    marketplace_cancel_warning = fields.Text(compute="_compute_marketplace_cancel_warning")

    @api.depends("order_id")
    def _compute_marketplace_cancel_warning(self):
        for wizard in self:
            order = wizard.order_id.sudo()
            items = items_cancelled_with(order)
            wizard.marketplace_cancel_warning = (
                self.env._(
                    "This also cancels on OTTO Market the %(count)s position items of order "
                    "%(order)s that no delivery has shipped. OTTO tells the buyer; it cannot be "
                    "undone.",
                    count=len(items),
                    order=order.marketplace_order_ref,
                )
                if items
                else False
            )
