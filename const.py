"""Backends, their default URLs and the status tables a new account starts with.

Keys of the status tables are the shop's own status codes: OTTO fulfillment states, PrestaShop
order state ids (as strings) and CS-Cart status letters. Each row is
(code, English name, selected, document_type, document_state, change_status_to code or None).
"""

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
            "Announced (prepayment pending, no address yet)",
            False,
            "quotation",
            "draft",
            None,
        ),
        ("PROCESSABLE", "Processable", True, "order", "sale", None),
        ("SENT", "Sent", False, "order", "sale", None),
        ("RETURNED", "Returned", False, "order", "sale", None),
        ("CANCELLED_BY_PARTNER", "Cancelled by the seller", False, "order", "cancel", None),
        ("CANCELLED_BY_MARKETPLACE", "Cancelled by OTTO", False, "order", "cancel", None),
    ],
    "prestashop": [
        ("1", "Awaiting check payment", True, "quotation", "draft", None),
        ("10", "Awaiting bank wire payment", True, "quotation", "draft", None),
        ("11", "Remote payment accepted", False, "order", "sale", None),
        ("12", "On backorder (not paid)", False, "quotation", "draft", None),
        ("13", "Awaiting Cash On Delivery validation", False, "quotation", "draft", None),
        ("2", "Payment accepted", True, "order", "sale", None),
        ("3", "Processing in progress", False, "order", "sale", None),
        ("4", "Shipped", False, "order", "sale", None),
        ("5", "Delivered", True, "order", "sale", None),
        ("6", "Canceled", False, "order", "cancel", None),
        ("7", "Refunded", False, "quotation", "draft", None),
        ("8", "Payment error", False, "quotation", "draft", None),
        ("9", "On backorder (paid)", False, "order", "sale", None),
    ],
    "cscart": [
        ("O", "Open", True, "quotation", "draft", None),
        ("P", "Processed", True, "order", "sale", None),
        ("C", "Complete", True, "order", "sale", None),
        ("F", "Failed", False, "quotation", "draft", None),
        ("D", "Declined", False, "order", "cancel", None),
        ("B", "Backordered", False, "quotation", "draft", None),
        ("I", "Cancelled", False, "order", "cancel", None),
        ("Y", "Awaiting call", False, "quotation", "draft", None),
        ("N", "Incomplete (hidden, never imported)", False, "quotation", "draft", None),
    ],
}
