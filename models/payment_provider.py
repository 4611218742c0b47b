from odoo import api, fields, models

from ..const import PAYMENT_PROVIDER_CODE


class PaymentProvider(models.Model):
    """A marketplace account's provider: it records the payments the marketplace or the shop
    collected (see ledger/); buyers never pay through it in Odoo."""

    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[(PAYMENT_PROVIDER_CODE, "Marketplace")],
        ondelete={PAYMENT_PROVIDER_CODE: "set default"},
    )

    @api.model
    def _get_compatible_providers(self, *args, **kwargs):
        """Never offered on a payment form: the buyer paid on the marketplace or the shop."""
        providers = super()._get_compatible_providers(*args, **kwargs)
        return providers.filtered(lambda provider: provider.code != PAYMENT_PROVIDER_CODE)
