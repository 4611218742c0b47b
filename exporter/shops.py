"""Each backend's sender: how updates go to that shop, and which updates an event means there."""

from .cscart import CsCartSender
from .otto import OttoSender
from .prestashop import PrestaShopSender

SENDERS = {"otto": OttoSender, "prestashop": PrestaShopSender, "cscart": CsCartSender}


def sender_class(account):
    return SENDERS[account.backend]
