"""Phone numbers to E.164 with the address country; one that cannot be read is kept as given."""

import phonenumbers


def to_e164(number, country_code=""):
    """Return ``(number, valid)``: the E.164 form when ``phonenumbers`` can validate it with the
    country (alpha-2) as the region of national numbers, else the number as given and False."""
    number = (number or "").strip()
    if not number:
        return "", True
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        return number, False
    if not phonenumbers.is_valid_number(parsed):
        return number, False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), True
