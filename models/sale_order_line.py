from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    marketplace_item_ids = fields.Char(
        string="Marketplace Items",
        readonly=True,
        copy=False,
        help="The shop's ids of the units on this line (OTTO position item ids), needed to "
        "report their shipment back to the shop.",
    )
