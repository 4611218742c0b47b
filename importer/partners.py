from odoo.exceptions import ValidationError

from ..clients.countries import to_alpha2
from ..clients.phones import to_e164
from ..clients.records import Address
from .errors import OrderImportError


class PartnerResolver:
    """Find or create the buyer of an order, with its invoice and delivery addresses.

    A buyer is found again per account by the shop's customer id, or by e-mail where the shop has
    none (guests, OTTO's pseudonymised invoice e-mail). The buyer carries the first invoice address
    it was created with; other addresses become child contacts, reused when identical. Buyers are
    created as the connector (sudo): importing them is the import's job, whoever starts it.
    """

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        self._buyers = {}
        self._countries = {}
        self._created_keys = []  # buyers created for the order in hand

    def begin_order(self):
        self._created_keys = []

    def forget_order(self):
        """The order's savepoint was rolled back, and the buyers created for it with it."""
        for key in self._created_keys:
            self._buyers.pop(key, None)
        self._created_keys = []

    def prefetch(self, orders):
        keys = {order.customer_key for order in orders if order.customer_key} - set(self._buyers)
        if not keys:
            return
        buyers = self.Partner.search(
            [
                ("marketplace_account_id", "=", self.account.id),
                ("marketplace_customer_key", "in", sorted(keys)),
                ("parent_id", "=", False),
            ],
            order="id",
        )
        buyers.child_ids.mapped("type")  # one read for the children of the whole page
        for buyer in buyers:
            self._buyers.setdefault(buyer.marketplace_customer_key, buyer)

    def resolve(self, order):
        """Return ``(buyer, invoice contact, delivery contact, warnings)``."""
        if not order.invoice_address:
            raise OrderImportError(self.env._("The order has no invoice address."), retryable=False)
        warnings = []
        invoice_vals = self._address_vals(
            order.invoice_address, self.env._("invoice address"), warnings
        )
        delivery_vals = self._address_vals(
            order.delivery_address or order.invoice_address,
            self.env._("delivery address"),
            warnings,
        )
        key = order.customer_key or (order.invoice_address.email or "").lower()
        buyer = self._buyers.get(key) if key else None
        if not invoice_vals["phone"]:
            # OTTO gives the phone number with the delivery address, for the parcel service
            invoice_vals["phone"] = delivery_vals["phone"]
        if buyer is None:
            buyer = self._create(
                {
                    **invoice_vals,
                    "marketplace_account_id": self.account.id,
                    "marketplace_customer_key": key or False,
                    "company_id": self.account.company_id.id,
                    "customer_rank": 1,
                },
                warnings,
            )
            if key:
                self._buyers[key] = buyer
                self._created_keys.append(key)
        invoice = self._contact(buyer, "invoice", invoice_vals, warnings)
        delivery = self._contact(buyer, "delivery", delivery_vals, warnings)
        return buyer, invoice, delivery, warnings

    def _contact(self, buyer, contact_type, vals, warnings):
        """The buyer itself when the address is the buyer's, else a child contact of that type."""
        if _same_address(buyer, vals):
            return buyer
        for child in buyer.child_ids:
            if child.type == contact_type and _same_address(child, vals):
                return child
        return self._create(
            {
                **vals,
                "parent_id": buyer.id,
                "type": contact_type,
                "company_id": buyer.company_id.id,
            },
            warnings,
        )

    def _create(self, vals, warnings):
        """Create a contact; a VAT number Odoo refuses (``base_vat`` checks them once a country's
        accounting is installed) is left out with a warning: the shop's data can be mended at
        the shop, and the order must not wait for it."""
        if not vals.get("vat"):
            return self.Partner.create(vals)
        try:
            with self.env.cr.savepoint():
                return self.Partner.create(vals)
        except ValidationError as exc:
            partner = self.Partner.create({**vals, "vat": False})
            reason = " ".join(str(exc.args[0] if exc.args else exc).split())
            warnings.append(
                self.env._(
                    "VAT number %(vat)s of %(name)s refused by Odoo and left out: %(reason)s",
                    vat=vals["vat"],
                    name=vals["name"],
                    reason=reason[:200],
                )
            )
            return partner

    def _address_vals(self, address: Address, label, warnings):
        country = self._country(address.country_code, label)
        phone, valid = to_e164(address.phone, country.code if country else "")
        if not valid:
            warnings.append(
                self.env._(
                    "Phone number %(phone)s of the %(label)s is not valid; kept as given.",
                    phone=phone,
                    label=label,
                )
            )
        name = address.name or address.company
        if not name:
            raise OrderImportError(self.env._("The %s has no name.", label), retryable=False)
        return {
            "name": name,
            "company_name": address.company
            if address.company and address.company != name
            else False,
            "street": address.street or False,
            "street2": address.street2 or False,
            "zip": address.zip or False,
            "city": address.city or False,
            "country_id": country.id if country else False,
            "phone": phone or False,
            "email": address.email or False,
            "vat": address.vat or False,
        }

    def _country(self, code, label):
        alpha2 = to_alpha2(code)
        if not alpha2:
            return None
        if alpha2 not in self._countries:
            self._countries[alpha2] = self.env["res.country"].search(
                [("code", "=", alpha2)], limit=1
            )
        country = self._countries[alpha2]
        if not country:
            raise OrderImportError(
                self.env._(
                    "Unknown country code %(code)s in the %(label)s.", code=code, label=label
                )
            )
        return country

    def backlog_partner(self):
        """The account's placeholder customer for announced orders, created on first need."""
        account = self.account.sudo()
        if not account.backlog_partner_id:
            account.backlog_partner_id = self.Partner.create(
                {
                    "name": self.env._("%s: address pending", account.name),
                    "company_id": account.company_id.id,
                    "marketplace_account_id": account.id,
                    "comment": self.env._(
                        "Placeholder customer of announced orders: the marketplace sends the "
                        "buyer's address once the prepayment has arrived."
                    ),
                }
            )
        return account.backlog_partner_id.with_env(self.env)


# What makes two contacts the same place; phone and e-mail may differ between orders.
ADDRESS_FIELDS = ("name", "street", "street2", "zip", "city")


def _same_address(partner, vals):
    def norm(value):
        return (value or "").strip().casefold()

    return (
        all(norm(partner[f]) == norm(vals[f]) for f in ADDRESS_FIELDS)
        and (partner.country_id.id or False) == vals["country_id"]
    )
