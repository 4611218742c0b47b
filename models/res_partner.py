from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    marketplace_account_id = fields.Many2one(
        "marketplace.account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The account this buyer was imported from.",
    )
    marketplace_customer_key = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="How the shop identifies the buyer: its customer id, or the e-mail address when the "
        "shop has none (guests, OTTO's pseudonymised invoice e-mail).",
    )
