"""Reading an uploaded BPMN document safely, and the deploy-time lint.

Why: a BPMN upload is hostile input (Camunda 7 shipped XML external-entity holes in its upload),
so it is parsed with entities, DTDs and network access off and a size limit, and any DOCTYPE is
refused outright. SpiffWorkflow checks neither scripts nor our extensions at parse time, so the
lint compiles every script and expression with the sandbox and checks the stage, lane, form and
checkpoint declarations the engine relies on, naming the element of each problem.
"""
import json
import re
from dataclasses import dataclass

from lxml import etree

from engine.domain.errors import InvalidBpmn
from engine.domain.forms import FormField
from engine.workflow import connections
from engine.workflow.connections import BPMN_NS
from engine.workflow.sandbox import ScriptRejected, compile_expression, compile_script

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
DEFINITIONS = f"{{{BPMN_NS}}}definitions"
MAX_BYTES = 2_000_000

# Containers whose children SpiffWorkflow parses as a nested process inheriting the container's lane.
_SUBPROCESS_TAGS = frozenset(f"{{{BPMN_NS}}}{t}" for t in ("subProcess", "transaction", "adHocSubProcess"))
# An unquoted ISO 8601 literal: a Python name (PT48H) or arithmetic (2024-01-01), never what was meant.
_BARE_ISO = re.compile(r"^(R\d*/|P(\d|T\d)|\d{4}-\d{2}-\d{2})")


# ---------------------------------------------------------------- parsing

def _refuse(message: str) -> InvalidBpmn:
    return InvalidBpmn(message, problems=[{"element": None, "message": message}])


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def parse_xml_safely(data: bytes | str, max_bytes: int = MAX_BYTES):
    """The root element of a BPMN 2.0 document, or InvalidBpmn; never reads a file or the network.

    A document with any DOCTYPE is refused: BPMN needs none, and it is where entity and external
    DTD attacks live. The text is checked before parsing, the parsed document again after.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise _refuse(f"document too large: {len(raw)} bytes (limit {max_bytes})")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise _refuse("DTD and entity declarations are not allowed in a BPMN document")
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as err:
        raise _refuse(f"not XML: {err}") from None
    except ValueError as err:  # e.g. an empty document
        raise _refuse(f"not XML: {err}") from None
    if root is None:
        raise _refuse("not XML: empty document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse("DTD and entity declarations are not allowed in a BPMN document")
    if root.tag != DEFINITIONS:
        raise _refuse(f"not BPMN 2.0: root element is {root.tag}, expected {DEFINITIONS}")
    return root


# ---------------------------------------------------------------- lint

@dataclass(frozen=True)
class Problem:
    element: str | None
    message: str
    severity: str  # "error" | "warning"
    rule: str | None = None  # a named rule (engine.workflow.connections), for the modeler's words

    def to_dict(self) -> dict:
        out = {"element": self.element, "message": self.message, "severity": self.severity}
        if self.rule:
            out["rule"] = self.rule
        return out


def _error(element, message) -> Problem:
    return Problem(element, message, "error")


def _warning(element, message) -> Problem:
    return Problem(element, message, "warning")


def _properties(node) -> dict[str, str]:
    """The spiffworkflow properties declared on one element (as SpiffWorkflow reads them)."""
    found = node.xpath("./bpmn:extensionElements/spiffworkflow:properties//spiffworkflow:property",
                       namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in found if p.get("name")}


def _owner(node) -> str | None:
    """Id of the flow element a child belongs to: a condition's flow, a timer's event, a script's task.

    Event definitions and loop characteristics carry ids of their own; problems name the element
    a designer clicks on instead.
    """
    node = node.getparent()
    while node is not None:
        local = etree.QName(node).localname
        if node.get("id") and not local.endswith(("EventDefinition", "LoopCharacteristics")):
            return node.get("id")
        node = node.getparent()
    return None


def _known(values) -> str:
    return ", ".join(sorted(values)) or "none"


def lint(root, known_stages: frozenset[str], known_checkpoints: frozenset[str],
         known_acts: frozenset[str] | None = None) -> list[Problem]:
    """Every problem that should stop (errors) or worry (warnings) a deploy of this document.

    With ``known_acts``, a process whose user tasks carry stages (the criminal procedure) must
    type every user task with a known act kind: rights bind to the act, whatever its stage.
    """
    problems: list[Problem] = []
    if not root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS):
        problems.append(_error(None, "no executable process"))
    lanes = _lanes_by_node(root)
    tasks = list(root.iter(f"{{{BPMN_NS}}}userTask"))
    for task in tasks:
        problems += _lint_user_task(task, lanes, known_stages)
    if known_acts is not None:
        problems += _lint_acts(tasks, known_acts)
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id"):
            problems += _lint_properties(node, known_stages, known_checkpoints)
    problems += _lint_scripts(root)
    problems += _lint_expressions(root)
    problems += _lint_gateways(root)
    problems += [Problem(f.element, f.message, "error", f.rule) for f in connections.check(root)]
    return problems


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def raise_on_errors(problems: list[Problem]) -> list[Problem]:
    """Raise InvalidBpmn listing every error; otherwise return the warnings."""
    errors = errors_only(problems)
    if errors:
        raise InvalidBpmn(f"the process model has {len(errors)} error(s)",
                          problems=[p.to_dict() for p in errors])
    return [p for p in problems if p.severity != "error"]


def _lanes_by_node(root) -> dict[str, str | None]:
    """flowNodeRef id -> lane name, over the whole document, as SpiffWorkflow's parser builds it."""
    return {ref.text.strip(): ref.getparent().get("name")
            for ref in root.iter(f"{{{BPMN_NS}}}flowNodeRef") if ref.text and ref.text.strip()}


def _lane_of(node, lanes) -> str | None:
    """The lane SpiffWorkflow gives a node: its enclosing subprocess's lane if that has one, else its own."""
    parent = node.getparent()
    while parent is not None and parent.tag not in _SUBPROCESS_TAGS:
        parent = parent.getparent()
    if parent is not None:
        inherited = _lane_of(parent, lanes)
        if inherited:
            return inherited
    return lanes.get(node.get("id"))


def _lint_user_task(task, lanes, known_stages) -> list[Problem]:
    task_id, props, problems = task.get("id"), _properties(task), []
    if not props.get("stage"):
        problems.append(_error(task_id, "user task declares no stage "
                                        f"(property 'stage', one of: {_known(known_stages)})"))
    if not _lane_of(task, lanes):
        problems.append(_error(task_id, "user task is not in a named lane (the lane name is the role "
                                        "allowed to complete it)"))
    problems += [_error(task_id, message) for message in _form_problems(props.get("form"))]
    return problems


def _lint_acts(tasks, known_acts: frozenset[str]) -> list[Problem]:
    """Every user task of a staged process names its act kind (property 'act')."""
    staged = any(_properties(t).get("stage") for t in tasks)
    problems = []
    for task in tasks:
        act = (_properties(task).get("act") or "").strip()
        if act and act not in known_acts:
            problems.append(_error(task.get("id"), f"unknown act '{act}' (known acts: {_known(known_acts)})"))
        elif not act and staged:
            problems.append(_error(task.get("id"), "user task declares no act kind (property 'act', one of: "
                                                   f"{_known(known_acts)}): rights bind to the act"))
    return problems


def _form_problems(raw: str | None) -> list[str]:
    if raw is None or not raw.strip():
        return ["missing form (property 'form': a JSON list of fields)"]
    try:
        fields = json.loads(raw)
    except json.JSONDecodeError as err:
        return [f"form is not valid JSON: {err}"]
    if not isinstance(fields, list):
        return ["form must be a JSON list of fields"]
    problems, seen = [], set()
    for raw_field in fields:
        try:
            name = FormField.from_dict(raw_field).name
        except ValueError as err:
            problems.append(f"form: {err}")
            continue
        if name in seen:
            problems.append(f"form: field '{name}' is declared twice")
        seen.add(name)
    return problems


def _lint_properties(node, known_stages, known_checkpoints) -> list[Problem]:
    props, node_id, problems = _properties(node), node.get("id"), []
    stage = props.get("stage")
    if stage and stage not in known_stages:
        problems.append(_error(node_id, f"unknown stage '{stage}' (known stages: {_known(known_stages)})"))
    named = [c.strip() for c in props.get("checkpoints", "").split(",") if c.strip()]
    unknown = [c for c in named if c not in known_checkpoints]
    if unknown:
        problems.append(_error(node_id, f"unknown checkpoint(s) {', '.join(unknown)} "
                                        f"(known checkpoints: {_known(known_checkpoints)})"))
    recorded = [c.strip() for c in props.get("evidence", "").split(",") if c.strip()]
    if "evidence" in props and not recorded:
        problems.append(_error(node_id, "evidence names no checkpoint"))
    unknown = [c for c in recorded if c not in known_checkpoints]
    if unknown:
        problems.append(_error(node_id, f"evidence names unknown checkpoint(s) {', '.join(unknown)} "
                                        f"(known checkpoints: {_known(known_checkpoints)})"))
    return problems


def _lint_scripts(root) -> list[Problem]:
    problems = []
    for task in root.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.find(f"{{{BPMN_NS}}}script")
        if script is None or script.text is None:
            problems.append(_error(task.get("id"), "script task has no script"))
        else:
            problems += _compiles(task.get("id"), script.text, compile_script, "script")
    for node in root.xpath("//bpmn:extensionElements/spiffworkflow:preScript"
                           " | //bpmn:extensionElements/spiffworkflow:postScript", namespaces=NS):
        if node.text and node.text.strip():
            problems += _compiles(_owner(node), node.text, compile_script, "script")
    return problems


def _lint_expressions(root) -> list[Problem]:
    problems = []
    for node in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression"
                           " | //bpmn:conditionalEventDefinition/bpmn:condition"
                           " | //bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality"
                           " | //bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition",
                           namespaces=NS):
        problems += _compiles(_owner(node), node.text or "", compile_expression, "expression")
    for node in root.xpath("//bpmn:timerEventDefinition/*[self::bpmn:timeDate or self::bpmn:timeDuration"
                           " or self::bpmn:timeCycle]", namespaces=NS):
        text, event_id = (node.text or "").strip(), _owner(node)
        if _BARE_ISO.match(text):
            problems.append(_error(event_id, f"timer expression {text} is Python: quote the literal "
                                             f'("{text}")'))
            continue
        problems += _compiles(event_id, text, compile_expression, "expression")
    return problems


def _compiles(element_id, source, compiler, kind) -> list[Problem]:
    try:
        compiler(source)
    except ScriptRejected as err:
        return [_error(element_id, f"{kind} does not compile: {err}")]
    return []


def _lint_gateways(root) -> list[Problem]:
    outgoing: dict[str, int] = {}
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        outgoing[flow.get("sourceRef")] = outgoing.get(flow.get("sourceRef"), 0) + 1
    return [
        _warning(gateway.get("id"), f"exclusive gateway has {outgoing[gateway.get('id')]} outgoing flows "
                                    "and no default: if no condition holds, the case stops in error")
        for gateway in root.iter(f"{{{BPMN_NS}}}exclusiveGateway")
        if outgoing.get(gateway.get("id"), 0) > 1 and not gateway.get("default")
    ]
