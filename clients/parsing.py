"""Small pure helpers that read the values shops send: numbers as strings, dates in many forms."""

import re
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse

CENT = Decimal("0.01")
# Control characters but tab and line breaks, and lone surrogates (JSON's "\ud800"): PostgreSQL
# refuses NUL in any text, and UTF-8 has no surrogates; none of them is meant to be read.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def to_decimal(value, field_name="amount"):
    """A money or quantity value as Decimal; '29.900000', 29.9 and '29,90' all read as 29.9."""
    if value is None or value == "":
        raise ValueError(f"{field_name} is empty")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"{field_name} is not a number: {value!r}") from exc


def to_money(value, field_name="amount"):
    """Rounded to the cent half up, as shops round (2.345 -> 2.35; Decimal's default, half to
    even, would give 2.34)."""
    return round_money(to_decimal(value, field_name))


def round_money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def iso_to_utc(value):
    """ISO 8601 with an offset (or Z) -> naive UTC; a value without offset is taken as UTC."""
    if not value:
        raise ValueError("date is empty")
    moment = isoparse(value)
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def local_to_utc(value, tz_name):
    """'2026-11-20 11:15:30' in the shop's time zone -> naive UTC."""
    if not value or value.startswith("0000"):
        raise ValueError("date is empty")
    moment = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo(tz_name))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_local_text(moment, tz_name):
    """Naive UTC -> '2026-11-20 11:15:30' in the shop's time zone."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name))
    return local.strftime("%Y-%m-%d %H:%M:%S")


def unix_to_utc(value):
    if value in (None, ""):
        raise ValueError("timestamp is empty")
    return datetime.fromtimestamp(int(float(value)), tz=timezone.utc).replace(tzinfo=None)


def utc_to_unix(moment):
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def utc_to_iso(moment):
    return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def clean_text(value):
    """``value`` without control characters (line breaks and tabs stay), stripped."""
    return CONTROL_CHARACTERS.sub("", value).strip()


def id_text(value):
    """An id or a number of an order as ``text`` gives it; '' for one longer than any shop's id
    (it is not an id, and the log and the retry list must not choke on it)."""
    value = text(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return value if len(value) <= 100 else ""


def text(value):
    """A string field that may come as None, a number or a string, cleaned (``clean_text``)."""
    if value is None:
        return ""
    return clean_text(str(value))
