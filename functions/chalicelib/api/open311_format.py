"""Open311's two formats of one answer: XML, the standard's, and JSON by its Spark
convention: the root dropped, repeated children an array (so every answer but a service
definition and the discovery document is one), an empty value null, booleans true and
false in both.

An answer is plain data (services.open311): dicts written in their order, lists, text,
numbers, booleans, None. In XML a list is its field's element holding one element per
item, named by ITEMS; an empty value is an empty element.

Imported by the views when they answer, not at cold start: xml.etree is only for them.
"""

import json
import re
from xml.etree import ElementTree

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The element of each item of a list, by the list's element.
ITEMS = {
    "services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
    "service_request_updates": "request_update", "notes": "note", "endpoints": "endpoint", "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot hold at all, even escaped: a published description typed on
# a phone may carry one, and an answer with it would be no XML.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(fmt: str, root: str, data) -> tuple:
    """(text, content type) of `data` as the answer whose root element is `root`."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")), CONTENT_TYPES["json"]
    element = ElementTree.Element(root)
    _fill(element, data)
    ElementTree.indent(element)
    return DECLARATION + ElementTree.tostring(element, encoding="unicode") + "\n", CONTENT_TYPES["xml"]


def _fill(element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(ElementTree.SubElement(element, name), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ElementTree.SubElement(element, ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))
