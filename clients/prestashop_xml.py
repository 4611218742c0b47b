"""The XML bodies the PrestaShop Webservice reads. Pure functions, no Odoo.

The webservice parses every POST and PUT body with ``SimpleXMLElement``, whatever
``output_format`` says: a JSON body is refused ("XML error : String could not be parsed as XML",
code 127, HTTP 500). A record is ``<prestashop><node><field><![CDATA[value]]></field>...`` in the
shape of ``GET /api/<resource>?schema=blank`` (see tests/vendor/prestashop/).
"""

from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

XLINK = "http://www.w3.org/1999/xlink"


def cdata(value):
    """A value as CDATA; ``]]>`` cannot stand inside one, so it is split across two."""
    text = "" if value is None or value is False else str(value)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def record_xml(node, fields):
    """``fields`` (an ordered mapping, values as text) as the body of a POST or PUT.

    A value that is a list of ``{"id": language id, "value": text}`` becomes PrestaShop's
    ``<language id="1">`` children of a translatable field."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, list):
            inner = "".join(
                f"<language id={quoteattr(str(item['id']))}>{cdata(item['value'])}</language>"
                for item in value
            )
            parts.append(f"<{name}>{inner}</{name}>")
        else:
            parts.append(f"<{name}>{cdata(value)}</{name}>")
    body = "".join(parts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="{XLINK}">'
        f"<{node}>{body}</{node}></prestashop>\n"
    ).encode()


def xml_answer(text):
    """The ``<prestashop>`` document at the start of ``text`` as the JSON output would give it
    ({node: {field: text}}), and how many characters follow it (plug-ins print their own output
    after the webservice's answer: PrestaShop issue 36815). ValueError when there is none."""
    end = text.find(_CLOSING)
    if end < 0:
        raise ValueError("no </prestashop> in the answer")
    end += len(_CLOSING)
    try:
        root = ElementTree.fromstring(text[:end].strip())
    except ElementTree.ParseError as exc:
        raise ValueError(f"the answer is not XML: {exc}") from exc
    return {child.tag: _element(child) for child in root}, len(text[end:].strip())


_CLOSING = "</prestashop>"


def _element(element):
    children = list(element)
    if not children:
        return (element.text or "").strip()
    value = {}
    for child in children:
        converted = _element(child)
        if child.tag in value:
            if not isinstance(value[child.tag], list):
                value[child.tag] = [value[child.tag]]
            value[child.tag].append(converted)
        else:
            value[child.tag] = converted
    return value
