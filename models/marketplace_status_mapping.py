from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..const import (
    ALLOWED_DOCUMENT_STATES,
    DOCUMENT_STATES,
    DOCUMENT_TYPES,
    NEVER_IMPORTED_STATUSES,
    OTTO_ANNOUNCED,
)


class MarketplaceStatusMapping(models.Model):
    """One order status of a shop and what an import does with orders in it."""

    _name = "marketplace.status.mapping"
    _description = "Marketplace Order Status Mapping"
    _order = "account_id, sequence, id"

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True
    )
    backend = fields.Selection(related="account_id.backend")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    code = fields.Char(
        required=True,
        help="The shop's own status: OTTO fulfillment status, PrestaShop order state id, CS-Cart "
        "status letter.",
    )
    name = fields.Char(
        string="Status",
        required=True,
        translate=True,
        help="The status as people read it in lists and on orders, e.g. 'Payment accepted'.",
    )
    selected = fields.Boolean(
        string="Import",
        help="Import new orders in this status. Orders already imported follow the document "
        "state of their new status whether or not it is selected.",
    )
    document_type = fields.Selection(
        DOCUMENT_TYPES,
        required=True,
        default="quotation",
        help="Create a quotation or a sales order.",
    )
    document_state = fields.Selection(
        DOCUMENT_STATES,
        required=True,
        default="draft",
        help="The state the document is created in, or moved to when an imported order reaches "
        "this status. A confirmed order never goes back to a quotation.",
    )
    paid = fields.Boolean(
        help="Orders in this status have been paid on the shop: with 'Create Payment Entries' on "
        "the account, the import records their payment.",
    )
    refunded = fields.Boolean(
        help="The shop has given the buyer's money back in this status (PrestaShop 'Refunded'): "
        "the order's payment entries get a refund payment, or, where Odoo keeps the order "
        "(delivered or invoiced), an activity asks a person.",
    )
    change_status_to = fields.Many2one(
        "marketplace.status.mapping",
        domain="[('account_id', '=', account_id), ('id', '!=', id)]",
        ondelete="set null",
        help="Set this status on the shop right after the order is imported (once). Empty: do "
        "not change the shop's status. OTTO statuses cannot be set.",
    )

    _sql_constraints = [
        (
            "code_account_unique",
            "UNIQUE(account_id, code)",
            "A shop status can only appear once in an account's status mapping.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for mapping in self:
            mapping.display_name = f"{mapping.name} ({mapping.code})"

    @api.constrains("document_type", "document_state")
    def _check_document_state(self):
        type_names = dict(DOCUMENT_TYPES)
        state_names = dict(DOCUMENT_STATES)
        for mapping in self:
            if mapping.document_state not in ALLOWED_DOCUMENT_STATES[mapping.document_type]:
                raise ValidationError(
                    _(
                        "Status %(status)s: a %(type)s cannot be in the state '%(state)s'.",
                        status=mapping.display_name,
                        type=type_names[mapping.document_type],
                        state=state_names[mapping.document_state],
                    )
                )

    @api.constrains("change_status_to", "account_id")
    def _check_change_status_to(self):
        for mapping in self.filtered("change_status_to"):
            if mapping.backend == "otto":
                raise ValidationError(_("OTTO Market order statuses cannot be set from Odoo."))
            if mapping.change_status_to.account_id != mapping.account_id:
                raise ValidationError(
                    _("Status %s can only change to a status of the same account.", mapping.name)
                )

    @api.constrains("selected", "code")
    def _check_selectable(self):
        for mapping in self.filtered("selected"):
            if mapping.code in NEVER_IMPORTED_STATUSES.get(mapping.backend, ()):
                raise ValidationError(
                    _("Orders in the status %s are never imported.", mapping.display_name)
                )

    @api.model
    def _names_by_code(self, accounts):
        """{(account id, status code): status name} of the accounts' tables, in the user's
        language: what lists show instead of the shop's codes (names are no secret: read as the
        connector)."""
        rows = self.sudo().search_fetch(
            [("account_id", "in", accounts.ids)], ["account_id", "code", "name"]
        )
        return {(row.account_id.id, row.code): row.name for row in rows}

    @api.model
    def _status_name_domain(self, operator, value, account_field, code_field):
        """Domain on a model with an account and a shop status code (``account_field``,
        ``code_field``) for the records whose status name matches, or whose code does."""
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if negative:
            operator = expression.TERM_OPERATORS_NEGATION[operator]
        codes = defaultdict(set)
        for row in self.sudo().search_fetch([("name", operator, value)], ["account_id", "code"]):
            codes[row.account_id.id].add(row.code)
        domain = expression.OR(
            [[(code_field, operator, value)]]
            + [
                [(account_field, "=", account_id), (code_field, "in", sorted(account_codes))]
                for account_id, account_codes in codes.items()
            ]
        )
        return ["!", *domain] if negative else domain

    def write(self, vals):
        if "selected" in vals and not self.env.context.get("marketplace_sync_announced"):
            announced = self.filtered(lambda m: m.backend == "otto" and m.code == OTTO_ANNOUNCED)
            if announced:
                # keep the account's switch and its row saying the same thing
                announced.account_id.write({"import_announced": vals["selected"]})
        return super().write(vals)
