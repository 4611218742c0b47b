"""The XML bodies the PrestaShop Webservice reads. Pure functions, no Odoo.

The webservice parses every POST and PUT body with ``SimpleXMLElement``, whatever
``output_format`` says: a JSON body is refused ("XML error : String could not be parsed as XML",
code 127, HTTP 500). A record is ``<prestashop><node><field><![CDATA[value]]></field>...`` in the
shape of ``GET /api/<resource>?schema=blank`` (see tests/vendor/prestashop/).
"""

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
