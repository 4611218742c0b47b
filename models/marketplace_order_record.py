from odoo import fields, models


class MarketplaceOrderRecord(models.AbstractModel):
    """What the connector records of one imported order (an update to send, a return or refund)
    starts the same: its account, the account's company, the order and its shop number."""

    _name = "marketplace.order.record"
    _description = "Marketplace Record of an Order"

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    backend = fields.Selection(related="account_id.backend")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, readonly=True
    )
    marketplace_order_ref = fields.Char(
        related="sale_order_id.marketplace_order_ref", string="Shop Order Number"
    )
