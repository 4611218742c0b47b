"""How the PrestaShop Webservice reads list parameters and formats answers, kept close to
``WebserviceRequest::getSQLRetrieveFilter`` and friends:

- ``filter[f]=[a|b|c]`` OR list, ``[v]`` equality, ``>[v]`` / ``<[v]`` strict comparisons,
  ``[a,b]`` BETWEEN with sorted bounds (a date-only end bound means that day at 00:00:00, so
  the end day is excluded, as in MySQL), ``!`` not equal, ``%`` LIKE; comparisons are numeric
  for numbers, case-insensitive for text, as MySQL compares;
- ``sort=[f_ASC,g_DESC]``; ``limit=N`` or ``limit=offset,count``;
- XML answers (the default when ``output_format=JSON`` is missing); XML input only.
"""

import re
import xml.etree.ElementTree as ET

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _scalar(value):
    if isinstance(value, list):  # translatable field: compare with any language's value
        return [str(item.get("value", "")) for item in value if isinstance(item, dict)]
    return ["" if value is None else str(value)]


def compare(left, right):
    """-1, 0 or 1 the way MySQL compares a column value with a filter value."""
    left, right = left.strip(), right.strip()
    if _NUMBER.match(left) and _NUMBER.match(right):
        a, b = float(left), float(right)
    elif _DATE.match(left) or _DATE.match(right):
        a, b = _datetime_text(left), _datetime_text(right)
    else:
        a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


def _datetime_text(value):
    return value + " 00:00:00" if len(value) == 10 else value


def _like(value, pattern):
    regex = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def filter_match(value, expression):
    """Whether a record's field value passes one ``filter[...]`` expression."""
    found = re.fullmatch(r"(.*)\[(.*)\](.*)", expression, re.DOTALL)
    values = _scalar(value)
    if not found:
        return any(compare(v, expression) == 0 for v in values)
    before, inner, after = found.groups()
    if before == "%" or after == "%":
        return any(_like(v, before + inner + after) for v in values)
    if before == "" and after == "":
        if inner.find("|") > 0:
            return any(compare(v, option) == 0 for v in values for option in inner.split("|"))
        interval = re.fullmatch(r"([\d.:\-\s]+),([\d.:\-\s]+)", inner)
        if interval:
            low, high = sorted(interval.groups())
            return any(compare(v, low) >= 0 and compare(v, high) <= 0 for v in values)
        return any(compare(v, inner) == 0 for v in values)
    if before == ">":
        return any(compare(v, inner) > 0 for v in values)
    if before == "<":
        return any(compare(v, inner) < 0 for v in values)
    if before == "!":
        return all(compare(v, option) != 0 for v in values for option in inner.split("|"))
    return True  # PrestaShop adds no condition for other prefixes


def sort_key(value):
    text = _scalar(value)[0].strip() if not isinstance(value, int) else str(value)
    if _NUMBER.match(text):
        return (0, float(text), "")
    return (1, 0.0, text.casefold())


def php_int(text):
    """PHP's (int) cast of a string: leading digits, else 0."""
    found = re.match(r"\s*(-?\d+)", text or "")
    return int(found.group(1)) if found else 0


def singular(name):
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "ches")):
        return name[:-2]
    return name[:-1] if name.endswith("s") else name


def _node(tag, value):
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and set(v) == {"id", "value"} for v in value):
            inner = "".join(
                f'<language id="{v["id"]}"><![CDATA[{v["value"]}]]></language>' for v in value
            )
        else:
            child = singular(tag)
            inner = "".join(_node(child, v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_node(key, item) for key, item in value.items()) + f"</{tag}>"
    return f"<{tag}><![CDATA[{'' if value is None else value}]]></{tag}>"


def to_xml(payload):
    """A JSON-shaped answer as the Webservice's XML."""
    body = "".join(_node(key, value) for key, value in (payload or {}).items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">{body}</prestashop>\n'
    )


def parse_input(raw, node_name):
    """The fields of ``<prestashop><node_name>...`` in a request body, read as the webservice
    reads every POST and PUT body: as XML (``new SimpleXMLElement``), whatever its content type.
    A JSON body is no exception. Raises ValueError (not XML: PrestaShop's code 127) or KeyError
    (no such node)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ValueError(
            f"String could not be parsed as XML\nXML length : {len(text)}\nOriginal XML : {text}"
            if text.strip()
            else "String could not be parsed as XML"
        ) from exc
    node = root if root.tag == node_name else root.find(node_name)
    if node is None:
        raise KeyError(node_name)
    return {child.tag: (child.text or "").strip() for child in node if len(child) == 0}
