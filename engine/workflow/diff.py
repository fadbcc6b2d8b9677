"""What changed between two versions of a process model, in a designer's words.

Why: a designer about to deploy, or a supervisor asked to migrate running cases, needs to see
what a new version does differently: which tasks appeared or went, which were renamed, which
now enter another stage, ask for other checkpoints or evidence, carry another form or belong to
another role (lane), and how the flows between them changed.  The comparison is structural, by
element id, over the BPMN documents themselves (parsed safely, like every upload): a layout
change alone is no change.
"""
import json
from dataclasses import dataclass, field

from lxml import etree

from .bpmn_xml import BPMN_NS, NS, parse_xml_safely
from .connections import FLOW_NODES

LIST_PROPERTIES = ("checkpoints", "evidence")  # comma-separated checkpoint ids
FORM_FIELD_KEYS = ("type", "required", "label", "help", "choices")


@dataclass(frozen=True)
class Element:
    """A flow node as a designer sees it: kind, name, lane (the role), properties, scripts."""

    id: str
    kind: str
    name: str
    lane: str | None
    properties: dict = field(default_factory=dict)
    instructions: str = ""
    scripts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"'{self.name}'" if self.name else self.id


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str
    condition: str
    default: bool


@dataclass(frozen=True)
class Outline:
    process_id: str | None
    elements: dict[str, Element]
    flows: dict[str, Flow]


@dataclass(frozen=True)
class Change:
    """One difference: ``action`` added/removed/renamed/changed, on a ``subject`` (task, flow...)."""

    action: str
    subject: str
    element: str
    message: str

    def to_dict(self) -> dict:
        return {"action": self.action, "subject": self.subject, "element": self.element, "message": self.message}


# ---------------------------------------------------------------- reading a document

def outline(xml: bytes | str) -> Outline:
    """The elements and flows of a BPMN document (InvalidBpmn for hostile or broken XML)."""
    root = parse_xml_safely(xml)
    lanes = {ref.text.strip(): ref.getparent().get("name")
             for ref in root.iter(f"{{{BPMN_NS}}}flowNodeRef") if ref.text and ref.text.strip()}
    elements, flows = {}, {}
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        local = etree.QName(node).localname
        if local in FLOW_NODES and node.get("id"):
            elements[node.get("id")] = _element(node, local, lanes)
    defaults = {node.get("default") for node in root.iter() if isinstance(node.tag, str) and node.get("default")}
    for node in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = node.find(f"{{{BPMN_NS}}}conditionExpression")
        flows[node.get("id")] = Flow(node.get("id"), node.get("sourceRef"), node.get("targetRef"),
                                     node.get("name") or "", (condition.text or "").strip() if condition is not None else "",
                                     node.get("id") in defaults)
    process = root.find("./bpmn:process[@isExecutable='true']", namespaces=NS)
    return Outline(process.get("id") if process is not None else None, elements, flows)


def _element(node, local: str, lanes: dict) -> Element:
    props = {p.get("name"): p.get("value", "") for p in node.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties//spiffworkflow:property", namespaces=NS) if p.get("name")}
    instructions = node.xpath("string(./bpmn:extensionElements/spiffworkflow:instructionsForEndUser)", namespaces=NS)
    scripts = tuple((s.text or "").strip() for s in node.xpath(
        "./bpmn:script | ./bpmn:extensionElements/spiffworkflow:preScript"
        " | ./bpmn:extensionElements/spiffworkflow:postScript", namespaces=NS))
    return Element(node.get("id"), local, (node.get("name") or "").strip(), lanes.get(node.get("id")), props,
                   instructions.strip(), scripts)


# ---------------------------------------------------------------- comparing

def diff(old_xml: bytes | str, new_xml: bytes | str) -> list[Change]:
    """Every change from ``old_xml`` to ``new_xml``: elements first, then flows."""
    old, new = outline(old_xml), outline(new_xml)
    return _element_changes(old, new) + _flow_changes(old, new)


def _subject(element: Element) -> str:
    if element.kind.endswith("Gateway"):
        return "gateway"
    if element.kind.endswith("Event"):
        return "event"
    if element.kind in ("subProcess", "transaction", "adHocSubProcess", "callActivity"):
        return "subprocess"
    return "task"


def _element_changes(old: Outline, new: Outline) -> list[Change]:
    changes = []
    for element_id, element in new.elements.items():
        if element_id not in old.elements:
            stage = element.properties.get("stage")
            extra = f" (stage {stage})" if stage else ""
            changes.append(Change("added", _subject(element), element_id,
                                  f"{_subject(element).capitalize()} {element.label} added{extra}"))
    for element_id, element in old.elements.items():
        if element_id not in new.elements:
            changes.append(Change("removed", _subject(element), element_id,
                                  f"{_subject(element).capitalize()} {element.label} removed"))
    for element_id, before in old.elements.items():
        after = new.elements.get(element_id)
        if after is not None:
            changes += _changed(before, after)
    return changes


def _changed(before: Element, after: Element) -> list[Change]:
    subject, element_id, changes = _subject(after), after.id, []

    def note(action: str, message: str) -> None:
        changes.append(Change(action, subject, element_id, message))

    if before.name != after.name:
        note("renamed", f"{subject.capitalize()} {element_id} renamed from '{before.name}' to '{after.name}'")
    if before.kind != after.kind:
        note("changed", f"{after.label} is now a {after.kind} (was a {before.kind})")
    if before.lane != after.lane:
        note("changed", f"{after.label} moved from lane {before.lane or 'none'} to {after.lane or 'none'} "
                        "(the role that completes it)")
    for message in _property_changes(before.properties, after.properties):
        note("changed", f"{after.label}: {message}")
    if before.instructions != after.instructions:
        note("changed", f"{after.label}: instructions for the user changed")
    if before.scripts != after.scripts:
        note("changed", f"{after.label}: script changed")
    return changes


def _property_changes(before: dict, after: dict) -> list[str]:
    messages = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name == "form":
            messages += _form_changes(old, new)
        elif name in LIST_PROPERTIES:
            messages += _list_changes(name, old, new)
        elif old is None:
            messages.append(f"{name} set to '{new}'")
        elif new is None:
            messages.append(f"{name} '{old}' removed")
        else:
            messages.append(f"{name} changed from '{old}' to '{new}'")
    return messages


def ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _list_changes(name: str, old: str | None, new: str | None) -> list[str]:
    before, after = ids(old), ids(new)
    added = [c for c in after if c not in before]
    removed = [c for c in before if c not in after]
    messages = []
    if added:
        messages.append(f"{name} added: {', '.join(added)}")
    if removed:
        messages.append(f"{name} removed: {', '.join(removed)}")
    return messages


def form_fields(text: str | None) -> dict[str, dict] | None:
    """The form's fields by name, or None when the form is not a JSON list of named fields."""
    try:
        fields = json.loads(text or "[]")
    except json.JSONDecodeError:
        return None
    if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
        return None
    return {str(f["name"]): f for f in fields}


def _form_changes(old: str | None, new: str | None) -> list[str]:
    before, after = form_fields(old), form_fields(new)
    if before is None or after is None:
        return ["form changed"]
    messages = [f"form field '{name}' added" for name in after if name not in before]
    messages += [f"form field '{name}' removed" for name in before if name not in after]
    for name, field_before in before.items():
        field_after = after.get(name)
        if field_after is None:
            continue
        keys = [key for key in FORM_FIELD_KEYS if field_before.get(key) != field_after.get(key)]
        if keys:
            messages.append(f"form field '{name}' changed ({', '.join(keys)})")
    if not messages and list(before) != list(after):
        messages.append("form fields reordered")
    return messages


def _flow_name(flow: Flow, outline_: Outline) -> str:
    def name(element_id):
        element = outline_.elements.get(element_id)
        return element.label if element is not None else element_id
    return f"{name(flow.source)} → {name(flow.target)}"


def _flow_changes(old: Outline, new: Outline) -> list[Change]:
    changes = []
    for flow_id, flow in new.flows.items():
        if flow_id not in old.flows:
            condition = f" when {flow.condition}" if flow.condition else ""
            changes.append(Change("added", "flow", flow_id, f"Flow {_flow_name(flow, new)} added{condition}"))
    for flow_id, flow in old.flows.items():
        if flow_id not in new.flows:
            changes.append(Change("removed", "flow", flow_id, f"Flow {_flow_name(flow, old)} removed"))
    for flow_id, before in old.flows.items():
        after = new.flows.get(flow_id)
        if after is None:
            continue
        if (before.source, before.target) != (after.source, after.target):
            changes.append(Change("changed", "flow", flow_id, f"Flow {flow_id} now runs {_flow_name(after, new)} "
                                                              f"(was {_flow_name(before, old)})"))
        if before.condition != after.condition:
            changes.append(Change("changed", "flow", flow_id, f"Flow {_flow_name(after, new)}: condition changed from "
                                                              f"'{before.condition or 'none'}' to '{after.condition or 'none'}'"))
        if before.default != after.default:
            state = "is now" if after.default else "is no longer"
            changes.append(Change("changed", "flow", flow_id, f"Flow {_flow_name(after, new)} {state} the default"))
        if before.name != after.name:
            changes.append(Change("renamed", "flow", flow_id, f"Flow {flow_id} renamed from '{before.name}' to '{after.name}'"))
    return changes
