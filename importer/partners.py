from ..clients.countries import to_alpha2
from ..clients.phones import to_e164
from ..clients.records import Address
from .errors import OrderImportError


class NewPartner:
    """A contact to create, standing for its record until ``PartnerResolver.create_planned``."""

    __slots__ = ("vals", "parent", "record")

    def __init__(self, vals, parent=None):
        self.vals = vals
        self.parent = parent  # a record or a NewPartner
        self.record = None


class PartnerResolver:
    """Find or create the buyer of an order, with its invoice and delivery addresses.

    A buyer is found again per account by the shop's customer id, or by e-mail where the shop has
    none (guests, OTTO's pseudonymised invoice e-mail). The buyer carries the first invoice address
    it was created with; other addresses become child contacts, reused when identical. Buyers are
    created as the connector (sudo): importing them is the import's job, whoever starts it.

    For a page, ``plan`` each order (nothing is written), ``create_planned`` writes the new buyers
    in one call and their new contacts in another, and ``realize`` gives each order its records.
    Two orders of a page from the same new buyer share it.
    """

    def __init__(self, account):
        self.account = account
        self.env = account.env
        self.Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        self._buyers = {}  # customer key -> record or NewPartner
        self._countries = {}
        self._planned = []  # NewPartner not created yet
        self._created_keys = []  # buyers created since begin_order

    def begin_order(self):
        self._created_keys = []

    def forget_order(self):
        """The savepoint was rolled back, and the buyers created since ``begin_order`` with it."""
        for key in self._created_keys:
            self._buyers.pop(key, None)
        self._created_keys = []
        self._planned = []

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
        """Return ``(buyer, invoice contact, delivery contact, warnings)``, created at once."""
        plan = self.plan(order)
        self.create_planned()
        return self.realize(plan)

    # --- planning --------------------------------------------------------------------------------
    def plan(self, order):
        """What ``order`` needs: ``(buyer, invoice, delivery, warnings)`` as records or
        ``NewPartner``. Raises ``OrderImportError`` before planning anything."""
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
        if not invoice_vals["phone"]:
            # OTTO gives the phone number with the delivery address, for the parcel service
            invoice_vals["phone"] = delivery_vals["phone"]
        key = order.customer_key or (order.invoice_address.email or "").lower()
        buyer = self._buyers.get(key) if key else None
        if buyer is None:
            buyer = self._new(
                {
                    **invoice_vals,
                    "marketplace_account_id": self.account.id,
                    "marketplace_customer_key": key or False,
                    "company_id": self.account.company_id.id,
                    "customer_rank": 1,
                },
            )
            if key:
                self._buyers[key] = buyer
                self._created_keys.append(key)
        invoice = self._contact(buyer, "invoice", invoice_vals)
        delivery = self._contact(buyer, "delivery", delivery_vals)
        return buyer, invoice, delivery, list(dict.fromkeys(warnings))

    def _new(self, vals, parent=None):
        planned = NewPartner(vals, parent)
        self._planned.append(planned)
        return planned

    def _contact(self, buyer, contact_type, vals):
        """The buyer itself when the address is the buyer's, else a child contact of that type:
        an existing one with the same address, one planned by an earlier order, or a new one."""
        if _same_address(_values_of(buyer), vals):
            return buyer
        if not isinstance(buyer, NewPartner):
            for child in buyer.child_ids:
                if child.type == contact_type and _same_address(child, vals):
                    return child
        for planned in self._planned:
            if (
                planned.parent is buyer
                and planned.vals["type"] == contact_type
                and _same_address(planned.vals, vals)
            ):
                return planned
        company = buyer.vals["company_id"] if isinstance(buyer, NewPartner) else buyer.company_id.id
        return self._new({**vals, "type": contact_type, "company_id": company}, parent=buyer)

    def create_planned(self):
        """Create the planned buyers in one call, then their planned contacts in another."""
        planned, self._planned = self._planned, []
        buyers = [p for p in planned if p.parent is None]
        contacts = [p for p in planned if p.parent is not None]
        self._create(buyers)
        for contact in contacts:
            parent = contact.parent
            contact.vals["parent_id"] = (
                parent.record.id if isinstance(parent, NewPartner) else parent.id
            )
        self._create(contacts)
        for key, buyer in list(self._buyers.items()):
            if isinstance(buyer, NewPartner) and buyer.record:
                self._buyers[key] = buyer.record

    def _create(self, planned):
        if not planned:
            return
        records = self.Partner.create([p.vals for p in planned])
        for item, record in zip(planned, records, strict=True):
            item.record = record

    def realize(self, plan):
        buyer, invoice, delivery, warnings = plan
        return _record(buyer), _record(invoice), _record(delivery), warnings

    # --- addresses -------------------------------------------------------------------------------
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
            "vat": self._vat(address.vat, country, name, warnings),
        }

    def _vat(self, vat, country, name, warnings):
        """The VAT number if Odoo accepts it (``base_vat`` checks them once a country's
        accounting is installed), else False with a warning: the shop's data can be mended at
        the shop, and the order must not wait for it."""
        if not vat or len(vat) == 1:
            return vat or False
        if self.Partner._run_vat_test(vat, country or False, False) is not False:
            return vat
        warnings.append(
            self.env._(
                "VAT number %(vat)s of %(name)s refused by Odoo and left out.", vat=vat, name=name
            )
        )
        return False

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


def _values_of(partner):
    return partner.vals if isinstance(partner, NewPartner) else partner


def _record(partner):
    return partner.record if isinstance(partner, NewPartner) else partner


def _country_id(partner):
    if isinstance(partner, dict):
        return partner.get("country_id") or False
    return partner.country_id.id or False


def _same_address(partner, vals):
    def norm(value):
        return (value or "").strip().casefold()

    return (
        all(norm(partner[f]) == norm(vals[f]) for f in ADDRESS_FIELDS)
        and _country_id(partner) == vals["country_id"]
    )
