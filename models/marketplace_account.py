from odoo import _, api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

from ..const import (
    BACKENDS,
    DEFAULT_API_URLS,
    DEFAULT_PAID_STATUSES,
    DEFAULT_REFUNDED_STATUSES,
    DEFAULT_RETURNED_STATUSES,
    DEFAULT_STATUS_FLAGS,
    DEFAULT_STATUS_RANKS,
    DEFAULT_STATUS_TABLES,
    OTTO_ANNOUNCED,
)

MANAGER_GROUP = "sale_marketplace_connector.sale_marketplace_connector_group_manager"


class MarketplaceAccount(models.Model):
    """One login on a marketplace or one web shop, with the rules for importing its orders.

    The model's other fields live next to their logic, one file each: the write-back settings
    in marketplace_account_export.py, the payment entries in marketplace_account_payment.py, the
    overview's numbers and buttons in marketplace_account_overview.py; the import's entry points
    in marketplace_account_import.py, where an account's work is scheduled and run in
    marketplace_account_work.py."""

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
    concurrent_requests = fields.Integer(
        default=4,
        required=True,
        help="Requests sent to the shop at the same time by one run of this account (CS-Cart's "
        "order details: one request per order). A shop that answers 429 with a Retry-After "
        "holds them all. 1: one after the other.",
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
    run_ids = fields.One2many("marketplace.run", "account_id", string="Runs")
    retry_ids = fields.One2many("marketplace.retry", "account_id", string="Orders To Retry")

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
            "concurrent_requests_range",
            "CHECK(concurrent_requests BETWEEN 1 AND 16)",
            "Concurrent requests must be between 1 and 16.",
        ),
    ]

    @api.depends("backend")
    def _compute_api_url(self):
        known_defaults = set(DEFAULT_API_URLS.values())
        for account in self:
            if not account.api_url or account.api_url in known_defaults:
                account.api_url = DEFAULT_API_URLS.get(account.backend) or False

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
                    "returned": code in DEFAULT_RETURNED_STATUSES[self.backend],
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
