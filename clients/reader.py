"""Reading a shop's order field by field, knowing where each value was found.

A ``Reader`` holds one object of a shop's answer with its place in the order ("position item 2",
"delivery address") and reads typed values out of it. Whatever is missing, of the wrong kind or
out of bounds raises a ``MalformedOrderError`` that names the field and says what is wrong with
it, in words a merchant reads in the run log:

    position item 2: product missing
    orderDate 'not-a-date' is not a date
    delivery address is not an address (a text)
    order row 1: unit_price_tax_incl -5.00 is negative (a discount is a discount, never a
    negative item)

Text is cleaned on the way (``parsing.clean_text``): control characters other than line breaks
and tabs are removed, and the fields where that happened are noted in ``Reader.cleaned`` (shared
by every reader of one order), for the warning on the order's run line.
"""

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from dateutil.parser import isoparse

from .errors import MalformedOrderError
from .parsing import clean_text, local_to_utc, round_money, unix_to_utc

# No marketplace order is older, and a date after this is a number read in the wrong unit.
EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2100, 1, 1)
# Above every price, fee or total a shop can charge: a bigger number is not an amount of money.
MAX_AMOUNT = Decimal("999999999.99")
MAX_QUANTITY = Decimal(1_000_000)
# Longest texts, above the shops' own column sizes (PrestaShop and CS-Cart: 255 at most for a
# name or an address line): a longer one is not what the shop stores.
MAX_LENGTH = {"id": 100, "short": 255, "long": 4000}
NEGATIVE_ITEM = "a discount is a discount, never a negative item"


def kind_of(value):
    """What a value is, as a person says it."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "empty"
    return type(value).__name__


def shown(value, limit=40):
    """A value as it is quoted in a message: short, control characters escaped (never a NUL that
    PostgreSQL refuses)."""
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 4] + "...'"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return str(value)[:limit]
    return kind_of(value)


_MISSING = object()


class Reader:
    """One object of a shop's order (a dict), with where it was found.

    ``where`` names the object for a person ("position item 2", "delivery address"; "" for the
    order itself). ``cleaned`` collects the fields whose text lost control characters."""

    def __init__(self, value, where="", what="an object", cleaned=None, subject=None):
        subject = subject or where or "the order"
        if value is None:
            raise MalformedOrderError(f"{subject} missing", field=subject)
        if not isinstance(value, dict):
            raise MalformedOrderError(f"{subject} is not {what} ({kind_of(value)})", field=subject)
        self.value = value
        self.where = where
        self.cleaned = cleaned if cleaned is not None else []

    # --- places ----------------------------------------------------------------------------------
    def path(self, key):
        return f"{self.where}: {key}" if self.where else key

    def fail(self, key, problem):
        """Raise the error of ``key``: ``problem`` is what follows the field's name."""
        raise MalformedOrderError(f"{self.path(key)} {problem}", field=self.path(key))

    def raw(self, key, required=False):
        """The value as the shop sent it; None where it is missing or null."""
        value = self.value.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(key, "missing")
            return None
        return value

    def has(self, key):
        return self.value.get(key) not in (None, "", [], {})

    # --- nested objects --------------------------------------------------------------------------
    def child(self, key, label=None, what="an object", required=False):
        """The object under ``key`` as a Reader named ``label`` ("" for a mere wrapper the
        merchant never sees, like PrestaShop's ``associations``), or None where it is missing
        (PHP shops send an empty text, an empty array or false for an object they have not)."""
        label = key if label is None else label
        value = self.value.get(key)
        if value is None or value is False or (isinstance(value, str | list) and not value):
            if required:
                self.fail(label or key, "missing")
            return None
        where = ", ".join(part for part in (self.where, label) if part)
        return Reader(value, where, what, self.cleaned, subject=self.path(label or key))

    def children(self, key, each, required=True, allow_map=False):
        """The list of objects under ``key``, each a Reader named ``each`` and its number
        ("position item 2"). ``allow_map``: the shop may send them as an object by id
        (CS-Cart's products)."""
        value = self.raw(key, required=required)
        if value is None:
            return []
        if allow_map and isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            self.fail(key, f"is not a list ({kind_of(value)})")
        prefix = f"{self.where}, " if self.where else ""
        return [
            Reader(item, f"{prefix}{each} {number}", "an object", self.cleaned)
            for number, item in enumerate(value, start=1)
        ]

    def ids(self, key):
        """A list of ids (texts or numbers); an empty list where missing."""
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, f"is not a list ({kind_of(value)})")
        ids = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, bool) or not isinstance(item, str | int):
                self.fail(f"{key} {number}", f"is not an id ({kind_of(item)})")
            ids.append(clean_text(str(item)))
        return ids

    # --- values ----------------------------------------------------------------------------------
    def text(self, key, required=False, size="short"):
        """A text (a number is read as its digits), cleaned; '' where missing."""
        value = self.raw(key, required=required)
        if value is None or value is False:
            if required:
                self.fail(key, "missing")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.fail(key, f"is not a text ({kind_of(value)})")
        if isinstance(value, float):
            value = repr(value)
        raw_text = str(value)
        text = clean_text(raw_text)
        if text != raw_text.strip():
            self.cleaned.append(self.path(key))
        if required and not text:
            self.fail(key, "missing")
        if len(text) > MAX_LENGTH[size]:
            self.fail(key, f"is too long ({len(text)} characters, at most {MAX_LENGTH[size]})")
        return text

    def flag(self, key):
        """A yes/no: true, 1, 'Y', '1', 'true' are yes; missing is no."""
        value = self.raw(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) or (isinstance(value, str) and len(value) < 10):
            return str(value).strip().lower() in ("1", "y", "yes", "true")
        self.fail(key, f"is not yes or no ({kind_of(value)})")

    def decimal(self, key, required=True, default=None, what="a number"):
        """A number as Decimal: 29.9, '29.900000' and '29,90' all read as 29.9."""
        value = self.raw(key, required=required)
        if value is None or value == "":
            if required:
                self.fail(key, "missing")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.fail(key, f"is not {what} ({kind_of(value)})")
        if isinstance(value, float):
            value = repr(value)
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            self.fail(key, f"{shown(value)} is not {what}")
        if not number.is_finite():
            self.fail(key, f"{shown(value)} is not {what}")
        return number

    def money(self, key, required=True, default=None, negative=False, item=False):
        """An amount rounded to the cent, half up as shops round (2.345 is 2.35). Negative only
        where ``negative`` says it may be; ``item``: the price of an item (whose reason to refuse
        a negative one is said)."""
        what = "an amount"
        number = self.decimal(key, required=required, default=None, what=what)
        if number is None:
            return default
        if abs(number) > MAX_AMOUNT:
            self.fail(key, f"{shown(number)} is not {what} (too large)")
        amount = round_money(number)
        if amount < 0 and not negative:
            self.fail(key, f"{amount} is negative" + (f" ({NEGATIVE_ITEM})" if item else ""))
        return amount

    def money_object(self, key, required=True, negative=False, item=False):
        """(amount, currency) of an amount given as ``{"amount": 23.95, "currency": "EUR"}``
        (OTTO); what is wrong with the amount is said of ``key``."""
        value = self.child(key, what="an amount with its currency", required=required)
        if value is None:
            return None, ""
        amount = Reader({key: value.value.get("amount")}, self.where, cleaned=self.cleaned)
        return (
            amount.money(key, negative=negative, item=item),
            value.text("currency", size="id"),
        )

    def quantity(self, key):
        """A number of units: whole and at least 1 (shops sell whole units; a line of none is not
        a line)."""
        number = self.decimal(key, what="a quantity")
        if number < 0:
            self.fail(key, f"{shown(number)} is negative ({NEGATIVE_ITEM})")
        if number != number.to_integral_value():
            self.fail(key, f"{shown(number)} is not a whole number of units")
        if number < 1:
            self.fail(key, f"{shown(number)} is not a quantity (at least 1 unit)")
        if number > MAX_QUANTITY:
            self.fail(key, f"{shown(number)} is not a quantity (too large)")
        return Decimal(int(number))

    def rate(self, key):
        """A VAT rate in percent, or None where the shop gives none."""
        number = self.decimal(key, required=False, what="a VAT rate")
        if number is not None and not Decimal(0) <= number <= Decimal(100):
            self.fail(key, f"{shown(number)} is not a VAT rate (0 to 100)")
        return number

    # --- dates -----------------------------------------------------------------------------------
    def iso_date(self, key, required=True):
        """ISO 8601 with an offset (or Z) -> naive UTC; without one it is taken as UTC."""
        value = self._date_text(key, required)
        if value is None:
            return None
        try:
            moment = isoparse(value)
            if moment.tzinfo:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError, TypeError):
            self.fail(key, f"{shown(value)} is not a date")
        return self._plausible(key, value, moment.replace(microsecond=0))

    def local_date(self, key, tz_name, required=True):
        """'2026-11-20 11:15:30' in the shop's time zone -> naive UTC; PrestaShop's
        '0000-00-00 00:00:00' is no date."""
        value = self._date_text(key, required)
        if value is None or value.startswith("0000"):
            if required:
                self.fail(key, "missing")
            return None
        try:
            moment = local_to_utc(value, tz_name)
        except (ValueError, OverflowError):
            self.fail(key, f"{shown(value)} is not a date")
        return self._plausible(key, value, moment)

    def unix_date(self, key, required=True):
        """A UNIX time in seconds -> naive UTC; 0 is no time (CS-Cart's 'never')."""
        value = self._date_text(key, required, numbers=True)
        if value in (None, "0"):
            if required and value is not None:
                self.fail(key, "missing")
            return None
        try:
            moment = unix_to_utc(value)
        except (ValueError, OverflowError, OSError):
            self.fail(key, f"{shown(value)} is not a date")
        return self._plausible(key, value, moment)

    def _date_text(self, key, required, numbers=False):
        value = self.raw(key, required=required)
        if value in (None, ""):
            if required:
                self.fail(key, "missing")
            return None
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return repr(value)
        if not isinstance(value, str):
            self.fail(key, f"is not a date ({kind_of(value)})")
        return clean_text(value)

    def _plausible(self, key, value, moment):
        if not EARLIEST <= moment < LATEST:
            self.fail(key, f"{shown(value)} is not a date of an order (before 2000 or after 2100)")
        return moment


def read_order(raw):
    """The Reader of a whole order; raises when the order is not an object."""
    return Reader(raw)
