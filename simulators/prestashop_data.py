"""PrestaShop records as the Webservice returns them with ``display=full`` in JSON: every value a
string except the record's own ``id`` (an integer, as PrestaShop 1.7/8 prints it), money with six
decimals ("29.900000"), dates in the shop's time zone ("2026-11-20 11:15:30"), translatable
fields as ``[{"id": "1", "value": "..."}]`` (one language: French, id 1).

Default ids follow a fresh PrestaShop install: countries (1 DE, 2 AT, 3 BE, 8 FR, ...), the 13
order states, currency 1 = EUR.
"""

from decimal import Decimal

LANG = "1"


def ml(text):
    """A translatable value in the shop's single language."""
    return [{"id": LANG, "value": text}]


def six(value):
    return f"{Decimal(str(value)):.6f}"


# id, iso, French name, call prefix, zone, zip format
_COUNTRIES = [
    (1, "DE", "Allemagne", "49", 1, "NNNNN"),
    (2, "AT", "Autriche", "43", 1, "NNNN"),
    (3, "BE", "Belgique", "32", 1, "NNNN"),
    (6, "ES", "Espagne", "34", 1, "NNNNN"),
    (8, "FR", "France", "33", 1, "NNNNN"),
    (10, "IT", "Italie", "39", 1, "NNNNN"),
    (12, "LU", "Luxembourg", "352", 1, "NNNN"),
    (13, "NL", "Pays-Bas", "31", 1, "NNNN LL"),
    (17, "GB", "Royaume-Uni", "44", 7, ""),
    (19, "CH", "Suisse", "41", 7, "NNNN"),
    (21, "US", "États-Unis", "1", 2, "NNNNN"),
]
COUNTRY_IDS = {iso: str(country_id) for country_id, iso, *_ in _COUNTRIES}


def countries():
    return {
        str(cid): {
            "id": cid,
            "id_zone": str(zone),
            "id_currency": "0",
            "call_prefix": prefix,
            "iso_code": iso,
            "active": "1",
            "contains_states": "1" if iso == "US" else "0",
            "need_identification_number": "0",
            "need_zip_code": "1",
            "zip_code_format": zip_format,
            "display_tax_label": "1",
            "name": ml(name),
        }
        for cid, iso, name, prefix, zone, zip_format in _COUNTRIES
    }


# id, French name, paid, shipped, delivery, invoice, logable, module, color, template
_STATES = [
    (1, "En attente du paiement par chèque", 0, 0, 0, 0, 0, "ps_checkpayment", "#34209E", "cheque"),
    (2, "Paiement accepté", 1, 0, 0, 1, 1, "", "#3498D8", "payment"),
    (3, "En cours de préparation", 1, 0, 1, 1, 1, "", "#3498D8", "preparation"),
    (4, "Expédié", 1, 1, 1, 1, 1, "", "#01B887", "shipped"),
    (5, "Livré", 1, 1, 1, 1, 1, "", "#01B887", ""),
    (6, "Annulé", 0, 0, 0, 0, 0, "", "#2C3E50", "order_canceled"),
    (7, "Remboursé", 1, 0, 0, 1, 0, "", "#ED2B2B", "refund"),
    (8, "Erreur de paiement", 0, 0, 0, 0, 0, "", "#ED2B2B", "payment_error"),
    (9, "En attente de réapprovisionnement (payé)", 1, 0, 0, 1, 1, "", "#3498D8", "outofstock"),
    (10, "En attente de virement bancaire", 0, 0, 0, 0, 0, "ps_wirepayment", "#34209E", "bankwire"),
    (11, "Paiement à distance accepté", 1, 0, 0, 1, 1, "", "#3498D8", "payment"),
    (
        12,
        "En attente de réapprovisionnement (non payé)",
        0,
        0,
        0,
        0,
        0,
        "",
        "#34209E",
        "outofstock",
    ),
    (
        13,
        "En attente de paiement à la livraison",
        0,
        0,
        0,
        0,
        1,
        "ps_cashondelivery",
        "#34209E",
        "cashondelivery",
    ),
]
_FLAGS = ("paid", "shipped", "delivery", "invoice", "logable")


def order_state(
    state_id,
    name,
    paid=0,
    shipped=0,
    delivery=0,
    invoice=0,
    logable=0,
    module_name="",
    color="#34209E",
    template="",
    unremovable=1,
):
    record = {
        "id": int(state_id),
        "unremovable": str(unremovable),
        "delivery": str(int(delivery)),
        "hidden": "0",
        "send_email": "1" if template else "0",
        "module_name": module_name,
        "invoice": str(int(invoice)),
        "color": color,
        "logable": str(int(logable)),
        "shipped": str(int(shipped)),
        "paid": str(int(paid)),
        "pdf_delivery": str(int(shipped)),
        "pdf_invoice": str(int(invoice)),
        "deleted": "0",
        "name": ml(name),
        "template": ml(template),
    }
    return record


def order_states(custom=None):
    """The 13 default states plus ``custom``: dicts with ``name`` and optionally ``id`` and the
    flags paid, shipped, delivery, invoice, logable (0/1)."""
    states = {str(row[0]): order_state(*row) for row in _STATES}
    next_id = 14
    for extra in custom or []:
        extra = dict(extra)
        state_id = int(extra.pop("id", next_id))
        next_id = max(next_id, state_id) + 1
        extra.setdefault("unremovable", 0)
        states[str(state_id)] = order_state(state_id, **extra)
    return states


def currencies():
    rows = [
        (1, "Euro", "EUR", "978", "€", "1.000000"),
        (2, "Dollar des États-Unis", "USD", "840", "$", "1.080000"),
        (3, "Livre sterling", "GBP", "826", "£", "0.860000"),
        (4, "Franc suisse", "CHF", "756", "CHF", "0.950000"),
    ]
    return {
        str(cid): {
            "id": cid,
            "names": ml(name),
            "name": name,
            "symbol": ml(symbol),
            "iso_code": iso,
            "numeric_iso_code": num,
            "precision": "2",
            "conversion_rate": rate,
            "deleted": "0",
            "active": "1",
        }
        for cid, name, iso, num, symbol, rate in rows
    }


# id, name, delay, shipping gross, tracking url
CARRIERS = [
    (1, "Retrait en magasin", "Retrait sous 2 h", "0.00", ""),
    (
        2,
        "Colissimo",
        "Livraison en 48 h",
        "6.90",
        "https://www.laposte.fr/outils/suivre-vos-envois?code=@",
    ),
    (
        3,
        "Mondial Relay",
        "Livraison en point relais 3 à 5 jours",
        "4.90",
        "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=@",
    ),
    (
        4,
        "Chronopost",
        "Livraison express en 24 h",
        "12.90",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=@",
    ),
]


def carriers():
    return {
        str(cid): {
            "id": cid,
            "deleted": "0",
            "is_module": "0",
            "id_tax_rules_group": "1",
            "id_reference": str(cid),
            "name": name,
            "active": "1",
            "is_free": "1" if price == "0.00" else "0",
            "url": url,
            "shipping_handling": "0",
            "shipping_external": "0",
            "range_behavior": "0",
            "shipping_method": "2",
            "max_width": "0",
            "max_height": "0",
            "max_depth": "0",
            "max_weight": "0",
            "grade": "0",
            "external_module_name": "",
            "need_range": "0",
            "position": str(cid - 1),
            "delay": ml(delay),
        }
        for cid, name, delay, price, url in CARRIERS
    }


ORDER_FIELDS = (
    "id",
    "id_address_delivery",
    "id_address_invoice",
    "id_cart",
    "id_currency",
    "id_lang",
    "id_customer",
    "id_carrier",
    "current_state",
    "module",
    "invoice_number",
    "invoice_date",
    "delivery_number",
    "delivery_date",
    "valid",
    "date_add",
    "date_upd",
    "shipping_number",
    "note",
    "id_shop_group",
    "id_shop",
    "secure_key",
    "payment",
    "recyclable",
    "gift",
    "gift_message",
    "mobile_theme",
    "total_discounts",
    "total_discounts_tax_incl",
    "total_discounts_tax_excl",
    "total_paid",
    "total_paid_tax_incl",
    "total_paid_tax_excl",
    "total_paid_real",
    "total_products",
    "total_products_wt",
    "total_shipping",
    "total_shipping_tax_incl",
    "total_shipping_tax_excl",
    "carrier_tax_rate",
    "total_wrapping",
    "total_wrapping_tax_incl",
    "total_wrapping_tax_excl",
    "round_mode",
    "round_type",
    "conversion_rate",
    "reference",
    "associations",
)
DECLARED_FIELDS = {
    "orders": ORDER_FIELDS,
    "order_histories": ("id", "id_employee", "id_order_state", "id_order", "date_add"),
    "order_carriers": (
        "id",
        "id_order",
        "id_carrier",
        "id_order_invoice",
        "weight",
        "shipping_cost_tax_excl",
        "shipping_cost_tax_incl",
        "tracking_number",
        "date_add",
    ),
}
# credit slips (OrderSlip::$definition, tests/vendor/prestashop/order_slip.schema_blank.xml)
DECLARED_FIELDS["order_slip"] = (
    "id",
    "id_customer",
    "id_order",
    "conversion_rate",
    "total_products_tax_excl",
    "total_products_tax_incl",
    "total_shipping_tax_excl",
    "total_shipping_tax_incl",
    "amount",
    "shipping_cost",
    "shipping_cost_amount",
    "partial",
    "date_add",
    "date_upd",
    "order_slip_type",
)
REQUIRED_FIELDS = {
    "order_histories": ("id_order", "id_order_state"),
    "order_carriers": ("id_order", "id_carrier"),
}
# customer service: a thread per order and customer, its messages (private ones are staff notes)
DECLARED_FIELDS["customer_threads"] = (
    "id",
    "id_lang",
    "id_shop",
    "id_customer",
    "id_order",
    "id_product",
    "id_contact",
    "email",
    "token",
    "status",
    "date_add",
    "date_upd",
)
DECLARED_FIELDS["customer_messages"] = (
    "id",
    "id_employee",
    "id_customer_thread",
    "ip_address",
    "message",
    "file_name",
    "user_agent",
    "private",
    "date_add",
    "date_upd",
    "read",
)
REQUIRED_FIELDS["customer_threads"] = ("id_lang", "id_contact", "token")
REQUIRED_FIELDS["customer_messages"] = ("message",)
# ObjectModel sizes and validators of the fields the simulator checks (PrestaShop 8 definitions)
FIELD_SIZES = {"customer_threads": {"token": 12, "email": 255}}
