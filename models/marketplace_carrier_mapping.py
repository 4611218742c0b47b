from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..clients.otto_export import OTTO_CARRIERS


class MarketplaceCarrierMapping(models.Model):
    """The shop's name of an Odoo carrier, for the shipments sent to the shop."""

    _name = "marketplace.carrier.mapping"
    _description = "Marketplace Carrier Mapping"
    _order = "account_id, carrier_id"

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True
    )
    backend = fields.Selection(related="account_id.backend")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Odoo Carrier",
        required=True,
        ondelete="cascade",
        help="The carrier set on the deliveries (Inventory > Configuration > Shipping Methods).",
    )
    shop_carrier = fields.Char(
        required=True,
        help="OTTO Market: the carrier code of OTTO's list (DHL, DHL_EXPRESS, DPD, GLS, HERMES, "
        "UPS, DB_SCHENKER, OTHER_FORWARDER, ...). CS-Cart: the carrier as the store names it "
        "(ups, dhl, fedex, usps, or a custom one).",
    )

    _sql_constraints = [
        (
            "carrier_account_unique",
            "UNIQUE(account_id, carrier_id)",
            "An Odoo carrier can only be mapped once per account.",
        ),
    ]

    @api.constrains("shop_carrier", "account_id")
    def _check_shop_carrier(self):
        for mapping in self:
            if mapping.backend == "otto" and mapping.shop_carrier not in OTTO_CARRIERS:
                raise ValidationError(
                    _(
                        "%(code)s is not an OTTO Market carrier code. Use one of: %(codes)s.",
                        code=mapping.shop_carrier,
                        codes=", ".join(OTTO_CARRIERS),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._clean(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._clean(vals))

    def _clean(self, vals):
        if vals.get("shop_carrier"):
            vals = dict(vals, shop_carrier=vals["shop_carrier"].strip())
        return vals
