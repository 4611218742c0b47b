"""Deterministic test data shared by the three simulators: products, buyers, money and dates.

Everything random goes through the ``random.Random`` the caller passes, so the same seed gives
the same data. Buyers are German, Austrian, French or Belgian people with fitting streets, zip
codes, cities, e-mail addresses and phone numbers written the many ways people write them (some
missing, a few deliberately invalid). ``CATALOG`` is a fixed list of products with valid EAN-13.
"""

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from .people import (
    ALPHA2,
    ALPHA3,
    alpha2,
    apply_buyer_overrides,
    buyer_for,
    make_buyer,
    make_phone,
    street_line,
)

CENT = Decimal("0.01")
UTC = timezone.utc


# --- money and dates -----------------------------------------------------------------------------
def money(value):
    """A Decimal rounded to the cent, half up, as shops round."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def iso_ms(moment):
    """UTC ISO 8601 with milliseconds and Z: '2026-11-20T10:15:30.123Z' (OTTO style)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value):
    """ISO 8601 text -> aware datetime; ValueError when unreadable or without an offset."""
    return _parse_iso_text(str(value).strip())


@lru_cache(maxsize=65536)  # list endpoints read the same dates on every page
def _parse_iso_text(text):
    if text[-1:] in ("Z", "z"):  # Python 3.10 does not read the Z
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return moment.astimezone(UTC)


def local_text(moment, tz_name):
    """'2026-11-20 11:15:30' in the shop's time zone (PrestaShop style)."""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M:%S")


def unix(moment):
    return int(moment.timestamp())


# --- products ------------------------------------------------------------------------------------
def ean13(first12):
    """Append the EAN-13 check digit to 12 digits."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


# sku, German title, French title, gross price, reduced VAT rate, electrical (WEEE)
_PRODUCTS = [
    ("WK-1700-INOX", "Wasserkocher Edelstahl 1,7 l", "Bouilloire inox 1,7 L", "34.99", 0, 1),
    ("TO-2S-WHT", "Toaster 2 Scheiben weiß", "Grille-pain 2 fentes blanc", "29.90", 0, 1),
    ("KVA-BARISTA", "Kaffeevollautomat Barista", "Machine à café Barista", "449.00", 0, 1),
    ("SM-800", "Stabmixer 800 W", "Mixeur plongeant 800 W", "39.95", 0, 1),
    ("ASB-CORDLESS", "Akku-Staubsauger", "Aspirateur balai sans fil", "199.00", 0, 1),
    ("DB-2400", "Dampfbügeleisen 2400 W", "Fer à repasser vapeur 2400 W", "49.99", 0, 1),
    ("LED-DESK-01", "LED-Schreibtischlampe", "Lampe de bureau LED", "24.95", 0, 1),
    ("BT-SPK-20", "Bluetooth-Lautsprecher", "Enceinte Bluetooth", "59.00", 0, 1),
    ("EZB-SONIC", "Elektrische Zahnbürste", "Brosse à dents électrique", "44.90", 0, 1),
    ("HT-2000", "Haartrockner 2000 W", "Sèche-cheveux 2000 W", "27.49", 0, 1),
    ("MW-20L", "Mikrowelle 20 l", "Micro-ondes 20 L", "89.99", 0, 1),
    ("VENT-STAND", "Standventilator", "Ventilateur sur pied", "45.00", 0, 1),
    ("BW-135-200", "Bettwäsche Baumwolle 135x200", "Parure de lit coton 140x200", "39.99", 0, 0),
    ("HT-50100-GR", "Frottee-Handtuch 50x100 grau", "Serviette éponge 50x100 gris", "9.95", 0, 0),
    ("KK-8080", "Kopfkissen 80x80", "Oreiller 60x60", "19.90", 0, 0),
    ("WD-WOLLE", "Wolldecke 150x200", "Plaid en laine 150x200", "34.00", 0, 0),
    ("GP-28", "Gusseisenpfanne 28 cm", "Poêle en fonte 28 cm", "54.90", 0, 0),
    ("MB-6", "Messerblock 6-teilig", "Bloc de couteaux 6 pièces", "79.00", 0, 0),
    ("TS-5", "Topfset 5-teilig", "Batterie de cuisine 5 pièces", "119.00", 0, 0),
    ("VD-1L", "Glas-Vorratsdose 1 l", "Bocal en verre 1 L", "6.49", 0, 0),
    ("LS-H-43", "Laufschuhe Herren Gr. 43", "Chaussures de running homme 43", "89.95", 0, 0),
    ("RJ-D-M", "Regenjacke Damen Gr. M", "Veste de pluie femme taille M", "69.90", 0, 0),
    ("TS-UNI-L", "Baumwoll-T-Shirt unisex L", "T-shirt coton unisexe L", "14.99", 0, 0),
    ("WS-3P", "Wollsocken 3er-Pack", "Chaussettes en laine lot de 3", "12.50", 0, 0),
    ("BK-DRACHE", "Kinderbuch Der kleine Drache", "Livre jeunesse Le petit dragon", "12.00", 1, 0),
    ("BK-MEDITERR", "Kochbuch Mediterran", "Livre de cuisine méditerranéenne", "24.00", 1, 0),
    ("KB-BIO-1KG", "Bio-Kaffeebohnen 1 kg", "Café en grains bio 1 kg", "18.90", 1, 0),
    ("TEE-GR-250", "Grüner Tee lose 250 g", "Thé vert en vrac 250 g", "8.95", 1, 0),
    ("HON-500", "Blütenhonig 500 g", "Miel de fleurs 500 g", "7.49", 1, 0),
    ("OEL-OLIV-1L", "Olivenöl extra vergine 1 l", "Huile d'olive vierge extra 1 L", "13.90", 1, 0),
    ("HS-EISENB", "Holzeisenbahn Starter-Set", "Train en bois coffret de départ", "34.95", 0, 0),
    ("PZ-1000", "Puzzle 1000 Teile", "Puzzle 1000 pièces", "16.99", 0, 0),
    ("GS-20M", "Gartenschlauch 20 m", "Tuyau d'arrosage 20 m", "29.95", 0, 0),
    ("ABS-18V", "Akku-Bohrschrauber 18 V", "Perceuse-visseuse sans fil 18 V", "119.90", 0, 1),
    ("WZK-100", "Werkzeugkoffer 100-teilig", "Coffret à outils 100 pièces", "64.99", 0, 0),
    ("YM-PURPLE", "Yogamatte lila", "Tapis de yoga violet", "22.95", 0, 0),
    ("KH-2X5", "Kurzhantel-Set 2 x 5 kg", "Haltères 2 x 5 kg", "39.00", 0, 0),
    ("RS-25L", "Rucksack 25 l", "Sac à dos 25 L", "49.95", 0, 0),
    (
        "HUELLE-X12",
        "Smartphone-Hülle transparent",
        "Coque de smartphone transparente",
        "9.99",
        0,
        0,
    ),
    ("USBC-65W", "USB-C-Ladegerät 65 W", "Chargeur USB-C 65 W", "32.90", 0, 1),
]

CATALOG = [
    {
        "sku": sku,
        "ean": ean13(f"426012345{index:03d}"),
        "title": title_de,
        "title_fr": title_fr,
        "price": price,
        "vat_rate": 7 if reduced else 19,
        "vat_rate_fr": 5.5 if reduced else 20,
        "weee": bool(electrical),
        "product_id": index + 1,
        "article_number": f"S0{(index * 7919 + 104729) % 36**6:06X}"[:8],
    }
    for index, (sku, title_de, title_fr, price, reduced, electrical) in enumerate(_PRODUCTS)
]


def localized_catalog(language):
    """The catalogue as a German ('de') or French ('fr') shop shows it: ``title`` and
    ``vat_rate`` in the shop's language and VAT system."""
    products = []
    for product in CATALOG:
        product = dict(product)
        if language == "fr":
            product["title"], product["vat_rate"] = product["title_fr"], product["vat_rate_fr"]
        products.append(product)
    return products


def unknown_product(sku, prices=None, vat_rate=19):
    """A product the merchant's catalogue does not know: made-up title, given or default price."""
    price = (prices or {}).get(sku, "19.99")
    return {
        "sku": sku,
        "ean": "",
        "title": f"Unbekannter Artikel {sku}",
        "title_fr": f"Article inconnu {sku}",
        "price": str(money(price)),
        "vat_rate": vat_rate,
        "vat_rate_fr": 20,
        "weee": False,
        "product_id": 9000 + sum(map(ord, sku)) % 1000,
        "article_number": "S0" + sku[:6].upper().ljust(6, "0"),
    }


def pick_lines(rng, catalog, count=None):
    """1 to 4 distinct products, sometimes 2 or 3 of one: [(product, quantity)]."""
    count = count or rng.choices([1, 2, 3, 4], weights=[50, 28, 14, 8])[0]
    products = rng.sample(catalog, count)
    return [(product, rng.choices([1, 2, 3], weights=[80, 15, 5])[0]) for product in products]


__all__ = [
    "ALPHA2",
    "ALPHA3",
    "CATALOG",
    "alpha2",
    "apply_buyer_overrides",
    "buyer_for",
    "ean13",
    "iso_ms",
    "later",
    "local_text",
    "localized_catalog",
    "make_buyer",
    "make_phone",
    "money",
    "parse_iso",
    "pick_lines",
    "random_moment",
    "street_line",
    "unix",
    "unknown_product",
]


def random_moment(rng, now, max_age_days, min_age_days=0.0):
    """A moment between ``max_age_days`` and ``min_age_days`` before ``now``, with milliseconds."""
    seconds = rng.uniform(min_age_days * 86400, max_age_days * 86400)
    return now - timedelta(seconds=seconds)


def later(rng, moment, now, min_hours, max_hours):
    """A moment some hours after ``moment`` but never after ``now``."""
    wanted = moment + timedelta(hours=rng.uniform(min_hours, max_hours))
    if wanted <= now:
        return wanted
    room = max((now - moment).total_seconds(), 0)
    return moment + timedelta(seconds=room * rng.uniform(0.3, 0.9))
