import logging

from odoo import _, api, fields, models

from ..const import DEFAULT_EXPORT_STATUSES
from ..runs import budget

_logger = logging.getLogger(__name__)

EXPORT_CRON_XMLID = "sale_marketplace_connector.ir_cron_marketplace_export_updates"

# account field of the shop status each event sets
EXPORT_STATUS_FIELDS = {
    "confirm": "export_status_confirm_id",
    "shipped": "export_status_shipped_id",
    "delivered": "export_status_delivered_id",
    "invoice": "export_status_invoice_id",
    "cancel": "export_status_cancel_id",
    "refund": "export_status_refund_id",
}


class MarketplaceAccount(models.Model):
    """marketplace.account (inherited): the write-back (exporter/): what is sent to the shop
    (tracking numbers, dates, document numbers, the status each event sets, OTTO's and
    PrestaShop's options, the carrier table), how long an update that keeps failing is tried,
    the warnings about the statuses it sets, and the entry points (the schedule, "Send Now")."""

    _inherit = "marketplace.account"

    export_tracking = fields.Boolean(
        string="Send Tracking Numbers",
        default=True,
        help="When a delivery of an imported order is validated, send its tracking numbers with "
        "the carrier and the ship date. OTTO Market: a shipment of exactly the position items "
        "the delivery moved. PrestaShop: the order carrier's tracking number. CS-Cart: a "
        "shipment of the delivered items.",
    )
    export_delivery_dates = fields.Boolean(
        string="Send Delivery Dates",
        help="Send the expected delivery date (commitment date, else the scheduled date) when "
        "the order is confirmed and the real ship date once delivered, where the shop can hold "
        "them: PrestaShop in private order messages, CS-Cart in the shipment's comments. OTTO "
        "Market only takes the ship date of its shipments, always sent.",
    )
    export_document_numbers = fields.Boolean(
        string="Send Document Numbers",
        help="Send the Odoo order number and, once posted, the invoice number. PrestaShop: "
        "private messages in the order's customer thread. CS-Cart: the comments of the order's "
        "shipments, which the buyer sees (the invoice number; the Odoo order and delivery only "
        "with 'Show Odoo References to the Buyer'). CS-Cart's staff notes are not written: it "
        "recalculates an order whose notes are changed through the API. Nothing the merchant "
        "wrote is overwritten.",
    )
    export_notify_buyer = fields.Boolean(
        string="Shop E-mails the Buyer",
        help="Let the shop send the buyer its own e-mail for the status changes and tracking "
        "numbers the connector sets (PrestaShop 'sendemail', CS-Cart 'notify_user').",
    )
    import_tracking = fields.Boolean(
        string="Take Tracking Numbers From the Shop",
        help="A delivery validated without a tracking number gets the one the shop has (set "
        "there by the merchant or a shipping tool), instead of being reported as incomplete.",
    )
    export_status_confirm_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Confirmed",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set when the order is confirmed in Odoo. Empty: do not change. Not "
        "sent when the shop's own status already made it an order.",
    )
    export_status_shipped_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Delivered With Tracking",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set once every delivery of the order is done and one of them has "
        "a tracking number. Empty: do not change.",
    )
    export_status_delivered_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Delivered Without Tracking",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set once every delivery of the order is done without any tracking "
        "number. Empty: do not change.",
    )
    export_status_invoice_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Invoiced",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set when an invoice of the order is posted. Empty: do not change.",
    )
    export_status_cancel_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Cancelled",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set when the order is cancelled in Odoo. Not sent when the shop "
        "already reports a cancelled status. Empty: do not change.",
    )
    export_status_refund_id = fields.Many2one(
        "marketplace.status.mapping",
        string="When Refunded",
        domain="[('account_id', '=', id)]",
        ondelete="set null",
        help="Shop status to set when a credit note posted in Odoo leaves nothing of the "
        "order's invoices uncredited (PrestaShop 'Refunded', a CS-Cart status of your own); a "
        "partial refund stays in Odoo. Not sent for the credit notes the connector made of the "
        "shop's own refunds: the shop knows them. Empty: do not change.",
    )
    otto_cancel_items = fields.Boolean(
        string="Cancel Open Items on OTTO",
        default=True,
        help="OTTO Market: an order cancelled in Odoo (after a confirmation) cancels its position "
        "items that no delivery has shipped; so does an order whose last open delivery is "
        "cancelled (a backorder that will not ship). OTTO tells the buyer.",
    )
    otto_return_carrier = fields.Selection(
        [("DHL", "DHL"), ("GLS", "GLS"), ("HERMES", "Hermes")],
        string="OTTO Return Carrier",
        default="DHL",
        help="OTTO Market: carrier of the return label put in the parcels; a delivery with a "
        "Return Tracking Reference sends it with each position item.",
    )
    otto_return_labels = fields.Boolean(
        string="Return Labels in the Parcels",
        help="OTTO Market: the parcels carry a return label (set so in OTTO Partner Connect). "
        "OTTO then requires the return label's tracking number on each item of a parcel "
        "delivery: a delivery without a Return Tracking Reference is reported instead of sent. "
        "An item sent in several parcels always needs one; forwarder deliveries do not.",
    )
    otto_return_address_carrier_id = fields.Char(
        string="OTTO Return Address Id",
        help="OTTO Market, for partners with several return addresses or return carriers: the "
        "returnAddressCarrierId (a UUID from OTTO Partner Connect or OTTO's ReturnsWarehouse "
        "API) sent with each shipped item. Empty: none is sent (one return address).",
    )
    export_show_internal_refs = fields.Boolean(
        string="Show Odoo References to the Buyer",
        help="CS-Cart shipment comments and PrestaShop messages visible to the buyer carry only "
        "what concerns the buyer: tracking numbers, dates and invoice numbers. Tick this to add "
        "Odoo's own references too (order S00042, delivery WH/OUT/00012). Private messages, "
        "which only the shop's staff reads, always name them.",
    )
    prestashop_parcel_messages = fields.Selection(
        [("private", "Private (staff only)"), ("customer", "Visible to the buyer")],
        string="Further Parcels' Tracking Numbers",
        default="private",
        required=True,
        help="PrestaShop keeps one tracking number per order (the order carrier's, the one the "
        "'in transit' e-mail and the buyer's tracking link use). The numbers of further parcels "
        "(packages, partial deliveries) go in a message of the order: private, or visible to "
        "the buyer on the order's page in the shop (no e-mail).",
    )
    prestashop_contact_id = fields.Integer(
        string="Customer Service Contact",
        default=2,
        help="PrestaShop: id of the contact (Customers > Customer Service > Contacts) of the "
        "order threads the connector opens for its private messages (2: Customer service in a "
        "new shop).",
    )
    carrier_mapping_ids = fields.One2many(
        "marketplace.carrier.mapping",
        "account_id",
        copy=True,
        help="The shop's carrier for each Odoo carrier. A carrier not listed is recognised by "
        "its name: DHL, DHL Express, DPD, GLS, Hermes, UPS.",
    )
    export_ids = fields.One2many("marketplace.export", "account_id", string="Updates")
    export_pending_count = fields.Integer(compute="_compute_export_pending_count")
    export_retry_limit = fields.Integer(
        string="Give Up After (tries)",
        default=10,
        help="An update the shop does not answer (no answer, HTTP 5xx, rate limits) is tried "
        "again by the next runs, each time a little later (at once, then after 5, 10, 20 "
        "minutes... at most 6 hours). After this many tries it is marked failed and the "
        "responsible person gets an activity. 0: no limit of tries.",
    )
    export_retry_days = fields.Integer(
        string="Give Up After (days)",
        default=3,
        help="An update still failing this many days after its first failure is marked failed "
        "and the responsible person gets an activity, whatever the number of tries. 0: no "
        "limit of days.",
    )
    export_status_warning = fields.Text(
        compute="_compute_export_status_warning",
        help="Statuses that tell the shop something Odoo may not know, or that go back in the "
        "shop's flow.",
    )

    def _compute_export_pending_count(self):
        groups = self.env["marketplace.export"]._read_group(
            [("account_id", "in", self.ids), ("state", "in", ("to_send", "failed"))],
            ["account_id"],
            ["__count"],
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.export_pending_count = by_account.get(account.id, 0)

    @api.depends(
        "backend",
        "export_status_confirm_id",
        "export_status_shipped_id",
        "export_status_delivered_id",
        "export_status_invoice_id",
        "export_status_cancel_id",
        "export_status_refund_id",
        "status_mapping_ids.change_status_to",
        "status_mapping_ids.flag_paid",
        "status_mapping_ids.flag_shipped",
        "status_mapping_ids.paid",
        "status_mapping_ids.rank",
    )
    def _compute_export_status_warning(self):
        for account in self:
            lines = []
            for event, field in EXPORT_STATUS_FIELDS.items():
                row = account[field]
                if row:
                    label = account._fields[field]._description_string(self.env)
                    delivered = event in ("shipped", "delivered")
                    lines += account._status_claims(label, row, delivered=delivered)
            for row in account.status_mapping_ids.filtered("change_status_to"):
                label = _("Change %(status)s To", status=row.display_name)
                lines += account._status_claims(label, row.change_status_to, source=row)
            account.export_status_warning = "\n".join(lines) or False

    def _status_claims(self, label, row, source=None, delivered=False):
        """The warnings about setting ``row`` on the shop for an event (``delivered``: once the
        order is delivered) or right after the import of an order in ``source``."""
        lines = []
        if row.flag_paid and not (source and source.paid):
            lines.append(
                _(
                    "%(label)s: %(status)s tells the shop the order is paid (it makes an invoice "
                    "and a payment): it is set only on orders Odoo knows are paid, the others "
                    "are skipped.",
                    label=label,
                    status=row.display_name,
                )
            )
        if row.flag_shipped and not delivered:
            lines.append(
                _(
                    "%(label)s: %(status)s tells the shop the order has shipped (its stock goes "
                    "out): it is set only on orders delivered in Odoo.",
                    label=label,
                    status=row.display_name,
                )
            )
        if source and row._reached_by(source) and row != source:
            lines.append(
                _(
                    "%(label)s: %(status)s does not come after %(current)s in the shop's flow "
                    "(Flow Rank): it is never set.",
                    label=label,
                    status=row.display_name,
                    current=source.display_name,
                )
            )
        return lines

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        for account, vals in zip(accounts, vals_list, strict=True):
            account._set_default_export_statuses(given=set(vals))
        return accounts

    def _set_default_export_statuses(self, given=()):
        """The shop statuses each Odoo event sets, as the shop's own states go (PrestaShop 3 / 4 /
        5 / 6, CS-Cart P / C / I; invoicing changes nothing by default). A status given with the
        values (a copied account: the original's rows) becomes this account's row of the same
        code."""
        self.ensure_one()
        codes = DEFAULT_EXPORT_STATUSES.get(self.backend, {})
        rows = {mapping.code: mapping for mapping in self.status_mapping_ids}
        values = {}
        for event, field in EXPORT_STATUS_FIELDS.items():
            current = self[field]
            if field not in given:
                values[field] = rows[codes[event]].id if codes.get(event) in rows else False
            elif current and current.account_id != self:
                values[field] = rows[current.code].id if current.code in rows else False
        if any(values[field] != self[field].id for field in values):
            self.write(values)

    def _export_status(self, event):
        """The status mapping row an event sets on the shop, or an empty record."""
        self.ensure_one()
        return self[EXPORT_STATUS_FIELDS[event]]

    def _export_updates(self, export_ids=None, time_budget=None):
        """Send the account's pending updates (or only ``export_ids``, failed ones included), each
        account in a cursor of its own that commits after every update (``_run_account_work``):
        what the shop accepted is recorded at once, so a crash never sends it twice, and a
        person's request does not keep the other updates waiting. ``time_budget``: seconds after
        which a run leaves the rest to the next one. Returns one summary per account (dicts)."""
        deadline = budget.from_seconds(time_budget)
        return [
            _summary(account._run_account_work("export", export_ids=export_ids, deadline=deadline))
            for account in self
        ]

    @api.model
    def _cron_export_updates(self):
        """Scheduled action "Marketplace: send updates to shops": every active account with
        updates to send, the first here, the others in their own scheduled actions
        (``_schedule_account_work``). One account's trouble does not keep the others from
        sending; what does not fit in this execution is sent by the next, at once."""
        groups = (
            self.env["marketplace.export"]
            .sudo()
            ._read_group(
                [("account_id.active", "=", True), *self.env["marketplace.export"]._due_domain()],
                ["account_id"],
            )
        )
        accounts = self.browse([account.id for (account,) in groups]).sudo()
        # within the server's time limit for a scheduled action, as the import: what does not
        # fit is sent by a new execution, triggered at once
        scheduled = accounts._schedule_account_work("export", deadline=self._cron_deadline())
        if scheduled.remaining:
            self.env.ref(EXPORT_CRON_XMLID)._trigger()

    def action_send_updates(self):
        """ "Send Now": the account's updates waiting to be sent."""
        return self._export_notification(self._export_updates())

    def action_view_exports(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_export_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    @api.model
    def _export_notification(self, summaries):
        lines = [summary["text"] for summary in summaries]
        failed = any(summary["failed"] for summary in summaries)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Updates sent to the shop") if not failed else _("Some updates failed"),
                "message": "\n".join(lines),
                "type": "warning" if failed else "success",
                "sticky": failed,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


def _summary(result):
    """What a person who asked reads of a sending run."""
    return {"text": result.text, "failed": result.failed, "run_id": result.run_id}
