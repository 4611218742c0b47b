"""The normalised order every client returns, whatever the shop. Plain data, no Odoo.

Money is ``Decimal`` and gross (taxes included); dates are naive UTC ``datetime``; country codes
alpha-2 where the client could convert them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

# What a PrestaShop order state does to an order that reaches it (order_states' flags).
STATE_FLAGS = ("paid", "shipped", "delivery", "invoice", "logable")


class _Status(NamedTuple):
    code: str
    name: str
    paid: bool | None  # orders in the status have been paid; None: the shop does not say


class ShopStatus(_Status):
    """One order status of a shop: compares and unpacks as ``(code, name, paid)``; ``flags``
    holds what the shop says the status does ({flag: bool} of ``STATE_FLAGS``), empty where the
    shop does not say (OTTO, CS-Cart); ``refunded`` / ``returned``: what the shop's settings of
    the status tell of the money and the goods (CS-Cart: a credit memo, the stock put back),
    None where they do not say."""

    def __new__(cls, code, name, paid, flags=None, refunded=None, returned=None):
        status = super().__new__(cls, code, name, paid)
        status.flags = dict(flags or {})
        status.refunded = refunded
        status.returned = returned
        return status


@dataclass
class Address:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street: str = ""  # street and house number
    street2: str = ""
    zip: str = ""
    city: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""
    vat: str = ""

    @property
    def name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.company

    def key(self):
        """What makes two addresses the same place for the same person."""
        return tuple(
            (value or "").strip().casefold()
            for value in (
                self.name,
                self.company,
                self.street,
                self.street2,
                self.zip,
                self.city,
                self.country_code,
            )
        )


@dataclass
class OrderLine:
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    ean: str = ""
    vat_rate: Decimal | None = None
    item_ids: list = field(default_factory=list)  # OTTO position item ids, shop row ids
    recycling: bool = False

    @property
    def total(self):
        return self.unit_price * self.quantity


@dataclass
class Charge:
    """A shipping fee or a discount; ``amount`` is positive in both cases."""

    name: str
    amount: Decimal
    vat_rate: Decimal | None = None
    item_ids: list = field(default_factory=list)


@dataclass
class Order:
    backend: str
    order_id: str
    order_ref: str
    status: str
    order_date: datetime
    changed_at: datetime
    currency: str
    total: Decimal
    lines: list = field(default_factory=list)
    shipping: list = field(default_factory=list)
    discounts: list = field(default_factory=list)
    invoice_address: Address | None = None
    delivery_address: Address | None = None
    customer_key: str = ""  # shop customer id, else the buyer's e-mail
    payment_method: str = ""
    recycling: bool = False
    shop_id: str = ""
    # OTTO: the position items cancelled (by OTTO or the buyer); the lines hold the others
    cancelled_item_ids: set = field(default_factory=set)
    # OTTO: the position items the buyer sent back, which OTTO refunds (still in the lines)
    returned_item_ids: set = field(default_factory=set)
    warnings: list = field(default_factory=list)  # what the client had to assume, for the log
    paid_at: datetime | None = None  # when the shop took the payment, where it says so
    # the fields whose text lost control characters (NUL...), for a warning on the order
    cleaned_fields: list = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)

    def identity(self):
        return OrderIdentity(self.order_id, self.order_ref, self.status, self.changed_at)

    @property
    def computed_total(self):
        """Lines plus shipping minus discounts, as the shop's own arithmetic gives it."""
        return (
            sum((line.total for line in self.lines), Decimal(0))
            + sum((fee.amount for fee in self.shipping), Decimal(0))
            - sum((discount.amount for discount in self.discounts), Decimal(0))
        )


@dataclass
class OrderIdentity:
    """What a shop's order list says of an order before it is read in full: enough to decide
    whether it needs reading (new, or changed since Odoo last saw it) and to log a skip."""

    order_id: str
    order_ref: str
    status: str
    changed_at: datetime | None = None  # None where the list does not say (CS-Cart)


@dataclass
class OrderFailure:
    """An order of a page that could not be normalised, kept with its payload."""

    order_id: str
    order_ref: str
    message: str
    raw: dict
    changed_at: datetime | None = None
    status: str = ""
    retryable: bool = False  # False: only a change of the order on the shop can mend it


@dataclass
class OrderPage:
    """One page of the shop's order list: the orders read in full, the ones that could not be
    read, and the identities of those the importer said it did not need (``unread``)."""

    orders: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    unread: list = field(default_factory=list)

    def changes(self):
        """The change dates of everything on the page (for the account's watermark)."""
        return [
            item.changed_at
            for item in (*self.orders, *self.failures, *self.unread)
            if item.changed_at
        ]
