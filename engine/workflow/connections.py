"""Lint rules a designer trips over in the modeler: elements a case can never reach or never
leave, and plain Tasks where a person's task was meant.

Why errors, not warnings (the protective reading):

- **Unreachable** (no incoming sequence flow where one is needed): the element never runs, so a
  task the designer put there to guard a right (a custody decision, an explanation of rights)
  silently does not exist for any case.
- **Dead end** (no outgoing flow where one is needed): SpiffWorkflow ends the path there as if
  it were an end event, but the deploy-time proof (``engine.domain.proof``) only treats end
  events as ends; a case stopping at a task without an end event could close while a detention
  episode is open, unseen by the proof.
- **Plain Task** (``bpmn:task``, no type): the engine completes it at once, with nobody acting,
  no stage entered and no right checked.  A designer who drew a Task for "the judge decides" and
  forgot to make it a user task would deploy an act that happens by itself.

Exempt, as BPMN intends: start events, boundary events, event subprocesses, compensation
handlers and link catch events need no incoming flow; end events, event subprocesses,
compensation handlers and link throw events need no outgoing flow; the children of an ad-hoc
subprocess need no flows at all.  Only executable processes are read: the others never run.
"""
from dataclasses import dataclass

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}

# every BPMN flow node kind (the graph, the diff and the lint rules read the same list)
FLOW_NODES = frozenset((
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"))
CONTAINERS = frozenset(("process", "subProcess", "transaction"))

UNREACHABLE, DEAD_END, UNTYPED_TASK = "unreachable", "dead_end", "untyped_task"


@dataclass(frozen=True)
class Finding:
    rule: str        # unreachable | dead_end | untyped_task
    element: str
    name: str        # the element's name as drawn ("" when it has none)

    @property
    def message(self) -> str:
        return MESSAGES[self.rule]


MESSAGES = {
    UNREACHABLE: "nothing leads to this element: no sequence flow comes into it, so no case can ever "
                 "reach it (connect a flow into it, or remove it)",
    DEAD_END: "nothing leaves this element: no sequence flow goes out of it, so a case that reaches it "
              "stops there without an end event (connect it onwards, or end the path with an end event)",
    UNTYPED_TASK: "a plain Task (no type) is completed by the engine at once: nobody acts on it, no stage "
                  "is entered and no right is checked there (make it a user task with a lane and a stage "
                  "if a person acts, or a script task if the system does)",
}


def check(root) -> list[Finding]:
    """Every finding over the executable processes of the document, in document order."""
    findings: list[Finding] = []
    for process in root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS):
        _container(process, findings)
    return findings


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _container(container, findings: list[Finding]) -> None:
    children = [c for c in container if isinstance(c.tag, str)]
    flows = [c for c in children if _local(c) == "sequenceFlow"]
    incoming = {f.get("targetRef") for f in flows}
    outgoing = {f.get("sourceRef") for f in flows}
    adhoc = _local(container) == "adHocSubProcess"
    for node in children:
        kind, node_id = _local(node), node.get("id")
        if kind not in FLOW_NODES or not node_id:
            continue
        name = (node.get("name") or "").strip()
        if kind == "task":
            findings.append(Finding(UNTYPED_TASK, node_id, name))
        if not adhoc:
            if _needs_incoming(node, kind) and node_id not in incoming:
                findings.append(Finding(UNREACHABLE, node_id, name))
            if _needs_outgoing(node, kind) and node_id not in outgoing:
                findings.append(Finding(DEAD_END, node_id, name))
        if kind in CONTAINERS or kind == "adHocSubProcess":
            _container(node, findings)


def _has(node, definition: str) -> bool:
    return node.find(f"{{{BPMN_NS}}}{definition}") is not None


def _event_sub(node, kind) -> bool:
    return kind in ("subProcess", "transaction", "adHocSubProcess") and node.get("triggeredByEvent") == "true"


def _needs_incoming(node, kind: str) -> bool:
    if kind in ("startEvent", "boundaryEvent") or _event_sub(node, kind):
        return False
    if node.get("isForCompensation") == "true":
        return False
    return not (kind == "intermediateCatchEvent" and _has(node, "linkEventDefinition"))


def _needs_outgoing(node, kind: str) -> bool:
    if kind == "endEvent" or _event_sub(node, kind) or node.get("isForCompensation") == "true":
        return False
    if kind == "boundaryEvent" and _has(node, "compensateEventDefinition"):
        return False
    return not (kind == "intermediateThrowEvent" and _has(node, "linkEventDefinition"))
