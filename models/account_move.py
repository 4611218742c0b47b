from odoo import models

from ..exporter import marks


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # the shops of imported orders learn the invoice number and the 'invoiced' status
        marks.invoices_posted(posted)
        return posted
