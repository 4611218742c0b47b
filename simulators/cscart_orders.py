"""CS-Cart orders as ``GET /api/2.0/orders/{id}`` shows them: values are strings ("105",
"123.40", UNIX timestamps "1732000000"), ``products`` is an object keyed by cart item id,
``b_*`` / ``s_*`` hold the billing and shipping address (country alpha-2), ``user_id`` is "0" for
a guest. Prices are gross (taxes included, French VAT 20 % / 5.5 %), so that
``total = sum(price * amount) + shipping_cost - subtotal_discount`` to the cent.
"""

from decimal import Decimal

from .data import money, unix

# letter, English description, French description, color
DEFAULT_STATUSES = [
    ("P", "Processed", "Traité", "#97cf4d"),
    ("C", "Complete", "Terminé", "#cccccc"),
    ("O", "Open", "Ouvert", "#ff9522"),
    ("F", "Failed", "Échec", "#ff5215"),
    ("D", "Declined", "Refusée", "#ff5215"),
    ("B", "Backordered", "En rupture de stock", "#28abf6"),
    ("I", "Canceled", "Annulé", "#c2c2c2"),
    ("Y", "Awaiting call", "En attente d'appel", "#cc4125"),
]
HIDDEN_STATUS = "N"  # incomplete: exists on orders, never listed, cannot be set
PAYMENTS = {
    "1": ("Carte bancaire", "Stripe"),
    "2": ("Virement bancaire", ""),
    "3": ("Chèque", ""),
    "4": ("PayPal", "PayPal Commerce Platform"),
    "5": ("Paiement à la livraison", ""),
}
ONLINE_PAYMENTS = ("1", "4")
SHIPPINGS = {
    "1": ("Colissimo", "2-3 jours", "6.90"),
    "2": ("Mondial Relay", "3-5 jours", "4.90"),
    "3": ("Chronopost", "24 h", "12.90"),
}
TAXES = {"20": ("6", "TVA 20 %"), "5.5": ("7", "TVA 5,5 %")}


def two(value):
    return f"{money(value):.2f}"


def status_record(position, letter, description, color, lang_code="en"):
    return {
        "status_id": str(position + 1),
        "status": letter,
        "type": "O",
        "is_default": "Y" if position < len(DEFAULT_STATUSES) else "N",
        "position": str(position),
        "description": description,
        "email_subj": f"a été mise à jour : {description}",
        "email_header": f"Votre commande est : {description}",
        "lang_code": lang_code,
        "params": {
            "color": color,
            "notify": "Y",
            "notify_department": "Y",
            "inventory": "I" if letter in ("I", "D", "F") else "D",
            "repay": "Y" if letter in ("O", "F", "D") else "N",
            "appearance_type": "D",
        },
    }


def products(rng, order_id, lines, company_id):
    """The ``products`` object from [(product, quantity)], keyed by a cart item id, and the VAT
    rate of each item id."""
    result, rates = {}, {}
    for product, quantity in lines:
        item_id = str(rng.randrange(10**8, 4 * 10**9))
        price = money(product["price"])
        result[item_id] = {
            "item_id": item_id,
            "order_id": str(order_id),
            "product_id": str(product["product_id"]),
            "product_code": product["sku"],
            "price": two(price),
            "amount": str(quantity),
            "extra": {"product_options": [], "unlimited_download": "N", "base_price": two(price)},
            "product": product["title"],
            "product_status": "A",
            "company_id": str(company_id),
            "discount": "0.00",
            "base_price": two(price),
            "original_price": two(price),
            "subtotal": two(price * quantity),
            "display_subtotal": two(price * quantity),
            "tax_value": two(price * quantity * _share(product["vat_rate"])),
            "shipped_amount": "0",
            "shipment_amount": str(quantity),
        }
        rates[item_id] = product["vat_rate"]
    return result, rates


def _share(rate):
    rate = Decimal(str(rate))
    return rate / (100 + rate)


def fill_totals(order, shipping_cost, subtotal_discount, rates):
    """Set subtotal, discount, shipping_cost, subtotal_discount, total and taxes from products
    (``rates``: VAT rate by cart item id)."""
    subtotal, by_rate = Decimal(0), {}
    for item_id, item in order["products"].items():
        line = money(Decimal(item["price"]) * int(item["amount"]))
        subtotal += line
        rate = f"{Decimal(str(rates.get(item_id, 20))).normalize():f}"
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + line
    shipping_cost, subtotal_discount = money(shipping_cost), money(subtotal_discount)
    by_rate["20"] = by_rate.get("20", Decimal(0)) + shipping_cost
    taxes = {}
    for rate, base in by_rate.items():
        tax_id, name = TAXES.get(rate, ("6", f"TVA {rate} %"))
        amount = money(base * _share(rate))
        taxes[tax_id] = {
            "rate_type": "P",
            "rate_value": f"{Decimal(rate):.3f}",
            "price_includes_tax": "Y",
            "regnumber": "",
            "priority": "0",
            "tax_subtotal": two(amount),
            "description": name,
            "applies": {"P": two(amount), "S": "0.00", "items": {"S": [], "P": []}},
        }
    order.update(
        subtotal=two(subtotal),
        display_subtotal=two(subtotal),
        discount="0.00",
        subtotal_discount=two(subtotal_discount),
        shipping_cost=two(shipping_cost),
        display_shipping_cost=two(shipping_cost),
        total=two(subtotal + shipping_cost - subtotal_discount),
        taxes=taxes,
    )
    if order.get("shipping"):
        order["shipping"][0]["rate"] = two(shipping_cost)


def build(
    order_id,
    *,
    buyer,
    delivery,
    lines_products,
    status,
    placed,
    updated,
    payment_id,
    shipping_id,
    user_id,
    company_id,
    currency,
    legacy,
):
    """A detail payload around ``lines_products``; the caller then calls ``fill_totals``."""
    name, processor = PAYMENTS[payment_id]
    method, delay, _price = SHIPPINGS[shipping_id]
    phone = buyer.get("phone") or ""
    order = {
        "order_id": str(order_id),
        "is_parent_order": "N",
        "parent_order_id": "0",
        "company_id": str(company_id),
        "issuer_id": None,
        "user_id": str(user_id),
        "total": "0.00",
        "subtotal": "0.00",
        "discount": "0.00",
        "subtotal_discount": "0.00",
        "payment_surcharge": "0.00",
        "shipping_ids": shipping_id,
        "shipping_cost": "0.00",
        "timestamp": str(unix(placed)),
        "status": status,
        "notes": "",
        "details": "",
        "promotions": [],
        "promotion_ids": "",
        "firstname": buyer["first_name"],
        "lastname": buyer["last_name"],
        "company": buyer["company"],
        "phone": phone,
        "fax": "",
        "url": "",
        "email": buyer["email"],
        "payment_id": payment_id,
        "tax_exempt": "N",
        "lang_code": "fr",
        "ip_address": "",
        "repaid": "0",
        "validation_code": "",
        "localization_id": "0",
        "profile_id": "1",
        "storefront_id": str(company_id),
        "secondary_currency": currency,
        "products": lines_products,
        "taxes": {},
        "payment_method": {
            "payment_id": payment_id,
            "payment": name,
            "description": "",
            "processor": processor,
            "status": "A",
        },
        "shipping": [
            {"shipping_id": shipping_id, "shipping": method, "delivery_time": delay, "rate": "0.00"}
        ],
        "need_shipping": True,
    }
    for prefix, person in (("b_", buyer), ("s_", delivery or buyer)):
        order.update(
            {
                f"{prefix}firstname": person["first_name"],
                f"{prefix}lastname": person["last_name"],
                f"{prefix}address": person["address1"],
                f"{prefix}address_2": person.get("addition", ""),
                f"{prefix}city": person["city"],
                f"{prefix}county": "",
                f"{prefix}state": "",
                f"{prefix}country": person["country"],
                f"{prefix}zipcode": person["zip"],
                f"{prefix}phone": person.get("phone") or "",
            }
        )
    order["s_address_type"] = "residential"
    if not legacy:
        order["updated_at"] = str(unix(updated))
    return order


SUMMARY_FIELDS = (
    "order_id",
    "issuer_id",
    "user_id",
    "is_parent_order",
    "parent_order_id",
    "company_id",
    "company",
    "timestamp",
    "firstname",
    "lastname",
    "email",
    "phone",
    "status",
    "total",
)


def summary(order):
    """The order as the list endpoint shows it: CS-Cart's summary columns, never ``updated_at``
    (``fn_get_orders`` does not select it, whatever the version)."""
    result = {key: order[key] for key in SUMMARY_FIELDS if key in order}
    result.update(invoice_id=None, credit_memo_id=None)
    return result
