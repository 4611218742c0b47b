from odoo import api, fields, models


class MarketplaceStatusNamed(models.AbstractModel):
    """The shop's status of a record by its name in the account's status table ("Payment
    accepted", "Processed"), not by the shop's code ("2", "P"): for sales orders, log lines and
    the retry list. A model using it says which field holds its account."""

    _name = "marketplace.status.named"
    _description = "Marketplace Status Name"
    _marketplace_account_field = "account_id"

    marketplace_status_name = fields.Char(
        string="Shop Order Status",
        compute="_compute_marketplace_status_name",
        search="_search_marketplace_status_name",
        help="The order's status on the shop, by its name in the account's status table.",
    )

    @api.depends(lambda self: (self._marketplace_account_field, "marketplace_status"))
    @api.depends_context("lang")
    def _compute_marketplace_status_name(self):
        accounts = self[self._marketplace_account_field]
        names = self.env["marketplace.status.mapping"]._names_by_code(accounts)
        for record in self:
            key = (record[self._marketplace_account_field].id, record.marketplace_status)
            record.marketplace_status_name = names.get(key, record.marketplace_status)

    def _search_marketplace_status_name(self, operator, value):
        return self.env["marketplace.status.mapping"]._status_name_domain(
            operator, value, self._marketplace_account_field, "marketplace_status"
        )
