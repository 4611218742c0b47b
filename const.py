"""Backends, their default URLs and the status tables a new account starts with.

Keys of the status tables are the shop's own status codes: OTTO fulfillment states, PrestaShop
order state ids (as strings) and CS-Cart status letters. Each row is
(code, English name, selected, document_type, document_state, change_status_to code or None).
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

BACKENDS = [
    ("otto", "OTTO Market"),
    ("prestashop", "PrestaShop"),
    ("cscart", "CS-Cart"),
]

# What a merchant types in as the API address; the clients add the API path themselves.
DEFAULT_API_URLS = {
    "otto": "https://api.otto.market",
    "prestashop": False,  # the merchant's own shop, e.g. https://shop.example
    "cscart": False,  # the merchant's own shop, e.g. https://shop.example
}

DOCUMENT_TYPES = [("quotation", "Quotation"), ("order", "Sales Order")]

DOCUMENT_STATES = [
    ("draft", "Quotation"),
    ("sent", "Quotation Sent"),
    ("sale", "Confirmed Order"),
    ("locked", "Locked Order"),
    ("cancel", "Cancelled"),
]

# The document states each document type may be created in or moved to.
ALLOWED_DOCUMENT_STATES = {
    "quotation": ("draft", "sent", "cancel"),
    "order": ("sale", "locked", "cancel"),
}

# Progress of a document; a status change never moves a document backwards (cancel aside).
DOCUMENT_STATE_RANK = {"draft": 0, "sent": 1, "sale": 2, "locked": 3}

# Statuses that no order is ever imported in, whatever the table says.
NEVER_IMPORTED_STATUSES = {
    "cscart": {"N"},  # "Incomplete": the buyer has not finished paying; not an order yet
}

OTTO_ANNOUNCED = "ANNOUNCED"

DEFAULT_STATUS_TABLES = {
    "otto": [
        (
            "ANNOUNCED",
            _lt("Announced (prepayment pending, no address yet)"),
            False,
            "quotation",
            "draft",
            None,
        ),
        ("PROCESSABLE", _lt("Processable"), True, "order", "sale", None),
        ("SENT", _lt("Sent"), False, "order", "sale", None),
        ("RETURNED", _lt("Returned"), False, "order", "sale", None),
        ("CANCELLED_BY_PARTNER", _lt("Cancelled by the seller"), False, "order", "cancel", None),
        ("CANCELLED_BY_MARKETPLACE", _lt("Cancelled by OTTO"), False, "order", "cancel", None),
    ],
    "prestashop": [
        ("1", _lt("Awaiting check payment"), True, "quotation", "draft", None),
        ("10", _lt("Awaiting bank wire payment"), True, "quotation", "draft", None),
        ("11", _lt("Remote payment accepted"), False, "order", "sale", None),
        ("12", _lt("On backorder (not paid)"), False, "quotation", "draft", None),
        ("13", _lt("Awaiting Cash On Delivery validation"), False, "quotation", "draft", None),
        ("2", _lt("Payment accepted"), True, "order", "sale", None),
        ("3", _lt("Processing in progress"), False, "order", "sale", None),
        ("4", _lt("Shipped"), False, "order", "sale", None),
        ("5", _lt("Delivered"), True, "order", "sale", None),
        ("6", _lt("Canceled"), False, "order", "cancel", None),
        ("7", _lt("Refunded"), False, "quotation", "draft", None),
        ("8", _lt("Payment error"), False, "quotation", "draft", None),
        ("9", _lt("On backorder (paid)"), False, "order", "sale", None),
    ],
    "cscart": [
        ("O", _lt("Open"), True, "quotation", "draft", None),
        ("P", _lt("Processed"), True, "order", "sale", None),
        ("C", _lt("Complete"), True, "order", "sale", None),
        ("F", _lt("Failed"), False, "quotation", "draft", None),
        ("D", _lt("Declined"), False, "order", "cancel", None),
        ("B", _lt("Backordered"), False, "quotation", "draft", None),
        ("I", _lt("Cancelled"), False, "order", "cancel", None),
        ("Y", _lt("Awaiting call"), False, "quotation", "draft", None),
        ("N", _lt("Incomplete (hidden, never imported)"), False, "quotation", "draft", None),
    ],
}

# Write-back: the shop status each Odoo event sets on a new account (None: do not change).
# "shipped": delivered with a tracking number; "delivered": delivered without one; "refund": a
# credit note posted in Odoo (none by default: the account asks for it). OTTO has no status to
# set: its shipments, cancellations and return answers are what moves its position items.
EXPORT_EVENTS = ("confirm", "shipped", "delivered", "invoice", "cancel", "refund")
DEFAULT_EXPORT_STATUSES = {
    "otto": {},
    "prestashop": {"confirm": "3", "shipped": "4", "delivered": "5", "cancel": "6"},
    "cscart": {"confirm": "P", "shipped": "C", "delivered": "C", "cancel": "I"},
}
# The statuses whose orders a new account counts as paid (payment entries). OTTO: processable and
# later, never announced; PrestaShop: the states of a fresh install with the 'paid' flag, except
# 7 (refunded: the money went back to the buyer); CS-Cart: processed and complete.
DEFAULT_PAID_STATUSES = {
    "otto": {"PROCESSABLE", "SENT", "RETURNED"},
    "prestashop": {"2", "3", "4", "5", "9", "11"},
    "cscart": {"P", "C"},
}

# Where each status stands in the shop's own flow (the status mapping's "Flow Rank"): a status is
# set on the shop only when the order's current status ranks lower, so an order never goes back
# (PrestaShop: shipped -> payment accepted gives the stock back and mails the buyer). Cancelled,
# refunded, declined and failed orders rank last: nothing is set after them. A status without a
# rank (0) is set unless the shop already reports it, and only over the status Odoo last read
# (exporter/sender.py: a status someone set on the shop since is left as it is).
TERMINAL_RANK = 100
DEFAULT_STATUS_RANKS = {
    "otto": {
        "ANNOUNCED": 10,
        "PROCESSABLE": 20,
        "SENT": 30,
        "RETURNED": 40,
        "CANCELLED_BY_PARTNER": TERMINAL_RANK,
        "CANCELLED_BY_MARKETPLACE": TERMINAL_RANK,
    },
    "prestashop": {
        "1": 10,  # awaiting check payment
        "10": 10,  # awaiting bank wire payment
        "12": 10,  # on backorder (not paid)
        "13": 10,  # awaiting cash on delivery validation
        "8": 10,  # payment error
        "2": 20,  # payment accepted
        "11": 20,  # remote payment accepted
        "9": 20,  # on backorder (paid)
        "3": 30,  # processing in progress
        "4": 40,  # shipped
        "5": 50,  # delivered
        "6": TERMINAL_RANK,  # canceled
        "7": TERMINAL_RANK,  # refunded
    },
    "cscart": {
        "O": 10,
        "Y": 10,
        "B": 10,
        "P": 20,
        "C": 30,
        "F": TERMINAL_RANK,
        "D": TERMINAL_RANK,
        "I": TERMINAL_RANK,
    },
}
# The flags of PrestaShop's default order states (install/data/xml/order_state.xml, see
# tests/vendor/SOURCES.md): what the shop does when an order reaches the state. "Load Statuses
# From Shop" reads them from the shop's order_states.
DEFAULT_STATUS_FLAGS = {
    "prestashop": {
        "1": {},
        "2": {"paid", "invoice", "logable"},
        "3": {"paid", "invoice", "delivery", "logable"},
        "4": {"paid", "invoice", "delivery", "shipped", "logable"},
        "5": {"paid", "invoice", "delivery", "shipped", "logable"},
        "6": {},
        "7": {"paid", "invoice"},
        "8": {},
        "9": {"paid", "invoice", "logable"},
        "10": {},
        "11": {"paid", "invoice", "logable"},
        "12": {},
        "13": {"logable"},
    },
}
# The rank of a shop's own state by its flags ("Load Statuses From Shop", PrestaShop).
FLAG_RANKS = (("shipped", 40), ("delivery", 30), ("paid", 20))


def rank_from_flags(flags):
    """A PrestaShop state's place in the flow, from what it does to the order."""
    for flag, rank in FLAG_RANKS:
        if flags.get(flag):
            return rank
    return 10


# The statuses in which the shop has given the buyer's money back (the status table's
# "Refunded": a credit note of what the order's invoices hold and a refund payment of what its
# payment entries hold, see importer/return_documents.py). PrestaShop 7 "Refunded"; OTTO refunds
# position items one by one (RETURNED items), not by an order status.
DEFAULT_REFUNDED_STATUSES = {
    "otto": set(),
    "prestashop": {"7"},
    "cscart": set(),
}
# The statuses in which the goods come back (the status table's "Returned": a return of what the
# order's deliveries shipped). No shop has one by default: PrestaShop's returns are a resource of
# their own (order returns), CS-Cart's RMA return statuses are not order statuses, OTTO returns
# position items one by one (Returns v3). A CS-Cart status read from the shop that issues a
# credit memo (appearance "credit memo") counts as refunded, and as returned too when it puts the
# stock back (inventory "increase").
DEFAULT_RETURNED_STATUSES = {
    "otto": set(),
    "prestashop": set(),
    "cscart": set(),
}

# Code of the payment providers of marketplace accounts (see models/payment_provider.py).
PAYMENT_PROVIDER_CODE = "marketplace"
# Journal code of an account's payment journal (at most 5 characters, a number is added if taken).
PAYMENT_JOURNAL_CODES = {"otto": "OTTO", "prestashop": "PSHOP", "cscart": "CSCRT"}
# Transaction references start with this, then the shop's order number.
PAYMENT_REFERENCE_PREFIXES = {"otto": "OTTO", "prestashop": "PS", "cscart": "CSCART"}
