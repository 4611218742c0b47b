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

    @api.model
    def _toggle_post_processing_cron(self):
        """Odoo's post-processing cron wakes for providers whose payments are confirmed later.
        The connector's transactions are post-processed when they are made (see ledger/), so
        its providers neither switch the cron on nor keep it on; and the cron is written only
        when it changes: Odoo locks its row without waiting, and an import making an account's
        first payment entry while a cron worker runs that cron would otherwise be rolled back
        in the middle of an order."""
        cron = self.env.ref("payment.cron_post_process_payment_tx", raise_if_not_found=False)
        if not cron:
            return
        wanted = bool(
            self.sudo().search_count(
                [("state", "!=", "disabled"), ("code", "!=", PAYMENT_PROVIDER_CODE)], limit=1
            )
        )
        if cron.active != wanted:
            cron.active = wanted
