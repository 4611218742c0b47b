from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..runs import budget
from .marketplace_account import MANAGER_GROUP
from .marketplace_run import retention_limits

EXPORT_KINDS = [
    ("shipment", "Shipment"),
    ("status", "Status Change"),
    ("cancel", "Cancellation"),
    ("note", "Note"),
    ("return_accept", "Return Accepted"),
    ("return_reject", "Return Refused"),
]
EXPORT_EVENTS = [
    ("import", "Imported"),
    ("confirm", "Confirmed"),
    ("deliver", "Delivered"),
    ("invoice", "Invoiced"),
    ("cancel", "Cancelled"),
    ("return", "Return Received"),
    ("return_refused", "Return Refused"),
    ("refund", "Refunded"),
]
EXPORT_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("not_needed", "Not Needed"),
]
# The state of a delivery or an order with several updates: the one that needs a person first.
STATE_PRIORITY = {"failed": 0, "to_send": 1, "sent": 2, "not_needed": 3}


class MarketplaceExport(models.Model):
    """One change to send to the shop, marked when it happens in Odoo (a delivery validated, an
    order confirmed, invoiced or cancelled) and sent by the exporter, once.

    ``outcome_unknown`` says that a request went out without a readable answer (a timeout, a
    crash): the next attempt first looks on the shop whether it was done. An update the shop did
    not answer waits until ``next_attempt_at`` (longer after each failure) and is given up
    (failed, with an activity) after the account's limit of tries or days."""

    _name = "marketplace.export"
    _inherit = ["marketplace.order.record"]
    _description = "Marketplace Update To Send"
    _order = "id desc"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
    )
    invoice_id = fields.Many2one("account.move", ondelete="set null", readonly=True)
    kind = fields.Selection(EXPORT_KINDS, required=True, readonly=True)
    event = fields.Selection(EXPORT_EVENTS, readonly=True)
    key = fields.Char(
        required=True,
        readonly=True,
        help="What this update is, unique per order: each change is sent once.",
    )
    state = fields.Selection(
        EXPORT_STATES, required=True, default="to_send", index=True, readonly=True
    )
    status_code = fields.Char(
        string="Shop Status", readonly=True, help="The status set on the shop (its own code)."
    )
    note = fields.Text(readonly=True, help="The text added to the shop's order notes.")
    items = fields.Text(
        readonly=True,
        help="The shop's item ids this update covers (OTTO position items, CS-Cart cart items "
        "and quantities, the position items of a return), fixed when it was marked so that a "
        "retry sends the same.",
    )
    parcels = fields.Text(
        readonly=True,
        help="The delivery's parcels: the shop's items in each of its packages (fixed when it was "
        "marked), and once sent, each parcel's tracking number and what the shop made of it. A "
        "tracking number corrected later is compared with these.",
    )
    sent_tracking = fields.Char(
        string="Tracking Sent", readonly=True, help="The tracking numbers as sent to the shop."
    )
    sent_carrier = fields.Char(string="Carrier Sent", readonly=True)
    remote_ref = fields.Char(
        string="Shop Reference", readonly=True, help="The shop's id of what was created."
    )
    outcome_unknown = fields.Boolean(
        readonly=True,
        help="A request went out without an answer: the next attempt looks it up on the shop "
        "before sending it again.",
    )
    message = fields.Text(readonly=True, help="What was sent, what the shop answered, or why not.")
    request = fields.Text(
        readonly=True,
        groups=MANAGER_GROUP,
        help="The last request sent to the shop. It may hold the buyer's name, address and "
        'e-mail: managers only, forgotten after the account\'s "Keep Import Logs" days once the '
        "update is sent or not needed.",
    )
    answer = fields.Text(
        readonly=True,
        groups=MANAGER_GROUP,
        help="The shop's answer to it (managers only, forgotten with the request).",
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    next_attempt_at = fields.Datetime(
        string="Next Try",
        readonly=True,
        index="btree_not_null",
        help="The shop did not answer the last try: the scheduled action tries again from then "
        "on (each failure waits longer). Retry sends it at once.",
    )
    failure_count = fields.Integer(
        string="Failed Tries",
        readonly=True,
        help="Tries in a row the shop did not answer; after the account's limit the update is "
        "marked failed.",
    )
    first_failure_at = fields.Datetime(
        string="Failing Since",
        readonly=True,
        help="The first of the failed tries in a row: after the account's limit of days the "
        "update is marked failed.",
    )
    sent_at = fields.Datetime(readonly=True)
    run_line_ids = fields.One2many("marketplace.run.line", "export_id", string="Log")

    _sql_constraints = [
        ("key_order_unique", "UNIQUE(sale_order_id, key)", "This update is already marked."),
    ]

    @api.depends("sale_order_id", "kind", "picking_id", "event")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        events = dict(self._fields["event"]._description_selection(self.env))
        for export in self:
            what = kinds.get(export.kind, "")
            if export.picking_id:
                what = f"{what} {export.picking_id.name}"
            elif export.event:
                what = f"{what} ({events[export.event]})"
            export.display_name = f"{export.sale_order_id.name} {what}".strip()

    @api.model
    def _due_domain(self):
        """The updates the scheduled action sends now: to send, and not waiting for a later
        try."""
        return [
            ("state", "=", "to_send"),
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", fields.Datetime.now()),
        ]

    @api.autovacuum
    def _gc_old_payloads(self):
        """Forget the requests and answers (the buyer's name and address) of the updates done
        with longer ago than their account keeps its logs, as the runs that logged them are
        deleted. Only sent and not-needed ones: an update still to send, failed or of unknown
        outcome keeps what the next attempt needs to look on the shop first. The update itself
        stays, with what was sent (tracking numbers, carrier, the shop's reference): its key is
        what keeps a change from being marked, hence sent, twice."""
        for accounts, limit in retention_limits(self.env):
            old = self.search(
                [
                    ("account_id", "in", accounts.ids),
                    ("state", "in", ("sent", "not_needed")),
                    ("outcome_unknown", "=", False),
                    "|",
                    ("request", "!=", False),
                    ("answer", "!=", False),
                    "|",
                    ("last_attempt_at", "<", limit),
                    "&",
                    ("last_attempt_at", "=", False),
                    ("create_date", "<", limit),
                ]
            )
            old.write({"request": False, "answer": False})

    def action_retry(self):
        """Send failed updates (and those waiting) again, now."""
        exports = self.filtered(lambda e: e.state in ("to_send", "failed"))
        if not exports:
            raise UserError(_("These updates have been sent or are not needed: nothing to retry."))
        return exports._send_now()

    def _send_now(self):
        """Send these updates now, each account in a transaction of its own (see
        ``marketplace.account._export_updates``), and say what happened."""
        by_account = {}
        for export in self:
            by_account.setdefault(export.account_id, []).append(export.id)
        summaries = []
        for account, export_ids in by_account.items():
            summaries += account._export_updates(
                export_ids=export_ids, time_budget=budget.manual_budget(self.env)
            )
        return self.env["marketplace.account"]._export_notification(summaries)
