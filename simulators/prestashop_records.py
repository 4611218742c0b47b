"""PrestaShop customers, addresses, order rows and order totals, built the way the Webservice
shows them (see ``prestashop_data.py`` for the value formats)."""

from decimal import Decimal

from .data import local_text, money
from .prestashop_data import COUNTRY_IDS, LANG, six


def customer(customer_id, buyer, moment, tz, rng, guest=False, shop_id="1"):
    stamp = local_text(moment, tz)
    return {
        "id": customer_id,
        "id_default_group": "2" if guest else "3",
        "id_lang": LANG,
        "newsletter_date_add": "0000-00-00 00:00:00",
        "ip_registration_newsletter": "",
        "last_passwd_gen": stamp,
        "secure_key": f"{rng.getrandbits(128):032x}",
        "deleted": "0",
        "lastname": buyer["last_name"],
        "firstname": buyer["first_name"],
        "email": buyer["email"],
        "id_gender": "2" if buyer["salutation"] == "MS" else "1",
        "birthday": "0000-00-00",
        "newsletter": "1" if rng.random() < 0.3 else "0",
        "optin": "0",
        "website": "",
        "company": buyer["company"],
        "siret": "",
        "ape": "",
        "outstanding_allow_amount": "0.000000",
        "show_public_prices": "0",
        "id_risk": "0",
        "max_payment_days": "0",
        "active": "1",
        "note": "",
        "is_guest": "1" if guest else "0",
        "id_shop": shop_id,
        "id_shop_group": "1",
        "date_add": stamp,
        "date_upd": stamp,
        "reset_password_token": "",
        "reset_password_validity": "0000-00-00 00:00:00",
        "associations": {"groups": [{"id": "2" if guest else "3"}]},
    }


def _is_mobile(phone):
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    for prefix in (
        "06",
        "07",
        "+336",
        "+337",
        "00336",
        "015",
        "016",
        "017",
        "+4915",
        "+4916",
        "+4917",
        "04",
        "+324",
    ):
        if digits.startswith(prefix):
            return True
    return False


def address(address_id, customer_id, buyer, moment, tz):
    stamp = local_text(moment, tz)
    phone = buyer.get("phone") or ""
    mobile = phone if phone and _is_mobile(phone) else ""
    return {
        "id": address_id,
        "id_customer": str(customer_id),
        "id_manufacturer": "0",
        "id_supplier": "0",
        "id_warehouse": "0",
        "id_country": COUNTRY_IDS.get(buyer["country"], "8"),
        "id_state": "0",
        "alias": "Mon adresse",
        "company": buyer["company"],
        "lastname": buyer["last_name"],
        "firstname": buyer["first_name"],
        "vat_number": buyer.get("vat_number", ""),
        "address1": buyer["address1"],
        "address2": buyer.get("addition", ""),
        "postcode": buyer["zip"],
        "city": buyer["city"],
        "other": "",
        "phone": "" if mobile else phone,
        "phone_mobile": mobile,
        "dni": "",
        "deleted": "0",
        "date_add": stamp,
        "date_upd": stamp,
    }


def order_rows(lines, first_row_id, order_id):
    """Rows from [(product, quantity)]; returns (rows, products net total, products gross total)."""
    rows, net_total, gross_total = [], Decimal(0), Decimal(0)
    for offset, (product, quantity) in enumerate(lines):
        gross = money(product["price"])
        rate = Decimal(str(product["vat_rate"]))
        net = (gross / (1 + rate / 100)).quantize(Decimal("0.000001"))
        rows.append(
            {
                "id": str(first_row_id + offset),
                "product_id": str(product["product_id"]),
                "product_attribute_id": "0",
                "product_quantity": str(quantity),
                "product_name": product["title"],
                "product_reference": product["sku"],
                "product_ean13": product.get("ean", ""),
                "product_isbn": "",
                "product_upc": "",
                "product_price": six(net),
                "id_customization": "0",
                "unit_price_tax_incl": six(gross),
                "unit_price_tax_excl": six(net),
            }
        )
        net_total += money(net * quantity)
        gross_total += money(gross * quantity)
    return rows, net_total, gross_total


def totals(net_products, gross_products, shipping, discount, carrier_rate=20, discount_rate=20):
    """The order's money fields, so that total_paid_tax_incl = products + shipping - discount;
    the shipping taxed at ``carrier_rate`` (PrestaShop's ``carrier_tax_rate``: the carrier's tax
    rule, which may differ from the products' rates)."""
    carrier_rate = Decimal(str(carrier_rate))
    shipping_net = money(shipping / (1 + carrier_rate / 100))
    discount_net = money(discount / (1 + Decimal(discount_rate) / 100))
    paid = gross_products + shipping - discount
    paid_net = net_products + shipping_net - discount_net
    return {
        "total_discounts": six(discount),
        "total_discounts_tax_incl": six(discount),
        "total_discounts_tax_excl": six(discount_net),
        "total_paid": six(paid),
        "total_paid_tax_incl": six(paid),
        "total_paid_tax_excl": six(paid_net),
        "total_products": six(net_products),
        "total_products_wt": six(gross_products),
        "total_shipping": six(shipping),
        "total_shipping_tax_incl": six(shipping),
        "total_shipping_tax_excl": six(shipping_net),
        "carrier_tax_rate": f"{carrier_rate:.3f}",
        "total_wrapping": six(0),
        "total_wrapping_tax_incl": six(0),
        "total_wrapping_tax_excl": six(0),
    }
