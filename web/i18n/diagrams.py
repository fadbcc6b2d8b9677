"""A case's diagram in the reader's language: the names of its tasks, events, gateways, flows and
lanes, rewritten before the viewer draws them.  The deployed BPMN stays as the designer wrote
it; only the copy served to the case page's viewer is translated."""
from lxml import etree

from . import labels

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _own_names(element) -> dict:
    """``name_ru``, ``name_kk`` ... that a designer put in the element's properties."""
    return {prop.get("name"): prop.get("value") for prop in element.iter(f"{{{SPIFF}}}property")
            if (prop.get("name") or "").startswith("name_")}


def _words(element) -> str:
    name = element.get("name")
    if etree.QName(element).localname == "lane":
        return labels.role_name(name) if name in labels.ROLES else labels.text(name)
    own = _own_names(element).get(f"name_{labels.language()}")
    return own or labels.text(name)


def localised(xml: str | bytes) -> bytes:
    """The diagram with every name in the reader's language (English: unchanged)."""
    data = xml.encode() if isinstance(xml, str) else xml
    if labels.language() == "en":
        return data
    root = etree.fromstring(data, _PARSER)
    for element in root.iter(f"{{{BPMN}}}*"):
        if element.get("name"):
            element.set("name", _words(element))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
