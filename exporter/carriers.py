"""The shop's carrier of an Odoo carrier: the account's table, else a default by name."""

import re

# (word in the Odoo carrier's name or provider, shop carrier), the first match wins
DEFAULT_CARRIERS = {
    "otto": (
        ("DHL EXPRESS", "DHL_EXPRESS"),
        ("DHL", "DHL"),
        ("DPD", "DPD"),
        ("GLS", "GLS"),
        ("HERMES", "HERMES"),
        ("UPS", "UPS"),
    ),
    "cscart": (
        ("DHL", "dhl"),
        ("DPD", "dpd"),
        ("GLS", "gls"),
        ("HERMES", "hermes"),
        ("UPS", "ups"),
    ),
}


def default_shop_carrier(backend, carrier):
    """The shop carrier a carrier's name stands for ('DHL Paket' -> DHL), or ''."""
    name = f"{carrier.name or ''} {carrier.delivery_type or ''}".upper().replace("_", " ")
    for word, code in DEFAULT_CARRIERS.get(backend, ()):
        if re.search(rf"(?<![A-Z0-9]){re.escape(word)}(?![A-Z0-9])", name):
            return code
    return ""


def shop_carrier(account, carrier):
    """The shop's carrier for ``carrier`` (a delivery.carrier), or '' when it has none."""
    if not carrier:
        return ""
    row = account.carrier_mapping_ids.filtered(lambda mapping: mapping.carrier_id == carrier)
    if row:
        return row[0].shop_carrier
    return default_shop_carrier(account.backend, carrier)
