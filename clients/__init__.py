"""Marketplace API clients: plain Python, no Odoo. One class per backend, one request seam
(``base.BaseClient._request``) over a transport several threads may share (``transport``) and a
pure retry decision (``retry``)."""

from .cscart import CsCartClient
from .errors import (
    AuthenticationError,
    BadPayloadError,
    MarketplaceError,
    OrderDataError,
    OutcomeUnknownError,
    PermissionRefusedError,
    RateLimitError,
    RequestError,
    TemporaryError,
)
from .otto import OttoClient
from .prestashop import PrestaShopClient
from .records import Address, Charge, Order, OrderFailure, OrderLine, OrderPage

CLIENTS = {
    "otto": OttoClient,
    "prestashop": PrestaShopClient,
    "cscart": CsCartClient,
}

__all__ = [
    "CLIENTS",
    "Address",
    "AuthenticationError",
    "BadPayloadError",
    "Charge",
    "CsCartClient",
    "MarketplaceError",
    "Order",
    "OrderDataError",
    "OrderFailure",
    "OrderLine",
    "OrderPage",
    "OttoClient",
    "OutcomeUnknownError",
    "PermissionRefusedError",
    "PrestaShopClient",
    "RateLimitError",
    "RequestError",
    "TemporaryError",
]
