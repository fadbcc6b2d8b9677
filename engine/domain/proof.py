"""The deploy-time proof that a diagram cannot leave a right unguarded, on a small graph.

``engine.workflow.graph`` reads a BPMN document into a ``Graph``: flow nodes (id, type, act kind,
stage, lane, the checkpoints a task records or adds, what it does to the detention flag) and the
flows between them, with embedded subprocesses expanded (entering one goes to its start event,
its end events go on along the subprocess's outgoing flows, a boundary event can be reached from
anything inside what it is attached to).  This module proves two things over every path:

**Detention dead end.**  No end event is reachable while a detention episode is open: every path
from an apprehension reaches a custody decision or a release first.  Gateways are read as a
choice, except where a flow tests the detention flag (``detained``, which the engine clears when
anyone records a release beside the diagram, and which scripts and forms may set): a path is only
followed where the flag it carries lets it through.  So ``detained == True`` leads to the judge,
and its default flow is taken only after a release; a script that clears the flag while the
person is held opens a path to the end, which the proof finds.  While a user task waits, a
release may always be recorded beside the diagram (``procedure.release``).  Parallel branches are
checked as separate paths (each must close the episode itself), and every end event counts as an
end of the case.

**Evidence reachable.**  Every path into an act guarded by a blocking right passes a point where
that right's evidence can be recorded: the act's own form records it (``evidence`` property), or
a user task before it on the path sits in a lane whose role may record evidence (everyone who
acts on a case except the defence).  Otherwise the case would arrive at an act nobody could let
through.

Both are breadth-first walks over (node, small state) pairs, so loops are visited once per state
and the cost is linear in the size of the diagram.  A finding names the path as element ids.
"""
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property

from . import acts, catalogue, roles
from .guarding import Guarded, guards_of
from .rights import FailureClass

DETENTION_FLAG = "detained"   # the workflow variable the engine clears on a release
UNKNOWN = "unknown"           # a flag value no static reading can tell

START, END, USER_TASK = "startEvent", "endEvent", "userTask"
# Roles who may record evidence through the API beside the diagram (the defence never does).
EVIDENCE_RECORDERS = roles.CASE_ACTORS - {roles.DEFENCE}
BLOCKING = frozenset(cp.id for cp in catalogue.CATALOGUE.values() if cp.failure is FailureClass.BLOCK)


@dataclass(frozen=True)
class Node:
    """A flow node as the proof sees it.  ``type`` is the BPMN local name; an end event inside a
    subprocess is ``subprocessEnd`` (it goes on in the parent), not an end of the case."""

    id: str
    type: str
    act: str | None = None
    stage: str | None = None
    lane: str | None = None
    records: frozenset[str] = frozenset()       # checkpoints whose evidence its own form records
    checkpoints: tuple[str, ...] = ()           # checkpoints the diagram adds
    sets_flag: bool | str | None = None         # True, False, UNKNOWN, or None: leaves it alone
    waits: bool = False                         # a wait state: people act beside the diagram meanwhile

    @cached_property
    def guards(self) -> frozenset[str]:
        return guards_of(Guarded(self.id, self.act, self.stage, self.checkpoints))


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    needs_flag: bool | None = None   # taken only when the detention flag is True / False
    flow: str | None = None          # the sequence flow it stands for, to show on the diagram


@dataclass(frozen=True)
class Graph:
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    starts: tuple[str, ...]
    successors: dict[str, list[Edge]] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        successors: dict[str, list[Edge]] = {}
        for edge in self.edges:
            successors.setdefault(edge.source, []).append(edge)
        object.__setattr__(self, "successors", successors)


@dataclass(frozen=True)
class Finding:
    rule: str                 # detention_dead_end | evidence_unreachable
    element: str              # the element a designer should look at
    message: str
    path: tuple[str, ...]     # element ids, in order
    flows: tuple[str, ...] = ()  # the sequence flows between them

    def to_problem(self) -> dict:
        return {"element": self.element, "message": self.message, "severity": "error",
                "rule": self.rule, "path": list(self.path), "flows": list(self.flows)}


def prove(graph: Graph) -> list[Finding]:
    """Every way the diagram could leave a right unguarded (empty when it cannot)."""
    return detention_dead_ends(graph) + unreachable_evidence(graph)


# ---------------------------------------------------------------- detention episodes

# A state is (episode open?, detention flag: True, False or UNKNOWN).
_START_STATE = (False, UNKNOWN)   # the opening data may say anything about the flag


def detention_dead_ends(graph: Graph) -> list[Finding]:
    """End events reachable with a detention episode open, each with the path from the
    apprehension that opened it."""
    parent: dict[tuple, tuple | None] = {}   # (node, state) -> ((node, state) before it, flow id)
    queue: deque = deque()
    for start in graph.starts:
        _visit(parent, queue, (start, _START_STATE), None)
    findings: dict[str, Finding] = {}
    while queue:
        key = queue.popleft()
        node_id, state = key
        node = graph.nodes[node_id]
        if node.type == END:
            if state[0] and node_id not in findings:
                findings[node_id] = _dead_end(graph, *_path(parent, key, lambda k: k[0]))
            continue
        for after in _through(node, state):
            for edge in graph.successors.get(node_id, ()):
                flag = _crossing(edge, after[1])
                if flag is not None:
                    _visit(parent, queue, (edge.target, (after[0], flag)), (key, edge.flow))
    return [findings[k] for k in sorted(findings)]


def _visit(parent, queue, key, came_from) -> None:
    if key not in parent:
        parent[key] = came_from
        queue.append(key)


def _through(node: Node, state: tuple) -> set[tuple]:
    """The states after a node: its scripts and form, then its act; while it waits, a release
    may be recorded beside the diagram."""
    before = {state}
    if node.waits and (state[0] or state[1] is not False):
        before.add((False, False))
    out = set()
    for held, flag in before:
        if node.sets_flag is not None:
            flag = node.sets_flag
        if node.act == acts.ActKind.APPREHENSION:
            held = True
        elif node.act == acts.ActKind.RELEASE:
            held, flag = False, False
        elif node.act == acts.ActKind.CUSTODY_DECISION:  # custody or bail keep the flag; release clears it
            out.add((False, False))
            held = False
        out.add((held, flag))
    return out


def _crossing(edge: Edge, flag):
    """The flag after crossing the edge, or None when the edge cannot be taken with it."""
    if edge.needs_flag is None:
        return flag
    if flag is UNKNOWN or flag == edge.needs_flag:
        return edge.needs_flag
    return None


def _path(parent: dict, key, node_of) -> tuple[tuple[str, ...], tuple]:
    """The nodes from a start to ``key``, and the flow taken into each (None for the first)."""
    nodes, flows = [], []
    while key is not None:
        nodes.append(node_of(key))
        before = parent[key]
        flows.append(before[1] if before else None)
        key = before[0] if before else None
    return tuple(reversed(nodes)), tuple(reversed(flows))


def _dead_end(graph: Graph, path: tuple[str, ...], flows: tuple) -> Finding:
    apprehended = max((i for i, n in enumerate(path) if graph.nodes[n].act == acts.ActKind.APPREHENSION),
                      default=0)
    path, flows = path[apprehended:], tuple(f for f in flows[apprehended + 1:] if f)
    return Finding("detention_dead_end", path[-1],
                   f"the case can end here while the person is held: from the apprehension '{path[0]}' a path of "
                   f"{len(path)} elements reaches this end event with no custody decision or release on the way "
                   "(route it to the judge's custody decision or to a release task)", path, flows)


# ---------------------------------------------------------------- evidence

def unreachable_evidence(graph: Graph) -> list[Finding]:
    """Acts guarded by a blocking right that some path reaches with no point before it where
    that right's evidence can be recorded, one finding per act."""
    missing: dict[str, list[str]] = {}
    paths: dict[str, tuple] = {}
    wanted = sorted({c for node in graph.nodes.values() for c in node.guards & BLOCKING})
    for checkpoint in wanted:
        parent: dict[str, tuple | None] = {}   # node -> (node before it, flow id)
        queue: deque = deque()
        for start in graph.starts:
            if start not in parent:
                parent[start] = None
                queue.append(start)
        while queue:
            node_id = queue.popleft()
            node = graph.nodes[node_id]
            if checkpoint in node.guards and checkpoint not in node.records:
                missing.setdefault(node_id, []).append(checkpoint)
                paths.setdefault(node_id, _path(parent, node_id, lambda k: k))
            if _records(node, checkpoint):
                continue
            for edge in graph.successors.get(node_id, ()):
                if edge.target not in parent:
                    parent[edge.target] = (node_id, edge.flow)
                    queue.append(edge.target)
    return [Finding("evidence_unreachable", node_id,
                    f"no point before this act where the evidence of {', '.join(missing[node_id])} can be "
                    f"recorded: on a path from the start no earlier user task is in a lane that records "
                    f"evidence ({', '.join(sorted(EVIDENCE_RECORDERS))}) and the act's own form does not record "
                    "it (add it to the 'evidence' property, or put such a task before it)",
                    paths[node_id][0], tuple(f for f in paths[node_id][1] if f))
            for node_id in sorted(missing)]


def _records(node: Node, checkpoint: str) -> bool:
    """A point where the checkpoint's evidence can be recorded, for the acts after it."""
    return node.type == USER_TASK and (checkpoint in node.records or node.lane in EVIDENCE_RECORDERS)
