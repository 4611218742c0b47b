from odoo import api, fields, models

from ..exporter.marks import open_position_items


class SaleOrderCancel(models.TransientModel):
    """The confirmation before cancelling an order: for an OTTO order, what it cancels there."""

    _inherit = "sale.order.cancel"

    marketplace_cancel_warning = fields.Text(compute="_compute_marketplace_cancel_warning")

    @api.depends("order_id")
    def _compute_marketplace_cancel_warning(self):
        for wizard in self:
            order = wizard.order_id.sudo()
            account = order.marketplace_account_id
            items = (
                open_position_items(order)
                if account.backend == "otto" and account.otto_cancel_items and order.state == "sale"
                else []
            )
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
