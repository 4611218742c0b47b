from odoo import _, api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

from ..const import (
    BACKENDS,
    DEFAULT_API_URLS,
    DEFAULT_PAID_STATUSES,
    DEFAULT_REFUNDED_STATUSES,
    DEFAULT_STATUS_FLAGS,
    DEFAULT_STATUS_RANKS,
    DEFAULT_STATUS_TABLES,
    OTTO_ANNOUNCED,
)
from .marketplace_run import RUN_STATES

MANAGER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_manager"


class MarketplaceAccount(models.Model):
    """One login on a marketplace or one web shop, with the rules for importing its orders."""

    _name = "marketplace.account"
    _description = "Marketplace Connector Account"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(
        required=True,
        tracking=True,
        help="How you call this shop or marketplace login in Odoo, e.g. 'OTTO Market Germany'; "
        "it names the account's payment journal too.",
    )
    sequence = fields.Integer(default=10)
    backend = fields.Selection(
        BACKENDS,
        required=True,
        tracking=True,
        help="The marketplace or shop software this account connects to.",
    )
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="Archive the account to stop importing its orders; its orders and logs stay.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        help="The company that sells on this shop: its orders, customers and payments go there.",
    )
    api_url = fields.Char(
        string="API Address",
        compute="_compute_api_url",
        store=True,
        readonly=False,
        help="OTTO Market: https://api.otto.market (sandbox: https://nonlive.api.otto.market).\n"
        "PrestaShop: the address of your shop, e.g. https://shop.example (the webservice answers "
        "under /api/).\nCS-Cart: the address of your store, e.g. https://shop.example (the REST "
        "API answers under /api/2.0/).",
    )
    api_login = fields.Char(
        string="API Login",
        groups=MANAGER_GROUP,
        copy=False,
        help="OTTO Market: the client ID of the app you created for your own use in OTTO Partner "
        "Connect (your API user, with the scopes for orders and shipments).\nCS-Cart: the e-mail "
        "address of the administrator the API key belongs to (Customers > Administrators).\n"
        "PrestaShop: not used.",
    )
    api_secret = fields.Char(
        string="API Secret",
        groups=MANAGER_GROUP,
        copy=False,
        help="OTTO Market: the client secret of that app in OTTO Partner Connect.\nPrestaShop: "
        "the webservice key "
        "(Advanced Parameters > Webservice). The import needs GET on orders, order_states, "
        "addresses, customers, countries and currencies; POST on order_histories only when the "
        "status table sets statuses on the shop. Test Connection names any permission "
        "missing.\nCS-Cart: the API key shown on the administrator's profile (Customers > "
        "Administrators > API access).",
    )
    shop_timezone = fields.Selection(
        _tz_get,
        string="Shop Time Zone",
        default=lambda self: self.env.user.tz or "Europe/Berlin",
        required=True,
        help="The time zone the shop writes its dates in. PrestaShop sends local times without "
        "an offset (Shop Parameters > General > Time zone of the shop). Odoo stores UTC.",
    )
    import_period_days = fields.Integer(
        string="Default Import Period (days)",
        default=30,
        required=True,
        help="The first import, and a fetch without a start date, looks this many days back.",
    )
    shop_filter = fields.Char(
        string="Import From Shops",
        help="Comma-separated shop ids to import orders of; empty imports all of them.\n"
        "PrestaShop multistore: the id_shop of each store (Advanced Parameters > Multistore).\n"
        "CS-Cart: the storefront or vendor company_id.",
    )
    import_announced = fields.Boolean(
        string="Import Announced Orders",
        tracking=True,
        help="OTTO Market only. An order is 'announced' while the buyer's prepayment is pending: "
        "OTTO reserves the items for 7 days and cancels the order if it stays unpaid. OTTO sends "
        "no address before the payment arrives, so such orders are imported as backlog "
        "quotations on a placeholder customer until OTTO releases the address.",
    )
    shop_currency_id = fields.Many2one(
        "res.currency",
        default=lambda self: self.env.company.currency_id,
        help="CS-Cart: the store's primary currency (Settings > Currencies), in which CS-Cart "
        "gives order amounts. OTTO Market and PrestaShop say the currency with each order.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Gets the to-do when a marketplace cancels an order that has already been delivered "
        "or invoiced, for orders without a salesperson.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Sales team set on imported orders.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="Warehouse imported orders are delivered from (empty: the company's default).",
    )
    imported_until = fields.Datetime(
        string="Orders Imported Until",
        readonly=True,
        copy=False,
        help="Every order changed on the shop before this date (UTC, shown in your time zone) "
        "has been imported. The next run asks the shop for changes since then, with a safety "
        "overlap of a few minutes.",
    )
    status_mapping_ids = fields.One2many(
        "marketplace.status.mapping",
        "account_id",
        copy=True,
        help="For every order status of the shop: whether its orders are imported, as which "
        "document, and which status to set on the shop right after the import.",
    )
    # Import rules used by the importer
    unknown_product_policy = fields.Selection(
        [("fail", "Fail the order"), ("fallback", "Use a fallback product")],
        default="fail",
        required=True,
        help="What happens to an order line whose SKU or EAN matches no product: the order is "
        "not imported and the run log says which product is missing, or the fallback product is "
        "used with the shop's SKU and name on the line.",
    )
    fallback_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Product used for lines whose SKU or EAN is unknown in Odoo.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "sale_marketplace_connector.product_marketplace_shipping", raise_if_not_found=False
        ),
        help="Product of the order lines that carry the shop's shipping fees.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "sale_marketplace_connector.product_marketplace_discount", raise_if_not_found=False
        ),
        help="Product of the order lines that carry the shop's discounts and vouchers.",
    )
    request_timeout = fields.Integer(
        string="Request Timeout (s)",
        default=30,
        required=True,
        help="Seconds to wait for one answer of the shop before trying again.",
    )
    backlog_partner_id = fields.Many2one(
        "res.partner",
        string="Backlog Customer",
        readonly=True,
        copy=False,
        help="Placeholder customer of announced OTTO orders until OTTO sends the address.",
    )
    retry_alert_days = fields.Integer(
        string="Alert After (days)",
        default=3,
        help="An order still failing to import this many days after its first try gets an "
        "activity for the responsible person (0: never).",
    )
    log_retention_days = fields.Integer(
        string="Keep Import Logs (days)",
        default=90,
        help="Runs (imports and updates sent) older than this are deleted by Odoo's daily "
        "clean-up, with the shop payloads (personal data) they kept; updates sent to the shop "
        "(or not needed) this long ago forget their request and answer.",
    )
    # Payment entries (importer/payments.py)
    payment_create = fields.Boolean(
        string="Create Payment Entries",
        compute="_compute_payment_create",
        store=True,
        readonly=False,
        tracking=True,
        help="Record the payment of every order the shop reports as paid (see the 'Paid' column "
        "of the status table): one customer payment for the shop's total, through the account's "
        "payment provider and journal, matched with the invoice when it is posted. On for OTTO "
        "Market, which collects the buyers' money and pays it out later.",
    )
    payment_provider_id = fields.Many2one(
        "payment.provider",
        readonly=True,
        copy=False,
        check_company=True,
        help="Odoo's payment provider of this account, created with the first payment entry.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        copy=False,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        tracking=True,
        help="Bank journal of the payment entries, where the marketplace's payouts are matched "
        "with them. Empty: a journal named after the account is created with the first entry.",
    )
    payment_posting = fields.Selection(
        [("post", "Post at once"), ("draft", "Leave as draft for an accountant to confirm")],
        string="Payment Entries",
        default="post",
        required=True,
        tracking=True,
        help="Post each payment entry when it is created, or leave it as a draft: it is matched "
        "with the order's invoice when an accountant confirms it.",
    )
    payment_tolerance = fields.Float(
        string="Payment Difference Tolerance",
        digits=(16, 2),
        default=0.05,
        tracking=True,
        help="When an order is fully invoiced and its payments differ from its invoices by at "
        "most this amount (in the order's currency), the difference is written off to the "
        "write-off account. A larger difference stays open and the order is marked 'Payment "
        "Differs'.",
    )
    payment_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        domain="[('deprecated', '=', False), ('account_type', 'not in', "
        "('asset_receivable', 'liability_payable', 'off_balance'))]",
        tracking=True,
        help="Account of the small differences between payments and invoices (within the "
        "tolerance). Empty: every difference is left open and the order marked.",
    )
    # The overview (Sales > Marketplace > Overview): what needs a look, each number a button
    last_import_run_id = fields.Many2one(
        "marketplace.run",
        string="Last Import",
        compute="_compute_overview",
        help="The account's latest import run, scheduled or started by hand.",
    )
    last_import_at = fields.Datetime(string="Last Import On", compute="_compute_overview")
    last_import_state = fields.Selection(
        RUN_STATES, string="Last Import Result", compute="_compute_overview"
    )
    last_import_created = fields.Integer(compute="_compute_overview")
    last_import_updated = fields.Integer(compute="_compute_overview")
    last_import_failed = fields.Integer(compute="_compute_overview")
    next_import_at = fields.Datetime(
        string="Next Scheduled Import",
        compute="_compute_next_import_at",
        help="When the scheduled action 'Marketplace: import orders' runs next; empty while it "
        "is switched off (Settings > Technical > Scheduled Actions).",
    )
    backlog_count = fields.Integer(
        string="Backlog",
        compute="_compute_overview",
        help="Announced orders waiting for the marketplace to release the buyer's address.",
    )
    payment_count = fields.Integer(string="Marketplace Payments", compute="_compute_overview")
    payment_review_count = fields.Integer(
        string="Payments To Review",
        compute="_compute_overview",
        help="Payment entries left as drafts for an accountant to confirm.",
    )
    export_available = fields.Boolean(compute="_compute_overview")
    export_failed_count = fields.Integer(
        string="Updates Failing To Send",
        compute="_compute_overview",
        help="Orders whose updates (tracking numbers, statuses) the shop did not accept.",
    )
    run_ids = fields.One2many("marketplace.run", "account_id", string="Runs")
    retry_ids = fields.One2many("marketplace.retry", "account_id", string="Orders To Retry")
    retry_count = fields.Integer(compute="_compute_retry_count", string="To Retry")
    run_count = fields.Integer(compute="_compute_run_count")
    order_count = fields.Integer(compute="_compute_order_count")
    last_run_id = fields.Many2one("marketplace.run", compute="_compute_run_count")
    # Write-back: what is sent to the shop as orders move in Odoo (exporter/)
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

    _sql_constraints = [
        (
            "import_period_days_positive",
            "CHECK(import_period_days > 0)",
            "The default import period must be at least one day.",
        ),
        (
            "log_retention_days_positive",
            "CHECK(log_retention_days > 0)",
            "Import logs must be kept at least one day.",
        ),
        (
            "request_timeout_positive",
            "CHECK(request_timeout > 0)",
            "The request timeout must be at least one second.",
        ),
        (
            "payment_tolerance_positive",
            "CHECK(payment_tolerance >= 0)",
            "The payment difference tolerance cannot be negative.",
        ),
    ]

    @api.depends("backend")
    def _compute_api_url(self):
        known_defaults = set(DEFAULT_API_URLS.values())
        for account in self:
            if not account.api_url or account.api_url in known_defaults:
                account.api_url = DEFAULT_API_URLS.get(account.backend) or False

    @api.depends("backend")
    def _compute_payment_create(self):
        for account in self:
            # OTTO collects the money and pays out later; a shop's own payments are often
            # recorded elsewhere (the payment module, a bank import)
            account.payment_create = account.backend == "otto"

    def _compute_overview(self):
        def counts(model, domain, field="marketplace_account_id"):
            groups = self.env[model]._read_group(
                [(field, "in", self.ids), *domain], [field], ["__count"]
            )
            return {account.id: count for account, count in groups}

        last_runs = [
            run_id
            for __, run_id in self.env["marketplace.run"]._read_group(
                [("account_id", "in", self.ids), ("kind", "=", "import")],
                ["account_id"],
                ["id:max"],
            )
        ]
        backlog = counts(
            "sale.order", [("marketplace_backlog", "=", True), ("state", "!=", "cancel")]
        )
        # counted as the connector, as on the orders: the list opened shows what one may see
        payments = self.sudo()._payment_counts()
        # the write-back (exporter/) marks what the shop is to be told on the orders
        export_available = "marketplace_export_state" in self.env["sale.order"]._fields
        failed = {}
        if export_available:
            failed = counts("sale.order", [("marketplace_export_state", "=", "failed")])
        runs = self.env["marketplace.run"].browse(last_runs)
        run_of = {run.account_id.id: run for run in runs}
        for account in self:
            run = run_of.get(account.id, runs.browse())
            account.last_import_run_id = run
            account.last_import_at = run.started_at
            account.last_import_state = run.state
            account.last_import_created = run.created_count
            account.last_import_updated = run.updated_count
            account.last_import_failed = run.failed_count
            account.backlog_count = backlog.get(account.id, 0)
            account.payment_count, account.payment_review_count = payments.get(account.id, (0, 0))
            account.export_available = export_available
            account.export_failed_count = failed.get(account.id, 0)

    def _payment_counts(self):
        """{account id: (payment entries, drafts to review)}."""
        groups = self.env["account.payment"]._read_group(
            [("marketplace_account_id", "in", self.ids)],
            ["marketplace_account_id", "state"],
            ["__count"],
        )
        result = {}
        for account, state, count in groups:
            total, drafts = result.get(account.id, (0, 0))
            result[account.id] = (total + count, drafts + (count if state == "draft" else 0))
        return result

    def _compute_next_import_at(self):
        cron = self.env.ref(
            "sale_marketplace_connector.ir_cron_marketplace_import_orders", raise_if_not_found=False
        )
        cron = cron.sudo() if cron else cron
        for account in self:
            account.next_import_at = cron.nextcall if cron and cron.active else False

    def _compute_run_count(self):
        groups = self.env["marketplace.run"]._read_group(
            [("account_id", "in", self.ids)], ["account_id"], ["__count", "id:max"]
        )
        by_account = {account.id: (count, last_id) for account, count, last_id in groups}
        for account in self:
            count, last_id = by_account.get(account.id, (0, False))
            account.run_count = count
            account.last_run_id = last_id

    def _compute_retry_count(self):
        groups = self.env["marketplace.retry"]._read_group(
            [("account_id", "in", self.ids), ("state", "in", ("pending", "manual"))],
            ["account_id"],
            ["__count"],
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.retry_count = by_account.get(account.id, 0)

    def _compute_order_count(self):
        groups = self.env["sale.order"]._read_group(
            [("marketplace_account_id", "in", self.ids)], ["marketplace_account_id"], ["__count"]
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.order_count = by_account.get(account.id, 0)

    def _compute_export_pending_count(self):
        groups = self.env["marketplace.export"]._read_group(
            [("account_id", "in", self.ids), ("state", "in", ("to_send", "failed"))],
            ["account_id"],
            ["__count"],
        )
        by_account = {account.id: count for account, count in groups}
        for account in self:
            account.export_pending_count = by_account.get(account.id, 0)

    @api.constrains("backend", "import_announced")
    def _check_import_announced(self):
        for account in self:
            if account.import_announced and account.backend != "otto":
                raise ValidationError(_("Only OTTO Market has announced orders."))

    @api.constrains("unknown_product_policy", "fallback_product_id")
    def _check_fallback_product(self):
        for account in self:
            if account.unknown_product_policy == "fallback" and not account.fallback_product_id:
                raise ValidationError(
                    _("Choose the fallback product used for unknown products on %s.", account.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        for account in accounts:
            if not account.status_mapping_ids:
                account._create_default_status_mappings()
        accounts._sync_announced_mapping()
        return accounts

    def write(self, vals):
        result = super().write(vals)
        if "import_announced" in vals:
            self._sync_announced_mapping()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for account, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = _("%s (copy)", account.name)
        return vals_list

    def _create_default_status_mappings(self):
        """Give the account its backend's status table, pre-filled like established connectors."""
        self.ensure_one()
        rows = DEFAULT_STATUS_TABLES[self.backend]
        ranks = DEFAULT_STATUS_RANKS.get(self.backend, {})
        flags = DEFAULT_STATUS_FLAGS.get(self.backend, {})
        Mapping = self.env["marketplace.status.mapping"]
        mappings = Mapping.create(
            [
                {
                    "account_id": self.id,
                    "sequence": position,
                    "code": code,
                    "name": name._translate("en_US"),
                    "selected": selected,
                    "document_type": document_type,
                    "document_state": document_state,
                    "paid": code in DEFAULT_PAID_STATUSES[self.backend],
                    "rank": ranks.get(code, 0),
                    **Mapping._flags_values(dict.fromkeys(flags.get(code, ()), True)),
                    "refunded": code in DEFAULT_REFUNDED_STATUSES[self.backend],
                }
                for position, (
                    code,
                    name,
                    selected,
                    document_type,
                    document_state,
                    __,
                ) in enumerate(rows, start=1)
            ]
        )
        languages = [code for code, __ in self.env["res.lang"].get_installed() if code != "en_US"]
        for mapping, (__, name, *__) in zip(mappings, rows, strict=True):
            if languages:
                mapping.update_field_translations(
                    "name", {lang: name._translate(lang) for lang in languages}
                )
        by_code = {mapping.code: mapping for mapping in mappings}
        for code, *__, change_to in rows:
            if change_to:
                by_code[code].change_status_to = by_code[change_to]

    def _sync_announced_mapping(self):
        """The account's 'import announced orders' switch is what selects OTTO's ANNOUNCED row."""
        for account in self.filtered(lambda a: a.backend == "otto"):
            row = account.status_mapping_ids.filtered(lambda m: m.code == OTTO_ANNOUNCED)
            if row and row.selected != account.import_announced:
                row.with_context(
                    marketplace_sync_announced=True
                ).selected = account.import_announced

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.sale_order_action_marketplace"
        )
        action["domain"] = [("marketplace_account_id", "=", self.id)]
        action["context"] = {"default_marketplace_account_id": self.id, "create": False}
        return action

    def action_view_retries(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_retry_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def action_view_last_import(self):
        self.ensure_one()
        if not self.last_import_run_id:
            return self.action_view_runs()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.marketplace_run_action"
        )
        action.update(
            {"res_id": self.last_import_run_id.id, "view_mode": "form", "views": [(False, "form")]}
        )
        return action

    def action_view_backlog(self):
        action = self.action_view_orders()
        action["name"] = _("Backlog of %s", self.name)
        action["domain"] += [("marketplace_backlog", "=", True), ("state", "!=", "cancel")]
        return action

    def action_view_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_marketplace_connector.account_payment_action_marketplace"
        )
        action["domain"] = [("marketplace_account_id", "=", self.id)]
        action["context"] = {"create": False, "search_default_group_month": 1}
        return action

    def action_view_payments_to_review(self):
        action = self.action_view_payments()
        action["name"] = _("Payments to review of %s", self.name)
        action["context"] = {"create": False, "search_default_draft": 1}
        return action

    def action_view_failed_updates(self):
        action = self.action_view_orders()
        action["name"] = _("Updates failing to send of %s", self.name)
        action["domain"] += [("marketplace_export_state", "=", "failed")]
        return action
