from decimal import ROUND_HALF_UP, Decimal

from odoo import Command

from .errors import CONCURRENT_UPDATE_ERRORS, OrderImportError
from .shared_records import activate_shared_record, seen_active

# Tax computations Odoo can carve out of a gross price exactly.
CONVERTIBLE_AMOUNT_TYPES = ("percent", "division")


class SaleOrderBuilder:
    """Values of a sales order whose total equals the shop's gross total to the cent.

    Shop prices are gross. Each line gets its product's taxes (through the fiscal position) in
    their tax-included form, so Odoo carves the tax out of the gross price instead of adding it on
    top: the line total is the shop's line total. A price-excluded tax gets its tax-included twin
    (found, or copied once from it).
    """

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.company = account.company_id
        self._included = {}
        self._pricelists = {}
        self._activated = self.env["res.currency"]  # activated outside the run's transaction
        self._added = []  # cache entries made for the order in hand

    def begin_order(self):
        self._added = []

    def forget_order(self):
        """The order's savepoint was rolled back: so were the twins and pricelists it created."""
        for cache, key in self._added:
            cache.pop(key, None)
        self._added = []

    # --- taxes -----------------------------------------------------------------------------------
    def product_taxes(self, product, fiscal_position):
        """The product's sales taxes in the account's company (a branch uses its parent's),
        through the fiscal position; price-excluded as the product has them."""
        taxes = product.taxes_id._filter_taxes_by_company(self.company)
        if fiscal_position:
            taxes = fiscal_position.map_tax(taxes)
        return taxes

    def line_taxes(self, product, fiscal_position):
        return self.included(self.product_taxes(product, fiscal_position))

    def included(self, taxes):
        key = tuple(taxes.ids)
        if key not in self._included:
            self._included[key] = self.env["account.tax"].browse(
                [self._included_twin(tax).id for tax in taxes]
            )
            self._added.append((self._included, key))
        return self._included[key]

    def tax_warnings(self, line, product, taxes):
        """What an accountant must know about the VAT of a line whose total is right anyway."""
        if not taxes:
            return [
                self.env._(
                    "%(product)s has no sales tax in %(company)s: imported without VAT.",
                    product=product.display_name,
                    company=self.company.name,
                )
            ]
        if line.vat_rate is None or any(t.amount_type != "percent" for t in taxes):
            return []
        rate = sum(taxes.mapped("amount"))
        if abs(rate - float(line.vat_rate)) > 0.001:
            shop_rate, odoo_rate = f"{line.vat_rate:g}", f"{rate:g}"
            return [
                self.env._(
                    "The shop charges %(shop)s %% VAT on %(sku)s; its taxes in Odoo make "
                    "%(odoo)s %%.",
                    shop=shop_rate,
                    sku=line.sku,
                    odoo=odoo_rate,
                )
            ]
        return []

    def _included_twin(self, tax):
        if tax.price_include or tax.amount_type not in CONVERTIBLE_AMOUNT_TYPES:
            return tax
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        twin = Tax.search(
            [
                ("company_id", "=", tax.company_id.id),
                ("type_tax_use", "=", tax.type_tax_use),
                ("amount_type", "=", tax.amount_type),
                ("amount", "=", tax.amount),
                ("tax_group_id", "=", tax.tax_group_id.id),
                ("country_id", "=", tax.country_id.id),
                ("price_include_override", "=", "tax_included"),
                ("active", "=", True),
            ],
            limit=1,
        )
        if not twin:
            twin = tax.sudo().copy(
                {
                    "name": self.env._("%s (included)", tax.name),
                    "price_include_override": "tax_included",
                    "include_base_amount": False,
                }
            )
        return twin

    # --- currency --------------------------------------------------------------------------------
    def pricelist(self, currency_code):
        if currency_code not in self._pricelists:
            self._pricelists[currency_code] = self._find_pricelist(currency_code)
            self._added.append((self._pricelists, currency_code))
        pricelist = self._pricelists[currency_code]
        if pricelist.currency_id in self._activated and not pricelist.currency_id.active:
            seen_active(pricelist.currency_id)  # a savepoint's rollback cleared the cache
        return pricelist

    def _activate(self, currency):
        """The shop sells in ``currency``: active from now on, in the run's transaction; when
        another import activated it since that transaction began (PostgreSQL refuses this one
        the write), outside it (shared_records.py)."""
        try:
            with self.env.cr.savepoint():
                currency.active = True
        except CONCURRENT_UPDATE_ERRORS:
            if activate_shared_record(self.env, currency):
                self._activated |= currency

    def _find_pricelist(self, currency_code):
        """The account's own pricelist in that currency (created once, without rules): shop
        prices are final, and a pricelist rule of the company or the buyer (a percentage, say)
        must not give imported lines a discount."""
        currency = (
            self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", currency_code)], limit=1)
        )
        if not currency:
            raise OrderImportError(self.env._("Unknown currency %s.", currency_code))
        if not currency.active:
            self._activate(currency)
        Pricelist = self.env["product.pricelist"].sudo().with_context(active_test=False)
        pricelist = Pricelist.search(
            [
                ("marketplace_account_id", "=", self.account.id),
                ("currency_id", "=", currency.id),
            ],
            order="active desc, id",
            limit=1,
        )
        if not pricelist:
            pricelist = Pricelist.create(
                {
                    "name": self.env._(
                        "%(account)s (%(currency)s)",
                        account=self.account.name,
                        currency=currency.name,
                    ),
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                    "marketplace_account_id": self.account.id,
                    "sequence": 1000,  # never anyone's default by accident
                }
            )
        return pricelist

    # --- the order -------------------------------------------------------------------------------
    def check_order(self, order):
        """Refuse what no sales order can rightly be made of, before anything is written: an
        order without items, an item of a negative price or of no whole unit, a negative fee,
        discount or total. The clients refuse these already, naming the shop's field; this is
        the importer's own guard, so that no sales order is ever made without lines or with a
        negative item. Not retryable: only the shop can mend the order."""
        env = self.env

        def refuse(message):
            raise OrderImportError(message, retryable=False)

        if not order.lines:
            refuse(env._("The order has no items: there is nothing to sell."))
        if not order.currency:
            refuse(env._("The order does not say its currency."))
        for number, line in enumerate(order.lines, start=1):
            if line.quantity < 1 or line.quantity != int(line.quantity):
                refuse(
                    env._(
                        "Item %(number)s (%(sku)s): %(quantity)s is not a number of units "
                        "(whole, at least 1).",
                        number=number,
                        sku=line.sku,
                        quantity=line.quantity,
                    )
                )
            if line.unit_price < 0:
                refuse(
                    env._(
                        "Item %(number)s (%(sku)s): the price %(price)s is negative. A shop "
                        "discount is a discount, never a negative item.",
                        number=number,
                        sku=line.sku,
                        price=line.unit_price,
                    )
                )
        for charge in (*order.shipping, *order.discounts):
            if charge.amount < 0:
                refuse(
                    env._(
                        "%(charge)s: the amount %(amount)s is negative.",
                        charge=charge.name,
                        amount=charge.amount,
                    )
                )
        if order.total < 0 or order.computed_total < 0:
            refuse(
                env._(
                    "The order's total %s is negative: its discounts are more than its items "
                    "and fees.",
                    min(order.total, order.computed_total),
                )
            )

    def order_values(self, order, partners, product_lines, fiscal_position):
        """Return the values of the order and the warnings about its taxes.

        ``product_lines``: ``[(shop line, product, description)]``."""
        buyer, invoice, delivery = partners
        account = self.account
        lines = []
        warnings = []
        parts = []  # (taxes, gross total, item ids) of each product line: what charges follow
        for sequence, (line, product, description) in enumerate(product_lines, start=1):
            taxes = self.line_taxes(product, fiscal_position)
            warnings += self.tax_warnings(line, product, taxes)
            parts.append((taxes, line.total, set(line.item_ids)))
            lines.append(
                {
                    "sequence": sequence,
                    "product_id": product.id,
                    "name": description,
                    "product_uom_qty": float(line.quantity),
                    "price_unit": float(line.unit_price),
                    "discount": 0.0,  # the shop's price is final
                    "tax_id": [Command.set(taxes.ids)],
                    "marketplace_item_ids": ",".join(line.item_ids) or False,
                }
            )
        charges, charge_warnings = self.charge_lines(order, fiscal_position, parts, len(lines))
        lines += charges
        warnings += charge_warnings
        values = {
            "partner_id": buyer.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "company_id": account.company_id.id,
            "pricelist_id": self.pricelist(order.currency).id,
            "fiscal_position_id": fiscal_position.id if fiscal_position else False,
            "date_order": order.order_date,
            "client_order_ref": order.order_ref,
            "origin": f"{account.name} {order.order_ref}",
            "user_id": False,
            "order_line": [Command.create(vals) for vals in lines],
            "marketplace_account_id": account.id,
            "marketplace_order_id": order.order_id,
            "marketplace_order_ref": order.order_ref,
            "marketplace_status": order.status,
            "marketplace_changed_at": order.changed_at,
            "marketplace_order_date": order.order_date,
            "marketplace_payment_method": order.payment_method or False,
            "marketplace_recycling": order.recycling,
            "marketplace_total": float(order.total),
        }
        if account.team_id:
            values["team_id"] = account.team_id.id
        if account.warehouse_id:
            values["warehouse_id"] = account.warehouse_id.id
        return values, warnings

    def charge_lines(self, order, fiscal_position, parts, offset):
        """Shipping fees and discounts, with the VAT the shop charged: a fee at the rate the shop
        gives for it (OTTO ``vatRate``, PrestaShop ``carrier_tax_rate``), a discount at the rate
        of the items it reduces, split over their rates pro rata to their gross amounts when it
        spans several (German VAT: the reduction lowers each rate's taxable amount in
        proportion). Returns (line values, warnings)."""
        account = self.account
        lines, warnings = [], []
        shipping_product = account.shipping_product_id
        discount_product = account.discount_product_id
        known = [taxes for taxes, __, __ in parts]
        for fee in order.shipping:
            if not fee.amount:
                continue
            taxes = self.line_taxes(shipping_product, fiscal_position)
            if fee.vat_rate is not None:
                taxes, warning = self.taxes_at_rate(fee.vat_rate, taxes, known, fee.name)
                warnings += warning
            lines.append(
                {
                    "product_id": shipping_product.id,
                    "name": fee.name,
                    "product_uom_qty": 1.0,
                    "price_unit": float(fee.amount),
                    "discount": 0.0,
                    "tax_id": [Command.set(taxes.ids)],
                    "is_delivery": True,
                    "marketplace_item_ids": ",".join(fee.item_ids) or False,
                }
            )
        for discount in order.discounts:
            if not discount.amount:
                continue
            for taxes, amount, label in self._discount_split(discount, parts):
                if taxes is None:
                    taxes = self.line_taxes(discount_product, fiscal_position)
                lines.append(
                    {
                        "product_id": discount_product.id,
                        "name": f"{discount.name} ({label})" if label else discount.name,
                        "product_uom_qty": 1.0,
                        "price_unit": -float(amount),
                        "discount": 0.0,
                        "tax_id": [Command.set(taxes.ids)],
                        # every part stays while one of the discount's items stays
                        "marketplace_item_ids": ",".join(discount.item_ids) or False,
                    }
                )
        for position, vals in enumerate(lines, start=offset + 1):
            vals["sequence"] = position
        return lines, warnings

    @staticmethod
    def _rate(taxes):
        if not taxes or any(tax.amount_type != "percent" for tax in taxes):
            return None
        return sum(taxes.mapped("amount"))

    def _discount_split(self, discount, parts):
        """[(taxes, amount, label)]: the discount over the rates of the items it reduces (all
        product lines when it names none), pro rata to their gross amounts, to the cent."""
        covered = [
            (taxes, total)
            for taxes, total, items in parts
            if not discount.item_ids or items & set(discount.item_ids)
        ] or [(taxes, total) for taxes, total, __ in parts]
        if not covered:
            return [(None, discount.amount, "")]
        by_taxes = {}
        for taxes, total in covered:
            key = tuple(taxes.ids)
            previous = by_taxes.get(key, (taxes, 0))
            by_taxes[key] = (taxes, previous[1] + total)
        groups = list(by_taxes.values())
        if len(groups) == 1:
            return [(groups[0][0], discount.amount, "")]
        gross = sum(total for __, total in groups)
        largest = max(range(len(groups)), key=lambda index: groups[index][1])
        amounts = [
            (discount.amount * total / gross).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for __, total in groups
        ]
        amounts[largest] += discount.amount - sum(amounts)  # the cents of rounding
        split = []
        for (taxes, __), amount in zip(groups, amounts, strict=True):
            rate = self._rate(taxes)
            label = f"{rate:g} %" if rate is not None else ", ".join(taxes.mapped("name"))
            split.append((taxes, amount, label))
        return split

    def taxes_at_rate(self, rate, taxes, known, what):
        """``taxes`` when they make ``rate`` (the shop's), else the product line taxes of that
        rate, else the company's sales tax of that rate; returns (taxes, warnings)."""
        rate = float(rate)
        current = self._rate(taxes)
        if current is not None and abs(current - rate) < 0.001:
            return taxes, []
        for candidate in known:
            candidate_rate = self._rate(candidate)
            if candidate_rate is not None and abs(candidate_rate - rate) < 0.001:
                return candidate, []
        Tax = self.env["account.tax"].sudo()
        found = Tax.search(
            [
                *Tax._check_company_domain(self.company),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", rate),
                ("country_id", "in", [self.company.account_fiscal_country_id.id, False]),
            ],
            order="sequence, id",
            limit=1,
        )
        if found:
            return self.included(found), []
        shop_rate, odoo_rate = f"{rate:g}", f"{current or 0:g}"
        return taxes, [
            self.env._(
                "The shop charges %(shop)s %% VAT on %(what)s; Odoo has no sales tax of that rate: "
                "taxed at %(odoo)s %%.",
                shop=shop_rate,
                what=what,
                odoo=odoo_rate,
            )
        ]

    def remap_taxes(self, sale, fiscal_position):
        """Give the lines of ``sale`` the taxes of ``fiscal_position`` (a new buyer's), keeping
        the gross prices: a fee or a discount part follows the product lines that had its
        taxes (the rate the shop charged), else its product's taxes."""
        lines = sale.order_line.filtered(lambda line: not line.display_type)
        product_lines = lines.filtered(
            lambda line: (
                not line.is_delivery and line.product_id != self.account.discount_product_id
            )
        )
        followed = {}
        for line in product_lines:
            taxes = self.line_taxes(line.product_id, fiscal_position)
            followed.setdefault(tuple(line.tax_id.ids), taxes)
        for line in lines:
            if line in product_lines:
                taxes = self.line_taxes(line.product_id, fiscal_position)
            else:
                taxes = followed.get(tuple(line.tax_id.ids)) or self.line_taxes(
                    line.product_id, fiscal_position
                )
            if line.tax_id != taxes:
                line.tax_id = taxes
