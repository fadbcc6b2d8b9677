"""The BPMN document as the small graph ``engine.domain.proof`` reasons on.

Embedded subprocesses are expanded: the subprocess node leads to its start events, and its end
events (typed ``subprocessEnd``) lead on along the subprocess's outgoing flows.  A boundary event
is reachable from the activity it is attached to and, for a subprocess, from everything inside
it; an event subprocess from everything in the container it sits in.  A call activity is a
pass-through node (the called process is checked when it is deployed).

What the proof needs of scripts, forms and conditions is only what they do to the detention flag
(``detained``): Python's ``ast`` reads it here, so the domain stays free of BPMN and Python text.
"""
import ast
import json

from lxml import etree

from engine.domain.guarding import Guarded
from engine.domain.proof import DETENTION_FLAG, END, UNKNOWN, USER_TASK, Edge, Graph, Node

from .bpmn_xml import BPMN_NS, NS, _lane_of, _lanes_by_node, _properties
from .connections import FLOW_NODES

SUBPROCESSES = frozenset(("subProcess", "transaction", "adHocSubProcess"))
WAITING = frozenset(("userTask", "manualTask", "receiveTask", "intermediateCatchEvent"))


def main_process(root):
    """The first executable process of the document (None when there is none)."""
    return root.find("./bpmn:process[@isExecutable='true']", namespaces=NS)


def extract(root) -> Graph:
    """The proof's graph of the document's executable process."""
    process = main_process(root)
    if process is None:
        return Graph({}, (), ())
    builder = _Builder(_lanes_by_node(root))
    starts = builder.container(process, top=True)
    return Graph(builder.nodes, tuple(builder.edges), tuple(starts))


def guarded_elements(root) -> dict[str, Guarded]:
    """Every user task of the executable process with what decides its guard, by id."""
    graph = extract(root)
    return {n.id: Guarded(n.id, n.act, n.stage, n.checkpoints)
            for n in graph.nodes.values() if n.type == USER_TASK}


class _Builder:
    def __init__(self, lanes: dict):
        self.lanes = lanes
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []

    def container(self, element, top: bool) -> list[str]:
        """Add the flow nodes and flows directly in ``element``; returns its (plain) start events."""
        starts, inside, ends, event_subs = [], [], [], []
        for child in element:
            if not isinstance(child.tag, str) or not child.get("id"):
                continue
            local = etree.QName(child).localname
            if local not in FLOW_NODES:
                continue
            node_id = child.get("id")
            if local in SUBPROCESSES and child.get("triggeredByEvent") == "true":
                event_subs.append(child)
                continue
            node = self._node(child, local, top)
            self.nodes[node_id] = node
            inside.append(node_id)
            if local == "startEvent":
                starts.append(node_id)
            elif node.type == "subprocessEnd":
                ends.append(node_id)
            if local in SUBPROCESSES:
                for inner in self.container(child, top=False):
                    self.edges.append(Edge(node_id, inner))
        self._flows(element)
        self._boundaries(element)
        for sub in event_subs:
            for inner in self.container(sub, top=top):
                self.edges.extend(Edge(node_id, inner) for node_id in inside)
        return starts

    def _node(self, element, local: str, top: bool) -> Node:
        props = _properties(element)
        kind = "subprocessEnd" if local == END and not top else local
        effect = _combine(*(_script_effect(text) for text in _scripts(element)),
                          UNKNOWN if local == USER_TASK and _form_sets_flag(props.get("form")) else None)
        return Node(id=element.get("id"), type=kind, act=(props.get("act") or "").strip() or None,
                    stage=props.get("stage") or None, lane=_lane_of(element, self.lanes),
                    records=frozenset(_ids(props.get("evidence"))), checkpoints=tuple(_ids(props.get("checkpoints"))),
                    sets_flag=effect, waits=local in WAITING)

    def _flows(self, element) -> None:
        flows = [f for f in element if isinstance(f.tag, str) and f.tag == f"{{{BPMN_NS}}}sequenceFlow"]
        tests = {f.get("id"): _condition_test(f) for f in flows}
        exact = {f.get("id"): _condition_test(f, exact=True) for f in flows}
        defaults = {node.get("default") for node in element if isinstance(node.tag, str) and node.get("default")}
        outgoing: dict[str, list[Edge]] = {}
        for flow in flows:
            needs = tests[flow.get("id")]
            if flow.get("id") in defaults:
                siblings = {exact[f.get("id")] for f in flows
                            if f.get("sourceRef") == flow.get("sourceRef") and f is not flow} - {None}
                needs = (not siblings.pop()) if len(siblings) == 1 else None
            edge = Edge(flow.get("sourceRef"), flow.get("targetRef"), needs, flow.get("id"))
            self.edges.append(edge)
            outgoing.setdefault(edge.source, []).append(edge)
        for sub in element:
            if isinstance(sub.tag, str) and etree.QName(sub).localname in SUBPROCESSES \
                    and sub.get("triggeredByEvent") != "true":
                for end in _inner_ends(sub):
                    self.edges.extend(Edge(end, e.target, e.needs_flag, e.flow) for e in outgoing.get(sub.get("id"), ()))

    def _boundaries(self, element) -> None:
        for boundary in element.findall(f"./{{{BPMN_NS}}}boundaryEvent"):
            attached = boundary.get("attachedToRef")
            host = next((n for n in element if isinstance(n.tag, str) and n.get("id") == attached), None)
            sources = [attached]
            if host is not None and etree.QName(host).localname in SUBPROCESSES:
                sources += [n.get("id") for n in host.iter() if n is not host and isinstance(n.tag, str)
                            and etree.QName(n).localname in FLOW_NODES and n.get("id")]
            self.edges.extend(Edge(s, boundary.get("id")) for s in sources)


def _inner_ends(sub) -> list[str]:
    """End events after which the case goes on past the subprocess: its own, and those of the
    event subprocesses inside it (an interrupting one ends the subprocess too)."""
    ends = [e.get("id") for e in sub.findall(f"./{{{BPMN_NS}}}endEvent") if e.get("id")]
    for child in sub:
        if isinstance(child.tag, str) and etree.QName(child).localname in SUBPROCESSES \
                and child.get("triggeredByEvent") == "true":
            ends += [e.get("id") for e in child.findall(f"./{{{BPMN_NS}}}endEvent") if e.get("id")]
    return ends


def _ids(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _scripts(element) -> list[str]:
    """Pre-script, script, post-script, in the order they run."""
    found = []
    for path in ("./bpmn:extensionElements/spiffworkflow:preScript", "./bpmn:script",
                 "./bpmn:extensionElements/spiffworkflow:postScript"):
        found += [(node.text or "") for node in element.xpath(path, namespaces=NS)]
    return found


def _combine(*effects):
    """The effect of several writes in order: the last one that touches the flag."""
    out = None
    for effect in effects:
        if effect is not None:
            out = effect
    return out


def _form_sets_flag(raw: str | None) -> bool:
    try:
        fields = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return False
    return isinstance(fields, list) and any(isinstance(f, dict) and f.get("name") == DETENTION_FLAG for f in fields)


def _script_effect(source: str):
    """What a script does to the flag: None (nothing), True or False (a plain top-level
    assignment of that constant, the only write), or UNKNOWN (anything else that writes it)."""
    if DETENTION_FLAG not in source:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return UNKNOWN
    writes = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == DETENTION_FLAG
              and isinstance(n.ctx, (ast.Store, ast.Del))]
    writes += [n for n in ast.walk(tree) if isinstance(n, (ast.Global, ast.Nonlocal)) and DETENTION_FLAG in n.names]
    if not writes:
        return None
    plain = [s for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
             and isinstance(s.targets[0], ast.Name) and s.targets[0].id == DETENTION_FLAG
             and isinstance(s.value, ast.Constant) and isinstance(s.value.value, bool)]
    if len(writes) == 1 and len(plain) == 1:
        return plain[0].value.value
    return UNKNOWN


def _condition_test(flow, exact: bool = False):
    """True or False when the flow's condition means (``exact``) or implies that the flag has
    that value; None when it says nothing about it."""
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    if condition is None or not (condition.text or "").strip():
        return None
    try:
        tree = ast.parse(condition.text.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _exact(tree) if exact else _implied(tree)


def _exact(node):
    if isinstance(node, ast.Name) and node.id == DETENTION_FLAG:
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _exact(node.operand)
        return None if inner is None else not inner
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name) \
            and node.left.id == DETENTION_FLAG and isinstance(node.comparators[0], ast.Constant) \
            and isinstance(node.comparators[0].value, bool):
        value, op = node.comparators[0].value, node.ops[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            return value
        if isinstance(op, (ast.NotEq, ast.IsNot)):
            return not value
    return None


def _implied(node):
    found = _exact(node)
    if found is None and isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:
            found = _implied(value)
            if found is not None:
                break
    return found
