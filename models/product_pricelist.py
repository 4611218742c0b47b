from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    marketplace_account_id = fields.Many2one(
        "marketplace.account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The marketplace account whose imported orders use this pricelist. It has no rules: "
        "the shop's prices are final, whatever the company's or the buyer's pricelist says.",
    )
