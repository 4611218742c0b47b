from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..clients.records import STATE_FLAGS
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
    rank = fields.Integer(
        string="Flow Rank",
        help="Where this status stands in the shop's own flow (e.g. PrestaShop: awaiting payment "
        "10, payment accepted 20, processing 30, shipped 40, delivered 50; cancelled and refunded "
        "100). The connector sets a status on the shop only when the order's current status "
        "ranks lower (read on the shop right before the change): an order never goes back (a "
        "PrestaShop order moved from shipped back to payment accepted gets its stock back and "
        "the buyer a mail). 0: not ranked, set unless the shop already reports it, and only over "
        "the status Odoo last read (not over one someone set on the shop since).",
    )
    flag_paid = fields.Boolean(
        string="Shop: Paid",
        help="PrestaShop's 'paid' flag of the state (read from the shop): an order reaching it is "
        "paid on the shop (an invoice and an order payment for the whole amount are made). The "
        "connector sets it only for orders Odoo knows are paid.",
    )
    flag_shipped = fields.Boolean(
        string="Shop: Shipped",
        help="PrestaShop's 'shipped' flag: an order reaching it has left (its stock goes out). The "
        "connector sets it only for orders delivered in Odoo.",
    )
    flag_delivery = fields.Boolean(
        string="Shop: Delivery Slip",
        help="PrestaShop's 'delivery' flag: the shop makes the delivery slip.",
    )
    flag_invoice = fields.Boolean(
        string="Shop: Invoice",
        help="PrestaShop's 'invoice' flag: the shop makes its invoice of the order.",
    )
    flag_logable = fields.Boolean(
        string="Shop: Validated",
        help="PrestaShop's 'logable' flag: the order counts as a valid sale on the shop.",
    )
    refunded = fields.Boolean(
        help="The shop has given the buyer's money back in this status (PrestaShop 'Refunded'), "
        "for the whole order: when an order reaches it, what its posted invoices hold gets a "
        "credit note and what its payment entries hold a refund payment, matched with each "
        "other. Not when the shop's own refunds of the order (PrestaShop credit slips) already "
        "said what went back, nor when the connector set the status itself (a credit note "
        "posted in Odoo).",
    )
    returned = fields.Boolean(
        help="The goods of the whole order come back in this status: when an order reaches it, "
        "what its deliveries shipped gets a return (a receipt from the customer, validated "
        "when the goods arrive). OTTO Market returns position items one by one, whatever the "
        "status.",
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

    def _flags_values(self, flags):
        """Field values of a shop's status flags ({flag: bool})."""
        return {f"flag_{flag}": bool(flags.get(flag)) for flag in STATE_FLAGS}

    def _claims(self, order):
        """What setting this status would tell the shop about ``order`` that Odoo does not know:
        a sentence, or ''. 'Paid' (PrestaShop makes an invoice and a payment) for an order not
        paid as far as Odoo knows; 'shipped' (the stock goes out) for one not delivered."""
        self.ensure_one()
        if self.flag_paid and not _known_paid(order):
            return _(
                "%(status)s tells the shop the order is paid (PrestaShop then makes an invoice "
                "and a payment for it), and Odoo does not know it paid: its shop status is not a "
                "paid one and no payment or paid invoice is recorded.",
                status=self.display_name,
            )
        if self.flag_shipped and order.delivery_status != "full":
            return _(
                "%(status)s tells the shop the order has shipped, and Odoo has not delivered it "
                "in full.",
                status=self.display_name,
            )
        return ""

    def _reached_by(self, current):
        """Whether an order in the status row ``current`` (maybe empty) is at or beyond this
        status in the shop's flow: the same status, or both ranked and ``current`` not lower."""
        self.ensure_one()
        if not current:
            return False
        if current == self:
            return True
        return bool(self.rank and current.rank and current.rank >= self.rank)

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


def _known_paid(order):
    """Whether Odoo knows the order paid: its shop status counts as paid (the status table's
    'Paid'), its payment transactions cover it, or its posted invoices are paid."""
    account = order.marketplace_account_id
    row = account.status_mapping_ids.filtered(lambda m: m.code == order.marketplace_status)[:1]
    if row.paid:
        return True
    currency = order.currency_id
    if order.amount_total and currency.compare_amounts(order.amount_paid, order.amount_total) >= 0:
        return True
    invoices = order.invoice_ids.filtered(
        lambda move: move.state == "posted" and move.move_type == "out_invoice"
    )
    return bool(invoices) and all(move.payment_state in ("paid", "in_payment") for move in invoices)
