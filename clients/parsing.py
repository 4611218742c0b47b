"""Small pure helpers that read the values shops send: numbers as strings, dates in many forms."""

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse

CENT = Decimal("0.01")


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


def text(value):
    """A string field that may come as None, a number or a string."""
    if value is None:
        return ""
    return str(value).strip()
