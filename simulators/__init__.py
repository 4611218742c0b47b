"""Local stand-ins of the OTTO Market API, the PrestaShop Webservice and the CS-Cart REST API.

Plain Python (standard library only on the server side, no Odoo): the add-on's clients talk to
them in tests, benchmarks and the demo. See ``server.py`` for the common behaviour (recording,
faults, clock, control endpoints) and each backend's module for its API contract.
"""

from .cscart import CsCartSimulator
from .otto import OttoSimulator
from .prestashop import PrestaShopSimulator

__all__ = ["CsCartSimulator", "OttoSimulator", "PrestaShopSimulator"]
